"""The dense index: exact and approximate search, the save/load round trip, damaged files."""
from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval.index.dense_index import (
    INDEX_FILE,
    PARAMS_FILE,
    build_dense_index,
    index_settings,
    load_dense_index,
)
from retrieval.errors import IndexCorrupt

DIM = 384


def unit_rows(count: int, seed: int, dim: int = DIM) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def true_neighbours(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :k]


@pytest.fixture(scope="module")
def corpus() -> np.ndarray:
    return unit_rows(3000, seed=1)


@pytest.fixture(scope="module")
def approximate(corpus):
    index = build_dense_index(corpus, approximate_above=1000)
    assert index.kind != "flat"
    return index


def test_small_corpus_gets_exact_index_returning_true_neighbours(corpus):
    index = build_dense_index(corpus)
    queries = unit_rows(20, seed=2)
    scores, ids = index.search(queries, 10)
    assert index.kind == "flat" and len(index) == len(corpus) and index.dim == DIM
    assert ids.dtype == np.int64 and ids.shape == (20, 10) and scores.shape == (20, 10)
    np.testing.assert_array_equal(ids, true_neighbours(corpus, queries, 10))
    expected = np.take_along_axis(queries @ corpus.T, ids, axis=1)
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-5)


def test_one_dimensional_query_is_one_row(corpus):
    index = build_dense_index(corpus)
    scores, ids = index.search(corpus[7], 3)
    assert ids.shape == (1, 3) and ids[0, 0] == 7 and scores[0, 0] == pytest.approx(1.0, abs=1e-5)


def test_missing_hits_are_padded_with_minus_one():
    index = build_dense_index(unit_rows(4, seed=3))
    scores, ids = index.search(unit_rows(2, seed=4), 6)
    assert (ids[:, 4:] == -1).all() and np.isneginf(scores[:, 4:]).all()
    assert sorted(ids[0, :4].tolist()) == [0, 1, 2, 3]


def test_empty_index_finds_nothing(tmp_path):
    index = build_dense_index(np.zeros((0, DIM), np.float32))
    _, ids = index.search(unit_rows(1, seed=5), 3)
    assert len(index) == 0 and (ids == -1).all()
    index.save(tmp_path / "dense")
    assert len(load_dense_index(tmp_path / "dense")) == 0


def test_wrong_query_dimension_is_rejected(corpus):
    with pytest.raises(ValueError):
        build_dense_index(corpus[:10]).search(np.ones((1, DIM + 1), np.float32), 3)


def test_approximate_recall_on_random_data(corpus, approximate):
    queries = unit_rows(100, seed=6)
    _, ids = approximate.search(queries, 10)
    truth = true_neighbours(corpus, queries, 10)
    recall = np.mean([len(set(found) & set(expected)) / 10 for found, expected in zip(ids, truth)])
    assert recall >= 0.95


def test_forced_kind_and_unknown_kind(corpus):
    assert build_dense_index(corpus, approximate_above=10, params={"kind": "flat"}).kind == "flat"
    with pytest.raises(ValueError):
        build_dense_index(corpus, params={"kind": "nonsense"})


@pytest.mark.parametrize("which", ["flat", "approximate"])
def test_save_load_round_trip_gives_identical_results(tmp_path, corpus, approximate, which):
    index = build_dense_index(corpus) if which == "flat" else approximate
    written = index.save(tmp_path / "dense")
    assert sorted(written) == sorted([INDEX_FILE, PARAMS_FILE])
    assert all((tmp_path / "dense" / name).is_file() for name in written)
    loaded = load_dense_index(tmp_path / "dense")
    queries = unit_rows(30, seed=7)
    before, after = index.search(queries, 10), loaded.search(queries, 10)
    assert (loaded.kind, loaded.dim, len(loaded), loaded.params) == (index.kind, index.dim, len(index), index.params)
    np.testing.assert_array_equal(before[1], after[1])
    np.testing.assert_array_equal(before[0], after[0])


@pytest.fixture
def saved(tmp_path, corpus):
    folder = tmp_path / "dense"
    build_dense_index(corpus[:500]).save(folder)
    return folder


def test_truncated_index_file_raises_index_corrupt(saved):
    data = (saved / INDEX_FILE).read_bytes()
    (saved / INDEX_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorrupt):
        load_dense_index(saved)


def test_garbage_index_file_raises_index_corrupt(saved):
    (saved / INDEX_FILE).write_bytes(b"not a faiss index at all" * 10)
    with pytest.raises(IndexCorrupt):
        load_dense_index(saved)


def test_missing_or_garbled_params_raise_index_corrupt(saved):
    (saved / PARAMS_FILE).write_text("{ not json", encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        load_dense_index(saved)
    (saved / PARAMS_FILE).unlink()
    with pytest.raises(IndexCorrupt):
        load_dense_index(saved)


def test_params_disagreeing_with_the_file_raise_index_corrupt(saved):
    description = json.loads((saved / PARAMS_FILE).read_text(encoding="utf-8"))
    description["count"] += 1
    (saved / PARAMS_FILE).write_text(json.dumps(description), encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        load_dense_index(saved)
    description["count"] -= 1
    description["kind"] = "pq_refine"
    (saved / PARAMS_FILE).write_text(json.dumps(description), encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        load_dense_index(saved)


def test_missing_index_file_raises_index_corrupt(saved):
    (saved / INDEX_FILE).unlink()
    with pytest.raises(IndexCorrupt):
        load_dense_index(saved)


def test_index_settings_describe_the_choice():
    settings = index_settings()
    assert settings["exact"] == "flat" and settings["approximate"] == "pq_refine"
    assert settings["approximate_above"] > 0
    json.dumps(settings)  # it goes into manifest.json
