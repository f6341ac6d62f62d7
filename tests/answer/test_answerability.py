import json

import numpy as np
import pytest

from retrieval.answer.answerability import FEATURES, AnswerabilityModel, margin, shipped_model
from retrieval.measure.fit_answerability import (
    FOLD_ASSIGNMENTS, choose_threshold, fit_logistic, operating_threshold, out_of_fold, out_of_group, predict,
)
from retrieval.types import ANSWERED, CLOSEST, NOT_FOUND


def model(weights, bias=0.0, answer=0.6, closest=0.3):
    features = tuple(FEATURES[: len(weights)])
    return AnswerabilityModel(features, (0.0,) * len(weights), (1.0,) * len(weights), tuple(weights), bias, answer, closest)


def test_probability_follows_the_weights_and_the_verdict_follows_the_thresholds():
    m = model([2.0, -3.0])  # coverage helps, uncovered hurts
    strong = m.probability({"coverage": 1.0, "uncovered": 0.0})
    weak = m.probability({"coverage": 0.0, "uncovered": 1.0})
    assert strong > 0.8 > 0.1 > weak
    assert m.verdict(strong) == ANSWERED and m.verdict(weak) == NOT_FOUND and m.verdict(0.45) == CLOSEST


def test_the_shipped_model_is_plain_json_over_the_engines_signals():
    shipped = shipped_model()
    assert set(shipped.features) <= set(FEATURES) and 0 < shipped.closest_threshold < shipped.answer_threshold < 1
    assert AnswerabilityModel.from_dict(json.loads(json.dumps(shipped.to_dict()))) == shipped


def test_a_model_whose_coefficients_do_not_match_its_features_is_refused():
    data = model([1.0, 2.0]).to_dict()
    data["weights"] = [1.0]
    with pytest.raises(ValueError):
        AnswerabilityModel.from_dict(data)


def test_margin_is_the_lead_over_the_best_of_the_rest():
    assert margin([0.9, 0.7, 0.8]) == pytest.approx(0.1) and margin([0.5]) == 0.0


def test_fitting_recovers_a_separating_signal_and_the_threshold_spares_answerable_questions():
    rng = np.random.default_rng(0)
    signal = np.concatenate([rng.normal(1.0, 0.5, 200), rng.normal(-1.0, 0.5, 200)])
    noise = rng.normal(0, 1, 400)
    x = np.column_stack([signal, noise])
    y = np.concatenate([np.ones(200), np.zeros(200)])
    weights, bias = fit_logistic(x, y, strength=1.0)
    assert weights[0] > 2 and abs(weights[1]) < 0.5
    oof = out_of_fold(x, y, 1.0)
    assert np.mean((oof > 0.5) == y) > 0.9  # held-out folds, not the fitted rows
    threshold = choose_threshold(predict(x, weights, bias), y.astype(bool), 0.05)
    assert np.mean(predict(x, weights, bias)[y == 1] < threshold) <= 0.05


def test_the_operating_threshold_is_the_median_over_fold_assignments():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0.8, 1.0, 120), rng.normal(-0.8, 1.0, 80)]).reshape(-1, 1)
    y = np.concatenate([np.ones(120), np.zeros(80)])
    threshold, assignments = operating_threshold(x, y, y.astype(bool), 1.0, 0.05)
    singles = sorted(choose_threshold(oof, y.astype(bool), 0.05) for oof in assignments)
    assert len(assignments) == FOLD_ASSIGNMENTS and singles[0] < singles[-1]  # assignments disagree
    assert threshold == pytest.approx(np.median(singles))
    # at the median, each assignment abstains on about the allowed share of answerable questions
    assert np.mean([(oof[y == 1] < threshold).mean() for oof in assignments]) <= 0.07


def test_a_groups_probabilities_come_from_a_model_that_never_saw_its_labels():
    rng = np.random.default_rng(2)
    x = rng.normal(0, 1, (90, 2))
    y = (x[:, 0] + rng.normal(0, 0.5, 90) > 0).astype(float)
    groups = np.repeat(["a", "b", "c"], 30)
    flipped = y.copy()
    flipped[groups == "b"] = 1 - flipped[groups == "b"]
    before, after = out_of_group(x, y, 1.0, groups), out_of_group(x, flipped, 1.0, groups)
    assert np.allclose(before[groups == "b"], after[groups == "b"])  # b's own labels never reach its model
    assert not np.allclose(before[groups == "a"], after[groups == "a"])  # the others' models do see them
    assert np.mean((before > 0.5) == y) > 0.8
