"""The search-backend seam: what the engine asks of a built index, and the factory that
opens the right backend for an index folder.

The engine (plan -> candidates -> fuse -> quote -> judge) talks to a build only through
`SearchBackend`, so another store (a distributed vector database) is added by writing one
subclass and registering it, without touching the engine, fusion, quotes or abstention.
Passages are addressed by *row*: an int from 0 to passage_count - 1, stable within a build.
Every backend runs the same contract tests (tests/search/test_backend_contract.py).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from retrieval.errors import IndexCorrupt, IndexMismatch
from retrieval.index import layout
from retrieval.question.off_domain import DomainAnchors
from retrieval.types import Passage

WeightedTerms = Iterable[tuple[str, float]]


class SearchBackend(ABC):
    """One published build, searchable. Scores are plain floats: BM25 for keywords, cosine
    (inner product of unit vectors) for dense similarities."""

    kind: str = ""

    def __init__(self, index_dir: Path, build_dir: Path, manifest: dict) -> None:
        self.index_dir = Path(index_dir)
        self.build_dir = Path(build_dir)
        self.manifest = manifest

    @property
    def build_id(self) -> str:
        return self.manifest["build_id"]

    @property
    def embedder_spec(self) -> str:
        return self.manifest["embedder"]["spec"]

    @cached_property
    def domain_anchors(self) -> DomainAnchors:
        """The embedded everyday messages and policy questions every backend keeps as local
        files of its build (question/off_domain.py); read on first use."""
        try:
            return DomainAnchors.load(self.build_dir / layout.DOMAIN_ANCHORS)
        except (OSError, ValueError) as error:
            raise IndexCorrupt(self.index_dir, f"domain anchors unreadable: {error}") from error

    # -- passages ---------------------------------------------------------------------------

    @abstractmethod
    def passage_count(self) -> int: ...

    @abstractmethod
    def passage(self, row: int) -> Passage: ...

    @abstractmethod
    def passages(self) -> Sequence[Passage]:
        """Every passage in row order (listings, /sources)."""

    @abstractmethod
    def row_of(self, passage_id: str) -> int | None: ...

    def neighbours(self, row: int, radius: int = 1) -> list[int]:
        """Rows within `radius` of `row` in the same document, in order."""
        doc_id = self.passage(row).doc_id
        rows = range(max(row - radius, 0), min(row + radius + 1, self.passage_count()))
        return [r for r in rows if self.passage(r).doc_id == doc_id]

    @abstractmethod
    def sentence_spans(self, row: int) -> list[tuple[int, int]]:
        """(start, end) offsets into passage.text of its sentences, in order."""

    # -- keyword side -----------------------------------------------------------------------

    @abstractmethod
    def keyword_top(self, terms: WeightedTerms, k: int) -> np.ndarray:
        """Rows of the k best BM25 scores, best first (ties: lower row first)."""

    @abstractmethod
    def keyword_scores(self, terms: WeightedTerms, rows: np.ndarray) -> np.ndarray:
        """BM25 score of each given row (0 where no term matches)."""

    @abstractmethod
    def document_frequency(self, term: str) -> int:
        """Passages whose keyword tokens include `term`."""

    @abstractmethod
    def corpus_contains(self, text: str) -> bool:
        """Whether `text` occurs anywhere in the corpus, whitespace removed (for words the
        tokenizer split differently in the documents)."""

    # -- dense side -------------------------------------------------------------------------

    @abstractmethod
    def dense_top(self, query: np.ndarray, k: int) -> np.ndarray:
        """Rows of the k passages most similar to the query vector, best first."""

    @abstractmethod
    def passage_similarities(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosine of the query with each given passage."""

    @abstractmethod
    def sentence_similarities(self, query: np.ndarray, row: int) -> np.ndarray:
        """Cosine of the query with each sentence of passage `row` (sentence_spans order)."""

    # -- language resources built with the index --------------------------------------------

    @abstractmethod
    def crosslingual(self):
        """The build's English -> Chinese expander (language.crosslingual.CrossLingualExpander)."""


BackendOpener = Callable[[Path, Path, dict], SearchBackend]
_BACKENDS: dict[str, BackendOpener] = {}
# Imported on first use: the Milvus backend needs the optional pymilvus.
_BUILT_IN = {"local": "retrieval.search.local", "milvus": "retrieval.search.milvus"}


def register_backend(kind: str, opener: BackendOpener) -> None:
    _BACKENDS[kind] = opener


def open_backend(index_dir: Path, build_dir: Path, manifest: dict) -> SearchBackend:
    """The backend the manifest names ("local" when it names none: builds before the seam)."""
    kind = manifest.get("backend", "local")
    if kind not in _BACKENDS and kind in _BUILT_IN:
        import importlib

        importlib.import_module(_BUILT_IN[kind])  # registers itself
    opener = _BACKENDS.get(kind)
    if opener is None:
        raise IndexMismatch(index_dir, f"built for search backend {kind!r}, which this investqa does not have")
    return opener(index_dir, build_dir, manifest)
