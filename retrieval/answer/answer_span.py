"""Inside a quote, the words that answer: the figure, the organisation, the date or the
name asked for. Pure functions; None when the question asks for none of these or the quote
shows no candidate (the quote is then the answer as it stands: marking a wrong figure would
mislead more than marking none).

Among several candidates, the one whose own clause (back to the last comma) holds most of the
question's words wins, then the nearest to them: "对新认定的独角兽企业给予最高300万元奖励；对瞪羚企业
给予50万元" answers a unicorn question with 300万元. A question about a rate (增长多少, "what
share") prefers a percentage.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from retrieval.question.answer_type import AnswerType
from retrieval.question.asked_figures import Figure, figure_spans

_DATE = re.compile(r"(?:(?:19|20)\d{2}年)?\d{1,2}月(?:\d{1,2}日)?|(?:19|20)\d{2}年(?:\d{1,2}月)?(?:\d{1,2}日)?|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日")
_ORGANISATION = re.compile(r"[\u4e00-\u9fffA-Za-z0-9（）()·]{2,24}?(?:有限责任公司|股份有限公司|有限公司|集团|公司|银行|研究院|研究所|大学|学院|中心)")
_NAMED = re.compile(r"《[^》]{2,40}》|“[^”]{2,30}”")
# a question asking what something is called
ASKS_NAME = re.compile(r"叫什么|什么名字|名称是|名字是|全称|\bcalled\b|\bname of\b|\bwhat is the name\b", re.I)
ASKS_RATE = re.compile(r"增长|增速|增幅|涨|比例|占比|比重|百分|率|\bshare\b|\bpercent|\brate\b|\bgrowth\b|\bgrew\b|\bincrease", re.I)
_CLAUSE_START = re.compile(r"[，,；;。：:、（(]")


def _clause_before(text: str, start: int) -> str:
    """The text of the clause a candidate sits in, up to the candidate."""
    cut = max((match.end() for match in _CLAUSE_START.finditer(text, 0, start)), default=0)
    return text[cut:start]


def _best(spans: Sequence[tuple[int, int]], text: str, terms: list[str]) -> tuple[int, int] | None:
    if not spans:
        return None
    positions = [text.find(term) for term in terms if term in text]
    anchor = sum(positions) // len(positions) if positions else None

    def rank(span: tuple[int, int]):
        clause = _clause_before(text, span[0]).lower()
        in_clause = sum(len(term) for term in terms if term in clause)
        distance = abs(span[0] - anchor) if anchor is not None else span[0]
        return (-in_clause, distance, span[0])

    return min(spans, key=rank)


def answer_span(
    text: str,
    quote: tuple[int, int],
    figures: frozenset[Figure],
    answer_types: frozenset[AnswerType],
    terms: Iterable[str],
    question: str = "",
) -> tuple[int, int] | None:
    """(start, end) into `text`, inside `quote`, of the answer; None when none can be told."""
    start, end = quote
    quoted = text[start:end]
    words = sorted({term.lower() for term in terms if term and len(term) >= 2}, key=len, reverse=True)
    candidates: list[tuple[int, int]] = []
    if figures:
        candidates = figure_spans(quoted, figures)
        if ASKS_RATE.search(question):
            rates = [span for span in candidates if quoted[span[0]:span[1]].endswith(("%", "百分点"))]
            candidates = rates or candidates
    if not candidates and answer_types & {AnswerType.DATE, AnswerType.DAY}:
        candidates = [match.span() for match in _DATE.finditer(quoted)]
    if not candidates and AnswerType.ORGANISATION in answer_types:
        candidates = [match.span() for match in _ORGANISATION.finditer(quoted)]
    if not candidates and not figures and ASKS_NAME.search(question):  # 《规范》, “一楼一档”
        candidates = [match.span() for match in _NAMED.finditer(quoted)]
    found = _best(candidates, quoted.lower(), words)
    return (start + found[0], start + found[1]) if found else None
