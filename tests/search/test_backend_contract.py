"""The contract every search backend keeps (retrieval/search/backend.py), run over each
backend on an index built from the real seeds. A new backend adds itself to BACKENDS
with a fixture that opens it on the seeds."""
from __future__ import annotations

import numpy as np
import pytest

from retrieval.errors import IndexMismatch
from retrieval.search.backend import SearchBackend, open_backend
from retrieval.text import squeeze

pytestmark = pytest.mark.integration

BACKENDS = ["local", "milvus"]


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, engine) -> SearchBackend:
    if request.param == "local":
        return engine.backend
    if request.param == "milvus":
        from retrieval.index import store

        index_dir = request.getfixturevalue("milvus_index")
        return open_backend(index_dir, *store.open_build(index_dir))
    raise AssertionError(f"no fixture for backend {request.param}")


@pytest.fixture(scope="module")
def query_vector(engine):
    return engine.embedder.embed_queries(["崂山区对独角兽企业的奖励"])[0]


def test_identity_comes_from_the_manifest(backend):
    assert backend.build_id == backend.manifest["build_id"]
    assert backend.embedder_spec == backend.manifest["embedder"]["spec"]


def test_passages_are_addressed_by_row_and_id(backend):
    passages = backend.passages()
    assert backend.passage_count() == len(passages) > 100
    for row in (0, len(passages) // 2, len(passages) - 1):
        assert backend.passage(row) == passages[row]
        assert backend.row_of(passages[row].passage_id) == row
    assert backend.row_of("no-such-passage") is None


def test_neighbours_stay_in_the_document_and_include_the_row(backend):
    for row in range(0, backend.passage_count(), 17):
        near = backend.neighbours(row, radius=1)
        assert row in near and near == sorted(near) and len(near) <= 3
        assert {backend.passage(r).doc_id for r in near} == {backend.passage(row).doc_id}


def test_sentences_are_ordered_spans_inside_the_text_with_one_similarity_each(backend, query_vector):
    for row in range(0, backend.passage_count(), 23):
        spans = backend.sentence_spans(row)
        text = backend.passage(row).text
        assert spans and all(0 <= start < end <= len(text) for start, end in spans)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
        assert len(backend.sentence_similarities(query_vector, row)) == len(spans)


def test_keyword_top_is_ordered_by_keyword_scores_and_matches_document_frequency(backend):
    terms = [("独角兽", 1.0), ("奖励", 0.5)]
    top = backend.keyword_top(terms, 10)
    scores = backend.keyword_scores(terms, top)
    assert len(top) == 10 and np.all(np.diff(scores) <= 1e-6) and scores[0] > 0
    every = np.arange(backend.passage_count())
    single = backend.keyword_scores([("独角兽", 1.0)], every)
    assert int((single > 0).sum()) == backend.document_frequency("独角兽") > 0
    assert backend.document_frequency("不存在的词语xyz") == 0
    assert not np.any(backend.keyword_scores([("不存在的词语xyz", 1.0)], every))


def test_dense_top_is_ordered_by_passage_similarity(backend, query_vector):
    top = backend.dense_top(query_vector, 10)
    similarities = backend.passage_similarities(query_vector, top)
    assert len(top) == 10 and np.all(np.diff(similarities) <= 1e-5)
    every = backend.passage_similarities(query_vector, np.arange(backend.passage_count()))
    assert similarities[0] == pytest.approx(float(every.max()), abs=1e-5)
    assert "独角兽" in backend.passage(int(top[0])).text


def test_corpus_membership_ignores_line_breaks(backend):
    text = backend.passage(3).text
    assert backend.corpus_contains(squeeze(text)[5:15])
    assert not backend.corpus_contains("火星殖民计划xyz")


def test_the_crosslingual_expander_comes_with_the_build(backend):
    tokens = dict(backend.crosslingual().expand("unicorn enterprises in Laoshan"))
    assert "独角兽" in tokens and any(token.startswith("崂山") for token in tokens)


def test_a_build_for_an_unknown_backend_is_refused_with_the_rebuild_command(tmp_path):
    with pytest.raises(IndexMismatch, match="investqa index"):
        open_backend(tmp_path, tmp_path, {"backend": "nosuch", "build_id": "x"})
