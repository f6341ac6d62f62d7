"""Writing a build to Milvus (called by builder.build_index under the build lock).

The index folder keeps, besides the manifest, what a reader needs before it can ask Milvus
anything: the cross-lingual lexicon and the keyword vocabulary (token -> sparse-vector
dimension and document frequency: queries are turned into sparse vectors on the client,
with the same tokenizer as the local backend). Passages (text and metadata), vectors and
keyword weights live only in Milvus, so N bot workers on other machines need nothing but
this small folder and the URI.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from retrieval.errors import MilvusUnavailable
from retrieval.index import milvus_store, store
from retrieval.text import squeeze

KEYWORD_VOCAB = "keyword_vocab.json"


def write_keyword_vocab(path: Path, vocab: dict[str, int], indptr: np.ndarray, rows: int) -> None:
    frequencies = np.diff(indptr)
    table = {token: [int(token_id), int(frequencies[token_id])] for token, token_id in vocab.items() if token and token_id < len(frequencies)}
    path.write_text(json.dumps({"passages": rows, "vocab": table}, ensure_ascii=False), encoding="utf-8")


def read_keyword_vocab(path: Path) -> dict[str, tuple[int, int]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {token: (int(pair[0]), int(pair[1])) for token, pair in data["vocab"].items()}


class MilvusBuild:
    """One build's collections, from creation to publication (or discarding)."""

    def __init__(self, index_dir: Path, uri: str | None, prefix: str = milvus_store.DEFAULT_PREFIX) -> None:
        if not uri:
            raise MilvusUnavailable("(none)", "no --milvus-uri given")
        self.index_dir = Path(index_dir)
        self.uri = str(uri)
        self.prefix = prefix
        self.client = milvus_store.connect(self.uri)
        self.collections: dict[str, str] = {}
        # Half-written collections of killed builds go now, before this one adds its own.
        self.drop_unused()

    def settings(self) -> dict:
        return {"uri": milvus_store.shown_uri(self.uri), "prefix": self.prefix}

    def write(self, writer: store.BuildWriter, parts) -> None:
        keyword = parts.keyword
        rows = len(parts.passages)
        write_keyword_vocab(writer.path(KEYWORD_VOCAB), keyword._vocab, keyword._indptr, rows)
        self.collections = milvus_store.collection_names(self.prefix, writer.build_id)
        identity = {"build_id": writer.build_id, "format_version": store.FORMAT_VERSION, "dim": parts.passage_vectors.shape[1]}
        milvus_store.create_collections(self.client, self.uri, self.collections, parts.passage_vectors.shape[1], rows, identity)
        spans: list[list[tuple[int, int]]] = [[] for _ in range(rows)]
        for row, start, end in parts.sentences:
            spans[row].append((start, end))
        weights = milvus_store.sparse_rows(keyword._data, keyword._indices, keyword._indptr, rows)
        records = []
        for row, passage in enumerate(parts.passages):
            text = passage.text
            if len(text.encode("utf-8")) > milvus_store.MAX_TEXT_BYTES:
                raise ValueError(f"passage {passage.passage_id} is longer than Milvus's {milvus_store.MAX_TEXT_BYTES}-byte text limit")
            records.append({
                "row": row,
                "passage_id": passage.passage_id,
                "text": text,
                "flat": squeeze(text),
                "meta": milvus_store.meta_of(passage.to_dict(), spans[row]),
                "vector": parts.passage_vectors[row].tolist(),
                # An empty sparse vector is rejected: a passage without tokens gets a zero weight.
                "keywords": weights[row] or {0: 0.0},
            })
        milvus_store.insert_passages(self.client, self.collections[milvus_store.PASSAGES], records)
        milvus_store.insert_sentences(self.client, self.collections[milvus_store.SENTENCES], parts.sentences, parts.sentence_vectors)
        milvus_store.finish(self.client, self.collections)

    def publish_aliases(self) -> None:
        milvus_store.point_aliases(self.client, self.prefix, self.collections)

    def discard(self) -> None:
        """Best effort: the next build drops whatever this leaves behind."""
        try:
            aliased = {milvus_store.alias_target(self.client, alias) for alias in milvus_store.alias_names(self.prefix).values()}
            for name in self.collections.values():
                if name not in aliased:
                    self.client.drop_collection(name)
        except Exception:  # Milvus gone too: nothing more to do here
            pass

    def drop_unused(self) -> None:
        """Keep the collections of the builds the index folder keeps (the current one and the
        one before it, which a process that loaded it moments ago may still be reading)."""
        keep: set[str] = set()
        builds = self.index_dir / store.BUILDS
        if builds.is_dir():
            for build_dir in builds.iterdir():
                if build_dir.name.startswith("."):
                    continue
                try:
                    manifest = store.read_manifest(build_dir)
                except Exception:
                    continue
                keep.update((manifest.get("milvus_collections") or {}).values())
        milvus_store.drop_unused(self.client, self.prefix, keep)
