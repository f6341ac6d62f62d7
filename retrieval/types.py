"""Typed values that flow through the pipeline and out of `retrieval`.

All are frozen dataclasses: the front-ends read them, nothing mutates them.
"""
from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field
from typing import Iterable, Mapping


@dataclass(frozen=True)
class Section:
    """A heading inside a document; it applies from `start` until the next one."""

    start: int
    heading: str


@dataclass(frozen=True)
class Document:
    """One article or report after cleaning.

    `text` keeps the original characters (hard-wrap line breaks joined, boilerplate,
    title and date lines taken out); all offsets below point into it.
    `paragraphs` are (start, end) spans of real paragraphs of `text`.
    `date` is the document's own date (ISO), stated in its heading lines, e.g. the day a work
    report was delivered; `posted` the site's date line beside it, often only a repost date.
    Either may be None.
    """

    doc_id: str
    file: str
    title: str
    date: str | None
    text: str
    paragraphs: tuple[tuple[int, int], ...]
    sections: tuple[Section, ...] = ()
    posted: str | None = None
    ocr: bool = False  # the text was read from page images (a scan), not a text layer

    def section_at(self, offset: int) -> str | None:
        current = None
        for section in self.sections:
            if section.start <= offset:
                current = section.heading
            else:
                break
        return current


@dataclass(frozen=True)
class SkippedFile:
    file: str
    reason: str


@dataclass(frozen=True)
class Passage:
    """A paragraph-sized, verbatim slice `text == document.text[start:end]`; `date` and
    `posted` are its document's (see `Document`)."""

    passage_id: str
    doc_id: str
    file: str
    title: str
    date: str | None
    section: str | None
    start: int
    end: int
    text: str
    posted: str | None = None
    ocr: bool = False  # read by OCR from a scanned page: the quote may hold recognition errors

    def source_dict(self) -> dict:
        return {
            "file": self.file,
            "title": self.title,
            "date": self.date,
            "posted": self.posted,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "ocr": self.ocr,
        }

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Passage":
        """Reads passages.jsonl of any build: fields added later (`posted`) may be missing."""
        return cls(**{
            name: data[name] if name in data or spec.default is MISSING else data.get(name, spec.default)
            for name, spec in cls.__dataclass_fields__.items()
        })


@dataclass(frozen=True)
class Result:
    """One ranked passage with the sentence(s) that answer, `quote`, found inside it, and
    inside the quote the words that answer (the figure, name, date), when they can be told.

    `quote == passage.text[quote_start:quote_end]`; when `answer_start` is not None,
    `quote_start <= answer_start < answer_end <= quote_end`.
    """

    rank: int
    passage: Passage
    score: float
    quote_start: int
    quote_end: int
    answer_start: int | None = None
    answer_end: int | None = None

    @property
    def quote(self) -> str:
        return self.passage.text[self.quote_start : self.quote_end]

    @property
    def answer_text(self) -> str | None:
        if self.answer_start is None or self.answer_end is None:
            return None
        return self.passage.text[self.answer_start : self.answer_end]

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "passage_id": self.passage.passage_id,
            "text": self.passage.text,
            "quote": self.quote,
            "answer": None if self.answer_start is None else {"start": self.answer_start, "end": self.answer_end},
            "score": round(float(self.score), 6),
            "source": self.passage.source_dict(),
        }


# How an answer is to be presented (front-ends follow it):
ANSWERED = "answer"    # confident: lead with the top passage, its answer marked
CLOSEST = "closest"    # middling: show the closest passage with a plain caveat
NOT_FOUND = "none"     # low: say nothing in the documents answers
VERDICTS = (ANSWERED, CLOSEST, NOT_FOUND)


@dataclass(frozen=True)
class Answer:
    question: str
    language: str  # "zh" or "en": the language to reply in
    abstained: bool  # true = not presented as an answer (verdict CLOSEST or NOT_FOUND)
    results: tuple[Result, ...] = field(default_factory=tuple)
    # the probability that the top result answers, from the answerability model
    # (retrieval/answer/answerability.py); abstained exactly when below the operating point
    confidence: float = 1.0
    verdict: str = ANSWERED
    # the answerability model's inputs, for evaluation and fitting (not part of the JSON)
    signals: Mapping[str, float] | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "abstained": self.abstained,
            "verdict": self.verdict,
            "confidence": round(float(self.confidence), 4),
            "results": [result.to_dict() for result in self.results],
        }


@dataclass(frozen=True)
class DocumentInfo:
    """What the front-ends list about an indexed document (/sources, /help)."""

    doc_id: str
    file: str
    title: str
    date: str | None
    passages: int
    posted: str | None = None
    ocr: bool = False


def summarize_documents(passages: Iterable[Passage]) -> list[DocumentInfo]:
    """One DocumentInfo per document, in the order its first passage appears."""
    infos: dict[str, DocumentInfo] = {}
    for passage in passages:
        info = infos.get(passage.doc_id)
        count = info.passages + 1 if info else 1
        infos[passage.doc_id] = DocumentInfo(
            passage.doc_id, passage.file, passage.title, passage.date, count, posted=passage.posted, ocr=passage.ocr
        )
    return list(infos.values())
