"""Which year and which period a quoted sentence speaks of. Pure functions.

A passage often names several years and periods: "继2021年进阶千亿俱乐部之后，2022年，崂山区域
发展势头更盛。前三季度，全区生产总值、固定资产投资…增速均居全市第一。" The question "崂山区
2021年 固定资产投资 增速" finds 2021 in the passage, but the quoted sentence speaks of 2022's
first three quarters: a year or period stays in force from where the text names it until it
names another. So the years (periods) in force at a quote are those it names itself or, when
it names none, the last one named before it; a question whose year (period) is not among them
asks about another time than the quote's.

An article names its year in its lead and reports that year's figures paragraphs later, so
when a passage names no year up to the end of the quote, the last year the passages before it
in its document name is in force (`inherited_year`, PassageReader.inherited_year); it also
counts for the passage-level check. A quote naming the asked year itself, even without 年
("2022国际虚拟现实创新大会"), is never out of force, and 今年 / 去年 make the year unknown: the
site's date line is not the article's. With nothing in force, nothing is judged here: the
passage-level checks (`unmatched_years`, `unmatched_periods`, which also read the title,
section and date) decide.

On the nine tuning parts a year out of force fires on 74 unanswerable top passages and 5
answerable ones, a period out of force on 40 unanswerable ones and no answerable one. Without
the inherited year the year fired on 45 and 1; with it, out of fold at 4 % answerable
abstained, unanswerable abstained 0.687 -> 0.713, and 5 more answerable questions rank their
passage first (743 -> 748 of 839: the passage-level check no longer demotes "新签约落地过亿元项目
87个、总投资962亿元", a paragraph of an article on 2022, for "2022年…过亿元项目总投资是多少").
"""
from __future__ import annotations

import re
from typing import Callable

from retrieval.question.answer_type import PERIODS, YEAR_MENTION, Constraints

# 今年 / 去年 name a year relative to a date the text does not give (the site's date line is not
# the article's): in force, they make the year unknown, and nothing is judged.
_YEAR_OR_RELATIVE = re.compile(YEAR_MENTION.pattern + "|今年|去年|明年|上年|本年")
UNKNOWN_YEAR = "?"
PERIOD_MENTION = re.compile("|".join(f"(?P<{key}>{pattern})" for key, pattern in PERIODS.items()))
_TITLE = re.compile(r"《[^《》]*》")


def without_titles(text: str) -> str:
    """`text` with every 《…》 title blanked, offsets kept: a year in a title names a document
    (《…培育计划2019-2023年》), not the time the text speaks of. Read as in force, 2023 put a
    2022 article's 拥有高新技术企业628家 out of force for "2022"; blanked, tuning right outcomes went
    1491 -> 1492 of 1775 and held-out ones 1084 -> 1087 of 1308 (sets one to eight), none lost."""
    return _TITLE.sub(lambda match: " " * len(match.group()), text)


def last_year_named(text: str) -> str | None:
    """The last year `text` names outside titles: the year a passage hands on to the passages
    after it in its document (PassageReader.inherited_year)."""
    named = YEAR_MENTION.findall(without_titles(text))
    return named[-1] if named else None


def _in_force(text: str, start: int, end: int, pattern: re.Pattern[str], value: Callable[[re.Match[str]], str]) -> frozenset[str]:
    named_inside: set[str] = set()
    last_before = None
    for match in pattern.finditer(text):
        if match.start() >= end:
            break
        if match.start() >= start:
            named_inside.add(value(match))
        else:
            last_before = value(match)
    if not named_inside and last_before is not None:
        named_inside.add(last_before)
    return frozenset(named_inside)


def years_in_force(text: str, start: int, end: int) -> frozenset[str]:
    """Years ("2021") that `text[start:end]` names, or else the last one named before it;
    `UNKNOWN_YEAR` for 今年 / 去年."""
    return _in_force(without_titles(text), start, end, _YEAR_OR_RELATIVE, lambda match: match.group(1) or UNKNOWN_YEAR)


def periods_in_force(text: str, start: int, end: int) -> frozenset[str]:
    """Period keys of answer_type.PERIODS (first_half, full_year ...) in force at the quote."""
    return _in_force(without_titles(text), start, end, PERIOD_MENTION, lambda match: str(match.lastgroup))


def out_of_force(constraints: Constraints, text: str, start: int, end: int, inherited_year: str | None = None) -> tuple[bool, bool]:
    """Whether the question's years, and its periods, are all out of force at the quote
    `text[start:end]` while another one is in force; `inherited_year` is in force when the
    text names none up to the quote's end (the last one the passages before it name)."""
    years = years_in_force(text, start, end) if constraints.years else frozenset()
    if constraints.years and not years and inherited_year:
        years = frozenset({inherited_year})
    if UNKNOWN_YEAR in years or any(year in text[start:end] for year in constraints.years):
        years = frozenset()  # "2022国际虚拟现实创新大会" names its year without 年
    periods = periods_in_force(text, start, end) if constraints.periods else frozenset()
    return (bool(years) and not years & constraints.years, bool(periods) and not periods & constraints.periods)
