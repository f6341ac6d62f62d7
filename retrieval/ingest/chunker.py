"""Cut cleaned documents into paragraph-sized passages.

Passages follow paragraphs: a long paragraph is split at sentence ends into near-equal
pieces, tiny ones are merged with neighbours under the same section heading. A passage is
always one contiguous span of `Document.text`, so quotes stay verbatim.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable

from retrieval.text import split_sentences, squeeze, trim_span
from retrieval.types import Document, Passage

_CLAUSE_END = re.compile(r"[，,、：:]")


def _split_long_sentence(start: int, end: int, text: str, max_chars: int) -> list[tuple[int, int]]:
    """A sentence longer than a passage: cut after commas, else hard at `max_chars`."""
    spans: list[tuple[int, int]] = []
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cuts = [match.end() for match in _CLAUSE_END.finditer(window)]
        cut = cuts[-1] if cuts and cuts[-1] > max_chars // 3 else max_chars
        spans.append((start, start + cut))
        start += cut
    spans.append((start, end))
    return spans


def split_paragraph(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Split `text[start:end]` at sentence ends into pieces of at most `max_chars`, near-equal."""
    length = end - start
    if length <= max_chars:
        return [(start, end)]
    sentences: list[tuple[int, int]] = []
    for first, last in split_sentences(text[start:end]):
        sentences.extend(_split_long_sentence(start + first, start + last, text, max_chars))
    target = length / math.ceil(length / max_chars)
    pieces: list[tuple[int, int]] = []
    piece_start = piece_end = sentences[0][0]
    for first, last in sentences:
        size = piece_end - piece_start
        if size and (size >= target or last - piece_start > max_chars):
            pieces.append((piece_start, piece_end))
            piece_start = first
        piece_end = last
    pieces.append((piece_start, piece_end))
    return pieces


def passage_spans(document: Document, min_chars: int, max_chars: int) -> list[tuple[int, int]]:
    """(start, end) spans of the passages of one document, in order."""
    text = document.text
    units: list[tuple[int, int, str | None]] = []
    for para_start, para_end in document.paragraphs:
        section = document.section_at(para_start)
        for start, end in split_paragraph(text, para_start, para_end, max_chars):
            start, end = trim_span(text, start, end)
            if start < end:
                units.append((start, end, section))
    groups: list[list] = []
    for start, end, section in units:
        if groups:
            last = groups[-1]
            same_section = last[2] == section
            fits = end - last[0] <= max_chars
            small = last[1] - last[0] < min_chars or end - start < min_chars
            if same_section and fits and small:
                last[1] = end
                continue
        groups.append([start, end, section])
    return [(start, end) for start, end, _ in groups]


def match_key(text: str) -> str:
    """What counts as 'the same text' for dedup: normalised, whitespace removed."""
    return squeeze(text)


def _fresh_span(
    document: Document, start: int, end: int, seen: set[str]
) -> tuple[int, int] | None:
    """The passage span without paragraphs already seen at its edges (None if nothing is new).

    Marks its own paragraph pieces as seen. Pieces shorter than `MIN_REPEAT_CHARS` never
    count as repeats: short sentences legitimately recur.
    """
    pieces = [
        (max(start, p_start), min(end, p_end))
        for p_start, p_end in document.paragraphs
        if p_start < end and p_end > start
    ]
    keys = [match_key(document.text[a:b]) for a, b in pieces]
    repeated = [len(key) >= MIN_REPEAT_CHARS and key in seen for key in keys]
    seen.update(key for key in keys if len(key) >= MIN_REPEAT_CHARS)
    first, last = 0, len(pieces)
    while first < last and repeated[first]:
        first += 1
    while last > first and repeated[last - 1]:
        last -= 1
    if first == last:
        return None
    return pieces[first][0], pieces[last - 1][1]


MIN_REPEAT_CHARS = 20


def chunk_documents(
    documents: Iterable[Document], min_chars: int, max_chars: int
) -> list[Passage]:
    """Passages of all documents in order; text already seen earlier is dropped.

    A passage identical to an earlier one is dropped; paragraphs repeated from earlier (the
    same news reposted) are cut off a passage's edges. Ids number every passage of a document
    before dropping, so they depend only on the document itself.
    """
    passages: list[Passage] = []
    seen_passages: set[str] = set()
    seen_pieces: set[str] = set()
    for document in documents:
        for number, (start, end) in enumerate(passage_spans(document, min_chars, max_chars)):
            key = match_key(document.text[start:end])
            if not key or key in seen_passages:
                continue
            seen_passages.add(key)
            fresh = _fresh_span(document, start, end, seen_pieces)
            if fresh is None:
                continue
            start, end = fresh
            passages.append(
                Passage(
                    passage_id=f"{document.doc_id}:{number}",
                    doc_id=document.doc_id,
                    file=document.file,
                    title=document.title,
                    date=document.date,
                    posted=document.posted,
                    section=document.section_at(start),
                    start=start,
                    end=end,
                    text=document.text[start:end],
                    ocr=document.ocr,
                )
            )
    return passages
