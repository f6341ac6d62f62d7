"""Performance measurements behind `investqa bench`. Returns plain values; never prints.

Three groups, each usable on its own:
- synthetic scale (`scale_rows`): exact vs approximate dense search and BM25 keyword search
  on random corpora of n passages, with build time, latency, recall@10 and memory;
- the real pipeline (`build_speed`, `warm_latency`, `cold_start`, `peak_serving_rss_mb`):
  building from the seeds, answering warm, `investqa ask` from a cold process;
- `run_benchmark`, which runs them all in order and returns one JSON-ready dict.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

Progress = Callable[[str], None]

DIM = 384  # the default embedder's dimension
VOCABULARY = 50_000
TOKENS_PER_PASSAGE = (50, 150)  # uniform range, mean 100
QUERY_TOKENS = 6
TOP_K = 10

# Stated targets; the benchmark reports against them, nothing fails on them.
TARGETS = {
    "cold_start_s": ("<=", 2.5, "s"),
    "query_p50_ms": ("<=", 40.0, "ms"),
    "reindex_nochange_s": ("<=", 5.0, "s"),
    "search_p50_ms@1M": ("<=", 50.0, "ms"),
    "recall@10@1M": (">=", 0.95, ""),
}

# Warm-up questions: never the measured ones, so the engine's query cache cannot help.
WARMUP_QUESTIONS = ("青岛的招商引资政策有哪些？", "What support is offered to new companies?")
GENERIC_QUESTIONS = (
    "崂山区对总部企业有什么扶持政策？",
    "西海岸新区重点发展哪些产业？",
    "2020年的招商引资目标是什么？",
    "How many projects were signed?",
    "Which industries does the district want to attract?",
)


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


def load_questions(path: Path | str | None) -> tuple[list[str], str]:
    """Questions from a JSON Lines QA file (its "question" fields), or the built-in ones.

    Returns the questions and where they came from.
    """
    if path is not None and Path(path).is_file():
        questions = []
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                question = json.loads(line).get("question")
                if isinstance(question, str) and question.strip():
                    questions.append(question)
        if questions:
            return questions, str(path)
    return list(GENERIC_QUESTIONS), "built-in generic questions"


def subset_seeds(seeds_dir: Path, destination: Path, files: int = 2) -> Path:
    """Copy the `files` smallest seed files: a corpus small enough for a quick build."""
    destination.mkdir(parents=True, exist_ok=True)
    candidates = sorted((path for path in seeds_dir.iterdir() if path.is_file() and not path.name.startswith(".")), key=lambda path: (path.stat().st_size, path.name))
    for path in candidates[:files]:
        shutil.copy2(path, destination / path.name)
    return destination


@dataclass(frozen=True)
class BuildStats:
    documents: int
    passages: int
    embedded_texts: int  # passages and their sentences
    build_s: float
    build_embedding_s: float  # of build_s, the time spent inside the embedder
    reindex_nochange_s: float  # a forced rebuild of unchanged seeds: every embedding from the cache
    reindex_embedded: int  # texts the no-change rebuild embedded again (0 when the cache works)
    reindex_if_stale_s: float  # `investqa index --if-stale` on unchanged seeds: nothing to do
    embedder_passages_per_s: float
    embedder_sample: int

    @property
    def build_passages_per_s(self) -> float:
        return self.passages / self.build_s if self.build_s else 0.0

    @property
    def build_embedding_share(self) -> float:
        """How much of a full build is embedding; the rest is overhead worth a look."""
        return self.build_embedding_s / self.build_s if self.build_s else 0.0


class TimedEmbedder:
    """An embedder that adds up the seconds its passage embedding takes."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.spec, self.dim = inner.spec, inner.dim
        self.seconds = 0.0

    def describe(self) -> dict:
        return self.inner.describe()

    def embed_passages(self, texts):
        started = time.perf_counter()
        try:
            return self.inner.embed_passages(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)


