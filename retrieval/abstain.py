"""Deciding that nothing in the corpus answers. Pure.

A single cosine threshold cannot separate answerable from unanswerable questions (their
top dense scores overlap), so the decision combines signals that fail differently:
- `dense_top`: the best passage/sentence cosine;
- `coverage`: IDF-weighted share of the question's keyword terms found in the top passage
  (an unanswerable question usually names something the corpus never mentions);
- `agreement`: whether the top result is also near the top of both retrievers.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AbstentionSignals:
    dense_top: float
    coverage: float
    agreement: bool


@dataclass(frozen=True)
class AbstentionPolicy:
    min_dense: float = 0.80
    min_coverage: float = 0.5
    confident_dense: float = 0.88  # this close a match needs no keyword support

    def confidence(self, signals: AbstentionSignals) -> float:
        """A 0..1 score; abstain below 0.5. Monotone in every signal."""
        dense_part = (signals.dense_top - self.min_dense) / max(self.confident_dense - self.min_dense, 1e-6)
        keyword_part = signals.coverage / max(self.min_coverage, 1e-6)
        score = 0.5 * min(max(dense_part, 0.0), 1.0) + 0.5 * min(keyword_part, 1.0)
        if signals.agreement:
            score += 0.1
        return min(score, 1.0)

    def abstains(self, signals: AbstentionSignals) -> bool:
        return self.confidence(signals) < 0.5
