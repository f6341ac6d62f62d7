"""One stand-in with the shape of `retrieval.Engine`, for fast unit tests of the front-ends
(CLI, terminal chat, Telegram handlers).

It ranks passages by a simple word match (`match`), quotes each passage's first sentence,
marks the first figure in the quote as the answer, and gives a verdict by a rule (`judge`).
Two corpora come with it: `sample_passages()` for the CLI and chat tests (no matching
passage: verdict "none", else the `verdict` asked for) and `telegram_passages()` for the
handler tests; `TelegramFakeEngine` is the Telegram variant ("unanswerable" / "无关":
"none", "closest" / "接近": "closest"; it can block on "慢").
"""
from __future__ import annotations

import re
import threading
from typing import Callable, Sequence

from retrieval.errors import EmptyQuestion, QuestionTooLong, UnknownPassage
from retrieval.types import ANSWERED, CLOSEST, NOT_FOUND, Answer, DocumentInfo, Passage, Result, summarize_documents


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


_TELEGRAM_TEXTS = [
    ("d1", "崂山区支持政策", "2021-03-01", [
        "为支持企业发展，崂山区出台多项政策。对新认定的独角兽企业给予最高300万元奖励。对瞪羚企业给予50万元奖励。",
        "崂山区还设立了产业基金，规模达到100亿元，重点投向<新一代信息技术>与生物医药 & 金融。",
        "区政府将持续优化营商环境，提升服务效率。",
    ]),
    ("d2", "即墨区工作报告", None, [
        "即墨区2019年地区生产总值增长8%。全年新引进过亿元项目60个。",
        "即墨区将加快建设青岛汽车产业新城。",
    ]),
]


def telegram_passages(text_suffix: str = "") -> list[Passage]:
    passages = []
    for doc_id, title, date, paragraphs in _TELEGRAM_TEXTS:
        offset = 0
        for number, text in enumerate(paragraphs):
            text += text_suffix
            passages.append(Passage(f"{doc_id}-p{number}", doc_id, f"{doc_id}.txt", title, date, None, offset, offset + len(text), text))
            offset += len(text) + 2
    return passages


def language_of(text: str) -> str:
    return "zh" if any("\u4e00" <= char <= "\u9fff" for char in text) else "en"


def bigram_matches(question: str, passage: Passage) -> int:
    """Chinese: shared character pairs; English: shared words of two letters or more."""
    if language_of(question) == "zh":
        pieces = [question[i : i + 2] for i in range(len(question) - 1)]
    else:
        pieces = [word for word in question.replace("？", " ").replace("?", " ").split() if len(word) >= 2]
    return sum(piece.lower() in passage.text.lower() for piece in pieces)


def shared_characters(question: str, passage: Passage) -> int:
    return len(set(question) & set(passage.text))


def by_words(question: str, best_score: int) -> str:
    """The Telegram fake's rule: the question says which verdict it wants."""
    if "unanswerable" in question or "无关" in question:
        return NOT_FOUND
    return CLOSEST if "closest" in question or "接近" in question else ANSWERED


CONFIDENCE = {ANSWERED: 0.9, CLOSEST: 0.4, NOT_FOUND: 0.05}


OFF_DOMAIN_MARKERS = ("谢谢", "thanks")


class FakeEngine:
    def __init__(
        self,
        passages: Sequence[Passage] | None = None,
        build_id: str = "fake-build",
        match: Callable[[str, Passage], int] = bigram_matches,
        judge: Callable[[str, int], str] | None = None,
        gate: threading.Event | None = None,
        max_question_chars: int = 200,
        verdict: str = ANSWERED,
    ) -> None:
        """`judge(question, best match)` gives the verdict; by default "none" when nothing
        matches, else `verdict`. With `gate`, questions containing "慢" block (up to 10 s)
        until the gate is set. A question holding one of OFF_DOMAIN_MARKERS comes nearer
        everyday chat (signal `off_domain` 0.05), as the real engine reads "thanks, bye"."""
        self._passages = list(passages) if passages is not None else sample_passages()
        self.build_id = build_id
        self.manifest = {"build_id": build_id}
        self._match = match
        self._judge = judge or (lambda question, best: NOT_FOUND if best == 0 else verdict)
        self.gate = gate
        self.entered_slow = threading.Event()
        self.max_question_chars = max_question_chars
        self.asked: list[str] = []
        self.calls: list[tuple[str, int, object]] = []  # (question, k, config) of every ask
        self.threads: set[str] = set()

    # -- lookups, as the engine has them ----------------------------------------------

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

    # -- answering --------------------------------------------------------------------

    def ask(self, question: str, k: int = 5, config=None) -> Answer:
        self.threads.add(threading.current_thread().name)
        if not question.strip():
            raise EmptyQuestion()
        if len(question) > self.max_question_chars:
            raise QuestionTooLong(len(question), self.max_question_chars)
        self.asked.append(question)
        self.calls.append((question, k, config))
        if self.gate is not None and "慢" in question:
            self.entered_slow.set()
            self.gate.wait(10)
        scored = sorted(enumerate(self._passages), key=lambda item: (-self._match(question, item[1]), item[0]))
        results = []
        for rank, (_, passage) in enumerate(scored[:k], start=1):
            end = passage.text.find("。") + 1 or passage.text.find(".") + 1 or len(passage.text)
            figure = re.search(r"\d+(?:万|亿)?元?", passage.text[:end])
            span = figure.span() if figure else (None, None)
            results.append(Result(rank, passage, self._match(question, passage) / 10, 0, end, *span))
        verdict = self._judge(question, self._match(question, scored[0][1])) if scored else NOT_FOUND
        off_domain = 0.05 if any(marker in question.lower() for marker in OFF_DOMAIN_MARKERS) else 0.0
        return Answer(question, language_of(question), verdict != ANSWERED, tuple(results), CONFIDENCE[verdict], verdict, {"off_domain": off_domain})


class TelegramFakeEngine(FakeEngine):
    """The Telegram handler tests' variant: their corpus, shared-character matching, the
    question's words choose the verdict."""

    def __init__(self, build_id: str = "build-1", text_suffix: str = "", gate: threading.Event | None = None) -> None:
        super().__init__(telegram_passages(text_suffix), build_id, shared_characters, by_words, gate, max_question_chars=2000)
