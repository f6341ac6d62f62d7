"""A build's data in Milvus: connection, collection names, schema, writing and publishing.

One code path for both deployments: `MilvusClient(uri)` runs Milvus Lite embedded when the
URI is a local `.db` file, and talks to a Milvus standalone or cluster when it is a URL
(token from INVESTQA_MILVUS_TOKEN, never logged or shown).

Each build writes two new collections, `<prefix>_passages_<build>` and
`<prefix>_sentences_<build>`; publishing points the aliases `<prefix>_passages` and
`<prefix>_sentences` at them. A build killed before that leaves the aliases (and the index
folder's CURRENT pointer) on the previous build; its half-written collections are dropped
by the next build.
"""
from __future__ import annotations

import logging
import os
import re
from typing import Iterable, Sequence

import numpy as np

from retrieval.errors import MilvusUnavailable

TOKEN_ENV = "INVESTQA_MILVUS_TOKEN"
DEFAULT_PREFIX = "investqa"
PASSAGES, SENTENCES = "passages", "sentences"
MAX_TEXT_BYTES = 65535  # Milvus VARCHAR limit
INSERT_BATCH = 512
QUERY_LIMIT = 16384  # Milvus caps query/search results at this many rows

_clients: dict[str, object] = {}


def shown_uri(uri: str) -> str:
    """The URI without any user:password part (never shown)."""
    return re.sub(r"//[^/@]*@", "//", str(uri))


def is_lite(uri: str) -> bool:
    return not re.match(r"^[a-z]+://", str(uri))


def connect(uri: str, timeout: float = 5.0):
    """A MilvusClient for `uri`, one per URI and process (Milvus Lite allows one server per file)."""
    uri = str(uri)
    client = _clients.get(uri)
    if client is not None:
        return client
    try:
        from pymilvus import MilvusClient

        # pymilvus logs every failed call with a traceback on stderr; ours become one-line errors.
        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
    except ImportError:
        raise MilvusUnavailable(shown_uri(uri), "pymilvus is not installed") from None
    if is_lite(uri):
        folder = os.path.dirname(os.path.abspath(uri))
        if not os.path.isdir(folder):
            raise MilvusUnavailable(uri, f"folder {folder} does not exist")
    try:
        client = MilvusClient(uri=uri, token=os.environ.get(TOKEN_ENV, ""), timeout=timeout)
        client.list_collections()  # a server URL connects lazily on some versions: fail here, not mid-answer
    except Exception as error:  # pymilvus raises MilvusException, grpc errors, OSError...
        raise MilvusUnavailable(shown_uri(uri), _one_line(error)) from None
    _clients[uri] = client
    return client


def _one_line(error: Exception) -> str:
    text = str(getattr(error, "message", "") or error).strip().splitlines()
    reason = text[0] if text else type(error).__name__
    return reason[:200]


