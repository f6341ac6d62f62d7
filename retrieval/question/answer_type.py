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


class AnswerType(Enum):
    PERSON = "person"              # 谁, who
    DATE = "date"                  # 什么时候, 何时, when, what date
    ORGANISATION = "organisation"  # 哪家公司, which company
    PLACE = "place"                # 哪里, where


YEAR_ZH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
YEAR_EN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# Reporting periods; each maps to the forms a document writes it in.
PERIODS = {
    "first_quarter": ("一季度", "第一季度", "1-3月", "1至3月"),
    "first_half": ("上半年", "1-6月", "1至6月"),
    "first_three_quarters": ("前三季度", "1-9月", "1至9月"),
    "full_year": ("全年", "全年度"),
}
PERIODS_EN = {
    "first_quarter": ("first quarter", "q1"),
    "first_half": ("first half", "h1", "first six months"),
    "first_three_quarters": ("first three quarters", "first 3 quarters", "q1-q3", "first nine months"),
    "full_year": ("full year", "whole year", "entire year", "full-year"),
}

_ASKS_ZH = (
    (AnswerType.PERSON, re.compile(r"谁|哪位|什么人|姓名|负责人|法人|法定代表人|董事长|总经理|区长是|书记是")),
    (AnswerType.DATE, re.compile(r"什么时候|何时|哪一?天|哪一?年|几月|几号|哪个月|具体日期|什么日期|哪一?日")),
    (AnswerType.ORGANISATION, re.compile(r"哪家|哪些?(?:公司|企业|机构|银行|单位|集团)|什么(?:公司|企业|机构|单位)|由谁|谁(?:来)?(?:运营|建设|投资)")),
    (AnswerType.PLACE, re.compile(r"哪里|哪儿|在哪|什么地方|何处|哪个(?:街道|位置|地点)")),
)
_ASKS_EN = (
    (AnswerType.PERSON, re.compile(r"\bwho\b|\bwhose\b|\bwhich (?:person|official)\b|\bname of the (?:mayor|chair|head|director|ceo|president)")),
    (AnswerType.DATE, re.compile(r"\bwhen\b|\bwhat (?:date|day|month|time)\b|\bwhich (?:date|day|month)\b|\bwhat year\b|\bwhich year\b")),
    (AnswerType.ORGANISATION, re.compile(r"\bwhich (?:company|companies|firm|firms|enterprise|enterprises|bank|banks|organi[sz]ation|institution)\b|\bwhat (?:company|firm|enterprise|bank)\b")),
    (AnswerType.PLACE, re.compile(r"\bwhere\b")),
)

# What a text shows when it states an answer of each type.
_STATES = {
    AnswerType.PERSON: re.compile(r"(?:书记|区长|市长|主任|局长|董事长|总经理|总裁|负责人|院士|教授|代表|创始人|部长|处长|经理)"),
    AnswerType.DATE: re.compile(r"(?:19|20)\d{2}年\d{1,2}月|\d{1,2}月\d{1,2}日|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"),
    AnswerType.ORGANISATION: re.compile(r"(?:有限公司|股份|集团|公司|银行|基金|研究院|研究所|大学|学院|中心|协会|机构|企业)"),
    AnswerType.PLACE: re.compile(r"(?:区|市|县|镇|街道|路|园|港|湾|岛|省|村|社区|片区)"),
}


@dataclass(frozen=True)
class Constraints:
    years: frozenset[str] = frozenset()     # "2019"
    periods: frozenset[str] = frozenset()   # keys of PERIODS
    answer_types: frozenset[AnswerType] = frozenset()


def read_constraints(question: str, language: str) -> Constraints:
    lowered = question.lower()
    if language == "en":
        years = frozenset(YEAR_EN.findall(question))
        periods = frozenset(key for key, forms in PERIODS_EN.items() if any(form in lowered for form in forms))
        types = frozenset(kind for kind, pattern in _ASKS_EN if pattern.search(lowered))
    else:
        years = frozenset(YEAR_ZH.findall(question)) | frozenset(YEAR_EN.findall(question))
        periods = frozenset(key for key, forms in PERIODS.items() if any(form in question for form in forms))
        types = frozenset(kind for kind, pattern in _ASKS_ZH if pattern.search(question))
    return Constraints(years, periods, types)


def unmatched_years(constraints: Constraints, text: str) -> int:
    """Years the question names that `text` (window, title, date) never mentions."""
    return sum(year not in text for year in constraints.years)


def unmatched_periods(constraints: Constraints, text: str) -> int:
    return sum(not any(form in text for form in PERIODS[key]) for key in constraints.periods)


def missing_answer_types(constraints: Constraints, text: str) -> int:
    """Asked answer types (who, when, which organisation, where) of which `text` shows no sign."""
    return sum(not _STATES[kind].search(text) for kind in constraints.answer_types)
