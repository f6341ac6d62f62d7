import numpy as np
import pytest

from retrieval.search.fusion import adaptive_keyword_weight, reciprocal_rank_fusion, rescale, weighted_fusion


def test_rescale_maps_to_unit_interval_with_fixed_floor():
    scores = rescale(np.array([0.0, 2.0, 4.0]), floor=0.0)
    assert scores.tolist() == [0.0, 0.5, 1.0]


def test_rescale_of_constant_scores_is_zero_not_nan():
    assert rescale(np.array([0.7, 0.7])).tolist() == [0.0, 0.0]
    assert rescale(np.array([])).size == 0


def test_weighted_fusion_follows_the_weight():
    keyword = np.array([10.0, 0.0])
    dense = np.array([0.80, 0.90])
    assert np.argmax(weighted_fusion(keyword, dense, keyword_weight=0.9)) == 0
    assert np.argmax(weighted_fusion(keyword, dense, keyword_weight=0.1)) == 1


def test_weighted_fusion_rewards_agreement():
    keyword = np.array([5.0, 4.0, 0.0])
    dense = np.array([0.85, 0.80, 0.90])
    fused = weighted_fusion(keyword, dense, keyword_weight=0.5)
    assert np.argmax(fused) == 0


def test_reciprocal_rank_fusion_sums_reciprocal_ranks():
    fused = reciprocal_rank_fusion([np.array([2, 0, 1]), np.array([0, 2, 1])], size=3, k=0)
    assert fused[0] == pytest.approx(1 / 2 + 1 / 1)
    assert fused[2] == pytest.approx(1 / 1 + 1 / 2)
    assert fused[1] == pytest.approx(1 / 3 + 1 / 3)


def test_adaptive_weight_grows_with_coverage_and_uses_language_base():
    low = adaptive_keyword_weight(0.0, "zh", 0.6, 0.3)
    high = adaptive_keyword_weight(1.0, "zh", 0.6, 0.3)
    assert low < high == pytest.approx(0.6)
    assert adaptive_keyword_weight(1.0, "en", 0.6, 0.3) == pytest.approx(0.3)
