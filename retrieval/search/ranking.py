"""Reordering the fused top candidates with a small learned linear model.

The fused score (keyword + dense) ranks the right passage within the top 3 for ~95 % of
questions but first for fewer: the passage about the right district, year or period, or
the one that states the asked figure, often sits at rank 2 or 3 behind one that merely
shares more words. Which of those signals should win, and by how much, used to be four
hand-set penalties; here a linear score over per-candidate signals decides, its weights
fitted on the tuning half of our blind question set with a listwise (softmax) loss
(`python -m retrieval.measure.fit_ranker`), and stored as plain JSON in
retrieval/data/ranker.json.

Per candidate, relative to the other candidates of the same question where scale differs
between questions: fused, keyword (share of the best), passage dense and best-sentence
cosines (gap to the best), concept coverage of its best window, the question's names /
years / periods it never mentions, whether it states a figure of the asked kind at all and
in its quote; English questions get their own weights for the lexical and dense signals
(their keyword evidence comes from a dictionary, their dense evidence crosses languages).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Mapping, Sequence

import numpy as np

RANK_FEATURES = (
    "fused", "keyword", "dense", "sentence", "coverage", "uncovered",
    "names_missing", "years_missing", "periods_missing", "figure_missing", "quote_figure",
    "en_fused", "en_keyword", "en_dense", "en_sentence", "en_coverage", "first",
)
RANKER_FILE = "ranker.json"


@dataclass(frozen=True)
class CandidateSignals:
    """What the engine knows of one head candidate, before making it relative."""

    fused: float
    keyword: float
    dense: float
    sentence: float
    coverage: float
    uncovered: float
    names_missing: float
    years_missing: float
    periods_missing: float
    figure_missing: float
    quote_figure: float


def feature_matrix(candidates: Sequence[CandidateSignals], english: bool) -> np.ndarray:
    """One row of RANK_FEATURES per candidate, in the order given (the fused order)."""
    if not candidates:
        return np.zeros((0, len(RANK_FEATURES)))
    column = lambda name: np.array([getattr(c, name) for c in candidates], dtype=np.float64)  # noqa: E731
    fused = column("fused") - column("fused").max()
    keyword = column("keyword")
    keyword = keyword / keyword.max() if keyword.max() > 0 else keyword * 0.0
    dense = column("dense") - column("dense").max()
    sentence = column("sentence") - column("sentence").max()
    coverage = column("coverage")
    flag = 1.0 if english else 0.0
    first = np.zeros(len(candidates))
    first[0] = 1.0
    columns = {
        "fused": fused, "keyword": keyword, "dense": dense, "sentence": sentence, "coverage": coverage,
        "uncovered": column("uncovered"), "names_missing": column("names_missing"),
        "years_missing": column("years_missing"), "periods_missing": column("periods_missing"),
        "figure_missing": column("figure_missing"), "quote_figure": column("quote_figure"),
        "en_fused": flag * fused, "en_keyword": flag * keyword, "en_dense": flag * dense,
        "en_sentence": flag * sentence, "en_coverage": flag * coverage, "first": first,
    }
    return np.stack([columns[name] for name in RANK_FEATURES], axis=1)


@dataclass(frozen=True)
class RankingModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    depth: int  # how many of the fused top it reorders

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        """The linear score of each row of a `feature_matrix` (columns in RANK_FEATURES order)."""
        index = [RANK_FEATURES.index(name) for name in self.features]
        return matrix[:, index] @ np.array(self.weights, dtype=np.float64)

    def to_dict(self) -> dict:
        return {"features": list(self.features), "weights": list(self.weights), "depth": self.depth}

    @classmethod
    def from_dict(cls, data: Mapping) -> "RankingModel":
        features = tuple(data["features"])
        weights = tuple(float(w) for w in data["weights"])
        if len(features) != len(weights) or set(features) - set(RANK_FEATURES):
            raise ValueError("ranking model: features and weights disagree")
        return cls(features, weights, int(data["depth"]))


@lru_cache(maxsize=1)
def shipped_ranker() -> RankingModel:
    text = resources.files("retrieval").joinpath("data", RANKER_FILE).read_text(encoding="utf-8")
    return RankingModel.from_dict(json.loads(text))


def softmax(scores: np.ndarray) -> np.ndarray:
    """Scores as shares of one: what the engine reports as a reordered candidate's score."""
    if not len(scores):
        return scores
    shifted = np.exp(np.clip(scores - scores.max(), -50.0, 0.0))
    return shifted / shifted.sum()


def _padded(groups: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups as one (questions x depth x features) array, their targets, and a mask."""
    depth = max(len(labels) for _, labels in groups)
    width = groups[0][0].shape[1]
    matrices = np.zeros((len(groups), depth, width))
    targets = np.zeros((len(groups), depth))
    mask = np.zeros((len(groups), depth), dtype=bool)
    for index, (matrix, labels) in enumerate(groups):
        matrices[index, : len(labels)] = matrix
        targets[index, : len(labels)] = labels / labels.sum()
        mask[index, : len(labels)] = True
    return matrices, targets, mask


def listwise_loss(weights: np.ndarray, padded, l2: float) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of each question's softmax over its candidates against its gold
    candidates (spread evenly over them), plus `l2` * |w|^2; and its gradient."""
    matrices, targets, mask = padded
    scores = np.where(mask, matrices @ weights, -np.inf)
    scores -= scores.max(axis=1, keepdims=True)
    log_probabilities = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    probabilities = np.where(mask, np.exp(log_probabilities), 0.0)
    loss = -float(np.where(targets > 0, targets * log_probabilities, 0.0).sum()) / len(targets)
    gradient = np.einsum("qd,qdf->f", probabilities - targets, matrices) / len(targets)
    return loss + l2 * float(weights @ weights), gradient + 2 * l2 * weights


def fit_listwise(groups: Sequence[tuple[np.ndarray, np.ndarray]], l2: float, steps: int = 5000, rate: float = 1.0) -> np.ndarray:
    """Gradient descent with a backtracking step on `listwise_loss`; groups without a gold
    candidate teach nothing and must be left out by the caller."""
    padded = _padded(groups)
    weights = np.zeros(padded[0].shape[2])
    loss, gradient = listwise_loss(weights, padded, l2)
    for _ in range(steps):
        step = rate
        while step > 1e-8:
            trial = weights - step * gradient
            trial_loss, trial_gradient = listwise_loss(trial, padded, l2)
            if trial_loss <= loss:
                break
            step /= 2
        else:
            break
        converged = loss - trial_loss < 1e-10
        weights, loss, gradient = trial, trial_loss, trial_gradient
        if converged:
            break
    return weights


def top1_accuracy(weights: np.ndarray, groups: Sequence[tuple[np.ndarray, np.ndarray]]) -> float:
    hits = [float(labels[int(np.argmax(matrix @ weights))] > 0) for matrix, labels in groups]
    return sum(hits) / len(hits) if hits else math.nan
