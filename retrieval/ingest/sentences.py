"""What of a passage gets embedded and keyword-indexed, and its sentence table.

A passage under `亮点三` of a Laoshan article is about Laoshan even when its own text does
not say so: the title and section are put in front of the text for matching (never for
quoting: quotes always come from `Passage.text`).
"""
from __future__ import annotations

from typing import Sequence

from retrieval.text import split_sentences
from retrieval.types import Passage


def passage_context(passage: Passage) -> str:
    heading = " ".join(part for part in (passage.title, passage.section) if part)
    return f"{heading}\n{passage.text}" if heading else passage.text


def sentence_table(passages: Sequence[Passage]) -> list[tuple[int, int, int]]:
    """(passage row, start, end) of every non-blank sentence, in passage order."""
    table = []
    for row, passage in enumerate(passages):
        for start, end in split_sentences(passage.text):
            if passage.text[start:end].strip():
                table.append((row, start, end))
    return table
