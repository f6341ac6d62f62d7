"""Fusing keyword and dense evidence into one ranking. Pure functions over numpy arrays.

Two strategies:
- `weighted_fusion`: each retriever's scores are rescaled to [0, 1] over the candidate set
  (so BM25's unbounded scale and cosine's narrow band become comparable), then mixed with
  weights chosen per question (see `adaptive_keyword_weight`).
- `reciprocal_rank_fusion`: the classic rank-only baseline (kept for comparison in eval).
"""
from __future__ import annotations

import numpy as np


def rescale(scores: np.ndarray, floor: float | None = None) -> np.ndarray:
    """Min-max to [0, 1]; `floor` fixes the zero point (e.g. 0 for BM25, where 0 means no match)."""
    scores = np.asarray(scores, dtype=np.float32)
    if scores.size == 0:
        return scores
    low = float(scores.min()) if floor is None else floor
    high = float(scores.max())
    if high - low <= 1e-9:
        return np.zeros_like(scores)
    return np.clip((scores - low) / (high - low), 0.0, 1.0)


def weighted_fusion(keyword: np.ndarray, dense: np.ndarray, keyword_weight: float) -> np.ndarray:
    """Convex mix of rescaled keyword and dense scores of the same candidates."""
    keyword_weight = min(max(keyword_weight, 0.0), 1.0)
    return keyword_weight * rescale(keyword, floor=0.0) + (1.0 - keyword_weight) * rescale(dense)


def reciprocal_rank_fusion(rankings: list[np.ndarray], size: int, k: float = 60.0, weights: list[float] | None = None) -> np.ndarray:
    """RRF score for ids 0..size-1 given rankings (arrays of ids, best first)."""
    fused = np.zeros(size, dtype=np.float32)
    weights = weights or [1.0] * len(rankings)
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking):
            if 0 <= item < size:
                fused[item] += weight / (k + rank + 1)
    return fused


def adaptive_keyword_weight(coverage: float, language: str, base_zh: float, base_en: float) -> float:
    """How much to trust BM25 for this question.

    `coverage` is the IDF-weighted share of the question's content terms that occur in the
    corpus at all: a Chinese question whose words are all in the corpus leans on keywords,
    an English question leans on the multilingual dense model unless its expansion into
    Chinese terms found them in the corpus.
    """
    base = base_en if language == "en" else base_zh
    coverage = min(max(coverage, 0.0), 1.0)
    return base * (0.5 + 0.5 * coverage)
