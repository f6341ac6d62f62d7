"""What a question constrains and what kind of answer it wants, read from its words. Pure.

Near misses ask about something the corpus knows under a condition it does not report:
another year (2017年 when the report covers 2018), another period (全年 when only 前三季度 is
given), or an attribute it never states (who chairs it, when it opened). So a question's
years and periods must be matched by the quoted window or its document's title and date,
and a who / when / which-organisation question needs a person, a date or an organisation
near the quote. The word lists are general Chinese and English, not drawn from a question set.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Iterable

from retrieval.question.attributes import named_attributes
from retrieval.question.places import named_places


class AnswerType(Enum):
    PERSON = "person"              # 谁, who
    DATE = "date"                  # 什么时候, 何时, when, what date
    ORGANISATION = "organisation"  # 哪家公司, which company
    PLACE = "place"                # 哪里, where, which district
    ADDRESS = "address"            # 地址, address: a street and number, not a district


YEAR_ZH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
YEAR_EN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# Reporting periods, each with the patterns a text writes it in (三季度 alone is the third
# quarter, inside 前三季度 it is not).
PERIODS = {
    "first_quarter": r"一季度|1-3月|1至3月",
    "second_quarter": r"二季度|4-6月|4至6月",
    "third_quarter": r"(?<!前)三季度|7-9月|7至9月",
    "fourth_quarter": r"四季度|10-12月",
    "first_half": r"上半年|1-6月|1至6月",
    "second_half": r"下半年",
    "first_three_quarters": r"前三季度|1-9月|1至9月",
    "full_year": r"全年|一整年|整年",
}
def _english(*phrases: str) -> str:
    """Alternatives bounded by non-letters (a word boundary would take 年 in "2020年Q1" for a letter)."""
    return "|".join(rf"(?<![a-z0-9]){phrase}(?![a-z0-9])" for phrase in phrases)


PERIODS_EN = {
    "first_quarter": _english("first quarter", r"q1(?!\s*-)"),
    "second_quarter": _english("second quarter", "q2"),
    "third_quarter": _english("third quarter", "q3"),
    "fourth_quarter": _english("fourth quarter", "q4"),
    "first_half": _english("first half", "h1", "first six months"),
    "second_half": _english("second half", "h2"),
    "first_three_quarters": _english("first (?:three|3) quarters", r"q1\s*-\s*q3", "first nine months"),
    "full_year": _english("full[ -]year", "whole (?:of )?(?:the )?year", "entire year", r"(?:whole|all) of (?:19|20)\d{2}"),
}

_ASKS_ZH = (
    (AnswerType.PERSON, re.compile(r"谁|哪位|什么人|姓名|负责人|法人|法定代表人|董事长|总经理|区长是|书记是")),
    (AnswerType.DATE, re.compile(r"什么时候|何时|哪一?天|哪一?年|几月|几号|哪个月|具体日期|什么日期|哪一?日")),
    (AnswerType.ORGANISATION, re.compile(r"哪家|哪些?(?:公司|企业|机构|银行|单位|集团)|什么(?:公司|企业|机构|单位)|由谁|谁(?:来)?(?:运营|建设|投资)")),
    (AnswerType.PLACE, re.compile(r"哪里|哪儿|在哪|什么地方|何处|哪个(?:区|市|街道|位置|地点)")),
    (AnswerType.ADDRESS, re.compile(r"地址|门牌")),
)
_ASKS_EN = (
    (AnswerType.PERSON, re.compile(r"\bwho\b|\bwhose\b|\bwhich (?:person|official)\b|\bname of the (?:mayor|chair|head|director|ceo|president)")),
    (AnswerType.DATE, re.compile(r"\bwhen\b|\bwhat (?:date|day|month|time)\b|\bwhich (?:date|day|month)\b|\bwhat year\b|\bwhich year\b")),
    (AnswerType.ORGANISATION, re.compile(r"\bwhich (?:company|companies|firm|firms|enterprise|enterprises|bank|banks|organi[sz]ation|institution)\b|\bwhat (?:company|firm|enterprise|bank)\b")),
    (AnswerType.PLACE, re.compile(r"\bwhere\b|\bwhich (?:district|city|county|town|street|area|province)\b|\bin which\b")),
    (AnswerType.ADDRESS, re.compile(r"\baddress\b")),
)

# What a text shows when it states an answer of each type.
_STATES = {
    AnswerType.PERSON: re.compile(r"(?:书记|区长|市长|主任|局长|董事长|总经理|总裁|负责人|院士|教授|代表|创始人|部长|处长|经理)"),
    AnswerType.DATE: re.compile(r"(?:19|20)\d{2}年\d{1,2}月|\d{1,2}月\d{1,2}日|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"),
    AnswerType.ORGANISATION: re.compile(r"(?:有限公司|股份|集团|公司|银行|基金|研究院|研究所|大学|学院|中心|协会|机构|企业)"),
    AnswerType.PLACE: re.compile(r"(?:[区市县镇省村]|街道|社区|片区|路\d*号?|大道|园区)"),
    AnswerType.ADDRESS: re.compile(r"(?:路|街|道)\d+号|\d+号楼"),
}


@dataclass(frozen=True)
class Constraints:
    years: frozenset[str] = frozenset()     # "2019"
    periods: frozenset[str] = frozenset()   # keys of PERIODS
    answer_types: frozenset[AnswerType] = frozenset()
    places: tuple[tuple[str, ...], ...] = ()  # districts and cities it names, each as its Chinese forms (places.py)
    attributes: tuple[tuple[str, ...], ...] = ()  # attributes it names, each as the words stating it (attributes.py)


def read_constraints(question: str, language: str) -> Constraints:
    """Chinese questions mix in English (2020年Q1) and English ones pinyin: periods are read in
    both languages; years and answer types in the question's own."""
    lowered = question.lower()
    periods = frozenset(key for key in PERIODS if re.search(PERIODS[key], question) or re.search(PERIODS_EN[key], lowered))
    if language == "en":
        years = frozenset(YEAR_EN.findall(question))
        types = frozenset(kind for kind, pattern in _ASKS_EN if pattern.search(lowered))
    else:
        years = frozenset(YEAR_ZH.findall(question)) | frozenset(YEAR_EN.findall(question))
        types = frozenset(kind for kind, pattern in _ASKS_ZH if pattern.search(question))
    if AnswerType.ADDRESS in types:  # "地址在哪里" asks for the address, not just a district
        types -= {AnswerType.PLACE}
    return Constraints(years, periods, types, named_places(question), named_attributes(question))


def unmatched_years(constraints: Constraints, text: str) -> int:
    """Years the question names that `text` (window, title, date) never mentions."""
    return sum(year not in text for year in constraints.years)


def unmatched_periods(constraints: Constraints, text: str) -> int:
    return sum(not re.search(PERIODS[key], text) for key in constraints.periods)


def missing_answer_types(constraints: Constraints, text: str, own_words: Iterable[str] = ()) -> int:
    """1 when the question asks for a who / when / which organisation / where and `text` shows
    no sign of any asked type outside the question's own words ("由谁主持" is answered by a
    person or an organisation; "哪家单位牵头建设了创新中心" is not answered by the 中心 in the
    centre's own name); else 0."""
    if not constraints.answer_types:
        return 0
    for word in sorted((w for w in own_words if len(w) >= 2), key=len, reverse=True):
        text = text.replace(word, " ")
    return int(not any(_STATES[kind].search(text) for kind in constraints.answer_types))
