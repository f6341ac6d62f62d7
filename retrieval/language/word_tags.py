"""Part-of-speech tags of dictionary words (jieba's dictionary plus ours), loaded lazily.

Abstention weighs a question's nouns above its verbs: questions paraphrase predicates far
more than they rename things. jieba's own tagger costs ~1.6 s to load, too much for a cold
`investqa ask`, and a question needs the tags of a handful of words. So the tag table is
stored once in the index's state folder split by first character, like the prefix
dictionary (jieba_dictionary.py), and a character's part is unmarshalled on first lookup.
"""
from __future__ import annotations

import hashlib
import os
import threading
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

from retrieval.language.jieba_dictionary import read_split, write_split

FORMAT_VERSION = 1
FILE_NAME = f"word-tags.v{FORMAT_VERSION}.marshal"

_lock = threading.Lock()
_loaded: dict[str, Mapping[str, str]] = {}


def _sources() -> tuple[Path, str]:
    import jieba

    ours = resources.files("retrieval.data").joinpath("userdict.txt").read_text(encoding="utf-8")
    return Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME), ours


def parse_tags(lines: Iterable[str]) -> dict[str, str]:
    """`word freq tag` lines to {word: tag}; later lines win, untagged lines are skipped."""
    tags: dict[str, str] = {}
    for line in lines:
        parts = line.split()
        if len(parts) >= 3:
            tags[parts[0]] = parts[2]
    return tags


def _signature(dictionary: Path, ours: str) -> list:
    stat = os.stat(dictionary)
    return [FORMAT_VERSION, os.path.abspath(dictionary), stat.st_size, stat.st_mtime_ns,
            hashlib.sha256(ours.encode("utf-8")).hexdigest()]


def dictionary_tags(cache_dir: Path) -> Mapping[str, str]:
    """word -> jieba tag ("n", "v", "ns", ...) for every dictionary word; shared per folder."""
    key = str(cache_dir)
    with _lock:
        tags = _loaded.get(key)
        if tags is None:
            dictionary, ours = _sources()
            signature = _signature(dictionary, ours)
            stored = read_split(cache_dir / FILE_NAME, signature)
            if stored is not None:
                tags = stored[0]
            else:
                with open(dictionary, encoding="utf-8") as handle:
                    tags = parse_tags(list(handle) + ours.splitlines())
                try:
                    write_split(cache_dir / FILE_NAME, tags, signature)
                except OSError:
                    pass  # best effort: a read-only folder only costs the next process time
            _loaded[key] = tags
        return tags
