"""The document library: add, replace, remove and list the files of the seeds folder, then
bring the index up to date. Used by `investqa add/remove` and by the Telegram bot.

    library = Library(seeds_dir, index_dir)
    outcome = library.add(Path("/tmp/upload.bin"), name="通知.pdf")  # reads it first: bad files never land
    report = update_index(seeds_dir, index_dir)                      # incremental, atomic

A file is checked (read, OCR'd when scanned, cleaned) before it is stored, and stored
(written beside its final name, fsynced, renamed) before any build starts: a crash loses no
upload: a marker in the index's state folder says a build is owed, and the bot's next start
(or `investqa add/index`) finishes it. Names come from `safe_name`, never from a path the user gave.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import (
    DocumentNameTaken,
    DocumentNotFound,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    IndexLocked,
    LastDocument,
    SeedsMismatch,
    SeedsNotFound,
    UnreadableDocument,
    UnsupportedDocument,
)
from retrieval.index import store
from retrieval.ingest.cleaner import clean_text
from retrieval.ingest.files import scan_seeds, sha256_file
from retrieval.ingest.readers import (
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    EmptyFile,
    EncryptedFile,
    UnreadableFile,
    UnsupportedFile,
    read_document,
)
from retrieval.types import DocumentInfo, Passage, summarize_documents

MAX_NAME_CHARS = 80
STAGING = ".incoming"  # hidden: load_corpus and the seed hash never see half-stored files
ASK, REPLACE, KEEP_BOTH = "ask", "replace", "keep_both"

# Letters, digits (any script), and a few harmless marks; everything else becomes "_".
_UNSAFE = re.compile(r"[^\w\u3000-\u303f\uff01-\uff5e\-. ()（）【】《》]+")


def safe_name(raw: str, fallback: str = "document") -> str:
    """A plain file name for the seeds folder from whatever name a user sent.

    Only the last path component is kept (both / and \\ separate), control characters and
    anything outside letters, digits and a few marks become "_", leading dots go (no hidden
    files, no "..") and the stem is cut to MAX_NAME_CHARS; the suffix is lower-cased.
    """
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())[:10]
    stem = _UNSAFE.sub("_", stem).strip(" ._") or fallback
    stem = stem[:MAX_NAME_CHARS].rstrip(" ._") or fallback
    return f"{stem}.{suffix}" if suffix else stem


@dataclass(frozen=True)
class StoredFile:
    name: str  # path relative to the seeds folder, "/"-separated
    sha256: str
    bytes: int
    added: str  # date the file was stored (its mtime), YYYY-MM-DD


@dataclass(frozen=True)
class CheckedFile:
    titles: tuple[str, ...]
    ocr: bool


@dataclass(frozen=True)
class AddOutcome:
    name: str
    status: str  # "added", "replaced" or "duplicate" (same bytes already stored as `name`)
    titles: tuple[str, ...] = ()
    ocr: bool = False


def check_file(path: Path, name: str, ocr=None, sha256: str | None = None) -> CheckedFile:
    """Read and clean a file as the index build will; raise DocumentRejected if it cannot be added."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedDocument(name, f"unsupported file type {suffix or '(no extension)'}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DocumentTooLarge(name, f"the file is too large ({size // (1024 * 1024)} MiB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MiB)")
    if size == 0:
        raise EmptyDocument(name, "the file is empty")
    # the reader picks the format by suffix: read the upload under its (safe) name
    with tempfile.TemporaryDirectory(prefix="investqa-check-") as folder:
        named = Path(folder) / f"upload{suffix}"
        os.symlink(path.resolve(), named)
        try:
            text, title_hint, from_ocr = read_document(named, ocr, sha256)
            articles = clean_text(text, title_hint)
        except EncryptedFile as error:
            raise EncryptedDocument(name, "the PDF is encrypted (remove its password first)") from error
        except EmptyFile as error:
            raise EmptyDocument(name, str(error)) from error
        except UnsupportedFile as error:
            raise UnsupportedDocument(name, str(error)) from error
        except UnreadableFile as error:
            raise UnreadableDocument(name, str(error)) from error
        except OSError as error:
            raise UnreadableDocument(name, f"cannot read the file ({error.strerror or error})") from error
    if not articles:
        raise EmptyDocument(name, "no text found in the file")
    fallback = Path(name).stem
    titles = tuple(dict.fromkeys(article.title or fallback for article in articles))
    return CheckedFile(titles=titles, ocr=from_ocr)


