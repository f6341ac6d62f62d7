"""Choosing the sentence that answers, inside a passage. Pure functions.

A sentence scores by the weighted query terms it contains (normalised substring match,
so numbers and names count; the caller weights rare terms higher), plus its dense
similarity when sentence vectors exist. Cosines of sentences in one passage sit in a narrow
band, so they are rescaled within the passage: they order sentences, they do not swamp
the term evidence. When the question asks for a figure (asked_figures.py), a sentence stating
one of the asked kind scores higher, and a quote whose sentence lacks it takes in the
neighbour that has it: "以香港中路街道老旧小区改造工程为例…。…总投资3800万余元…" answers, the
first sentence alone does not.
"""
from __future__ import annotations

from typing import Sequence

from retrieval.text import trim_span

MIN_QUOTE_CHARS = 12
FIGURE_WEIGHT = 0.3  # as much as 30 % of the question's term weight
# A sentence stating an attribute the question names (入驻率达90% for 入驻率是多少) earns this
# much: a paragraph names its subject (the park, the company) in its lead sentence and the
# attribute later. On the three tuning parts, quotes holding the answer: 266 of 285 rank-1 hits
# at 0, 268 at 0.15, 270 at 0.3, 274-275 from 0.5 to 2.
ATTRIBUTE_WEIGHT = 0.5
STATING_SHARE = 0.5  # a far sentence stating the asked figure wins with half the best score


def score_sentences(
    normalized_sentences: Sequence[str],
    weighted_terms: Sequence[tuple[str, float]],
    dense_scores: Sequence[float] | None = None,
    dense_weight: float = 0.3,
    figure_matches: Sequence[float] | None = None,
    figure_weight: float = FIGURE_WEIGHT,
    attribute_matches: Sequence[float] | None = None,
    attribute_weight: float = ATTRIBUTE_WEIGHT,
) -> list[float]:
    """`figure_matches`: per sentence, how well it states the figure asked for, 0..1;
    `attribute_matches`: whether it states an attribute the question names (入驻率达90%)."""
    total_weight = sum(weight for _, weight in weighted_terms) or 1.0
    dense = _rescaled(dense_scores) if dense_scores is not None else None
    scores = []
    for index, sentence in enumerate(normalized_sentences):
        matched = sum(weight for term, weight in weighted_terms if term and term in sentence)
        score = matched / total_weight
        if dense is not None:
            score += dense_weight * dense[index]
        if figure_matches is not None:
            score += figure_weight * figure_matches[index]
        if attribute_matches is not None:
            score += attribute_weight * attribute_matches[index]
        scores.append(score)
    return scores


def _rescaled(values: Sequence[float]) -> list[float]:
    values = [float(value) for value in values]
    low, high = min(values, default=0.0), max(values, default=0.0)
    if high - low <= 1e-9:
        return [0.0] * len(values)
    return [(value - low) / (high - low) for value in values]


def select_quote(
    sentence_spans: Sequence[tuple[int, int]],
    scores: Sequence[float],
    text: str,
    figure_matches: Sequence[float] | None = None,
    answer_matches: Sequence[bool] | None = None,
) -> tuple[int, int]:
    """The best sentence's span; it grows to take in a neighbour (the next one first) when
    it lacks the asked figure that the neighbour states, or when it is a too-short fragment.
    `answer_matches`, per sentence, says whether it names the person, organisation or date
    asked for: a quote naming none takes in the next sentence when that one does.

    Ties go to the earlier sentence. Leading/trailing whitespace is trimmed off the span.
    """
    if not sentence_spans:
        return trim_span(text, 0, len(text))
    best = max(range(len(sentence_spans)), key=lambda i: (scores[i], -i))
    start, end = sentence_spans[best]
    if figure_matches is not None and not figure_matches[best]:
        if best + 1 < len(sentence_spans) and figure_matches[best + 1]:
            end = sentence_spans[best + 1][1]
        elif best > 0 and figure_matches[best - 1]:
            start = sentence_spans[best - 1][0]
        else:
            # the asked figure is further away: quote the best sentence that states it, when
            # it matches the question nearly as well
            alternative = _closest_stating(figure_matches, scores, best)
            if alternative is not None:
                best = alternative
                start, end = sentence_spans[best]
    if answer_matches is not None:
        start, end = _take_in_named_answer(sentence_spans, scores, best, start, end, answer_matches)
    if len(text[start:end].strip()) < MIN_QUOTE_CHARS:
        if best + 1 < len(sentence_spans):
            end = sentence_spans[best + 1][1]
        elif best > 0:
            start = sentence_spans[best - 1][0]
    return trim_span(text, start, end)


def _take_in_named_answer(sentence_spans: Sequence[tuple[int, int]], scores: Sequence[float], best: int,
                          start: int, end: int, answer_matches: Sequence[bool]) -> tuple[int, int]:
    """A who / which / when answer often follows the sentence that matches the question best: a
    quoted speech, then "崂山区副区长黄应胜介绍。". On the six tuning parts quotes holding the
    answer went 486 -> 491 of 511 rank-1 hits (the previous sentence too: the same 491), none lost.

    When the sentence naming an answer that matches the question best is further away, it is
    quoted instead, as a far sentence stating an asked figure is, if it scores at least
    `STATING_SHARE` of the best: "近日，中国首台…测量仪上市…。目前，该设备在清华大学…装机使用。
    这款测量仪的研发者来自…致真精密仪器（青岛）有限公司。" names 清华大学 next door, but the
    maker two sentences on. On the nine tuning parts 714 -> 721 of 743 rank-1 hits, none lost."""
    inside = [i for i, (first, last) in enumerate(sentence_spans) if first < end and last > start]
    if not inside or any(answer_matches[i] for i in inside):
        return start, end
    following = inside[-1] + 1
    closest = _closest_stating(answer_matches, scores, best)
    if closest is not None and closest != following:
        return sentence_spans[closest]
    if following < len(sentence_spans) and answer_matches[following]:
        end = sentence_spans[following][1]
    return start, end


def _closest_stating(stating: Sequence[float] | Sequence[bool], scores: Sequence[float], best: int) -> int | None:
    """The sentence that states what is asked (`stating`, per sentence) and matches the question
    best, when it scores at least `STATING_SHARE` of sentence `best`; else None. Ties go to the
    earlier sentence."""
    candidates = [i for i, states in enumerate(stating) if states]
    if not candidates:
        return None
    closest = max(candidates, key=lambda i: (scores[i], -i))
    return closest if scores[closest] >= STATING_SHARE * scores[best] else None
