"""`build_index`: seeds folder -> a published build in the index folder.

Steps: hash the seed files, load + clean + chunk them, split passages into sentences,
tokenize for BM25, embed passages and sentences through the content-hash cache, build
the dense and keyword indexes and the cross-lingual lexicon, write everything as plain
files, publish atomically under the build lock.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from retrieval.index import layout, store
from retrieval.language import crosslingual
from retrieval.language.crosslingual import CrossLingualExpander
from retrieval.index.dense_index import build_dense_index, index_settings
from retrieval.index.embedders import Embedder, make_embedder
from retrieval.index.embedding_cache import EmbeddingCache
from retrieval.errors import NoDocuments, SeedsNotFound
from retrieval.ingest import INGEST_VERSION, ChunkSettings, chunk_corpus, load_corpus
from retrieval.ingest.files import scan_seeds
from retrieval.ingest.ocr import PdfOcr
from retrieval.index.keyword_index import KeywordIndex
from retrieval.index.source_fingerprint import source_fingerprint
from retrieval.ingest.sentences import passage_context, sentence_table
from retrieval.language.tokenizer import Tokenizer
from retrieval.question.off_domain import DomainAnchors, anchors_fingerprint
from retrieval.types import Passage, SkippedFile

Progress = Callable[[int, int], None]
# (stage, done, total): "reading" (0, 0), "ocr" (page, pages of one scanned file)
StageProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildReport:
    built: bool
    passages: int = 0
    embedded: int = 0
    reused: int = 0
    documents: int = 0
    skipped: tuple[SkippedFile, ...] = field(default_factory=tuple)
    seconds: float = 0.0
    build_id: str | None = None


def seed_files_hash(seeds_dir: Path) -> str:
    """The corpus hash a build records (see ingest/files.py)."""
    return scan_seeds(seeds_dir).corpus_hash()


def build_settings(embedder: Embedder, chunk_settings: ChunkSettings) -> dict:
    """Everything that, when changed, makes an existing build stale."""
    return {
        "format_version": store.FORMAT_VERSION,
        "embedder": embedder.describe(),
        "chunker": chunk_settings.to_dict(),
        "ingest": INGEST_VERSION,
        "dense_index": index_settings(),
        # the cross-lingual expander's code and data (glossary lines): editing them rebuilds
        "crosslingual": source_fingerprint(crosslingual).hex()[:16],
        "domain_anchors": anchors_fingerprint(),
    }


def is_stale(index_dir: Path, corpus_hash: str, settings: dict) -> bool:
    try:
        manifest = store.read_manifest(store.current_build_dir(index_dir))
    except Exception:  # no index, or one we could not read: it needs a build either way
        return True
    recorded = {key: manifest.get(key) for key in settings}
    return manifest.get("corpus_hash") != corpus_hash or recorded != json.loads(json.dumps(settings))


def build_index(
    seeds_dir: Path | str,
    index_dir: Path | str,
    embedder_spec: str | None = None,
    progress: Progress | None = None,
    if_stale: bool = False,
    chunk_settings: ChunkSettings | None = None,
    embedder: Embedder | None = None,
    backend: str = "local",
    milvus_uri: str | None = None,
    on_stage: StageProgress | None = None,
) -> BuildReport:
    """Build the seeds into `index_dir`. With backend "milvus" the passages, vectors and
    keyword weights go to Milvus at `milvus_uri` (index/milvus_build.py) and the index folder
    keeps the manifest and the small files a reader needs to make queries."""
    started = time.monotonic()
    seeds_dir, index_dir = Path(seeds_dir), Path(index_dir)
    if not seeds_dir.is_dir():
        raise SeedsNotFound(seeds_dir)
    chunk_settings = chunk_settings or ChunkSettings()
    if backend not in ("local", "milvus"):
        raise ValueError(f"unknown search backend {backend!r}")
    with store.build_lock(index_dir):  # first: a refused rebuild should not load a model
        milvus = None
        if backend == "milvus":  # before loading anything: an unreachable Milvus fails fast
            from retrieval.index.milvus_build import MilvusBuild

            milvus = MilvusBuild(index_dir, milvus_uri)
        embedder = embedder or make_embedder(embedder_spec)
        settings = build_settings(embedder, chunk_settings)
        seed_files = scan_seeds(seeds_dir)  # walked and hashed once: staleness and reading both use it
        corpus_hash = seed_files.corpus_hash()
        settings["backend"] = backend  # switching backends makes the build stale
        if milvus is not None:
            settings["milvus"] = milvus.settings()
        if if_stale and not is_stale(index_dir, corpus_hash, settings):
            return BuildReport(built=False, build_id=store.current_build_id(index_dir), seconds=time.monotonic() - started)
        if on_stage is not None:
            on_stage("reading", 0, 0)
        ocr_progress = None if on_stage is None else (lambda done, total: on_stage("ocr", done, total))
        corpus = load_corpus(seeds_dir, seed_files, ocr=PdfOcr(store.cache_dir(index_dir) / "ocr", ocr_progress))
        passages = chunk_corpus(corpus, chunk_settings)
        if not passages:
            raise NoDocuments(seeds_dir, corpus.skipped)
        writer = store.BuildWriter(index_dir)
        try:
            if milvus is None:
                embedded, reused = _write_build(writer, passages, embedder, index_dir, progress)
            else:
                parts = _compute_parts(writer, passages, embedder, index_dir, progress)
                embedded, reused = parts.embedded, parts.reused
                milvus.write(writer, parts)
            manifest = dict(
                settings,
                corpus_hash=corpus_hash,
                created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                seed_files=corpus.files,
                counts={"documents": len(corpus.documents), "passages": len(passages), "skipped": len(corpus.skipped)},
                skipped=[{"file": item.file, "reason": item.reason} for item in corpus.skipped],
            )
            if milvus is not None:
                manifest["milvus_collections"] = milvus.collections
                milvus.publish_aliases()  # first the aliases, then CURRENT: readers of either see a whole build
            writer.publish(manifest)
        except BaseException:
            writer.discard()
            if milvus is not None:
                milvus.discard()
            raise
        if milvus is not None:
            milvus.drop_unused()
    return BuildReport(
        built=True,
        passages=len(passages),
        embedded=embedded,
        reused=reused,
        documents=len(corpus.documents),
        skipped=tuple(corpus.skipped),
        seconds=time.monotonic() - started,
        build_id=writer.build_id,
    )


def _write_crosslingual(passage_tokens: list[list[str]], cache: Path, target: Path) -> None:
    """The expander depends only on the corpus tokens and its own code: reuse the last one
    built from the same of both (building it costs seconds; a no-change rebuild should not)."""
    digest = hashlib.sha256(json.dumps(passage_tokens, ensure_ascii=False).encode("utf-8"))
    digest.update(source_fingerprint(crosslingual))  # its code and data files (glossary)
    cached = cache / "crosslingual" / f"{digest.hexdigest()[:32]}.json"
    if not cached.is_file():
        all_tokens = (token for tokens in passage_tokens for token in tokens)  # repeats carry frequency
        expander = CrossLingualExpander.build(all_tokens, cache_dir=cache)
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob("*.json"):  # one corpus, one expander: keep the folder small
            old.unlink()
        expander.save(cached)
    shutil.copyfile(cached, target)


def _write_domain_anchors(embedder: Embedder, cache: Path, target: Path) -> None:
    """Embedded as queries, through a cache of their own (the passage cache keys text alone,
    and e5 embeds a query differently from a passage): only the first build pays the seconds."""
    query_cache = EmbeddingCache(cache, {**embedder.describe(), "role": "query"})
    dim = embedder.dim
    DomainAnchors.embed(lambda texts: query_cache.embed(texts, embedder.embed_queries, dim)[0]).save(target)
    query_cache.save()


@dataclass
class BuildParts:
    """What every backend stores: passages, their sentences, vectors and BM25 weights."""

    passages: list[Passage]
    sentences: list[tuple[int, int, int]]  # passage row, start, end
    passage_vectors: object
    sentence_vectors: object
    keyword: KeywordIndex
    embedded: int
    reused: int


def _compute_parts(writer: store.BuildWriter, passages: list[Passage], embedder: Embedder, index_dir: Path, progress: Progress | None) -> BuildParts:
    """Embed (through the cache), tokenize and score; writes the cross-lingual lexicon, which
    every backend keeps as a local file."""
    tokenizer = Tokenizer(cache_dir=store.state_dir(index_dir))
    sentences = sentence_table(passages)
    passage_texts = [passage_context(passage) for passage in passages]
    sentence_texts = [passages[row].text[start:end] for row, start, end in sentences]

    cache = EmbeddingCache(store.cache_dir(index_dir), embedder.describe())
    total = len(passage_texts) + len(sentence_texts)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    passage_vectors, embedded_passages = cache.embed(passage_texts, embedder.embed_passages, embedder.dim, on_batch=advance)
    sentence_vectors, embedded_sentences = cache.embed(sentence_texts, embedder.embed_passages, embedder.dim, on_batch=advance)
    if progress is not None:
        progress(total, total)
    cache.save()

    passage_tokens = [tokenizer.tokenize(text) for text in passage_texts]
    keyword = KeywordIndex.build(passage_tokens)
    _write_crosslingual(passage_tokens, store.cache_dir(index_dir), writer.path(layout.CROSSLINGUAL))
    _write_domain_anchors(embedder, store.cache_dir(index_dir), writer.path(layout.DOMAIN_ANCHORS))
    embedded = embedded_passages + embedded_sentences
    return BuildParts(passages, list(sentences), passage_vectors, sentence_vectors, keyword, embedded, total - embedded)


def _write_build(writer: store.BuildWriter, passages: list[Passage], embedder: Embedder, index_dir: Path, progress: Progress | None) -> tuple[int, int]:
    parts = _compute_parts(writer, passages, embedder, index_dir, progress)
    parts.keyword.save(writer.path(layout.KEYWORD))
    build_dense_index(parts.passage_vectors).save(writer.path(layout.DENSE))
    layout.write_passages(writer.path(layout.PASSAGES), passages)
    layout.write_array(writer.path(layout.PASSAGE_VECTORS), parts.passage_vectors)
    layout.write_array(writer.path(layout.SENTENCE_VECTORS), parts.sentence_vectors)
    layout.write_array(writer.path(layout.SENTENCES), layout.sentence_rows(parts.sentences))
    return parts.embedded, parts.reused
