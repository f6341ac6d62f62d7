from retrieval.abstain import AbstentionPolicy, AbstentionSignals

POLICY = AbstentionPolicy(min_dense=0.80, min_coverage=0.5, confident_dense=0.88)


def test_strong_dense_and_keyword_evidence_answers():
    assert not POLICY.abstains(AbstentionSignals(dense_top=0.9, coverage=0.9, agreement=True))


def test_no_evidence_abstains():
    assert POLICY.abstains(AbstentionSignals(dense_top=0.78, coverage=0.1, agreement=False))


def test_confidence_is_monotone_in_each_signal():
    base = AbstentionSignals(dense_top=0.83, coverage=0.3, agreement=False)
    assert POLICY.confidence(AbstentionSignals(0.86, 0.3, False)) >= POLICY.confidence(base)
    assert POLICY.confidence(AbstentionSignals(0.83, 0.6, False)) >= POLICY.confidence(base)
    assert POLICY.confidence(AbstentionSignals(0.83, 0.3, True)) >= POLICY.confidence(base)
