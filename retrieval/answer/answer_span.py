"""Inside a quote, the words that answer: the figure, the organisation, the date or the
place asked for. Pure functions; None when the question asks for none of these or the
quote shows no candidate (the quote is then the answer as it stands).

Among several candidates the one nearest to where the question's own words occur in the
quote wins: "对新认定的独角兽企业给予最高300万元奖励；对瞪羚企业给予50万元" answers a unicorn
question with 300万元, not 50万元.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from retrieval.question.answer_type import AnswerType
from retrieval.question.asked_figures import Figure, figure_spans

_DATE = re.compile(r"(?:(?:19|20)\d{2}年)?\d{1,2}月(?:\d{1,2}日)?|(?:19|20)\d{2}年(?:\d{1,2}月)?(?:\d{1,2}日)?|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日")
_ORGANISATION = re.compile(r"[\u4e00-\u9fffA-Za-z0-9（）()·]{2,24}?(?:有限责任公司|股份有限公司|有限公司|集团|公司|银行|研究院|研究所|大学|学院|中心)")
_NAMED = re.compile(r"《[^》]{2,40}》|“[^”]{2,30}”")


def _anchor(text: str, terms: Iterable[str]) -> int | None:
    """Where the question's words sit in the quote: the mean position of those found."""
    positions = [text.find(term) for term in terms if term and len(term) >= 2 and term in text]
    return sum(positions) // len(positions) if positions else None


def _nearest(spans: Sequence[tuple[int, int]], anchor: int | None) -> tuple[int, int] | None:
    if not spans:
        return None
    if anchor is None:
        return spans[0]
    return min(spans, key=lambda span: (abs(span[0] - anchor), span[0]))


def answer_span(
    text: str,
    quote: tuple[int, int],
    figures: frozenset[Figure],
    answer_types: frozenset[AnswerType],
    terms: Iterable[str],
) -> tuple[int, int] | None:
    """(start, end) into `text`, inside `quote`, of the answer; None when none can be told."""
    start, end = quote
    quoted = text[start:end]
    candidates: list[tuple[int, int]] = []
    if figures:
        candidates = figure_spans(quoted, figures)
    if not candidates and AnswerType.DATE in answer_types:
        candidates = [match.span() for match in _DATE.finditer(quoted)]
    if not candidates and AnswerType.ORGANISATION in answer_types:
        candidates = [match.span() for match in _ORGANISATION.finditer(quoted)]
    if not candidates and not figures:  # a name asked for: 《规范》, “一楼一档”
        candidates = [match.span() for match in _NAMED.finditer(quoted)]
    found = _nearest(candidates, _anchor(quoted.lower(), terms))
    return (start + found[0], start + found[1]) if found else None
