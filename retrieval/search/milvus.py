"""The Milvus backend: passages, vectors and keyword weights in Milvus (Milvus Lite on a
local .db file, or a Milvus server by URL), queries made on the client.

Keyword search is BM25 as sparse vectors: each passage stores {token id: BM25 weight}
computed by the same tokenizer and scorer as the local backend (index/keyword_index.py),
and a question's weighted terms become a sparse query vector, so an inner-product search
returns exactly the local BM25 scores. The vocabulary (token -> dimension, document
frequency) and the cross-lingual lexicon are small local files of the build.

The reader pins the concrete collections its manifest names, not the aliases: rows and
keyword dimensions must come from the same build as its vocabulary, even while a newer
build is being published (it picks that up on reload, like the local backend).
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.errors import IndexCorrupt, MilvusCollectionMismatch
from retrieval.index import layout, milvus_store
from retrieval.index.milvus_build import KEYWORD_VOCAB, read_keyword_vocab
from retrieval.language.crosslingual import CrossLingualExpander
from retrieval.search.backend import SearchBackend, WeightedTerms, register_backend
from retrieval.types import Passage

CACHED_ROWS = 50_000  # passages (with their sentence vectors) kept in memory
FETCH_BATCH = 1000  # rows per `row in [...]` query


class MilvusBackend(SearchBackend):
    kind = "milvus"

    def __init__(self, index_dir: Path, build_dir: Path, manifest: dict) -> None:
        super().__init__(index_dir, build_dir, manifest)
        target = manifest.get("milvus") or {}
        self.uri = target.get("uri", "")
        collections = manifest.get("milvus_collections") or {}
        self._passages_name = collections.get(milvus_store.PASSAGES)
        self._sentences_name = collections.get(milvus_store.SENTENCES)
        if not self.uri or not self._passages_name or not self._sentences_name:
            raise IndexCorrupt(index_dir, "the manifest names no Milvus collections")
        try:
            self._vocab = read_keyword_vocab(build_dir / KEYWORD_VOCAB)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            raise IndexCorrupt(index_dir, f"keyword vocabulary unreadable: {error}") from error
        self._expander = CrossLingualExpander.load(build_dir / layout.CROSSLINGUAL)
        self._count = int((manifest.get("counts") or {}).get("passages", 0))
        self.client = milvus_store.connect(self.uri)
        self._check_collections()
        self._rows: OrderedDict[int, tuple[Passage, list[tuple[int, int]], np.ndarray, np.ndarray]] = OrderedDict()
        self._all: list[Passage] | None = None
        self._contains: dict[str, bool] = {}

    def _check_collections(self) -> None:
        existing = set(self.client.list_collections())
        for name in (self._passages_name, self._sentences_name):
            if name not in existing:
                raise MilvusCollectionMismatch(self.index_dir, self.uri, f"collection {name} is missing")
            identity = milvus_store.identity_of(self.client, name)
            if identity.get("build_id") != self.build_id or identity.get("format_version") != str(self.manifest.get("format_version")):
                raise MilvusCollectionMismatch(self.index_dir, self.uri, f"collection {name} holds build {identity.get('build_id')!r}, format {identity.get('format_version')!r}")
            if identity.get("dim") != str((self.manifest.get("embedder") or {}).get("dim", identity.get("dim"))):
                raise MilvusCollectionMismatch(self.index_dir, self.uri, f"collection {name} has {identity.get('dim')}-dimensional vectors, the embedder makes others")
        for name in (self._passages_name, self._sentences_name):
            self.client.load_collection(name)  # a no-op when loaded; Milvus Lite starts each process released
        if self.client.get_collection_stats(self._passages_name).get("row_count") not in (self._count, str(self._count)):
            raise MilvusCollectionMismatch(self.index_dir, self.uri, "the passage collection has another number of rows than the build")

    # -- rows, fetched in batches and cached --------------------------------------------

    def _fetch(self, rows: Sequence[int]) -> None:
        missing = sorted({int(r) for r in rows if int(r) not in self._rows})
        for start in range(0, len(missing), FETCH_BATCH):
            batch = missing[start:start + FETCH_BATCH]
            found = self.client.query(self._passages_name, filter=f"row in {batch}", output_fields=["row", "passage_id", "text", "meta", "vector"], limit=len(batch))
            sentences = self.client.query(self._sentences_name, filter=f"row in {batch}", output_fields=["sentence", "row", "vector"], limit=milvus_store.QUERY_LIMIT)
            if len(batch) and len(sentences) >= milvus_store.QUERY_LIMIT:  # rare: very many sentences; fetch row by row
                sentences = [s for r in batch for s in self.client.query(self._sentences_name, filter=f"row == {r}", output_fields=["sentence", "row", "vector"], limit=milvus_store.QUERY_LIMIT)]
            by_row: dict[int, list] = {}
            for sentence in sentences:
                by_row.setdefault(int(sentence["row"]), []).append(sentence)
            for record in found:
                row = int(record["row"])
                meta = dict(record["meta"])
                spans = [(int(s), int(e)) for s, e in meta.pop("spans", [])]
                passage = Passage.from_dict(dict(meta, passage_id=record["passage_id"], text=record["text"]))
                ordered = sorted(by_row.get(row, []), key=lambda s: int(s["sentence"]))
                dim = len(record["vector"])
                sentence_vectors = np.array([s["vector"] for s in ordered], dtype=np.float32).reshape(-1, dim)
                self._rows[row] = (passage, spans, np.asarray(record["vector"], dtype=np.float32), sentence_vectors)
            if len(found) != len(batch):
                raise MilvusCollectionMismatch(self.index_dir, self.uri, "rows are missing from the passage collection")
        while len(self._rows) > CACHED_ROWS:
            self._rows.popitem(last=False)

    def _row(self, row: int):
        row = int(row)
        if not 0 <= row < self._count:
            raise IndexError(row)
        entry = self._rows.get(row)
        if entry is None:
            self._fetch([row])
            entry = self._rows[row]
        else:
            self._rows.move_to_end(row)
        return entry

    # -- passages ---------------------------------------------------------------------------

    def passage_count(self) -> int:
        return self._count

    def passage(self, row: int) -> Passage:
        return self._row(row)[0]

    def passages(self) -> Sequence[Passage]:
        if self._all is None:
            passages: list[Passage] = []
            for start in range(0, self._count, FETCH_BATCH):
                rows = list(range(start, min(start + FETCH_BATCH, self._count)))
                self._fetch(rows)
                passages.extend(self._rows[r][0] for r in rows)
            self._all = passages
        return self._all

    def row_of(self, passage_id: str) -> int | None:
        if not isinstance(passage_id, str) or not passage_id:
            return None
        found = self.client.query(self._passages_name, filter=f'passage_id == "{_escape(passage_id)}"', output_fields=["row"], limit=1)
        return int(found[0]["row"]) if found else None

    def neighbours(self, row: int, radius: int = 1) -> list[int]:
        self._fetch([r for r in range(max(row - radius, 0), min(row + radius + 1, self._count))])
        return super().neighbours(row, radius)

    def sentence_spans(self, row: int) -> list[tuple[int, int]]:
        return list(self._row(row)[1])

    # -- keyword side -----------------------------------------------------------------------

    def _sparse_query(self, terms: WeightedTerms) -> dict[int, float]:
        query: dict[int, float] = {}
        for token, weight in terms:
            entry = self._vocab.get(token) if token else None
            if entry is not None:
                query[entry[0]] = query.get(entry[0], 0.0) + float(weight)
        return {token_id: weight for token_id, weight in query.items() if weight}

    def _keyword_search(self, query: dict[int, float], limit: int, rows: Sequence[int] | None = None) -> dict[int, float]:
        found = self.client.search(
            self._passages_name, data=[query], anns_field="keywords", limit=limit, output_fields=["row"],
            search_params={"metric_type": "IP", "params": {"drop_ratio_search": 0.0}},
            filter=f"row in {list(rows)}" if rows is not None else "",
        )
        return {int(hit["entity"]["row"]): float(hit["distance"]) for hit in found[0] if hit["distance"] > 0}

    def keyword_top(self, terms: WeightedTerms, k: int) -> np.ndarray:
        k = min(int(k), self._count)
        query = self._sparse_query(terms)
        scores = self._keyword_search(query, min(k, milvus_store.QUERY_LIMIT)) if query else {}
        top = sorted(scores, key=lambda row: (-scores[row], row))[:k]
        if len(top) < k:  # as the local backend: the best rows, then zero-score rows in row order
            chosen = set(top)
            top += [row for row in range(self._count) if row not in chosen][: k - len(top)]
        return np.array(top, dtype=np.int64)

    def keyword_scores(self, terms: WeightedTerms, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        result = np.zeros(len(rows), dtype=np.float32)
        query = self._sparse_query(terms)
        if not query or not len(rows):
            return result
        unique = sorted(set(rows.tolist()))
        scores: dict[int, float] = {}
        for start in range(0, len(unique), milvus_store.QUERY_LIMIT):
            part = unique[start:start + milvus_store.QUERY_LIMIT]
            scores.update(self._keyword_search(query, len(part), part))
        for position, row in enumerate(rows.tolist()):
            result[position] = scores.get(row, 0.0)
        return result

    def document_frequency(self, term: str) -> int:
        entry = self._vocab.get(term) if term else None
        return entry[1] if entry else 0

    def corpus_contains(self, text: str) -> bool:
        if text not in self._contains:
            escaped = _escape(text, "%_")
            found = self.client.query(self._passages_name, filter=f'flat like "%{escaped}%"', output_fields=["row"], limit=1)
            self._contains[text] = bool(found)
        return self._contains[text]

    # -- dense side -------------------------------------------------------------------------

    def dense_top(self, query: np.ndarray, k: int) -> np.ndarray:
        k = min(int(k), self._count, milvus_store.QUERY_LIMIT)
        found = self.client.search(self._passages_name, data=[np.asarray(query, dtype=np.float32).tolist()], anns_field="vector", limit=k, output_fields=["row"], search_params={"metric_type": "IP"})
        return np.array([int(hit["entity"]["row"]) for hit in found[0]], dtype=np.int64)

    def passage_similarities(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        # Exact cosines from the stored vectors (fetched once with the passage and its sentences,
        # which the engine asks for next).
        self._fetch(np.asarray(rows).tolist())
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        return np.stack([self._row(r)[2] for r in rows]) @ query

    def sentence_similarities(self, query: np.ndarray, row: int) -> np.ndarray:
        return self._row(row)[3] @ query

    def crosslingual(self) -> CrossLingualExpander:
        return self._expander


def _escape(text: str, also: str = "") -> str:
    """`text` inside a double-quoted Milvus filter string (and a `like` pattern with also="%_")."""
    return "".join("\\" + ch if ch in '\\"\'' + also else ch for ch in text)


register_backend(MilvusBackend.kind, MilvusBackend)
