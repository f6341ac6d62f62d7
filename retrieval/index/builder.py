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

import numpy as np

from retrieval.index import store
from retrieval.language import crosslingual
from retrieval.language.crosslingual import CrossLingualExpander
from retrieval.index.dense_index import build_dense_index, index_settings
from retrieval.index.embedders import Embedder, make_embedder
from retrieval.index.embedding_cache import EmbeddingCache
from retrieval.errors import NoDocuments, SeedsNotFound
from retrieval.ingest import ChunkSettings, chunk_corpus, load_corpus
from retrieval.ingest.ocr import PdfOcr
from retrieval.index.keyword_index import KeywordIndex
from retrieval.ingest.sentences import passage_context, sentence_table
from retrieval.language.tokenizer import Tokenizer
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
    """Hash of every visible file's path and bytes: any add, edit or delete changes it."""
    digest = hashlib.sha256()
    for path in sorted(seeds_dir.rglob("*")):
        relative = path.relative_to(seeds_dir)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        digest.update(relative.as_posix().encode("utf-8") + b"\0")
        try:
            digest.update(store.sha256_file(path).encode("ascii") + b"\n")
        except OSError:  # unreadable: load_corpus skips it with a warning; a fix changes the hash
            digest.update(b"unreadable\n")
    return digest.hexdigest()


def build_settings(embedder: Embedder, chunk_settings: ChunkSettings) -> dict:
    """Everything that, when changed, makes an existing build stale."""
    return {
        "format_version": store.FORMAT_VERSION,
        "embedder": embedder.describe(),
        "chunker": chunk_settings.to_dict(),
        "dense_index": index_settings(),
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
    on_stage: StageProgress | None = None,
) -> BuildReport:
    started = time.monotonic()
    seeds_dir, index_dir = Path(seeds_dir), Path(index_dir)
    if not seeds_dir.is_dir():
        raise SeedsNotFound(seeds_dir)
    chunk_settings = chunk_settings or ChunkSettings()
    with store.build_lock(index_dir):  # first: a refused rebuild should not load a model
        embedder = embedder or make_embedder(embedder_spec)
        settings = build_settings(embedder, chunk_settings)
        corpus_hash = seed_files_hash(seeds_dir)
        if if_stale and not is_stale(index_dir, corpus_hash, settings):
            return BuildReport(built=False, build_id=store.current_build_id(index_dir), seconds=time.monotonic() - started)
        if on_stage is not None:
            on_stage("reading", 0, 0)
        ocr_progress = None if on_stage is None else (lambda done, total: on_stage("ocr", done, total))
        corpus = load_corpus(seeds_dir, ocr=PdfOcr(store.cache_dir(index_dir) / "ocr", ocr_progress))
        passages = chunk_corpus(corpus, chunk_settings)
        if not passages:
            raise NoDocuments(seeds_dir, corpus.skipped)
        writer = store.BuildWriter(index_dir)
        try:
            embedded, reused = _write_build(writer, passages, embedder, index_dir, progress)
            manifest = dict(
                settings,
                corpus_hash=corpus_hash,
                created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                seed_files=corpus.files,
                counts={"documents": len(corpus.documents), "passages": len(passages), "skipped": len(corpus.skipped)},
                skipped=[{"file": item.file, "reason": item.reason} for item in corpus.skipped],
            )
            writer.publish(manifest)
        except BaseException:
            writer.discard()
            raise
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
    digest.update(crosslingual.source_fingerprint())  # its code and data files (glossary)
    cached = cache / "crosslingual" / f"{digest.hexdigest()[:32]}.json"
    if not cached.is_file():
        all_tokens = (token for tokens in passage_tokens for token in tokens)  # repeats carry frequency
        expander = CrossLingualExpander.build(all_tokens, cache_dir=cache)
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob("*.json"):  # one corpus, one expander: keep the folder small
            old.unlink()
        expander.save(cached)
    shutil.copyfile(cached, target)


def _write_build(writer: store.BuildWriter, passages: list[Passage], embedder: Embedder, index_dir: Path, progress: Progress | None) -> tuple[int, int]:
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
    keyword.save(writer.path("keyword"))
    build_dense_index(passage_vectors).save(writer.path("dense"))
    _write_crosslingual(passage_tokens, store.cache_dir(index_dir), writer.path("crosslingual.json"))

    with open(writer.path("passages.jsonl"), "w", encoding="utf-8") as handle:
        for passage in passages:
            handle.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
    np.save(writer.path("passage_vectors.npy"), passage_vectors, allow_pickle=False)
    np.save(writer.path("sentence_vectors.npy"), sentence_vectors, allow_pickle=False)
    np.save(writer.path("sentences.npy"), np.asarray(sentences, dtype=np.int32).reshape(-1, 3), allow_pickle=False)
    embedded = embedded_passages + embedded_sentences
    return embedded, total - embedded
