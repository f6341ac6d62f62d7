"""Character-level helpers shared by ingestion, indexing and quoting.

`normalize` is for MATCHING only (dedup, keyword search, comparing spans): quotes shown to a
user always come from the original text, never from normalised text.
"""
from __future__ import annotations

import re
import unicodedata

import zhconv

# Characters that end a sentence. ASCII "." counts only before whitespace or the end (see
# `_ends_here`), so "8.5%" and "U.S" stay inside their sentence.
SENTENCE_END = frozenset("。！？；!?;")
# Closing quotes and brackets that belong to the sentence they follow: 介绍。” / (见附件。)
CLOSING = frozenset("”’」』）)】》〕]\"'")
ELLIPSIS = frozenset("…")
_WHITESPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFKC (full-width forms to ASCII), traditional -> simplified Chinese. The one Chinese
    fold of index and questions alike: a question folded otherwise than the documents would
    miss their words."""
    return zhconv.convert(unicodedata.normalize("NFKC", text), "zh-cn")


def normalize(text: str) -> str:
    """`fold`, lowercased. Length may change: match only."""
    return fold(text).lower()


def squeeze(text: str) -> str:
    """Normalised with all whitespace removed: hard-wrapped lines split words, so matching
    across a document (dedup, evidence windows, corpus membership) ignores line breaks."""
    return _WHITESPACE.sub("", normalize(text))


def is_cjk(char: str) -> bool:
    """Han characters, CJK punctuation and full-width forms: text joined without spaces."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK punctuation, kana, Han
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFE30 <= code <= 0xFE4F  # vertical/compatibility forms
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF  # Han extensions B..H
        or char in "“”‘’—…·"
    )


def display_width(text: str) -> float:
    """Width in CJK character cells: a Han character is 1, an ASCII character 1/2.

    Hard-wrapped Chinese columns are wrapped at a fixed width in these units.
    """
    width = 0.0
    for char in text:
        if char.isspace():
            width += 0.5
        elif is_cjk(char) or unicodedata.east_asian_width(char) in "WF":
            width += 1.0
        else:
            width += 0.5
    return width


def ends_sentence(text: str) -> bool:
    """True when `text` (stripped) ends with sentence-final punctuation (closers allowed after)."""
    stripped = text.rstrip()
    index = len(stripped) - 1
    while index >= 0 and stripped[index] in CLOSING:
        index -= 1
    if index < 0:
        return False
    char = stripped[index]
    if char in SENTENCE_END or char in ELLIPSIS:
        return True
    # An ASCII full stop ends English sentences; "No." / "3." lines are rare enough in the corpus.
    return char == "." and index > 0 and not stripped[index - 1].isdigit()


def _ends_here(text: str, index: int) -> bool:
    """Does the character at `index` end a sentence (before any closers/whitespace)?"""
    char = text[index]
    following = text[index + 1] if index + 1 < len(text) else ""
    if char in SENTENCE_END:
        # A run like "？！" or "。。" ends once, at its last mark.
        return following not in SENTENCE_END
    if char in ELLIPSIS or char == ".":
        # "……" / "..." inside a sentence is common; count it only at a line or text end, and
        # "." only before whitespace or the end (8.5%, www.example.com stay whole).
        rest = index + 1
        while rest < len(text) and text[rest] in CLOSING:
            rest += 1
        if rest < len(text) and text[rest] in (ELLIPSIS | {"."}):
            return False
        if rest >= len(text):
            return True
        if char in ELLIPSIS:
            return text[rest] in "\n\r"
        return text[rest].isspace()
    return False


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans over `text`: in order, non-overlapping, covering every character.

    A sentence ends after 。！？；!?; (or a final ……/...), plus any closing quotes and brackets
    right after it, plus the whitespace that follows; a newline always ends a sentence.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\n" or _ends_here(text, index):
            end = index + 1
            while end < length and text[end] in CLOSING and char != "\n":
                end += 1
            while end < length and text[end].isspace():
                end += 1
            spans.append((start, end))
            start = index = end
            continue
        index += 1
    if start < length:
        spans.append((start, length))
    return spans


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span [start, end) of `text` without the whitespace at either edge."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def join_lines(head: str, tail: str) -> str:
    """Join two pieces of one hard-wrapped paragraph without losing or adding characters.

    Chinese joins directly; two Latin words get the space the line break stood for.
    A hyphen at a line end before a lowercase letter is kept and joined ("well-\\nknown").
    """
    head = head.rstrip()
    tail = tail.lstrip()
    if not head or not tail:
        return head + tail
    last, first = head[-1], tail[0]
    if is_cjk(last) or is_cjk(first):
        return head + tail
    if last == "-" and first.islower():
        return head + tail
    return head + " " + tail
