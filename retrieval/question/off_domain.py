"""Is the question about this domain at all? Its nearness to everyday chat against its
nearness to questions about investment policy.

Off-topic and chit-chat messages ("青岛这周末天气怎么样", "thanks, that's all for today") share a
place name or a word with some passage, so word coverage and the passages' cosines cannot tell
them from real questions: e5's cosines sit in a narrow band for anything (best sentence 0.77-0.90
for answerable and off-topic questions alike). Compared with other *questions*, they separate:
two lists in retrieval/data, everyday messages and policy questions about other places (both
written by sessions that saw no document, no code and no question set), are embedded as queries
when the index is built; a question is scored by how much closer it comes to the nearest
everyday message than to the nearest policy question. On the tuning parts 36 of 39 off-topic
and chit-chat questions come closer to everyday chat, 18 of 497 answerable ones do (by at most
0.023).

The vectors live in the build (`domain_anchors/`, mirror-image `save` / `load`) because
embedding the lists takes seconds and a cold ask must not; the manifest records the lists'
fingerprint, so editing them makes the build stale and an old build is refused.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

DATA = Path(__file__).parent.parent / "data"
OFF_DOMAIN_FILE = DATA / "off_domain_messages.txt"
IN_DOMAIN_FILE = DATA / "in_domain_questions.txt"
OFF_DOMAIN_VECTORS = "off_domain.npy"
IN_DOMAIN_VECTORS = "in_domain.npy"


def read_lines(path: Path) -> list[str]:
    """The non-blank, non-comment lines of an anchor file."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@lru_cache(maxsize=1)
def anchor_texts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(everyday messages, policy questions) as shipped."""
    return tuple(read_lines(OFF_DOMAIN_FILE)), tuple(read_lines(IN_DOMAIN_FILE))


def anchors_fingerprint() -> str:
    """What a build records of the lists it embedded."""
    digest = hashlib.sha256()
    for texts in anchor_texts():
        digest.update("\n".join(texts).encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


@dataclass(frozen=True)
class DomainAnchors:
    off_domain: np.ndarray  # (messages, dim), unit rows
    in_domain: np.ndarray   # (questions, dim), unit rows

    @classmethod
    def embed(cls, embed_queries: Callable[[Sequence[str]], np.ndarray]) -> "DomainAnchors":
        off_domain, in_domain = anchor_texts()
        return cls(_unit_rows(embed_queries(list(off_domain))), _unit_rows(embed_queries(list(in_domain))))

    def off_domain_margin(self, query: np.ndarray) -> float:
        """How much nearer (cosine) the question comes to everyday chat than to any policy
        question, 0 when it comes nearer to a policy question: only the side beyond 0 tells
        (18 of 497 answerable tuning questions sit just above 0, none above 0.023)."""
        query = np.asarray(query, dtype=np.float32).ravel()
        norm = float(np.linalg.norm(query)) or 1.0
        nearest_off = float((self.off_domain @ query).max()) / norm
        nearest_in = float((self.in_domain @ query).max()) / norm
        return max(0.0, nearest_off - nearest_in)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / OFF_DOMAIN_VECTORS, self.off_domain.astype(np.float32), allow_pickle=False)
        np.save(folder / IN_DOMAIN_VECTORS, self.in_domain.astype(np.float32), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> "DomainAnchors":
        off_domain = np.load(folder / OFF_DOMAIN_VECTORS, allow_pickle=False)
        in_domain = np.load(folder / IN_DOMAIN_VECTORS, allow_pickle=False)
        if off_domain.ndim != 2 or in_domain.ndim != 2 or off_domain.shape[1] != in_domain.shape[1] or not len(off_domain) or not len(in_domain):
            raise ValueError("domain anchor vectors have the wrong shape")
        return cls(off_domain, in_domain)