PENDING_MARKER = "pending-build.json"


class Library:
    def __init__(self, seeds_dir: Path | str, index_dir: Path | str | None = None) -> None:
        self.seeds_dir = Path(seeds_dir)
        self.index_dir = Path(index_dir) if index_dir is not None else None
        self.ocr_cache_dir = store.cache_dir(self.index_dir) / "ocr" if self.index_dir else None

    def _owe_build(self) -> None:
        """Before the seeds change: note that the index owes a build from this folder."""
        if self.index_dir is not None:
            store.write_json_atomic(store.state_dir(self.index_dir) / PENDING_MARKER,
                                    {"seeds": str(self.seeds_dir.resolve())})

    def _require_folder(self) -> None:
        if not self.seeds_dir.is_dir():
            raise SeedsNotFound(self.seeds_dir)

    def files(self) -> list[StoredFile]:
        """Every visible file of the seeds folder (as the index build sees them), by name."""
        self._require_folder()
        scan = scan_seeds(self.seeds_dir)  # the walk and hashes the index build uses
        stored = []
        for path in scan.paths:
            relative = scan.relative(path)
            digest = scan.hashes.get(relative)
            if digest is None:  # not a regular file, or unreadable
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            added = time.strftime("%Y-%m-%d", time.localtime(stat.st_mtime))
            stored.append(StoredFile(relative, digest, stat.st_size, added))
        return stored

    def find(self, name: str) -> StoredFile:
        """A stored file by its name (or its name without the suffix, when that is unique)."""
        files = self.files()
        for candidates in (
            [f for f in files if f.name == name],
            [f for f in files if f.name.lower() == name.lower()],
            [f for f in files if Path(f.name).name == name],
            [f for f in files if Path(f.name).stem == name],
        ):
            if len(candidates) == 1:
                return candidates[0]
        raise DocumentNotFound(name, [f.name for f in files])

    def add(self, source: Path, name: str | None = None, on_conflict: str = ASK, ocr_progress=None) -> AddOutcome:
        """Check `source` and store it as `safe_name(name)`.

        Same bytes already stored: "duplicate", nothing written. Same name, other bytes:
        DocumentNameTaken unless `on_conflict` is REPLACE (overwrite) or KEEP_BOTH (a suffix).
        """
        from retrieval.ingest.ocr import PdfOcr

        self._require_folder()
        source = Path(source)
        name = safe_name(name if name is not None else source.name)
        digest = sha256_file(source)
        files = self.files()
        same_bytes = next((f for f in files if f.sha256 == digest), None)
        if same_bytes is not None:
            return AddOutcome(same_bytes.name, "duplicate")
        checked = check_file(source, name, PdfOcr(self.ocr_cache_dir, ocr_progress), digest)
        taken = {f.name.lower() for f in files} | {
            path.name.lower() for path in self.seeds_dir.iterdir() if not path.is_file() or path.name.startswith(".")
        }
        status = "added"
        if name.lower() in taken:
            existing = next((f for f in files if f.name.lower() == name.lower()), None)
            if on_conflict == REPLACE and existing is not None:
                name, status = existing.name, "replaced"
            elif on_conflict in (KEEP_BOTH, REPLACE):  # the name is a folder or hidden entry: never replace that
                name = _free_name(name, taken)
            else:
                raise DocumentNameTaken(name)
        self._owe_build()
        self._store(source, name)
        return AddOutcome(name, status, checked.titles, checked.ocr)

    def _store(self, source: Path, name: str) -> None:
        staging = self.seeds_dir / STAGING
        staging.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=staging, prefix=".store-", delete=False) as handle:
            with open(source, "rb") as reader:
                shutil.copyfileobj(reader, handle, 1 << 20)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, self.seeds_dir / name)  # atomic: the old or the new file, never half
        _fsync_dir(self.seeds_dir)

    def remove(self, name: str) -> StoredFile:
        """Delete a stored document (by name); refuses to remove the last one."""
        target = self.find(name)
        if len(self.files()) == 1:
            raise LastDocument(target.name)
        self._owe_build()
        (self.seeds_dir / target.name).unlink()
        _fsync_dir(self.seeds_dir)
        return target

    def staging_dir(self) -> Path:
        """Where a front-end keeps an upload while it waits for a yes (hidden from the build)."""
        folder = self.seeds_dir / STAGING
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def clear_staging(self, older_than: float = 24 * 3600) -> None:
        folder = self.seeds_dir / STAGING
        if not folder.is_dir():
            return
        for path in folder.iterdir():
            try:
                if path.is_file() and time.time() - path.stat().st_mtime > older_than:
                    path.unlink()
            except OSError:
                pass


