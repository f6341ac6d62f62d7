"""What every front-end shows of an answer, decided once: the tier it is presented in, whether
its answer span is marked, and how a source's dates are labelled. Pure functions, no markup.

Tiers follow `Answer.verdict` (retrieval/types.py): ANSWERED leads with the one passage that
answers, its answer marked, the other results on request; CLOSEST shows the closest passage
under a plain caveat, not as an answer (nothing marked); NOT_FOUND says nothing answers.
"""
from __future__ import annotations

from retrieval.types import ANSWERED, CLOSEST, NOT_FOUND, Answer, Result

__all__ = ["ANSWERED", "CLOSEST", "NOT_FOUND", "tier", "looks_off_topic", "answer_span", "date_labels"]

DATE_LABELS = {
    "zh": {"date": "日期 {}", "posted": "网站转载 {}"},
    "en": {"date": "dated {}", "posted": "posted {}"},
}


def tier(answer: Answer) -> str:
    """How to present `answer`; an answer without results is always NOT_FOUND.

    An Answer made without a verdict (the default ANSWERED) but abstained is NOT_FOUND, so
    `abstained` alone is never contradicted: nothing abstained is shown as an answer.
    """
    if not answer.results:
        return NOT_FOUND
    if answer.verdict == CLOSEST:
        return CLOSEST
    if answer.verdict == ANSWERED and not answer.abstained:
        return ANSWERED
    return NOT_FOUND


def looks_off_topic(answer: Answer) -> bool:
    """Nothing answers, and the question came nearer everyday chat than any question about
    investment policy (retrieval/question/off_domain.py): "thanks, bye" or "weather tomorrow?"
    is told what the documents are about rather than that nothing in them answers."""
    return tier(answer) == NOT_FOUND and float((answer.signals or {}).get("off_domain", 0.0)) > 0.0


def answer_span(result: Result, marked: bool = True) -> tuple[int, int] | None:
    """The answer's (start, end) in the passage when it is to be marked: asked for, known,
    non-empty and inside the quote (a span outside it is ignored rather than trusted)."""
    start, end = result.answer_start, result.answer_end
    if not marked or start is None or end is None:
        return None
    if not result.quote_start <= start < end <= result.quote_end:
        return None
    return start, end


def date_labels(passage, language: str) -> list[str]:
    """The document's own date and the site's date line, labelled ("日期 2019-01-31",
    "网站转载 2025-07-09"); missing ones left out. A site date equal to the own date is
    said once."""
    labels = DATE_LABELS.get(language, DATE_LABELS["en"])
    own, posted = getattr(passage, "date", None), getattr(passage, "posted", None)
    parts = []
    if own:
        parts.append(labels["date"].format(own))
    if posted and posted != own:
        parts.append(labels["posted"].format(posted))
    return parts
