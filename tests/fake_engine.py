"""A small stand-in for `retrieval.Engine` (same shape) for unit tests of the front-ends.

It answers by keyword: the passages whose text contains a word of the question rank first,
the others follow in corpus order; a question with no matching passage abstains (verdict
"none"), any other gets the engine's verdict `verdict` ("answer" unless told). The answer span
is the first figure in the quote, when it has one.
"""
from __future__ import annotations

import re

from retrieval.errors import EmptyQuestion, QuestionTooLong, UnknownPassage
from retrieval.types import ANSWERED, NOT_FOUND, Answer, DocumentInfo, Passage, Result, summarize_documents

MAX_QUESTION_CHARS = 200


def make_passage(number: int, text: str, doc_id: str = "doc0", file: str = "000_test.txt",
                 title: str = "测试标题", date: str | None = "2020-05-01", section: str | None = None) -> Passage:
    return Passage(
        passage_id=f"{doc_id}-p{number:03d}", doc_id=doc_id, file=file, title=title, date=date,
        section=section, start=number * 1000, end=number * 1000 + len(text), text=text,
    )


def sample_passages() -> list[Passage]:
    return [
        make_passage(0, "崂山区发布了楼宇经济政策。对新认定的独角兽企业，最高可奖励300万元。其他企业另行规定。"),
        make_passage(1, "西海岸新区设立产业基金，规模达到50亿元。基金重点投向新能源产业。"),
        make_passage(2, "The district offers rent subsidies to startups. Subsidies last three years."),
        make_passage(0, "城阳区引进重点项目20个。项目总投资120亿元。", doc_id="doc1", file="001_other.txt",
                     title="城阳区报告", date=None, section="一、招商引资"),
    ]


def _language(text: str) -> str:
    return "zh" if any("\u4e00" <= char <= "\u9fff" for char in text) else "en"


class PassageLookups:
    """The engine's lookups over a list `self._passages`, shared by the test fakes."""

    _passages: list[Passage]

    def passage(self, passage_id: str) -> Passage:
        for passage in self._passages:
            if passage.passage_id == passage_id:
                return passage
        raise UnknownPassage(passage_id)

    def neighbours(self, passage_id: str, radius: int = 1) -> list[Passage]:
        focus = self.passage(passage_id)
        same_doc = [passage for passage in self._passages if passage.doc_id == focus.doc_id]
        row = same_doc.index(focus)
        return same_doc[max(0, row - radius) : row + radius + 1]

    def passages(self) -> tuple[Passage, ...]:
        return tuple(self._passages)

    def documents(self) -> list[DocumentInfo]:
        return summarize_documents(self._passages)


class FakeEngine(PassageLookups):
    def __init__(self, passages: list[Passage] | None = None, verdict: str = ANSWERED) -> None:
        self._passages = passages if passages is not None else sample_passages()
        self.verdict = verdict
        self.build_id = "fake-build"
        self.manifest = {"build_id": self.build_id}
        self.asked: list[tuple[str, int, object]] = []

    def ask(self, question: str, k: int = 5, config=None) -> Answer:
        if not question.strip():
            raise EmptyQuestion()
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLong(len(question), MAX_QUESTION_CHARS)
        self.asked.append((question, k, config))
        words = [word for word in question.replace("？", " ").replace("?", " ").split() if len(word) >= 2]
        chars = [question[i : i + 2] for i in range(len(question) - 1)] if _language(question) == "zh" else words
        scored = [(sum(piece.lower() in passage.text.lower() for piece in chars), -row, passage)
                  for row, passage in enumerate(self._passages)]
        scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
        results = []
        for rank, (score, _, passage) in enumerate(scored[:k], start=1):
            first_sentence_end = passage.text.find("。") + 1 or passage.text.find(".") + 1 or len(passage.text)
            figure = re.search(r"\d+(?:万|亿)?元?", passage.text[:first_sentence_end])
            span = (figure.start(), figure.end()) if figure else (None, None)
            results.append(Result(rank, passage, float(score) / 10, 0, first_sentence_end, *span))
        verdict = NOT_FOUND if not scored or scored[0][0] == 0 else self.verdict
        confidence = {ANSWERED: 0.9, NOT_FOUND: 0.05}.get(verdict, 0.4)
        return Answer(question, _language(question), verdict != ANSWERED, tuple(results), confidence, verdict)