def build_speed(seeds_dir: Path, index_dir: Path, embedder=None, embedder_sample: int = 64) -> BuildStats:
    """Full build into an empty `index_dir` (fresh embedding cache), then two no-change rebuilds,
    then the embedder alone on a sample of the same passages."""
    from retrieval import Engine
    from retrieval import build_index
    from retrieval.index.embedders import make_embedder
    from retrieval.ingest.sentences import passage_context

    timed = TimedEmbedder(embedder or make_embedder())
    full = build_index(seeds_dir, index_dir, embedder=timed)
    again = build_index(seeds_dir, index_dir, embedder=timed.inner)
    if_stale = build_index(seeds_dir, index_dir, embedder=timed.inner, if_stale=True)
    engine = Engine.load(index_dir, embedder=timed.inner)
    texts = [passage_context(passage) for passage in engine.passages()[:embedder_sample]]
    timed.inner.embed_passages(texts[:1])  # first call pays one-off set-up, not per-passage cost
    started = time.perf_counter()
    timed.inner.embed_passages(texts)
    embed_s = time.perf_counter() - started
    return BuildStats(
        documents=full.documents, passages=full.passages, embedded_texts=full.embedded,
        build_s=full.seconds, build_embedding_s=timed.seconds,
        reindex_nochange_s=again.seconds, reindex_embedded=again.embedded, reindex_if_stale_s=if_stale.seconds,
        embedder_passages_per_s=len(texts) / embed_s if embed_s else 0.0, embedder_sample=len(texts),
    )


def copy_for_serving(index_dir: Path, destination: Path) -> Path:
    """The active build of `index_dir` with its pointer and state folder, copied.

    Serving writes caches (jieba's dictionary) into an index's state folder; measuring
    from a copy leaves the user's index exactly as it was.
    """
    from retrieval.index import store

    build_dir = store.current_build_dir(index_dir)
    shutil.copytree(build_dir, destination / store.BUILDS / build_dir.name)
    (destination / store.POINTER).write_text(build_dir.name + "\n", encoding="utf-8")
    state = Path(index_dir) / "state"
    if state.is_dir():
        shutil.copytree(state, destination / "state")
    return destination


@dataclass(frozen=True)
class LatencyStats:
    config: str
    questions: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    abstained: int


def warm_latency(engine, questions: Sequence[str], config=None, k: int = 5) -> LatencyStats:
    """End-to-end `engine.ask` per question after warming up on other questions."""
    for question in WARMUP_QUESTIONS:
        engine.ask(question, k=k, config=config)
    timings, abstained = [], 0
    for question in questions:
        started = time.perf_counter()
        answer = engine.ask(question, k=k, config=config)
        timings.append(time.perf_counter() - started)
        abstained += bool(answer.abstained)
    name = getattr(config, "name", None) or "hybrid"
    return LatencyStats(name, len(timings), percentile_ms(timings, 50), percentile_ms(timings, 95), round(1000 * statistics.fmean(timings), 3), abstained)


def warm_latencies(index_dir: Path, questions: Sequence[str], configs: Sequence[str] = ("hybrid", "bm25", "dense")) -> dict[str, LatencyStats]:
    """One freshly loaded engine per configuration (so no query cache is shared), one embedder."""
    from retrieval import PRESETS
    from retrieval import Engine

    results, embedder = {}, None
    for name in configs:
        engine = Engine.load(index_dir, embedder=embedder)
        results[name] = warm_latency(engine, questions, PRESETS[name])
        embedder = engine.embedder if PRESETS[name].use_dense else embedder
    return results


@dataclass(frozen=True)
class ColdStart:
    median_s: float | None
    runs_s: list[float] = field(default_factory=list)
    error: str | None = None


