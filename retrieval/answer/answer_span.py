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

from retrieval.question.answer_type import NAMED_PERSON, AnswerType, in_asked_office
from retrieval.question.asked_figures import Figure, asked_count_unit, figure_spans, named_figures

_DATE = re.compile(r"(?:(?:(?:19|20)\d{2}年)?\d{1,2}月(?:\d{1,2}日)?|(?:19|20)\d{2}年(?:\d{1,2}月)?(?:\d{1,2}日)?|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)"
                   r"(?:底|初|中旬|上旬|下旬|上午|下午|晚)?")
# Words that qualify a figure belong to the answer: 超过30%, 约930亿元, 4000亩以上, 7.5%左右.
_BEFORE_FIGURE = re.compile(r"(?:超过|至少|不少于|不低于|突破|接近|将近|近|约|逾|超)\s*$")
_AFTER_FIGURE = re.compile(r"左右|以上|以下|上下")
# 《崂山区防控疫情支持企业十条政策措施》 names a document: its figures answer nothing
_TITLE = re.compile(r"《[^》]*》")
# an organisation's name holds no preposition, verb or pronoun of the sentence around it
# ("该设备在清华大学" is 清华大学)
_ORGANISATION = re.compile(r"(?:(?![在于由与和是的了为将对从向该这其及])[\u4e00-\u9fffA-Za-z0-9（）()·]){2,24}?"
                           r"(?:有限责任公司|股份有限公司|有限公司|集团|公司|银行|研究院|研究所|大学|学院|中心)")
# where something was held: the venue after 在 / 于 (在青岛国际会议中心开幕)
_VENUE = re.compile(r"[在于]([\u4e00-\u9fff（）()]{2,20}?)(?:举行|举办|开幕|召开|开展|揭牌|落户|成立)")
_NAMED = re.compile(r"《[^》]{2,40}》|“[^”]{2,30}”")
# a question asking what something is called
ASKS_NAME = re.compile(r"叫什么|什么名字|名称是|名字是|全称|\bcalled\b|\bname of\b|\bwhat is the name\b", re.I)
ASKS_RATE = re.compile(r"增长|增速|增幅|涨|比例|占比|比重|百分|率|\bshare\b|\bpercent|\brate\b|\bgrowth\b|\bgrew\b|\bincrease", re.I)
# a question asking which one: it wants a name, not the figure it may name ("哪支总规模10亿美元的基金")
ASKS_WHICH = re.compile(r"哪|什么|\bwhich\b", re.I)
MAX_GAP = 30
_CLAUSE_START = re.compile(r"[，,；;。：:、（(]")


def _clause_before(text: str, start: int) -> str:
    """The text of the clause a candidate sits in, up to the candidate."""
    cut = max((match.end() for match in _CLAUSE_START.finditer(text, 0, start)), default=0)
    return text[cut:start]


def _figure_candidates(quoted: str, figures: frozenset[Figure], question: str) -> list[tuple[int, int]]:
    titles = [match.span() for match in _TITLE.finditer(quoted)]
    candidates = [span for span in figure_spans(quoted, figures) if not any(first <= span[0] < last for first, last in titles)]
    if ASKS_RATE.search(question):
        rates = [span for span in candidates if quoted[span[0]:span[1]].endswith(("%", "百分点"))]
        candidates = rates or candidates
    unit = asked_count_unit(question) if Figure.COUNT in figures else None
    if unit:  # 多少家企业 is counted in 家, not in the 百座 buildings beside them
        counted = [span for span in candidates if unit in quoted[span[0]:span[1]]]
        candidates = counted or candidates
    return [_with_qualifiers(quoted, span) for span in candidates]


def _both_figures(quoted: str, figures: frozenset[Figure], words: list[str]) -> tuple[int, int] | None:
    """The stretch from the first to the last of the best figure of each asked kind, when they
    stand within one clause chain (no sentence break, at most MAX_GAP characters apart)."""
    best = {_best(_figure_candidates(quoted, frozenset({kind}), ""), quoted.lower(), words) for kind in figures - {Figure.ANY}}
    if None in best or len(best) < 2:
        return None
    first, last = min(span[0] for span in best), max(span[1] for span in best)
    between = quoted[first:last]
    return (first, last) if len(between) <= MAX_GAP and not re.search(r"[。！？；;]", between) else None


def _more_than_own_words(name: str, words: list[str]) -> bool:
    """Whether `name` says more than the question's own words and an organisation's kind."""
    for word in words:  # longest first
        name = name.replace(word, "")
    return len(re.sub(r"有限责任公司|股份有限公司|有限公司|集团|公司|银行|研究院|研究所|大学|学院|中心", "", name)) >= 2


def _with_qualifiers(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    before = _BEFORE_FIGURE.search(text, max(0, start - 4), start)
    after = _AFTER_FIGURE.match(text, end)
    return (before.start() if before else start, after.end() if after else end)


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
    offices: frozenset[str] = frozenset(),
) -> tuple[int, int] | None:
    """(start, end) into `text`, inside `quote`, of the answer; None when none can be told.
    `offices` are those a who-question asks about (`Constraints.offices`)."""
    start, end = quote
    quoted = text[start:end]
    words = sorted({term.lower() for term in terms if term and len(term) >= 2}, key=len, reverse=True)
    candidates: list[tuple[int, int]] = []
    if not figures and not answer_types and not ASKS_WHICH.search(question):
        figures = named_figures(question)
    if len(figures - {Figure.ANY}) >= 2:  # 有多少家，占比多少: both figures, when they stand together
        both = _both_figures(quoted, figures, words)
        if both:
            return start + both[0], start + both[1]
    if figures:
        candidates = _figure_candidates(quoted, figures, question)
    if not candidates and AnswerType.PERSON in answer_types:
        # the person in the office asked about (总经理 of 总经理是谁) before another the quote names
        people = list(NAMED_PERSON.finditer(quoted))
        candidates = [match.span() for match in people if in_asked_office(match, offices)] or [match.span() for match in people]
    if not candidates and AnswerType.PLACE in answer_types:
        candidates = [match.span(1) for match in _VENUE.finditer(quoted)]
    if not candidates and answer_types & {AnswerType.DATE, AnswerType.DAY, AnswerType.YEAR}:
        candidates = [match.span() for match in _DATE.finditer(quoted)]
    if not candidates and AnswerType.ORGANISATION in answer_types:
        # a name the question itself gives ("融资租赁公司" of 哪家融资租赁公司) is not the answer
        candidates = [match.span() for match in _ORGANISATION.finditer(quoted)
                      if _more_than_own_words(match.group(), words)]
    if not candidates and not figures and ASKS_NAME.search(question):  # 《规范》, “一楼一档”
        candidates = [match.span() for match in _NAMED.finditer(quoted)]
    found = _best(candidates, quoted.lower(), words)
    return (start + found[0], start + found[1]) if found else None
