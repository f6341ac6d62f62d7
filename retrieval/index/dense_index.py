"""Nearest-neighbour search over passage vectors, backed by faiss.

Vectors are L2-normalised float32 rows, so inner product is cosine similarity.
Two kinds of index sit behind one small interface (built by `build_dense_index`,
reopened by `load_dense_index`):

- ``flat``: exact search; the right choice up to tens of thousands of passages.
- ``pq_refine``: a 4-bit fast-scan product-quantised shortlist (``k * k_factor``
  candidates, two dimensions per code) re-scored against float16 copies of the vectors.
  Chosen by measurement on this 2-core machine with 1M random 384-d unit vectors, the
  hard case for graph and cluster indexes (at 100k, HNSW32 with efSearch 512 reached
  recall@10 0.57 and IVF1024 with nprobe 512 reached 0.81): recall@10 0.99 at ~12 ms
  per query against ~150-230 ms for exact search, built in ~20 s (HNSW would take
  tens of minutes), 864 bytes per passage. `investqa bench` reproduces the comparison.

On disk an index is a folder of two plain files: ``dense.faiss`` (faiss.write_index)
and ``dense.json`` (kind, dimension, count, parameters).
"""
from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from retrieval.errors import IndexCorrupt, IndexUnreadable

INDEX_FILE = "dense.faiss"
PARAMS_FILE = "dense.json"
FORMAT_VERSION = 1

# Exact search of one query over 50k 384-d vectors costs ~6 ms here; above that the
# approximate index is cheaper for the same recall.
APPROXIMATE_ABOVE = 50_000
# Product quantisation needs some rows to learn its codebooks from.
MIN_APPROXIMATE_ROWS = 1_000
PQ_REFINE_DEFAULTS = {"k_factor": 64, "train_size": 100_000}

_threads_configured = False


def _faiss():
    """Import faiss once with its thread pool sized to the CPUs this process may use.

    Index builds (training, adding) use every thread; one query searches on one.
    OpenMP threads that spin while waiting make faiss up to 8x slower when other
    processes share the cores (measured on this 2-core machine with a concurrent build),
    so they sleep instead unless the user chose otherwise; it must be set before the
    OpenMP runtime loads.
    """
    global _threads_configured
    # Only faiss's own OpenMP runtime (bundled, read at load) may sleep: the embedder's
    # runtime must keep spinning, or waking its threads for every layer doubles a query's
    # embedding time (14 -> 28 ms measured). So the setting is there only while faiss loads.
    chosen = "OMP_WAIT_POLICY" in os.environ
    if not chosen:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        import faiss
    finally:
        if not chosen:
            os.environ.pop("OMP_WAIT_POLICY", None)

    if not _threads_configured:
        faiss.omp_set_num_threads(available_cpus())
        _threads_configured = True
    return faiss


def faiss_version() -> str:
    return _faiss().__version__


def available_cpus() -> int:
    """CPUs this process may run on (a container's limit, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _as_rows(vectors: np.ndarray, dim: int | None = None) -> np.ndarray:
    rows = np.ascontiguousarray(vectors, dtype=np.float32)
    if rows.ndim == 1:
        rows = rows.reshape(1, -1)
    if rows.ndim != 2 or (dim is not None and rows.shape[1] != dim):
        raise ValueError(f"expected vectors of shape (n, {dim or 'dim'}), got {np.shape(vectors)}")
    return rows


class DenseIndex(ABC):
    """Top-k inner-product search over a fixed list of vectors (ids are row numbers)."""

    kind: str

    def __init__(self, faiss_index, params: dict) -> None:
        self._index = faiss_index
        self.dim: int = int(faiss_index.d)
        self.params: dict = dict(params)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(n, k) scores and (n, k) int64 ids, best first; id -1 (score -inf) pads missing hits."""
        rows = _as_rows(queries, self.dim)
        if k <= 0:
            return np.zeros((len(rows), 0), np.float32), np.zeros((len(rows), 0), np.int64)
        if len(self) == 0 or len(rows) == 0:
            return np.full((len(rows), k), -np.inf, np.float32), np.full((len(rows), k), -1, np.int64)
        scores, ids = self._index.search(rows, k)
        ids = ids.astype(np.int64, copy=False)
        scores = np.where(ids < 0, -np.inf, scores).astype(np.float32, copy=False)
        return scores, ids

    def save(self, folder: Path) -> list[str]:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        _faiss().write_index(self._index, str(folder / INDEX_FILE))
        description = {"format": FORMAT_VERSION, "kind": self.kind, "dim": self.dim, "count": len(self), "params": self.params}
        (folder / PARAMS_FILE).write_text(json.dumps(description, indent=2), encoding="utf-8")
        return [INDEX_FILE, PARAMS_FILE]

    def memory_bytes(self) -> int:
        """Bytes the index holds in memory (its serialised size; faiss stores it as-is)."""
        return int(_faiss().serialize_index(self._index).nbytes)

    @classmethod
    @abstractmethod
    def build(cls, vectors: np.ndarray, params: dict) -> "DenseIndex": ...

    @classmethod
    def _expected_type(cls):
        """The faiss class a loaded file must hold for this kind."""
        raise NotImplementedError


