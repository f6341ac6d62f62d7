"""jieba's prefix dictionary, stored split by first character and loaded as needed.

jieba keeps every dictionary word and each of its prefixes in one dict (~500k entries);
unmarshalling jieba's own cache of it costs ~1 s here, most of a cold `investqa ask`.
Segmenting a text only ever looks up strings that start with one of the text's own
characters, so this file stores one marshal blob per first character: opening it reads
the blobs as bytes (milliseconds), and a character's entries are unmarshalled on its
first lookup. A question touches a few dozen characters; a full build touches most of
them and pays about jieba's own cost, spread out. Lookups give exactly jieba's values,
so segmentation is unchanged.
"""
from __future__ import annotations

import marshal
import os
import tempfile
from collections.abc import MutableMapping
from pathlib import Path
from typing import Iterator

FORMAT_VERSION = 1
FILE_NAME = f"jieba-prefix-dict.v{FORMAT_VERSION}.marshal"


class PrefixDictionary(MutableMapping):
    """A str -> int mapping holding jieba's FREQ; each first character's part loads on use.

    Safe to share between threads: two threads may both unmarshal a part, but
    `dict.setdefault` is atomic, so every thread ends up using the same part object.
    """

    def __init__(self, blobs: dict[str, bytes]) -> None:
        self._blobs = dict(blobs)
        self._parts: dict[str, dict[str, int]] = {}

    @classmethod
    def from_dict(cls, freq: dict[str, int]) -> "PrefixDictionary":
        return cls(split_by_first_character(freq))

    def _part(self, key: str) -> dict[str, int]:
        first = key[:1]
        part = self._parts.get(first)
        if part is None:
            blob = self._blobs.get(first)
            part = self._parts.setdefault(first, marshal.loads(blob) if blob is not None else {})
            self._blobs.pop(first, None)  # the part is in place: its bytes are no longer needed
        return part

    def __contains__(self, key) -> bool:
        return isinstance(key, str) and key in self._part(key)

    def __getitem__(self, key: str) -> int:
        if not isinstance(key, str):
            raise KeyError(key)
        return self._part(key)[key]

    def get(self, key, default=None):
        if not isinstance(key, str):
            return default
        return self._part(key).get(key, default)

    def __setitem__(self, key: str, value: int) -> None:
        self._part(key)[key] = value

    def __delitem__(self, key: str) -> None:
        del self._part(key)[key]

    def _load_all(self) -> None:
        for first in list(self._blobs):
            self._part(first)

    def __iter__(self) -> Iterator[str]:
        self._load_all()
        for part in list(self._parts.values()):
            yield from list(part)

    def __len__(self) -> int:
        self._load_all()
        return sum(len(part) for part in self._parts.values())

    def loaded_parts(self) -> int:
        """How many first-character parts have been unmarshalled (for tests and profiling)."""
        return len(self._parts)


def split_by_first_character(freq: dict[str, int]) -> dict[str, bytes]:
    parts: dict[str, dict[str, int]] = {}
    for word, count in freq.items():
        parts.setdefault(word[:1], {})[word] = count
    return {first: marshal.dumps(part) for first, part in parts.items()}


def source_signature(dictionary_path: Path | str) -> list:
    """What the stored file was made from: jieba's version and its dictionary file's identity."""
    import jieba

    stat = os.stat(dictionary_path)
    return [FORMAT_VERSION, str(jieba.__version__), os.path.abspath(dictionary_path), stat.st_size, stat.st_mtime_ns]


def write_split(path: Path, mapping: dict, signature: list, **fields) -> Path:
    """Store `mapping` split by first character, with what it was made from (`signature`)
    and any other `fields`, atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"signature": signature, **fields, "blobs": split_by_first_character(mapping)}
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        marshal.dump(payload, handle)
    os.replace(handle.name, path)
    return path


def read_split(path: Path, signature: list) -> tuple[PrefixDictionary, dict] | None:
    """A mapping stored by `write_split` and its whole payload (for the other fields), or
    None when the file is missing, damaged, or made from something else than `signature`."""
    try:
        with open(path, "rb") as handle:
            payload = marshal.load(handle)
        if payload["signature"] != signature:
            return None
        blobs = payload["blobs"]
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None
    if not isinstance(blobs, dict) or not all(isinstance(blob, bytes) for blob in blobs.values()):
        return None
    return PrefixDictionary(blobs), payload


def save(folder: Path, freq: dict[str, int], total: int, signature: list) -> Path:
    """Write the split dictionary and jieba's word total."""
    return write_split(folder / FILE_NAME, freq, signature, total=int(total))


def load(folder: Path, signature: list) -> tuple[PrefixDictionary, int] | None:
    """The stored dictionary and jieba's word total, or None when missing, stale or damaged."""
    stored = read_split(folder / FILE_NAME, signature)
    if stored is None:
        return None
    dictionary, payload = stored
    try:
        return dictionary, int(payload["total"])
    except (KeyError, TypeError, ValueError):
        return None
