"""BM25 keyword index over pre-tokenized passages, backed by bm25s.

Tokenizing lives in tokenizer.py; this module only scores. `save`/`load` are mirror
images over a folder of plain files (bm25s writes .npy arrays and JSON, no pickle).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .errors import IndexCorrupt

FILES = (
    "data.csc.index.npy",
    "indices.csc.index.npy",
    "indptr.csc.index.npy",
    "vocab.index.json",
    "params.index.json",
)


def _quiet_bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class KeywordIndex:
    """BM25 scores for weighted query tokens over a fixed list of passages."""

    def __init__(self, bm25) -> None:
        self._bm25 = bm25
        self._vocab: dict[str, int] = bm25.vocab_dict
        self.size: int = int(bm25.scores["num_docs"])

    @classmethod
    def build(cls, passage_tokens: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> "KeywordIndex":
        bm25s = _quiet_bm25s()
        bm25 = bm25s.BM25(k1=k1, b=b)
        # An empty passage still needs a row so ids line up with passages.
        corpus = [list(tokens) if tokens else [""] for tokens in passage_tokens]
        bm25.index(corpus, show_progress=False)
        return cls(bm25)

    def __len__(self) -> int:
        return self.size

    def vocabulary(self) -> Iterable[str]:
        return (token for token in self._vocab if token)

    def document_frequency(self, token: str) -> int:
        token_id = self._vocab.get(token)
        if token_id is None:
            return 0
        indptr = self._bm25.scores["indptr"]
        return int(indptr[token_id + 1] - indptr[token_id])

    def scores(self, weighted_tokens: Iterable[tuple[str, float]]) -> np.ndarray:
        """BM25 score of every passage; a token's contribution is scaled by its weight.

        Unknown tokens are ignored; repeated tokens add their weights.
        """
        weights: dict[int, float] = defaultdict(float)
        for token, weight in weighted_tokens:
            token_id = self._vocab.get(token)
            if token_id is not None and token:
                weights[token_id] += weight
        total = np.zeros(self.size, dtype=np.float32)
        by_weight: dict[float, list[int]] = defaultdict(list)
        for token_id, weight in weights.items():
            by_weight[weight].append(token_id)
        # One sparse pass per distinct weight keeps the common all-1.0 query a single call.
        for weight, token_ids in by_weight.items():
            total += weight * self._bm25.get_scores_from_ids(token_ids)
        return total

    def save(self, folder: Path) -> list[str]:
        folder.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(folder), show_progress=False)
        return [name for name in FILES if (folder / name).exists()]

    @classmethod
    def load(cls, folder: Path, mmap: bool = False) -> "KeywordIndex":
        bm25s = _quiet_bm25s()
        try:
            bm25 = bm25s.BM25.load(str(folder), mmap=mmap, show_progress=False)
        except (OSError, ValueError, KeyError, EOFError) as error:
            raise IndexCorrupt(folder, f"keyword index unreadable: {error}") from error
        return cls(bm25)
