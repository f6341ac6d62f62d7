"""BM25 keyword index over pre-tokenized passages.

Tokenizing lives in tokenizer.py; this module only scores. bm25s computes the index
(one precomputed BM25 score per token occurrence, stored column-wise: token -> passages),
but only at build time: answering needs nothing but those arrays, and importing bm25s
pulls in scipy (~0.6 s of a cold `investqa ask`). So the saved files, in bm25s's own
layout (plain .npy arrays and JSON, no pickle), are read back with numpy alone.
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from retrieval.errors import IndexCorrupt

DATA, INDICES, INDPTR = "data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy"
VOCAB, PARAMS = "vocab.index.json", "params.index.json"
FILES = (DATA, INDICES, INDPTR, VOCAB, PARAMS)
# Scoring variants that add a per-token score to passages *without* the token need an
# extra array; the index is always built with "lucene", which does not.
SUPPORTED_METHODS = ("lucene", "robertson", "atire")


class KeywordIndex:
    """BM25 scores for weighted query tokens over a fixed list of passages."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: dict[str, int], size: int, params: dict) -> None:
        # Column t of the score matrix: passages indices[indptr[t]:indptr[t+1]], scores data[...].
        self._data, self._indices, self._indptr = data, indices, indptr
        self._vocab = vocab
        self.size = int(size)
        self.params = dict(params)

    @classmethod
    def build(cls, passage_tokens: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> "KeywordIndex":
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        # An empty passage still needs a row so ids line up with passages.
        corpus = [list(tokens) if tokens else [""] for tokens in passage_tokens]
        bm25.index(corpus, show_progress=False)
        scores = bm25.scores
        params = {
            "k1": k1, "b": b, "delta": bm25.delta, "method": bm25.method, "idf_method": bm25.idf_method,
            "dtype": str(np.dtype(bm25.dtype)), "int_dtype": str(np.dtype(bm25.int_dtype)),
            "num_docs": int(scores["num_docs"]), "version": getattr(bm25s, "__version__", "unknown"), "backend": "numpy",
        }
        return cls(scores["data"], scores["indices"], scores["indptr"], dict(bm25.vocab_dict), scores["num_docs"], params)

    def __len__(self) -> int:
        return self.size

    def vocabulary(self) -> Iterable[str]:
        return (token for token in self._vocab if token)

    def document_frequency(self, token: str) -> int:
        token_id = self._vocab.get(token)
        if token_id is None or not token:
            return 0
        return int(self._indptr[token_id + 1] - self._indptr[token_id])

    def scores(self, weighted_tokens: Iterable[tuple[str, float]]) -> np.ndarray:
        """BM25 score of every passage; a token's contribution is scaled by its weight.

        Unknown tokens are ignored; repeated tokens add their weights.
        """
        weights: dict[int, float] = defaultdict(float)
        for token, weight in weighted_tokens:
            token_id = self._vocab.get(token)
            if token_id is not None and token:
                weights[token_id] += weight
        if not weights:
            return np.zeros(self.size, dtype=np.float32)
        slices = [slice(int(self._indptr[t]), int(self._indptr[t + 1])) for t in weights]
        rows = np.concatenate([self._indices[part] for part in slices])
        contributions = np.concatenate([weight * self._data[part].astype(np.float64) for part, weight in zip(slices, weights.values())])
        return np.bincount(rows, weights=contributions, minlength=self.size).astype(np.float32)

    def memory_bytes(self) -> int:
        """Bytes of the score arrays (the vocabulary, a Python dict, comes on top)."""
        return int(self._data.nbytes + self._indices.nbytes + self._indptr.nbytes)

    def save(self, folder: Path) -> list[str]:
        """bm25s's own file layout, so `bm25s.BM25.load` can read it too."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in ((DATA, self._data), (INDICES, self._indices), (INDPTR, self._indptr)):
            np.save(folder / name, np.asarray(array), allow_pickle=False)
        (folder / VOCAB).write_text(json.dumps(self._vocab, ensure_ascii=False), encoding="utf-8")
        (folder / PARAMS).write_text(json.dumps(self.params, indent=4), encoding="utf-8")
        return list(FILES)

    @classmethod
    def load(cls, folder: Path, mmap: bool = False) -> "KeywordIndex":
        folder = Path(folder)
        try:
            params = json.loads((folder / PARAMS).read_text(encoding="utf-8"))
            vocab = json.loads((folder / VOCAB).read_text(encoding="utf-8"))
            mode = "r" if mmap else None
            data, indices, indptr = (np.load(folder / name, mmap_mode=mode, allow_pickle=False) for name in (DATA, INDICES, INDPTR))
            size = int(params["num_docs"])
        except (OSError, ValueError, KeyError, TypeError, EOFError) as error:
            raise IndexCorrupt(folder, f"keyword index unreadable: {error}") from error
        try:
            problem = _inconsistency(params, vocab, data, indices, indptr, size)
        except (TypeError, ValueError) as error:  # e.g. a vocabulary id that is not a number
            problem = str(error)
        if problem:
            raise IndexCorrupt(folder, f"keyword index inconsistent: {problem}")
        return cls(data, indices, indptr, vocab, size, params)


def _inconsistency(params: dict, vocab, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, size: int) -> str | None:
    """What is wrong with loaded arrays, or None (one pass over the passage numbers)."""
    if params.get("method", "lucene") not in SUPPORTED_METHODS:
        return f"scoring method {params.get('method')!r} is not supported"
    if not isinstance(vocab, dict):
        return "vocabulary is not a mapping"
    if data.ndim != 1 or indices.ndim != 1 or indptr.ndim != 1 or len(data) != len(indices):
        return "score arrays have the wrong shape"
    # bm25s gives the empty token (the stand-in for an empty passage) an id but no column.
    highest_id = max((token_id for token, token_id in vocab.items() if token), default=-1)
    if len(indptr) == 0 or highest_id >= len(indptr) - 1 or int(indptr[-1]) != len(data):
        return "column pointers do not match the vocabulary and scores"
    if size < 0 or (len(indices) and not 0 <= int(indices.min()) <= int(indices.max()) < size):
        return "passage numbers outside the passage count"
    return None
