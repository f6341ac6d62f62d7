"""The artifacts of a local build, named in one place: the builder writes them with these
functions and the local search backend reads them with their mirror images.

A build folder (see store.py) holds, besides manifest.json:
    passages.jsonl          one Passage per line, in row order
    passage_vectors.npy     (passages, dim) float32, L2-normalised
    sentence_vectors.npy    (sentences, dim) float32
    sentences.npy           (sentences, 3) int32: passage row, start, end (offsets into its text)
    keyword/                BM25 arrays (keyword_index.py)
    dense/                  faiss index (dense_index.py)
    crosslingual.json       English -> Chinese expansion (language/crosslingual.py)
    domain_anchors/         everyday messages and policy questions, embedded (question/off_domain.py)
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.types import Passage

PASSAGES = "passages.jsonl"
PASSAGE_VECTORS = "passage_vectors.npy"
SENTENCE_VECTORS = "sentence_vectors.npy"
SENTENCES = "sentences.npy"
KEYWORD = "keyword"
DENSE = "dense"
CROSSLINGUAL = "crosslingual.json"
DOMAIN_ANCHORS = "domain_anchors"


def write_passages(path: Path, passages: Sequence[Passage]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for passage in passages:
            handle.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")


def read_passages(path: Path) -> list[Passage]:
    with open(path, encoding="utf-8") as handle:
        return [Passage.from_dict(json.loads(line)) for line in handle]


def write_array(path: Path, array: np.ndarray) -> None:
    np.save(path, array, allow_pickle=False)


def read_array(path: Path) -> np.ndarray:
    return np.load(path, allow_pickle=False)


def sentence_rows(sentences: Sequence[tuple[int, int, int]]) -> np.ndarray:
    """The sentence table as stored: (n, 3) int32."""
    return np.asarray(sentences, dtype=np.int32).reshape(-1, 3)