def _free_name(name: str, taken: set[str]) -> str:
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while f"{stem} ({number}){suffix}".lower() in taken:
        number += 1
    return f"{stem} ({number}){suffix}"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- the index side


def index_embedder_spec(index_dir: Path) -> str | None:
    """The embedder the current build used: an update keeps it (None when there is no build)."""
    try:
        manifest = store.read_manifest(store.current_build_dir(index_dir))
    except Exception:
        return None
    return (manifest.get("embedder") or {}).get("spec")


def update_index(seeds_dir: Path, index_dir: Path, embedder_spec: str | None = None, progress=None,
                 on_stage=None, wait_seconds: float = 600.0, embedder=None):
    """Bring the index up to date with the seeds (nothing to do when it already is).

    Re-embeds only changed passages (content-hash cache); keeps the index's embedder; waits
    for a build another process is running, since that one may have started before our file
    was stored.
    """
    from retrieval.index.builder import build_index

    check_same_corpus(Path(seeds_dir), Path(index_dir))
    spec = embedder_spec or index_embedder_spec(Path(index_dir))
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            report = build_index(seeds_dir, index_dir, embedder_spec=spec, progress=progress, if_stale=True,
                                 embedder=embedder, on_stage=on_stage)
            break
        except IndexLocked:
            if time.monotonic() >= deadline:
                raise
            time.sleep(1.0)
    marker = Path(index_dir) / "state" / PENDING_MARKER
    marker.unlink(missing_ok=True)
    return report


def check_same_corpus(seeds_dir: Path, index_dir: Path) -> None:
    """Refuse to rebuild an index from a folder that shares no file with the one it was built
    from (a wrong --seeds would otherwise silently replace every document)."""
    try:
        manifest = store.read_manifest(store.current_build_dir(index_dir))
    except Exception:
        return  # no index yet: nothing to protect
    indexed = set((manifest.get("seed_files") or {}).values())
    if not indexed:
        return
    present = {stored.sha256 for stored in Library(seeds_dir).files()}
    if not indexed & present:
        raise SeedsMismatch(seeds_dir, index_dir)


def owed_build(seeds_dir: Path, index_dir: Path) -> bool:
    """True when an add or remove into this seeds folder has not been built yet (a crash, a
    restart during the build)."""
    try:
        marker = json.loads((Path(index_dir) / "state" / PENDING_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("seeds") == str(Path(seeds_dir).resolve())


def indexed_passages(index_dir: Path) -> list[Passage]:
    """The passages of the index's current build (empty when there is none)."""
    try:
        build = store.current_build_dir(index_dir)
        with open(build / "passages.jsonl", encoding="utf-8") as handle:
            return [Passage.from_dict(json.loads(line)) for line in handle if line.strip()]
    except Exception:
        return []


def indexed_documents(index_dir: Path, files: list[str] | None = None) -> list[DocumentInfo]:
    """Documents of the current build (optionally only those from `files`)."""
    passages = indexed_passages(index_dir)
    if files is not None:
        wanted = set(files)
        passages = [passage for passage in passages if passage.file in wanted]
    return summarize_documents(passages)


