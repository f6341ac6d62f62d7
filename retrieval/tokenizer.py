"""Keyword tokenizer: NFKC/simplified normalisation, jieba search-mode cut, stopwords.

Kept separate from scoring (BM25 lives in keyword_index.py) so both can be tested alone.
jieba is loaded lazily and its prefix dictionary cached in a folder we choose: the cold
dictionary build costs ~1.5 s, loading the cache a fraction of that.
"""
from __future__ import annotations

import logging
import re
import threading
from functools import cached_property
from importlib import resources
from pathlib import Path

from .text import normalize

_WORD = re.compile(r"[0-9a-z]+(?:[.%][0-9a-z]+)*%?|[\u3400-\u9fff]+")
_HAS_CONTENT = re.compile(r"[0-9a-z\u3400-\u9fff]")


def _data_lines(name: str) -> list[str]:
    text = resources.files("retrieval").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


class Tokenizer:
    """Turns text into keyword tokens for BM25 (documents and queries alike)."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir
        self._lock = threading.Lock()
        self._jieba = None

    @cached_property
    def stopwords(self) -> frozenset[str]:
        return frozenset(_data_lines("stopwords_zh.txt") + _data_lines("stopwords_en.txt"))

    @cached_property
    def user_words(self) -> tuple[str, ...]:
        return tuple(line.split()[0] for line in _data_lines("userdict.txt"))

    def _segmenter(self):
        with self._lock:
            if self._jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                segmenter = jieba.Tokenizer()
                if self._cache_dir is not None:
                    self._cache_dir.mkdir(parents=True, exist_ok=True)
                    segmenter.tmp_dir = str(self._cache_dir)
                segmenter.initialize()
                for line in _data_lines("userdict.txt"):
                    word, freq, *tag = line.split()
                    segmenter.add_word(word, int(freq), tag[0] if tag else None)
                self._jieba = segmenter
            return self._jieba

    def warm_up(self) -> None:
        self._segmenter()

    def words(self, text: str) -> list[str]:
        """Every search-mode token of the normalised text, stopwords included."""
        normalized = normalize(text)
        tokens: list[str] = []
        segmenter = self._segmenter()
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
