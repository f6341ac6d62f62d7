"""The index folder on disk: builds, the CURRENT pointer, manifest, checksums, lock.

Layout of an index folder (default `vectors/`):
    CURRENT                  name of the active build (replaced atomically)
    builds/<build_id>/       manifest.json + plain artifact files (.npy, .json, .jsonl, faiss)
    cache/                   embedding cache (content hash -> vector), survives rebuilds
    state/                   long-lived state: feedback DB, jieba cache, chat history
    .lock                    held by a running `investqa index`

A build is written under builds/.tmp-*, fsynced, renamed, and only then does CURRENT
move to it: a build killed at any moment leaves the previous one loadable.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from retrieval.errors import IndexCorrupt, IndexLocked, IndexMismatch, IndexNotFound, IndexUnreadable
from retrieval.ingest.files import sha256_file
from retrieval.question.off_domain import anchors_fingerprint

FORMAT_VERSION = 2  # 2: domain_anchors/ (question/off_domain.py)
MANIFEST = "manifest.json"
POINTER = "CURRENT"
BUILDS = "builds"


def state_dir(index_dir: Path | str) -> Path:
    path = Path(index_dir) / "state"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except PermissionError as error:
        raise IndexUnreadable(index_dir, f"cannot create its state folder: {error.strerror}") from error
    return path


def scratch_dir(index_dir: Path | str) -> Path:
    """Where readers keep rebuildable caches (jieba dictionary, word tags): the state folder,
    or a per-user temp folder when the index is read-only (answering must still work)."""
    try:
        return state_dir(index_dir)
    except IndexUnreadable:
        import tempfile

        return Path(tempfile.gettempdir()) / f"investqa-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


def cache_dir(index_dir: Path | str) -> Path:
    return Path(index_dir) / "cache"


def current_build_id(index_dir: Path | str) -> str | None:
    try:
        name = (Path(index_dir) / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return name or None


def current_build_dir(index_dir: Path | str) -> Path:
    index_dir = Path(index_dir)
    try:
        build_id = current_build_id(index_dir)
    except PermissionError as error:
        raise IndexUnreadable(index_dir, str(error)) from error
    if build_id is None:
        raise IndexNotFound(index_dir)
    if "/" in build_id or build_id.startswith("."):
        raise IndexCorrupt(index_dir, f"{POINTER} names an invalid build {build_id!r}")
    build_dir = index_dir / BUILDS / build_id
    try:
        present = (build_dir / MANIFEST).is_file()
    except PermissionError as error:
        raise IndexUnreadable(index_dir, str(error)) from error
    if not present:
        raise IndexCorrupt(index_dir, f"build {build_id} named in {POINTER} is missing")
    return build_dir


def read_manifest(build_dir: Path) -> dict:
    try:
        manifest = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except PermissionError as error:
        raise IndexUnreadable(build_dir.parent.parent, str(error)) from error
    except (OSError, ValueError) as error:
        raise IndexCorrupt(build_dir.parent.parent, f"manifest unreadable: {error}") from error
    if not isinstance(manifest, dict):
        raise IndexCorrupt(build_dir.parent.parent, "manifest is not an object")
    return manifest


def check_manifest(index_dir: Path, manifest: dict, embedder_spec: str | None) -> None:
    """Refuse an index built in another format or with another embedder than asked for."""
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexMismatch(index_dir, f"format version {version} on disk, this investqa reads {FORMAT_VERSION}")
    built_with = (manifest.get("embedder") or {}).get("spec")
    if embedder_spec is not None and built_with != embedder_spec:
        raise IndexMismatch(index_dir, f"built with embedder {built_with!r}, asked for {embedder_spec!r}")
    if manifest.get("domain_anchors") != anchors_fingerprint():
        raise IndexMismatch(index_dir, "built with other lists of everyday messages and policy questions (retrieval/data) than these")


def open_build(index_dir: Path, embedder_spec: str | None = None) -> tuple[Path, dict]:
    """The current build's folder and manifest, checked: right format, right embedder (when
    one is asked for), every artifact intact."""
    build_dir = current_build_dir(index_dir)
    manifest = read_manifest(build_dir)
    check_manifest(index_dir, manifest, embedder_spec)
    verify_artifacts(build_dir, manifest)
    return build_dir, manifest


def verify_artifacts(build_dir: Path, manifest: dict) -> None:
    """Every artifact must have the size and sha256 the manifest recorded, and every file
    of the build must be one of them (so a damaged manifest cannot wave damaged files through)."""
    index_dir = build_dir.parent.parent
    artifacts = manifest.get("artifacts")
    if not isinstance(artifacts, dict) or not artifacts:
        raise IndexCorrupt(index_dir, "the manifest lists no files")
    try:
        for name, expected in artifacts.items():
            path = build_dir / name
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                raise IndexCorrupt(index_dir, f"{name} is missing") from None
            if not isinstance(expected, dict) or size != expected.get("bytes") or sha256_file(path) != expected.get("sha256"):
                raise IndexCorrupt(index_dir, f"{name} does not match its checksum")
        for path in build_dir.rglob("*"):
            name = path.relative_to(build_dir).as_posix()
            if path.is_file() and name != MANIFEST and name not in artifacts:
                raise IndexCorrupt(index_dir, f"{name} is not in the manifest")
    except PermissionError as error:
        raise IndexUnreadable(index_dir, str(error)) from error


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        json.dump(data, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)


@contextlib.contextmanager
def build_lock(index_dir: Path):
    """Exclusive lock for rebuilding; a second concurrent rebuild is refused, not queued."""
    index_dir.mkdir(parents=True, exist_ok=True)
    handle = open(index_dir / ".lock", "a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexLocked(index_dir) from None
        yield
    finally:
        handle.close()


def _remove_temporary_files(index_dir: Path) -> None:
    """Half-written files a killed build left beside the pointer and in the caches (all of
    them written as a temporary file, then renamed). Called under the build lock."""
    leftovers = [index_dir / f".{POINTER}.tmp"]
    for path in cache_dir(index_dir).rglob("*"):
        if path.is_file() and (path.name.startswith(".") or path.name.endswith(".tmp")):
            leftovers.append(path)
    for path in leftovers:
        with contextlib.suppress(OSError):
            path.unlink()


class BuildWriter:
    """Collects a build's files in a temporary folder, then publishes it atomically."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.build_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        builds = index_dir / BUILDS
        builds.mkdir(parents=True, exist_ok=True)
        for leftover in builds.glob(".tmp-*"):  # from builds that were killed
            shutil.rmtree(leftover, ignore_errors=True)
        _remove_temporary_files(index_dir)
        self.folder = builds / f".tmp-{self.build_id}"
        self.folder.mkdir()

    def path(self, name: str) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def publish(self, manifest: dict) -> Path:
        artifacts = {}
        for path in sorted(self.folder.rglob("*")):
            if path.is_file():
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
                artifacts[path.relative_to(self.folder).as_posix()] = {
                    "bytes": path.stat().st_size,
                    "sha256": sha256_file(path),
                }
        manifest = dict(manifest, build_id=self.build_id, format_version=FORMAT_VERSION, artifacts=artifacts)
        write_json_atomic(self.folder / MANIFEST, manifest)
        previous = current_build_id(self.index_dir)
        final = self.index_dir / BUILDS / self.build_id
        os.rename(self.folder, final)
        _fsync_dir(final.parent)
        pointer_tmp = self.index_dir / f".{POINTER}.tmp"
        pointer_tmp.write_text(self.build_id + "\n", encoding="utf-8")
        with open(pointer_tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(pointer_tmp, self.index_dir / POINTER)
        _fsync_dir(self.index_dir)
        self._drop_old_builds(keep={self.build_id, previous})
        return final

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _drop_old_builds(self, keep: set) -> None:
        # Keep the build that was current until now: a process that loaded it moments ago may
        # still be reading its files. Any other (older, or published by a build killed before
        # it moved CURRENT) goes.
        for path in (self.index_dir / BUILDS).iterdir():
            if path.is_dir() and not path.name.startswith(".") and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
