"""The real pipeline for `investqa bench`: building from the seeds, answering warm,
`investqa ask` from a cold process, peak memory of a serving process. Returns plain
values; never prints."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from retrieval.measure.scale import percentile_ms

Progress = Callable[[str], None]

# Warm-up questions: never the measured ones, so the engine's query cache cannot help.
WARMUP_QUESTIONS = ("青岛的招商引资政策有哪些？", "What support is offered to new companies?")
GENERIC_QUESTIONS = (
    "崂山区对总部企业有什么扶持政策？",
    "西海岸新区重点发展哪些产业？",
    "2020年的招商引资目标是什么？",
    "How many projects were signed?",
    "Which industries does the district want to attract?",
)




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

SETTINGS_KEYS = ("format_version", "embedder", "chunker", "ingest", "dense_index", "crosslingual", "domain_anchors")


def index_current(index_dir: Path, seeds_dir: Path, reference_index: Path) -> bool:
    """Whether `index_dir` holds exactly `seeds_dir`, built with the reference index's settings."""
    from retrieval.index import store
    from retrieval.index.builder import is_stale, seed_files_hash

    try:
        reference = store.read_manifest(store.current_build_dir(reference_index))
        corpus_hash = seed_files_hash(seeds_dir)
    except Exception:  # missing or unreadable: it cannot be served as is
        return False
    return not is_stale(index_dir, corpus_hash, {key: reference.get(key) for key in SETTINGS_KEYS})


def served_passages(index_dir: Path) -> int | None:
    from retrieval.index import store

    return store.read_manifest(store.current_build_dir(index_dir)).get("counts", {}).get("passages")
