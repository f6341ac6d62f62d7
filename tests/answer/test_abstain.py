from retrieval.answer.abstain import AbstentionPolicy, AbstentionSignals

POLICY = AbstentionPolicy(min_coverage_zh=0.6, min_coverage_en=0.3, min_dense_zh=0.85, min_dense_en=0.72)


def test_covered_question_close_to_a_sentence_is_answered():
    assert not POLICY.abstains(AbstentionSignals("zh", coverage=0.9, dense_top=0.93))
    assert not POLICY.abstains(AbstentionSignals("en", coverage=0.5, dense_top=0.8))


def test_low_coverage_abstains_whatever_the_cosine():
    assert POLICY.abstains(AbstentionSignals("zh", coverage=0.3, dense_top=0.99))


def test_thresholds_are_per_language():
    signals = {"coverage": 0.45, "dense_top": 0.9}
    assert POLICY.abstains(AbstentionSignals("zh", **signals))
    assert not POLICY.abstains(AbstentionSignals("en", **signals))


def test_far_from_every_sentence_abstains_even_when_words_match():
    assert POLICY.abstains(AbstentionSignals("zh", coverage=1.0, dense_top=0.8))
    assert not POLICY.abstains(AbstentionSignals("zh", coverage=1.0, dense_top=0.8), use_dense=False)


def test_confidence_is_the_weakest_signal_relative_to_its_threshold():
    signals = AbstentionSignals("zh", coverage=0.3, dense_top=0.935)
    assert abs(POLICY.confidence(signals) - 0.5) < 1e-9
    assert abs(POLICY.confidence(AbstentionSignals("zh", 1.2, 0.935)) - 1.1) < 1e-9
    # abstains exactly below 1
    assert POLICY.abstains(AbstentionSignals("zh", 0.599, 0.9)) and not POLICY.abstains(AbstentionSignals("zh", 0.6, 0.9))


def test_confidence_is_monotone_in_each_signal():
    base = AbstentionSignals("en", 0.3, 0.75)
    assert POLICY.confidence(AbstentionSignals("en", 0.4, 0.75)) >= POLICY.confidence(base)
    assert POLICY.confidence(AbstentionSignals("en", 0.3, 0.85)) >= POLICY.confidence(base)


def test_one_big_missing_concept_abstains_even_when_coverage_is_high():
    policy = AbstentionPolicy(max_uncovered_zh=0.28, max_uncovered_en=0.55)
    assert policy.abstains(AbstentionSignals("zh", coverage=0.7, dense_top=0.93, uncovered=0.3))
    assert not policy.abstains(AbstentionSignals("zh", coverage=0.7, dense_top=0.93, uncovered=0.2))
    assert not policy.abstains(AbstentionSignals("en", coverage=0.7, dense_top=0.8, uncovered=0.4))
    assert abs(policy.confidence(AbstentionSignals("zh", 1.0, 0.93, uncovered=0.56)) - 0.5) < 1e-9


def test_a_quote_without_the_asked_figure_abstains_however_well_the_words_match():
    lacking = AbstentionSignals("zh", coverage=1.0, dense_top=0.95, states_asked_figure=False)
    assert POLICY.abstains(lacking)
    assert POLICY.confidence(lacking) == POLICY.missing_figure_confidence
    assert not POLICY.abstains(AbstentionSignals("zh", coverage=1.0, dense_top=0.95, states_asked_figure=True))
    # the weakest signal still decides when it is weaker than the missing figure
    assert POLICY.confidence(AbstentionSignals("zh", 0.3, 0.95, states_asked_figure=False)) < POLICY.missing_figure_confidence
