"""Keyword tokenizer: NFKC/simplified normalisation, jieba search-mode cut, stopwords.

Kept separate from scoring (BM25 lives in keyword_index.py) so both can be tested alone.
jieba is loaded lazily and its prefix dictionary cached in a folder we choose: the cold
dictionary build costs ~1.5 s, jieba's own cache ~1 s, our split cache (jieba_dictionary.py)
a few milliseconds plus whatever the text being cut needs.
"""
from __future__ import annotations

import logging
import re
import tempfile
import threading
from functools import cached_property
from importlib import resources
from pathlib import Path

from retrieval.text import normalize

_WORD = re.compile(r"[0-9a-z]+(?:[.%][0-9a-z]+)*%?|[\u3400-\u9fff]+")
_HAS_CONTENT = re.compile(r"[0-9a-z\u3400-\u9fff]")


_segmenter_lock = threading.Lock()
_segmenter = None


def get_segmenter(cache_dir: Path | None = None):
    """The process-wide jieba segmenter with the domain dictionary, built on first use.

    One instance serves ingestion and tokenizing alike: each extra jieba instance costs
    another dictionary load. `cache_dir` (where the dictionary caches live) counts only
    on the first call; without one the system temp folder is used, as jieba does.
    """
    global _segmenter
    with _segmenter_lock:
        if _segmenter is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            segmenter = jieba.Tokenizer()
            _load_prefix_dictionary(segmenter, cache_dir or Path(tempfile.gettempdir()))
            for line in _data_lines("userdict.txt"):
                word, freq, *tag = line.split()
                segmenter.add_word(word, int(freq), tag[0] if tag else None)
            _segmenter = segmenter
        return _segmenter


def _load_prefix_dictionary(segmenter, cache_dir: Path) -> None:
    """Give `segmenter` jieba's default dictionary, from the split cache when it is current.

    The split cache (see jieba_dictionary.py) loads in milliseconds instead of ~1 s;
    when it is missing or stale jieba loads the dictionary its own way once and the
    split cache is written for next time (best effort: a read-only folder only costs time).
    """
    import jieba

    from retrieval.language import jieba_dictionary

    signature = jieba_dictionary.source_signature(Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME))
    stored = jieba_dictionary.load(cache_dir, signature)
    if stored is not None:
        segmenter.FREQ, segmenter.total = stored
        segmenter.initialized = True
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        segmenter.tmp_dir = str(cache_dir)
    except OSError:
        pass
    segmenter.initialize()
    try:
        jieba_dictionary.save(cache_dir, segmenter.FREQ, segmenter.total, signature)
    except OSError:
        pass


def _data_lines(name: str) -> list[str]:
    text = resources.files("retrieval").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


class Tokenizer:
    """Turns text into keyword tokens for BM25 (documents and queries alike)."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir

    @cached_property
    def stopwords(self) -> frozenset[str]:
        return frozenset(_data_lines("stopwords_zh.txt") + _data_lines("stopwords_en.txt"))

    def warm_up(self) -> None:
        get_segmenter(self._cache_dir)

    def words(self, text: str) -> list[str]:
        """Every search-mode token of the normalised text, stopwords included."""
        normalized = normalize(text)
        tokens: list[str] = []
        segmenter = get_segmenter(self._cache_dir)
        for run in _WORD.findall(normalized):
            if run[0].isascii():
                tokens.append(run)
            else:
                tokens.extend(segmenter.cut_for_search(run))
        return tokens

    def tokenize(self, text: str) -> list[str]:
        """Content tokens: search-mode words minus stopwords and lone punctuation."""
        return [
            token
            for token in self.words(text)
            if token not in self.stopwords and _HAS_CONTENT.search(token)
        ]