def cold_start(command: Sequence[str], runs: int = 5) -> ColdStart:
    """Process start to the first byte of its answer on stdout, over `runs` fresh processes."""
    timings = []
    for _ in range(runs):
        with tempfile.TemporaryFile() as errors:
            started = time.perf_counter()
            process = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL)
            first = process.stdout.read(1)
            elapsed = time.perf_counter() - started
            process.stdout.read()
            process.stdout.close()
            code = process.wait()
            if code != 0 or not first:
                errors.seek(0)
                message = errors.read().decode("utf-8", "replace").strip().splitlines()
                return ColdStart(None, timings, f"exit code {code}: {message[-1] if message else 'no output'}")
        timings.append(round(elapsed, 3))
    return ColdStart(round(statistics.median(timings), 3), timings)


SERVE_SCRIPT = """
import json, resource, sys
from retrieval import Engine
engine = Engine.load(sys.argv[1])
for question in json.load(open(sys.argv[2], encoding="utf-8")):
    engine.ask(question)
try:  # this process's own high-water mark
    peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
except (OSError, StopIteration):  # not Linux: ru_maxrss (kilobytes on Linux, bytes on macOS)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
print(peak_kb)
"""


def peak_serving_rss_mb(index_dir: Path, questions: Sequence[str]) -> float:
    """Peak resident memory of a fresh process that loads the engine and answers `questions`.

    The child reports its own high-water mark: the kernel's ru_maxrss for a child starts
    from the memory of the parent it was forked from, here the benchmark itself.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as handle:
        json.dump(list(questions), handle, ensure_ascii=False)
    try:
        process = subprocess.run([sys.executable, "-c", SERVE_SCRIPT, str(index_dir), handle.name], capture_output=True, text=True)
    finally:
        os.unlink(handle.name)
    if process.returncode != 0:
        message = process.stderr.strip().splitlines()
        raise RuntimeError(f"the serving process failed with exit code {process.returncode}: {message[-1] if message else 'no message'}")
    return round(int(process.stdout.split()[-1]) / 1024.0, 1)


# ---------------------------------------------------------------- everything, in order

SETTINGS_KEYS = ("format_version", "embedder", "chunker", "ingest", "dense_index")


def index_current(index_dir: Path, seeds_dir: Path, reference_index: Path) -> bool:
    """Whether `index_dir` holds exactly `seeds_dir`, built with the reference index's settings."""
    from retrieval.index import store
    from retrieval.index.builder import seed_files_hash

    try:
        ours = store.read_manifest(store.current_build_dir(index_dir))
        reference = store.read_manifest(store.current_build_dir(reference_index))
        corpus_hash = seed_files_hash(seeds_dir)
    except Exception:  # missing or unreadable: it cannot be served as is
        return False
    return ours.get("corpus_hash") == corpus_hash and all(ours.get(key) == reference.get(key) for key in SETTINGS_KEYS)


def served_passages(index_dir: Path) -> int | None:
    from retrieval.index import store

    return store.read_manifest(store.current_build_dir(index_dir)).get("counts", {}).get("passages")


@dataclass
class BenchOptions:
    seeds_dir: Path
    index_dir: Path
    questions_file: Path | None
    ask_command: Sequence[str]  # `investqa ask` as a command line; the question and --index are appended
    quick: bool = False
    sizes: Sequence[int] = (10_000, 100_000, 1_000_000)
    cold_runs: int = 5


def target_report(results: dict) -> list[dict]:
    largest = {}
    for row in results.get("scale", []):
        if row["index"] == "pq_refine" and row["n"] >= largest.get("n", 0):
            largest = row
    values = {
        "cold_start_s": results.get("cold_start_s"),
        "query_p50_ms": results.get("query_p50_ms"),
        "reindex_nochange_s": results.get("reindex_nochange_s"),
        "search_p50_ms@1M": largest.get("search_p50_ms") if largest.get("n") == 1_000_000 else None,
        "recall@10@1M": largest.get("recall@10") if largest.get("n") == 1_000_000 else None,
    }
    report = []
    for metric, (relation, target, unit) in TARGETS.items():
        value = values[metric]
        met = None if value is None else (value <= target if relation == "<=" else value >= target)
        report.append({"metric": metric, "target": f"{relation} {target:g} {unit}".rstrip(), "value": value, "met": met})
    return report


