"""Does the top passage answer the question? A small logistic model over signals the engine
computes for every question. Pure apart from reading its coefficients.

The signals (all cheap, computed from the top passage and the other candidates):
- words: `coverage` and `uncovered` of the question's concepts around the quote (evidence.py);
- paraphrase-tolerant: `dense_top`, the best sentence cosine of the top passage, and
  `dense_margin`, how far it stands above the other candidates' best sentences (a colloquial
  question shares few words with the text, but its meaning still picks one passage out);
- ranking: `fused_margin` between the first and second result;
- constraints: a year, period or named place/organisation of the question that the quoted
  window, title and date never mention (`years_unmatched`, `periods_unmatched`,
  `names_unmatched`; `place_unmatched` for a district or city of question/places.py), and an
  asked figure or answer type (who / when / which company / where) with no sign of one near
  the quote (`figure_missing`, `answer_type_missing`); a year or period the passage names but
  not for the quoted sentence (`year_out_of_force`, `period_out_of_force`, time_in_force.py);
  a count asked in a measure word the quote counts nothing in (`count_unit_missing`);
- the question itself: `english`, `log_length`, and `off_domain`, how much nearer it comes
  to everyday chat than to questions about investment policy (question/off_domain.py).

The coefficients are fitted on the tuning half of our own blind question set with
cross-validation (`python -m retrieval.measure.fit_answerability`) and kept as plain JSON in
retrieval/data/answerability.json, with the operating points chosen on that half: at
`answer_threshold` the top passage is presented as the answer; between `closest_threshold`
and it, as the closest passage with a caveat; below, nothing is shown as an answer.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Mapping, Sequence

from retrieval.types import ANSWERED, CLOSEST, NOT_FOUND

FEATURES = (
    "coverage", "uncovered", "dense_top", "dense_margin", "fused_margin", "figure_missing",
    "years_unmatched", "periods_unmatched", "names_unmatched", "answer_type_missing", "english", "log_length",
    "place_unmatched", "attribute_unstated", "precise_type_missing", "off_domain",
    "year_out_of_force", "period_out_of_force", "count_unit_missing",
)
MODEL_FILE = "answerability.json"


@dataclass(frozen=True)
class AnswerabilityModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    answer_threshold: float
    closest_threshold: float

    def probability(self, signals: Mapping[str, float]) -> float:
        z = self.bias
        for name, mean, scale, weight in zip(self.features, self.mean, self.scale, self.weights):
            z += weight * (float(signals[name]) - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def verdict(self, probability: float) -> str:
        if probability >= self.answer_threshold:
            return ANSWERED
        return CLOSEST if probability >= self.closest_threshold else NOT_FOUND

    def to_dict(self) -> dict:
        return {
            "features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
            "weights": list(self.weights), "bias": self.bias,
            "answer_threshold": self.answer_threshold, "closest_threshold": self.closest_threshold,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "AnswerabilityModel":
        features = tuple(data["features"])
        columns = [tuple(float(v) for v in data[key]) for key in ("mean", "scale", "weights")]
        if any(len(column) != len(features) for column in columns) or set(features) - set(FEATURES):
            raise ValueError("answerability model: features and coefficients disagree")
        return cls(features, *columns, float(data["bias"]), float(data["answer_threshold"]), float(data["closest_threshold"]))


@lru_cache(maxsize=1)
def shipped_model() -> AnswerabilityModel:
    text = resources.files("retrieval").joinpath("data", MODEL_FILE).read_text(encoding="utf-8")
    return AnswerabilityModel.from_dict(json.loads(text))


def margin(values: Sequence[float]) -> float:
    """How far the first value stands above the best of the rest (0 when alone)."""
    return float(values[0] - max(values[1:])) if len(values) > 1 else 0.0
