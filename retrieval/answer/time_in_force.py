"""Which year and which period a quoted sentence speaks of. Pure functions.

A passage often names several years and periods: "继2021年进阶千亿俱乐部之后，2022年，崂山区域
发展势头更盛。前三季度，全区生产总值、固定资产投资…增速均居全市第一。" The question "崂山区
2021年 固定资产投资 增速" finds 2021 in the passage, but the quoted sentence speaks of 2022's
first three quarters: a year or period stays in force from where the text names it until it
names another. So the years (periods) in force at a quote are those it names itself or, when
it names none, the last one named before it; a question whose year (period) is not among them asks about another
time than the quote's.

When the text names no year (period) up to the end of the quote, nothing is in force and
nothing is judged here: the passage-level checks (`unmatched_years`, `unmatched_periods`,
which also read the title, section and date) decide.

On the nine tuning parts a year out of force fired on 45 unanswerable top passages and 1
answerable one (whose top passage was wrong); a period out of force on 40 unanswerable ones
and no answerable one.
"""
from __future__ import annotations

import re
from typing import Callable

from retrieval.question.answer_type import PERIODS, Constraints

YEAR_MENTION = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
PERIOD_MENTION = re.compile("|".join(f"(?P<{key}>{pattern})" for key, pattern in PERIODS.items()))


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
    """Years ("2021") that `text[start:end]` names, or else the last one named before it."""
    return _in_force(text, start, end, YEAR_MENTION, lambda match: match.group(1))


def periods_in_force(text: str, start: int, end: int) -> frozenset[str]:
    """Period keys of answer_type.PERIODS (first_half, full_year ...) in force at the quote."""
    return _in_force(text, start, end, PERIOD_MENTION, lambda match: str(match.lastgroup))


def out_of_force(constraints: Constraints, text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the question's years, and its periods, are all out of force at the quote
    `text[start:end]` while another one is in force."""
    years = years_in_force(text, start, end) if constraints.years else frozenset()
    periods = periods_in_force(text, start, end) if constraints.periods else frozenset()
    return (bool(years) and not years & constraints.years, bool(periods) and not periods & constraints.periods)