class FlatDenseIndex(DenseIndex):
    kind = "flat"

    @classmethod
    def build(cls, vectors: np.ndarray, params: dict) -> "FlatDenseIndex":
        faiss = _faiss()
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(vectors)
        return cls(index, params)

    @classmethod
    def _expected_type(cls):
        return _faiss().IndexFlat


class PQRefineDenseIndex(DenseIndex):
    kind = "pq_refine"

    def __init__(self, faiss_index, params: dict) -> None:
        super().__init__(faiss_index, params)
        self._index.k_factor = float(self.params["k_factor"])

    @staticmethod
    def subquantizers(dim: int) -> int:
        """Two dimensions per 4-bit code (the largest divisor of dim up to dim/2)."""
        return max(m for m in range(1, max(dim // 2, 1) + 1) if dim % m == 0)

    @classmethod
    def build(cls, vectors: np.ndarray, params: dict) -> "PQRefineDenseIndex":
        faiss = _faiss()
        dim = vectors.shape[1]
        params = {**PQ_REFINE_DEFAULTS, **params}
        params.setdefault("pq_m", cls.subquantizers(dim))
        index = faiss.index_factory(dim, f"PQ{params['pq_m']}x4fs,Refine(SQfp16)", faiss.METRIC_INNER_PRODUCT)
        # A fixed-seed sample keeps builds reproducible and training time bounded.
        sample = vectors
        if len(vectors) > params["train_size"]:
            picked = np.random.default_rng(0).choice(len(vectors), params["train_size"], replace=False)
            sample = vectors[np.sort(picked)]
        index.train(sample)
        index.add(vectors)
        return cls(index, params)

    @classmethod
    def _expected_type(cls):
        return _faiss().IndexRefine


KINDS: dict[str, type[DenseIndex]] = {kind.kind: kind for kind in (FlatDenseIndex, PQRefineDenseIndex)}


def index_settings(approximate_above: int = APPROXIMATE_ABOVE) -> dict:
    """What the manifest records about how dense indexes are chosen and tuned."""
    return {
        "exact": FlatDenseIndex.kind,
        "approximate": PQRefineDenseIndex.kind,
        "approximate_above": approximate_above,
        "approximate_params": dict(PQ_REFINE_DEFAULTS),
        "metric": "inner_product",
    }


def build_dense_index(vectors: np.ndarray, approximate_above: int = APPROXIMATE_ABOVE, params: dict | None = None) -> DenseIndex:
    """Exact index up to `approximate_above` rows, the approximate one above.

    `params` may force a kind ({"kind": "flat"}) and override its parameters.
    """
    rows = _as_rows(vectors)
    params = dict(params or {})
    kind = params.pop("kind", None)
    if kind is None:
        wants_approximate = len(rows) > approximate_above and len(rows) >= MIN_APPROXIMATE_ROWS
        kind = PQRefineDenseIndex.kind if wants_approximate else FlatDenseIndex.kind
    if kind not in KINDS:
        raise ValueError(f"unknown dense index kind {kind!r}; known: {sorted(KINDS)}")
    return KINDS[kind].build(rows, params)


def load_dense_index(folder: Path) -> DenseIndex:
    """Reopen a saved index; damaged or inconsistent files raise IndexCorrupt."""
    folder = Path(folder)
    index_path, params_path = folder / INDEX_FILE, folder / PARAMS_FILE
    try:
        description = json.loads(params_path.read_text(encoding="utf-8"))
        kind_class = KINDS[description["kind"]]
        dim, count, params = int(description["dim"]), int(description["count"]), dict(description["params"])
    except PermissionError as error:
        raise IndexUnreadable(folder, f"{PARAMS_FILE}: {error.strerror}") from error
    except FileNotFoundError as error:
        raise IndexCorrupt(folder, f"{PARAMS_FILE} is missing") from error
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise IndexCorrupt(folder, f"{PARAMS_FILE} unreadable: {error}") from error
    if not os.access(index_path, os.R_OK):
        if index_path.exists():
            raise IndexUnreadable(folder, f"{INDEX_FILE}: permission denied")
        raise IndexCorrupt(folder, f"{INDEX_FILE} is missing")
    faiss = _faiss()
    try:
        faiss_index = faiss.read_index(str(index_path))
    except RuntimeError as error:  # faiss reports every read failure as RuntimeError
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "read error"
        raise IndexCorrupt(folder, f"{INDEX_FILE} unreadable: {first_line}") from error
    if not isinstance(faiss_index, kind_class._expected_type()):
        raise IndexCorrupt(folder, f"{INDEX_FILE} holds a {type(faiss_index).__name__}, not a {kind_class.kind} index")
    if faiss_index.d != dim or faiss_index.ntotal != count:
        raise IndexCorrupt(folder, f"{INDEX_FILE} has {faiss_index.ntotal} vectors of dimension {faiss_index.d}, expected {count} of {dim}")
    try:
        return kind_class(faiss_index, params)
    except (KeyError, TypeError, ValueError) as error:
        raise IndexCorrupt(folder, f"{PARAMS_FILE} parameters invalid: {error}") from error
