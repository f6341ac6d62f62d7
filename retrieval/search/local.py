"""The local backend: a build folder of plain files (index/layout.py) searched in process,
BM25 over numpy arrays and exact or product-quantised faiss search."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.errors import IndexCorrupt
from retrieval.index import layout
from retrieval.index.dense_index import load_dense_index
from retrieval.index.keyword_index import KeywordIndex
from retrieval.language.crosslingual import CrossLingualExpander
from retrieval.search.backend import SearchBackend, WeightedTerms, register_backend
from retrieval.text import squeeze
from retrieval.types import Passage


class LocalBackend(SearchBackend):
    kind = "local"

    def __init__(self, index_dir: Path, build_dir: Path, manifest: dict) -> None:
        super().__init__(index_dir, build_dir, manifest)
        try:
            self._passages = layout.read_passages(build_dir / layout.PASSAGES)
            self._passage_vectors = layout.read_array(build_dir / layout.PASSAGE_VECTORS)
            self._sentence_vectors = layout.read_array(build_dir / layout.SENTENCE_VECTORS)
            self._sentences = layout.read_array(build_dir / layout.SENTENCES)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise IndexCorrupt(index_dir, f"passage data unreadable: {error}") from error
        self._by_id = {passage.passage_id: row for row, passage in enumerate(self._passages)}
        # sentence rows of passage r are _sentence_bounds[r] .. _sentence_bounds[r+1]
        count = len(self._passages)
        self._sentence_bounds = (
            np.searchsorted(self._sentences[:, 0], np.arange(count + 1)) if len(self._sentences) else np.zeros(count + 1, dtype=np.int64)
        )
        self._keyword = KeywordIndex.load(build_dir / layout.KEYWORD)
        self._dense = load_dense_index(build_dir / layout.DENSE)
        self._expander = CrossLingualExpander.load(build_dir / layout.CROSSLINGUAL)
        if len(self._keyword) != count or len(self._passage_vectors) != count:
            raise IndexCorrupt(index_dir, "index parts disagree on the number of passages")
        self._last_keyword: tuple[tuple, np.ndarray] | None = None

    # -- passages ---------------------------------------------------------------------------

    def passage_count(self) -> int:
        return len(self._passages)

    def passage(self, row: int) -> Passage:
        return self._passages[row]

    def passages(self) -> Sequence[Passage]:
        return self._passages

    def row_of(self, passage_id: str) -> int | None:
        return self._by_id.get(passage_id)

    def sentence_spans(self, row: int) -> list[tuple[int, int]]:
        lo, hi = self._sentence_bounds[row], self._sentence_bounds[row + 1]
        return [(int(start), int(end)) for _, start, end in self._sentences[lo:hi]]

    # -- keyword side -----------------------------------------------------------------------

    def _all_keyword_scores(self, terms: WeightedTerms) -> np.ndarray:
        """Scores of every passage; the last question's are kept, since the engine asks for
        the top rows and then the scores of its candidates with the same terms."""
        key = tuple(terms)
        cached = self._last_keyword  # a local: other threads may replace it meanwhile
        if cached is None or cached[0] != key:
            cached = self._last_keyword = (key, self._keyword.scores(key))
        return cached[1]

    def keyword_top(self, terms: WeightedTerms, k: int) -> np.ndarray:
        return np.argsort(-self._all_keyword_scores(terms), kind="stable")[:k]

    def keyword_scores(self, terms: WeightedTerms, rows: np.ndarray) -> np.ndarray:
        return self._all_keyword_scores(terms)[rows]

    def document_frequency(self, term: str) -> int:
        return self._keyword.document_frequency(term)

    @cached_property
    def _corpus_text(self) -> str:
        # One squeezed copy of the corpus (~the corpus size in memory), built on first use.
        return squeeze("".join(passage.text for passage in self._passages))

    def corpus_contains(self, text: str) -> bool:
        return text in self._corpus_text

    # -- dense side -------------------------------------------------------------------------

    def dense_top(self, query: np.ndarray, k: int) -> np.ndarray:
        _, ids = self._dense.search(query[None, :], k)
        return np.array([int(i) for i in ids[0] if i >= 0], dtype=np.int64)

    def passage_similarities(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return self._passage_vectors[rows] @ query

    def sentence_similarities(self, query: np.ndarray, row: int) -> np.ndarray:
        lo, hi = self._sentence_bounds[row], self._sentence_bounds[row + 1]
        return self._sentence_vectors[lo:hi] @ query

    def crosslingual(self) -> CrossLingualExpander:
        return self._expander


register_backend(LocalBackend.kind, LocalBackend)
