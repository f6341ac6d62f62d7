import json

import numpy as np
import pytest

from retrieval.search.ranking import (
    RANK_FEATURES, CandidateSignals, RankingModel, feature_matrix, fit_listwise, listwise_loss, shipped_ranker, softmax, top1_accuracy,
)
from retrieval.search.ranking import _padded


def signals(**changes) -> CandidateSignals:
    base = dict(fused=0.5, keyword=1.0, dense=0.8, sentence=0.85, coverage=0.5, uncovered=0.2, names_missing=0.0,
                years_missing=0.0, periods_missing=0.0, figure_missing=0.0, quote_figure=0.0)
    return CandidateSignals(**{**base, **changes})


def test_features_are_relative_to_the_questions_best_candidate():
    matrix = feature_matrix([signals(fused=0.9, keyword=4.0, dense=0.9), signals(fused=0.6, keyword=2.0, dense=0.7)], english=False)
    column = {name: matrix[:, i] for i, name in enumerate(RANK_FEATURES)}
    assert column["fused"].tolist() == pytest.approx([0.0, -0.3])
    assert column["keyword"].tolist() == pytest.approx([1.0, 0.5])
    assert column["dense"].tolist() == pytest.approx([0.0, -0.2])
    assert column["first"].tolist() == [1.0, 0.0]
    assert not column["en_fused"].any()  # English-only weights stay silent for Chinese questions


def test_english_questions_fill_their_own_columns():
    matrix = feature_matrix([signals(fused=0.9), signals(fused=0.6)], english=True)
    column = {name: matrix[:, i] for i, name in enumerate(RANK_FEATURES)}
    assert column["en_fused"].tolist() == pytest.approx(column["fused"].tolist())


def test_no_keyword_evidence_at_all_gives_zero_keyword_shares():
    matrix = feature_matrix([signals(keyword=0.0), signals(keyword=0.0)], english=False)
    assert not matrix[:, RANK_FEATURES.index("keyword")].any()


def test_fitting_learns_that_a_missing_place_outweighs_a_higher_fused_score():
    rng = np.random.default_rng(1)
    groups = []
    for _ in range(120):
        # the gold passage names the asked district; the first by fused score often does not
        gold = int(rng.integers(0, 3))
        candidates = [signals(fused=float(rng.uniform(0.3, 0.9)), names_missing=0.0 if i == gold else 1.0) for i in range(5)]
        labels = np.array([float(i == gold) for i in range(5)])
        groups.append((feature_matrix(candidates, english=False), labels))
    weights = fit_listwise(groups, l2=0.001)
    assert weights[RANK_FEATURES.index("names_missing")] < -1.0
    assert top1_accuracy(weights, groups) == 1.0
    fused_only = np.zeros(len(RANK_FEATURES))
    fused_only[RANK_FEATURES.index("fused")] = 1.0
    assert top1_accuracy(fused_only, groups) < 0.6


def test_the_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    groups = [(rng.normal(size=(4, 3)), np.array([0.0, 1.0, 0.0, 1.0])), (rng.normal(size=(3, 3)), np.array([1.0, 0.0, 0.0]))]
    padded, weights = _padded(groups), rng.normal(size=3)
    _, gradient = listwise_loss(weights, padded, 0.01)
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6
        numeric = (listwise_loss(weights + step, padded, 0.01)[0] - listwise_loss(weights - step, padded, 0.01)[0]) / 2e-6
        assert gradient[i] == pytest.approx(numeric, rel=1e-4, abs=1e-7)


def test_softmax_shares_sum_to_one_and_keep_the_order():
    shares = softmax(np.array([3.0, 1.0, 2.0]))
    assert shares.sum() == pytest.approx(1.0) and list(np.argsort(-shares)) == [0, 2, 1]


def test_the_shipped_ranker_is_plain_json_over_known_features():
    shipped = shipped_ranker()
    assert set(shipped.features) <= set(RANK_FEATURES) and shipped.depth >= 2
    assert RankingModel.from_dict(json.loads(json.dumps(shipped.to_dict()))) == shipped
    with pytest.raises(ValueError):
        RankingModel.from_dict({"features": ["fused", "no such signal"], "weights": [1.0, 2.0], "depth": 10})
