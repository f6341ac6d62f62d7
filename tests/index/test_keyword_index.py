"""The BM25 keyword index: built by bm25s, read back and scored with numpy alone."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from retrieval.errors import IndexCorrupt
from retrieval.index.keyword_index import DATA, INDPTR, PARAMS, VOCAB, KeywordIndex

PASSAGES = [
    ["崂山区", "独角兽", "企业", "奖励"],
    [],
    ["西海岸", "新区", "产业", "企业", "企业"],
    ["奖励", "人才", "政策"],
]


@pytest.fixture
def saved(tmp_path):
    folder = tmp_path / "keyword"
    KeywordIndex.build(PASSAGES).save(folder)
    return folder


def test_scores_match_bm25s_and_weights_scale_each_token(saved):
    import bm25s

    reference = bm25s.BM25.load(str(saved), show_progress=False)
    index = KeywordIndex.load(saved)
    vocab = reference.vocab_dict
    expected = reference.get_scores_from_ids([vocab["企业"]]) + 0.5 * reference.get_scores_from_ids([vocab["奖励"]])
    got = index.scores([("企业", 1.0), ("奖励", 0.25), ("奖励", 0.25), ("不存在", 1.0), ("", 1.0)])
    assert got.dtype == np.float32 and got.shape == (4,)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got[1] == 0.0 and got[2] > got[3] > 0  # the empty passage keeps its row


def test_lookups(saved):
    index = KeywordIndex.load(saved)
    assert len(index) == 4
    assert index.document_frequency("企业") == 2 and index.document_frequency("不存在") == 0
    assert index.document_frequency("") == 0
    assert "" not in set(index.vocabulary()) and {"崂山区", "政策"} <= set(index.vocabulary())
    assert not index.scores([("不存在", 1.0)]).any()
    assert index.memory_bytes() > 0


def test_mmap_load_gives_the_same_scores(saved):
    query = [("奖励", 1.0), ("新区", 1.0)]
    np.testing.assert_array_equal(KeywordIndex.load(saved, mmap=True).scores(query), KeywordIndex.load(saved).scores(query))


def test_loading_and_scoring_never_import_bm25s_or_scipy(saved):
    # bm25s pulls in scipy: ~0.6 s of every cold `investqa ask`.
    code = (
        "import sys; from pathlib import Path; from retrieval.index.keyword_index import KeywordIndex;"
        f"KeywordIndex.load(Path({str(saved)!r})).scores([('企业', 1.0)]);"
        "print(sorted(m for m in ('bm25s', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / DATA).unlink(),
        lambda folder: (folder / VOCAB).write_text("[1, 2", encoding="utf-8"),
        lambda folder: (folder / VOCAB).write_text(json.dumps({"企业": 999}), encoding="utf-8"),
        lambda folder: np.save(folder / INDPTR, np.array([0, 1], dtype=np.int32)),
        lambda folder: (folder / PARAMS).write_text(json.dumps({"num_docs": 1, "method": "lucene"}), encoding="utf-8"),
        lambda folder: (folder / PARAMS).write_text(json.dumps({"num_docs": 4, "method": "bm25+"}), encoding="utf-8"),
    ],
    ids=["missing-array", "bad-json", "id-out-of-range", "short-pointers", "wrong-count", "unsupported-method"],
)
def test_damaged_files_raise_index_corrupt(saved, damage):
    damage(saved)
    with pytest.raises(IndexCorrupt):
        KeywordIndex.load(saved)
