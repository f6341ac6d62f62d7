"""Deciding that nothing in the corpus answers. Pure.

A single cosine threshold cannot separate answerable from unanswerable questions: the
corpus is about a few districts, so a question about any of them lands close to some
passage. Unanswerable questions are mostly near misses (the district is there, the asked
attribute is not), which the words show better than the vectors. Four signals:
- `coverage`: how much of what the question names occurs around the top quote
  (`evidence.py`: IDF-weighted concepts, nouns above verbs, paraphrases credited by shared
  characters); the main signal, with a threshold per language because English questions
  reach the Chinese text only through dictionary translations;
- `uncovered`: the weight share of the most important concept missing around the quote; a
  question can be mostly covered and still ask about the one thing the passage lacks;
- `dense_top`: the best sentence cosine, a floor for questions far from everything;
- `states_asked_figure`: a question asking for a figure (多少钱, "how many") needs a passage
  stating one of that kind (`asked_figures.py`); most near misses ask for a figure the
  corpus never gives, about an entity it describes in detail.
The thresholds are calibrated on the dev set's unanswerable questions; the README has the
precision/recall curve.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AbstentionSignals:
    language: str       # "zh" | "en"
    coverage: float     # 0..1, evidence.Evidence.coverage of the top result
    dense_top: float    # best sentence cosine; None-like 0.0 when dense search is off
    uncovered: float = 0.0  # evidence.Evidence.uncovered: the biggest single concept left out
    states_asked_figure: bool = True  # asked_figures: the question asks for no figure, or the passage states one


@dataclass(frozen=True)
class AbstentionPolicy:
    min_coverage_zh: float = 0.58
    min_coverage_en: float = 0.30
    # below these the question is far from every sentence (e5 cosines run high: off-topic
    # Chinese questions still score ~0.8; English ones meet Chinese text lower)
    min_dense_zh: float = 0.85
    min_dense_en: float = 0.72
    # one concept carrying this much of the question's weight and absent from the answer
    # window: the question asks about something the passage does not say
    max_uncovered_zh: float = 0.28
    max_uncovered_en: float = 0.55
    # the confidence of a quote lacking the asked figure: below 1 whatever the words say
    missing_figure_confidence: float = 0.75

    def min_coverage(self, language: str) -> float:
        return self.min_coverage_en if language == "en" else self.min_coverage_zh

    def min_dense(self, language: str) -> float:
        return self.min_dense_en if language == "en" else self.min_dense_zh

    def max_uncovered(self, language: str) -> float:
        return self.max_uncovered_en if language == "en" else self.max_uncovered_zh

    def confidence(self, signals: AbstentionSignals, use_dense: bool = True) -> float:
        """The weakest signal relative to its threshold: below 1 means abstain. Sweeping a
        threshold over it scales every threshold at once (the README's curve)."""
        ratio = signals.coverage / self.min_coverage(signals.language)
        if signals.uncovered > 0:
            ratio = min(ratio, self.max_uncovered(signals.language) / signals.uncovered)
        if use_dense:
            ratio = min(ratio, signals.dense_top / self.min_dense(signals.language))
        if not signals.states_asked_figure:
            ratio = min(ratio, self.missing_figure_confidence)
        return ratio

    def abstains(self, signals: AbstentionSignals, use_dense: bool = True) -> bool:
        return self.confidence(signals, use_dense) < 1.0
