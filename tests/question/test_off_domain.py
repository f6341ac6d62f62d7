import json
import re
from pathlib import Path

import numpy as np
import pytest

from retrieval.question.off_domain import DomainAnchors, anchor_texts, anchors_fingerprint, read_lines

DATA = Path(__file__).resolve().parents[1] / "data"
DEV_SET = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_qa.jsonl"


def unit(*values):
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


ANCHORS = DomainAnchors(
    off_domain=np.stack([unit(1, 0, 0), unit(0, 1, 0)]),
    in_domain=np.stack([unit(0, 0, 1), unit(0, 1, 1)]),
)


def test_the_margin_is_how_much_nearer_everyday_chat_comes_than_policy_questions():
    # nearest everyday message 1.0 (the first), nearest policy question 0 (neither)
    assert ANCHORS.off_domain_margin(unit(1, 0, 0)) == pytest.approx(1.0)
    # nearer a policy question than any everyday message: nothing to tell
    assert ANCHORS.off_domain_margin(unit(0, 0, 1)) == 0.0
    # nearest everyday (0, 1, 0) at 0.894, nearest policy (0, 1, 1) at 0.949: below 0
    assert ANCHORS.off_domain_margin(unit(0, 2, 1)) == 0.0
    # the query's length does not matter
    assert ANCHORS.off_domain_margin(5 * unit(1, 0, 0)) == pytest.approx(1.0)


def test_save_and_load_are_mirror_images_and_a_bad_shape_is_refused(tmp_path):
    ANCHORS.save(tmp_path / "anchors")
    loaded = DomainAnchors.load(tmp_path / "anchors")
    assert np.array_equal(loaded.off_domain, ANCHORS.off_domain) and np.array_equal(loaded.in_domain, ANCHORS.in_domain)
    np.save(tmp_path / "anchors" / "in_domain.npy", np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="shape"):
        DomainAnchors.load(tmp_path / "anchors")


def test_embedding_takes_both_lists_as_queries_and_makes_unit_rows():
    seen = []

    def embed_queries(texts):
        seen.append(list(texts))
        return np.full((len(texts), 3), 2.0, dtype=np.float32)

    anchors = DomainAnchors.embed(embed_queries)
    off_domain, in_domain = anchor_texts()
    assert seen == [list(off_domain), list(in_domain)]
    assert np.allclose(np.linalg.norm(anchors.off_domain, axis=1), 1.0) and len(anchors.in_domain) == len(in_domain)


def test_the_shipped_lists_skip_comments_and_fingerprint_their_lines(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("# why\n\nhello\n  thanks  \n", encoding="utf-8")
    assert read_lines(path) == ["hello", "thanks"]
    off_domain, in_domain = anchor_texts()
    assert len(off_domain) >= 200 and len(in_domain) >= 200
    assert not any(line.startswith("#") for line in off_domain + in_domain)
    assert re.fullmatch(r"[0-9a-f]{16}", anchors_fingerprint())


def _questions(path: Path) -> set[str]:
    return {re.sub(r"[\s?？。.!！,，]", "", json.loads(line)["question"].lower()) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def test_no_anchor_is_a_question_of_our_evaluation_sets():
    # the lists are model data: a question we measure on must not be in them word for word
    paths = sorted(DATA.glob("*_qa*.jsonl")) + ([DEV_SET] if DEV_SET.is_file() else [])
    measured = set().union(*(_questions(path) for path in paths))
    assert len(measured) > 1000
    for line in anchor_texts()[0] + anchor_texts()[1]:
        assert re.sub(r"[\s?？。.!！,，]", "", line.lower()) not in measured, line