def collection_tag(build_id: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", build_id)


def collection_names(prefix: str, build_id: str) -> dict[str, str]:
    tag = collection_tag(build_id)
    return {PASSAGES: f"{prefix}_{PASSAGES}_{tag}", SENTENCES: f"{prefix}_{SENTENCES}_{tag}"}


def alias_names(prefix: str) -> dict[str, str]:
    return {PASSAGES: f"{prefix}_{PASSAGES}", SENTENCES: f"{prefix}_{SENTENCES}"}


def _dense_index_type(uri: str, rows: int) -> str:
    # Exact search on Milvus Lite and small collections (answers match the local backend's
    # exact faiss search); a graph index on a server for large ones.
    return "FLAT" if is_lite(uri) or rows < 200_000 else "HNSW"


def create_collections(client, uri: str, names: dict[str, str], dim: int, rows: int, identity: dict) -> None:
    from pymilvus import DataType

    passages = client.create_schema(auto_id=False, enable_dynamic_field=False)
    passages.add_field("row", DataType.INT64, is_primary=True)
    passages.add_field("passage_id", DataType.VARCHAR, max_length=512)
    passages.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)
    passages.add_field("flat", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)  # whitespace removed: corpus_contains
    passages.add_field("meta", DataType.JSON)  # the other Passage fields and the sentence spans
    passages.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    passages.add_field("keywords", DataType.SPARSE_FLOAT_VECTOR)  # BM25 weight per token id
    index = client.prepare_index_params()
    index.add_index("vector", index_type=_dense_index_type(uri, rows), metric_type="IP")
    index.add_index("keywords", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    properties = {f"investqa.{key}": str(value) for key, value in identity.items()}
    client.create_collection(names[PASSAGES], schema=passages, index_params=index, properties=properties)

    sentences = client.create_schema(auto_id=False, enable_dynamic_field=False)
    sentences.add_field("sentence", DataType.INT64, is_primary=True)
    sentences.add_field("row", DataType.INT64)
    sentences.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    index = client.prepare_index_params()
    index.add_index("vector", index_type=_dense_index_type(uri, rows * 10), metric_type="IP")
    client.create_collection(names[SENTENCES], schema=sentences, index_params=index, properties=properties)


def sparse_rows(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, rows: int) -> list[dict[int, float]]:
    """The BM25 score matrix, stored token-major (keyword_index.py), as one {token id: score}
    per passage row."""
    token_ids = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    order = np.lexsort((token_ids, indices))
    by_row = np.searchsorted(indices[order], np.arange(rows + 1))
    result = []
    for row in range(rows):
        part = order[by_row[row]:by_row[row + 1]]
        result.append({int(t): float(s) for t, s in zip(token_ids[part], data[part])})
    return result


def _batches(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def insert_passages(client, name: str, records: list[dict]) -> None:
    for batch in _batches(records, INSERT_BATCH):
        client.insert(name, list(batch))


def insert_sentences(client, name: str, sentences: Sequence[tuple[int, int, int]], vectors: np.ndarray) -> None:
    records = [{"sentence": i, "row": int(row), "vector": vectors[i].tolist()} for i, (row, _, _) in enumerate(sentences)]
    for batch in _batches(records, INSERT_BATCH * 4):
        client.insert(name, list(batch))


def finish(client, names: dict[str, str]) -> None:
    for name in names.values():
        client.flush(name)
        client.load_collection(name)


def point_aliases(client, prefix: str, names: dict[str, str]) -> None:
    """Publish: the aliases now name this build's collections (one call each, atomic on the server)."""
    for kind, alias in alias_names(prefix).items():
        if alias_target(client, alias) is not None:
            client.alter_alias(names[kind], alias)
        else:
            client.create_alias(names[kind], alias)


def alias_target(client, alias: str) -> str | None:
    # Asked through list_aliases: describe_alias on a missing alias logs an error in pymilvus.
    for name in client.list_collections():
        if alias in (client.list_aliases(name).get("aliases") or []):
            return name
    return None


def drop_unused(client, prefix: str, keep: set[str]) -> None:
    """Drop this prefix's build collections that no kept build names and no alias points to
    (half-written ones from killed builds, and builds older than the previous one)."""
    pattern = re.compile(rf"^{re.escape(prefix)}_({PASSAGES}|{SENTENCES})_")
    aliased = {alias_target(client, alias) for alias in alias_names(prefix).values()}
    for name in client.list_collections():
        if pattern.match(name) and name not in keep and name not in aliased:
            client.drop_collection(name)


def identity_of(client, name: str) -> dict:
    properties = client.describe_collection(name).get("properties") or {}
    return {key.removeprefix("investqa."): value for key, value in properties.items() if key.startswith("investqa.")}


def meta_of(passage_dict: dict, spans: list[tuple[int, int]]) -> dict:
    meta = {key: value for key, value in passage_dict.items() if key not in ("text", "passage_id")}
    meta["spans"] = [[int(s), int(e)] for s, e in spans]
    return meta
