"""Ingestion: files in the seeds folder -> cleaned Documents -> passages.

    corpus = load_corpus(Path("seeds"))            # never raises for one bad file
    passages = chunk_corpus(corpus, ChunkSettings())

`load_corpus` reads every supported file (recursing, hidden entries ignored), rebuilds
articles and paragraphs (see cleaner.py) and records why any file was skipped.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from retrieval.errors import SeedsNotFound
from retrieval.ingest.files import SeedFiles, scan_seeds
from retrieval.types import Document, Passage, Section, SkippedFile
from retrieval.ingest.chunker import chunk_documents, match_key
from retrieval.ingest.cleaner import Article, clean_text
from retrieval.ingest.readers import UnreadableFile, read_document

__all__ = ["ChunkSettings", "Corpus", "load_corpus", "chunk_corpus", "build_document", "INGEST_VERSION"]

# Bump when cleaning or metadata changes what a build holds for the same seed files, so that
# `investqa index --if-stale` rebuilds (it is part of the build settings).
# 2: own date (`date`, from heading lines) told from the site's date line (`posted`).
INGEST_VERSION = 2


@dataclass(frozen=True)
class ChunkSettings:
    min_chars: int = 150  # merge tiny paragraphs up to this
    max_chars: int = 500  # split long paragraphs at sentence ends

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]
    skipped: tuple[SkippedFile, ...]
    files: dict[str, str]  # relative path -> sha256 of the raw bytes


def build_document(article: Article, doc_id: str, file: str, fallback_title: str, ocr: bool = False) -> Document:
    """A Document whose text is the article's paragraphs, one per line."""
    parts: list[str] = []
    paragraphs: list[tuple[int, int]] = []
    sections: list[Section] = []
    offset = 0
    current: str | None = None
    for text, section in article.paragraphs:
        if parts:
            offset += 1  # the "\n" between paragraphs
        if section is not None and section != current:
            sections.append(Section(start=offset, heading=section))
        current = section
        parts.append(text)
        paragraphs.append((offset, offset + len(text)))
        offset += len(text)
    return Document(
        doc_id=doc_id,
        file=file,
        title=article.title or fallback_title,
        date=article.date,
        posted=article.posted,
        text="\n".join(parts),
        paragraphs=tuple(paragraphs),
        sections=tuple(sections),
        ocr=ocr,
    )


def load_corpus(seeds_dir: Path, seed_files: SeedFiles | None = None, ocr=None) -> Corpus:
    """Read and clean every document under `seeds_dir`; raise SeedsNotFound if it is missing.

    `seed_files` is the folder's scan when the caller has one (a build hashes the folder
    once, for its staleness check and for this); `ocr` (an `ocr.PdfOcr`) reads PDF pages
    without a text layer, without it they are skipped."""
    root = Path(seeds_dir)
    if not root.is_dir():
        raise SeedsNotFound(root)
    seed_files = seed_files or scan_seeds(root)
    documents: list[Document] = []
    skipped: list[SkippedFile] = []
    hashes: dict[str, str] = {}
    used_ids: set[str] = set()
    seen_texts: dict[str, str] = {}  # match key of a document's text -> file it came from
    skipped.extend(SkippedFile(folder.relative_to(root).as_posix() + "/", "cannot read folder") for folder in seed_files.unlisted)
    for path in seed_files.paths:
        relative = seed_files.relative(path)
        try:
            if relative in seed_files.unreadable:
                raise OSError(seed_files.unreadable[relative])
            if relative not in seed_files.hashes:  # a FIFO or device would block or never end a read
                raise UnreadableFile("broken link" if path.is_symlink() and not path.exists() else "not a regular file")
            hashes[relative] = seed_files.hashes[relative]
            raw, title_hint, from_ocr = read_document(path, ocr, hashes[relative])
            articles = clean_text(raw, title_hint)
        except UnreadableFile as error:
            skipped.append(SkippedFile(relative, str(error)))
            continue
        except OSError as error:
            skipped.append(SkippedFile(relative, f"cannot read file ({error.strerror or error})"))
            continue
        except Exception as error:  # one odd file must never stop a rebuild of the whole corpus
            skipped.append(SkippedFile(relative, f"could not be processed ({type(error).__name__})"))
            continue
        if not articles:
            skipped.append(SkippedFile(relative, "no text found"))
            continue
        base = Path(relative).with_suffix("").as_posix()
        if base in used_ids:
            base = relative  # x.txt and x.md: keep both ids distinct
        used_ids.add(base)
        kept = 0
        duplicate_of = None
        for number, article in enumerate(articles, start=1):
            document = build_document(article, f"{base}#{number}", relative, path.stem, from_ocr)
            key = match_key(document.text)
            if key in seen_texts:
                duplicate_of = seen_texts[key]
                continue
            seen_texts[key] = relative
            documents.append(document)
            kept += 1
        if not kept:
            skipped.append(SkippedFile(relative, f"duplicate of {duplicate_of}"))
    return Corpus(documents=tuple(documents), skipped=tuple(skipped), files=hashes)


def chunk_corpus(corpus: Corpus, settings: ChunkSettings = ChunkSettings()) -> list[Passage]:
    """Paragraph-sized passages of every document, in corpus order, repeats dropped."""
    return chunk_documents(corpus.documents, settings.min_chars, settings.max_chars)
