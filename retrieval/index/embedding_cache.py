"""Content-hash cache of embeddings, so a rebuild re-embeds only text that changed.

Stored per embedder as one plain .npz (a fixed-width string array of hex digests and the
float32 rows, no pickle), so keys and vectors can never get out of step. Rewritten
atomically after each build with exactly the entries that build used, so deleted
passages drop out.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

CACHE_FILE = "embeddings.npz"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, folder: Path, embedder_description: dict) -> None:
        slug = hashlib.sha256(json.dumps(embedder_description, sort_keys=True).encode()).hexdigest()[:16]
        self.folder = folder / slug
        self._rows: dict[str, np.ndarray] = {}
        self._used: dict[str, np.ndarray] = {}
        self._load()

    def _load(self) -> None:
        try:
            with np.load(self.folder / CACHE_FILE, allow_pickle=False) as stored:
                keys, vectors = stored["keys"], stored["vectors"]
        except (OSError, ValueError, KeyError, EOFError):
            return  # no cache or a damaged one: everything gets embedded again
        if vectors.ndim == 2 and len(keys) == len(vectors):
            self._rows = dict(zip(keys.tolist(), vectors))

    def embed(
        self,
        texts: Sequence[str],
        embed_batch: Callable[[Sequence[str]], np.ndarray],
        dim: int,
        batch_size: int = 16,
        on_batch: Callable[[int], None] | None = None,
    ) -> tuple[np.ndarray, int]:
        """Vectors for `texts` (cached or freshly embedded) and how many were embedded."""
        keys = [text_key(text) for text in texts]
        missing = sorted({key: index for index, key in enumerate(keys) if key not in self._rows and key not in self._used}.values())
        for begin in range(0, len(missing), batch_size):
            chunk = missing[begin : begin + batch_size]
            vectors = embed_batch([texts[index] for index in chunk])
            for index, vector in zip(chunk, vectors):
                self._used[keys[index]] = vector
            if on_batch is not None:
                on_batch(len(chunk))
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for row, key in enumerate(keys):
            vector = self._used.get(key)
            if vector is None:
                vector = self._rows[key]
                self._used[key] = vector
            out[row] = vector
        return out, len(missing)

    def save(self) -> None:
        """Keep exactly the entries used by this build."""
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = list(self._used)
        vectors = np.stack([self._used[key] for key in keys]) if keys else np.zeros((0, 0), np.float32)
        with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".cache.", suffix=".npz", delete=False) as handle:
            np.savez(handle, keys=np.array(keys, dtype="U64"), vectors=vectors.astype(np.float32))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, self.folder / CACHE_FILE)
