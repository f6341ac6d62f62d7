"""A tiny stand-in with the shape of `retrieval.Engine`, for fast handler tests.

It "answers" by counting shared characters between the question and each passage; a
question containing "unanswerable" or "无关" abstains (verdict "none", still listing the
closest results), one containing "closest" or "接近" gets the middling verdict "closest".
The answer span is the first figure in the quote, when it has one.
"""
from __future__ import annotations

import re
import threading

from fake_engine import PassageLookups
from retrieval.errors import EmptyQuestion, QuestionTooLong
from retrieval.types import ANSWERED, CLOSEST, NOT_FOUND, Answer, Passage, Result

MAX_QUESTION_CHARS = 2000

_TEXTS = [
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


def _passages() -> list[Passage]:
    passages = []
    for doc_id, title, date, paragraphs in _TEXTS:
        offset = 0
        for number, text in enumerate(paragraphs):
            passages.append(
                Passage(f"{doc_id}-p{number}", doc_id, f"{doc_id}.txt", title, date, None, offset, offset + len(text), text)
            )
            offset += len(text) + 2
    return passages


class FakeEngine(PassageLookups):
    def __init__(self, build_id: str = "build-1", text_suffix: str = "", gate: threading.Event | None = None):
        """With `gate`, questions containing "慢" block (up to 10 s) until the gate is set."""
        self.build_id = build_id
        self.gate = gate
        self.entered_slow = threading.Event()
        self._passages = [
            Passage(**{**p.to_dict(), "text": p.text + text_suffix, "end": p.end + len(text_suffix)})
            for p in _passages()
        ]
        self.asked: list[str] = []
        self.threads: set[str] = set()

    def ask(self, question: str, k: int = 5, config=None) -> Answer:
        self.threads.add(threading.current_thread().name)
        if not question.strip():
            raise EmptyQuestion()
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLong(len(question), MAX_QUESTION_CHARS)
        self.asked.append(question)
        if self.gate is not None and "慢" in question:
            self.entered_slow.set()
            self.gate.wait(10)
        scored = sorted(self._passages, key=lambda p: -len(set(question) & set(p.text)))
        results = []
        for rank, passage in enumerate(scored[:k], start=1):
            end = passage.text.find("。") + 1 or len(passage.text)
            figure = re.search(r"\d+(?:万|亿)?元?", passage.text[:end])
            span = (figure.start(), figure.end()) if figure else (None, None)
            results.append(Result(rank, passage, 1.0 / rank, 0, end, *span))
        language = "en" if question.isascii() else "zh"
        if "unanswerable" in question or "无关" in question:
            verdict = NOT_FOUND
        elif "closest" in question or "接近" in question:
            verdict = CLOSEST
        else:
            verdict = ANSWERED
        return Answer(question, language, verdict != ANSWERED, tuple(results), verdict=verdict)

