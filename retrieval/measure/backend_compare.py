"""`investqa bench --backend milvus`: the local and the Milvus backend side by side.

Per backend: build time of the seeds with a warm embedding cache (embedding costs the same
for both, so this is what the backend itself costs), warm answer latency p50/p95 over the
dev questions, and a synthetic scale point (random 384-d unit vectors, Zipf token weights)
searched dense and keyword-wise.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from retrieval.index import milvus_store
from retrieval.measure.scale import DIM, percentile_ms, random_unit_vectors, zipf_token_ids

Progress = Callable[[str], None]


def _answer_latency(index_dir: Path, questions: Sequence[str], embedder) -> dict:
    from retrieval import Engine

    engine = Engine.load(index_dir, embedder=embedder)
    for question in questions:  # warm: model, caches, Milvus Lite's loaded segments
        engine.ask(question)
    seconds = []
    for question in questions:
        started = time.perf_counter()
        engine.ask(question)
        seconds.append(time.perf_counter() - started)
    return {"p50_ms": percentile_ms(seconds, 50), "p95_ms": percentile_ms(seconds, 95)}


def _synthetic_milvus(uri: str, n: int, queries: int = 50, seed: int = 0) -> dict:
    """Insert n synthetic passages into a scratch collection, time searches, drop it."""
    from pymilvus import DataType

    rng = np.random.default_rng(seed)
    client = milvus_store.connect(uri)
    name = f"investqa_bench_{n}"
    if client.has_collection(name):
        client.drop_collection(name)
    schema = client.create_schema(auto_id=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=DIM)
    schema.add_field("keywords", DataType.SPARSE_FLOAT_VECTOR)
    index = client.prepare_index_params()
    index.add_index("vector", index_type="FLAT", metric_type="IP")
    index.add_index("keywords", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    client.create_collection(name, schema=schema, index_params=index)
    started = time.perf_counter()
    batch = 5000
    for start in range(0, n, batch):
        count = min(batch, n - start)
        vectors = random_unit_vectors(count, DIM, rng)
        tokens = zipf_token_ids(count * 30, rng).reshape(count, 30)
        client.insert(name, [{"row": start + i, "vector": vectors[i].tolist(), "keywords": {int(t): 1.0 for t in tokens[i]}} for i in range(count)])
    client.flush(name)
    client.load_collection(name)
    build_s = time.perf_counter() - started
    probes = random_unit_vectors(queries, DIM, rng)
    dense, keyword = [], []
    for i in range(queries):
        started = time.perf_counter()
        client.search(name, data=[probes[i].tolist()], anns_field="vector", limit=10, search_params={"metric_type": "IP"})
        dense.append(time.perf_counter() - started)
        terms = {int(t): 1.0 for t in zipf_token_ids(4, rng)}
        started = time.perf_counter()
        client.search(name, data=[terms], anns_field="keywords", limit=10, search_params={"metric_type": "IP"})
        keyword.append(time.perf_counter() - started)
    client.drop_collection(name)
    return {"n": n, "build_s": build_s, "dense_p50_ms": percentile_ms(dense, 50), "keyword_p50_ms": percentile_ms(keyword, 50)}


def _synthetic_local(n: int, queries: int = 50, seed: int = 0) -> dict:
    from retrieval.index.dense_index import build_dense_index
    from retrieval.index.keyword_index import KeywordIndex

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    vectors = random_unit_vectors(n, DIM, rng)
    dense_index = build_dense_index(vectors)
    keyword_index = KeywordIndex.build([[str(t) for t in row] for row in zipf_token_ids(n * 30, rng).reshape(n, 30)])
    build_s = time.perf_counter() - started
    probes = random_unit_vectors(queries, DIM, rng)
    dense, keyword = [], []
    for i in range(queries):
        started = time.perf_counter()
        dense_index.search(probes[i][None, :], 10)
        dense.append(time.perf_counter() - started)
        terms = [(str(t), 1.0) for t in zipf_token_ids(4, rng)]
        started = time.perf_counter()
        np.argsort(-keyword_index.scores(terms))[:10]
        keyword.append(time.perf_counter() - started)
    return {"n": n, "build_s": build_s, "dense_p50_ms": percentile_ms(dense, 50), "keyword_p50_ms": percentile_ms(keyword, 50)}


def compare_backends(seeds_dir: Path, cache_from: Path | None, questions: Sequence[str], sizes: Sequence[int], progress: Progress | None = None) -> dict:
    from retrieval import build_index
    from retrieval.index.embedders import make_embedder

    say = progress or (lambda message: None)
    embedder = make_embedder(None)
    results: dict = {"questions": len(questions), "backends": {}, "scale": []}
    with tempfile.TemporaryDirectory(prefix="investqa-bench-") as scratch:
        scratch = Path(scratch)
        warm_cache = scratch / "warm-cache"
        if cache_from is not None and (cache_from / "cache").is_dir():
            shutil.copytree(cache_from / "cache", warm_cache)
        else:  # embed once, so both timed builds find every vector cached
            say("embedding the seeds once (no cache to reuse)")
            build_index(seeds_dir, scratch / "embed-once", embedder=embedder)
            shutil.copytree(scratch / "embed-once" / "cache", warm_cache)
        uri = str(scratch / "milvus.db")
        for backend in ("local", "milvus"):
            index_dir = scratch / backend
            shutil.copytree(warm_cache, index_dir / "cache")
            say(f"{backend}: building the seeds")
            report = build_index(seeds_dir, index_dir, embedder=embedder, backend=backend, milvus_uri=uri if backend == "milvus" else None)
            say(f"{backend}: answering {len(questions)} questions twice")
            results["backends"][backend] = {
                "build_s": report.seconds, "passages": report.passages,
                "build_passages_per_s": report.passages / report.seconds if report.seconds else None,
                **_answer_latency(index_dir, questions, embedder),
            }
        for n in sizes:
            say(f"synthetic {n:,} passages: local")
            local = _synthetic_local(n)
            say(f"synthetic {n:,} passages: Milvus Lite")
            results["scale"].append({"n": n, "local": local, "milvus": _synthetic_milvus(uri, n)})
    return results


def format_comparison(results: dict) -> str:
    backends = results["backends"]
    lines = [f"{'measure':<44}{'local':>14}{'milvus (Lite)':>16}"]

    def row(label: str, key: str, unit: str, source: dict) -> None:
        values = [source[name].get(key) for name in ("local", "milvus")]
        lines.append(f"{label:<44}" + "".join(f"{'n/a' if v is None else f'{v:,.1f}{unit}':>{w}}" for v, w in zip(values, (14, 16))))

    row("build, warm embedding cache", "build_s", " s", backends)
    row("build throughput", "build_passages_per_s", " p/s", backends)
    row(f"warm answer p50 ({results['questions']} questions)", "p50_ms", " ms", backends)
    row("warm answer p95", "p95_ms", " ms", backends)
    for point in results["scale"]:
        n = point["n"]
        row(f"synthetic {n:,}: insert/build", "build_s", " s", point)
        row(f"synthetic {n:,}: dense top-10 p50", "dense_p50_ms", " ms", point)
        row(f"synthetic {n:,}: keyword top-10 p50", "keyword_p50_ms", " ms", point)
    return "\n".join(lines)
