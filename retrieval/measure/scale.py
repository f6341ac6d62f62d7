"""Synthetic scale for `investqa bench`: exact vs approximate dense search and BM25 keyword
search on random corpora of n passages, with build time, latency, recall@10 and memory.
Returns plain values; never prints."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

Progress = Callable[[str], None]

DIM = 384  # the default embedder's dimension
VOCABULARY = 50_000
TOKENS_PER_PASSAGE = (50, 150)  # uniform range, mean 100
QUERY_TOKENS = 6
TOP_K = 10


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(seconds) * 1000.0, q)), 3) if len(seconds) else float("nan")


# ---------------------------------------------------------------- synthetic scale


@dataclass(frozen=True)
class ScaleRow:
    n: int
    index: str
    build_s: float
    search_p50_ms: float
    recall_at_10: float | None  # None where there is no exact reference (BM25 is exact)
    mem_mb: float

    @property
    def bytes_per_passage(self) -> float:
        return self.mem_mb * 1e6 / self.n if self.n else 0.0

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "index": self.index,
            "build_s": round(self.build_s, 3),
            "search_p50_ms": round(self.search_p50_ms, 3),
            "recall@10": None if self.recall_at_10 is None else round(self.recall_at_10, 4),
            "mem_mb": round(self.mem_mb, 1),
            "bytes_per_passage": round(self.bytes_per_passage, 1),
        }


def random_unit_vectors(count: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    rows = rng.standard_normal((count, dim), dtype=np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def zipf_token_ids(count: int, rng: np.random.Generator, vocabulary: int = VOCABULARY) -> np.ndarray:
    """Token ids with Zipf(1) frequencies, like words in running text (id 0 the most common)."""
    weights = 1.0 / np.arange(1, vocabulary + 1)
    cdf = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(count), side="right"), vocabulary - 1).astype(np.int32)


def synthetic_token_streams(n: int, rng: np.random.Generator, vocabulary: int = VOCABULARY) -> list[list[int]]:
    lengths = rng.integers(TOKENS_PER_PASSAGE[0], TOKENS_PER_PASSAGE[1] + 1, n)
    ids = zipf_token_ids(int(lengths.sum()), rng, vocabulary)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    return [ids[bounds[i]:bounds[i + 1]].tolist() for i in range(n)]


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(row) & set(expected)) / k for row, expected in zip(found.tolist(), truth.tolist())]))


def _single_query_p50_ms(search: Callable[[int], object], count: int) -> float:
    """Median latency of one query at a time: the serving pattern (one user question)."""
    timings = []
    for position in range(count):
        started = time.perf_counter()
        search(position)
        timings.append(time.perf_counter() - started)
    return percentile_ms(timings, 50)


def dense_scale_rows(n: int, dim: int = DIM, queries: int = 200, timed_queries: int = 50, seed: int = 0) -> list[ScaleRow]:
    """Exact and approximate dense index on n random unit vectors, recall measured against exact.

    Random vectors are the hard case for approximate search: nothing clusters.
    """
    from retrieval.index.dense_index import build_dense_index

    rng = np.random.default_rng(seed)
    vectors = random_unit_vectors(n, dim, rng)
    query_rows = random_unit_vectors(queries, dim, rng)
    rows, truth = [], None
    for kind in ("flat", "pq_refine"):
        started = time.perf_counter()
        index = build_dense_index(vectors, params={"kind": kind})
        build_s = time.perf_counter() - started
        _, found = index.search(query_rows, TOP_K)  # batched: the exact one is the reference
        truth = found if truth is None else truth
        p50 = _single_query_p50_ms(lambda i: index.search(query_rows[i], TOP_K), min(timed_queries, queries))
        rows.append(ScaleRow(n, index.kind, build_s, p50, recall_at_k(found, truth), index.memory_bytes() / 1e6))
        del index
    return rows


def keyword_scale_row(n: int, queries: int = 50, seed: int = 0, vocabulary: int = VOCABULARY) -> ScaleRow:
    """BM25 over n synthetic Zipf token streams, ~100 tokens each; top-10 per query.

    Built by bm25s as the project's builder does (token ids instead of strings, so the
    vocabulary mapping is not timed), searched through the project's `KeywordIndex`.
    """
    import logging

    import bm25s
    from bm25s.tokenization import Tokenized

    from retrieval.index.keyword_index import KeywordIndex

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    rng = np.random.default_rng(seed + 1)
    streams = synthetic_token_streams(n, rng, vocabulary)
    vocab = {str(token_id): token_id for token_id in range(vocabulary)}
    started = time.perf_counter()
    bm25 = bm25s.BM25(method="lucene")
    bm25.index(Tokenized(ids=streams, vocab=vocab), show_progress=False)
    build_s = time.perf_counter() - started
    del streams
    scores = bm25.scores
    index = KeywordIndex(scores["data"], scores["indices"], scores["indptr"], vocab, n, {"method": "lucene"})
    del bm25, scores
    query_terms = [[(str(token_id), 1.0) for token_id in zipf_token_ids(QUERY_TOKENS, rng, vocabulary).tolist()] for _ in range(queries)]
    top = min(TOP_K, n)

    def search(position: int):
        passage_scores = index.scores(query_terms[position])
        return np.argpartition(-passage_scores, top - 1)[:top]

    p50 = _single_query_p50_ms(search, queries)
    return ScaleRow(n, "bm25", build_s, p50, None, index.memory_bytes() / 1e6)


def scale_rows(sizes: Iterable[int], progress: Progress | None = None) -> list[ScaleRow]:
    rows: list[ScaleRow] = []
    for n in sizes:
        if progress:
            progress(f"scale: dense indexes over {n:,} random vectors")
        rows.extend(dense_scale_rows(n))
        if progress:
            progress(f"scale: BM25 over {n:,} synthetic passages")
        rows.append(keyword_scale_row(n))
    return rows


# ---------------------------------------------------------------- the real pipeline