def machine_info() -> dict:
    """What the numbers depend on; the load average shows whether other work shared the CPUs."""
    from retrieval.index.dense_index import _faiss, available_cpus

    return {
        "cpus": available_cpus(), "python": sys.version.split()[0], "numpy": np.__version__,
        "faiss": _faiss().__version__, "load_average_1min": round(os.getloadavg()[0], 2),
    }


def run_benchmark(options: BenchOptions, progress: Progress | None = None) -> dict:
    say = progress or (lambda message: None)
    started = time.perf_counter()
    questions, questions_source = load_questions(options.questions_file)
    results: dict = {"quick": options.quick, "machine": machine_info()}
    with tempfile.TemporaryDirectory(prefix="investqa-bench-") as work:
        work = Path(work)
        build_seeds = subset_seeds(options.seeds_dir, work / "seeds") if options.quick else options.seeds_dir
        say(f"building an index from {build_seeds} (fresh cache), then rebuilding it unchanged")
        build = build_speed(build_seeds, work / "index", embedder_sample=16 if options.quick else 64)
        # Serve from (a copy of) the user's index when it is current; otherwise from the fresh build.
        user_index_current = index_current(options.index_dir, options.seeds_dir, work / "index")
        serving = copy_for_serving(options.index_dir, work / "serving") if user_index_current else work / "index"
        say(f"warm latency over {len(questions)} questions ({questions_source}) from {serving}")
        latencies = warm_latencies(serving, questions)
        say(f"cold start: `investqa ask` x{options.cold_runs}")
        cold = cold_start([*options.ask_command, questions[0], "--index", str(serving)], runs=options.cold_runs)
        say("peak memory of a serving process")
        peak_rss = peak_serving_rss_mb(serving, questions)
        serving_passages = served_passages(serving)
    hybrid = latencies["hybrid"]
    results.update({
        "corpus": {
            "seeds": str(options.seeds_dir), "built_from": "the 2 smallest seed files" if options.quick else "all seed files",
            "documents": build.documents, "passages": build.passages, "served_index": str(options.index_dir) if user_index_current else "the fresh build",
            "served_passages": serving_passages, "questions": len(questions), "questions_source": questions_source,
        },
        "cold_start_s": cold.median_s, "cold_start_runs_s": cold.runs_s,
        "query_p50_ms": hybrid.p50_ms, "query_p95_ms": hybrid.p95_ms, "query_mean_ms": hybrid.mean_ms,
        "build_s": round(build.build_s, 3), "build_passages_per_s": round(build.build_passages_per_s, 2),
        "build_embedded_texts": build.embedded_texts,
        "build_embedding_s": round(build.build_embedding_s, 3), "build_embedding_share": round(build.build_embedding_share, 3),
        "embedder_passages_per_s": round(build.embedder_passages_per_s, 2), "embedder_sample": build.embedder_sample,
        "reindex_nochange_s": round(build.reindex_nochange_s, 3), "reindex_embedded": build.reindex_embedded,
        "reindex_if_stale_s": round(build.reindex_if_stale_s, 3),
        "peak_rss_mb": peak_rss,
        "baselines": {name: asdict(stats) for name, stats in latencies.items() if name != "hybrid"},
    })
    if cold.error:
        results["cold_start_error"] = cold.error
    sizes = list(options.sizes)
    if options.quick:
        sizes = [size for size in sizes if size <= 10_000] or [min(sizes)]
    results["scale"] = [row.to_dict() for row in scale_rows(sizes, progress=say)]
    results["targets"] = target_report(results)
    results["machine"]["load_average_1min_end"] = round(os.getloadavg()[0], 2)
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results
