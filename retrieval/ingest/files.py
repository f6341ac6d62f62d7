"""The seeds folder, walked and hashed once per build: which files there are, their
sha256, and the corpus hash that tells a build whether it is stale."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path


def sha256_file(path: Path) -> str:
    """In blocks: a huge file must not fill memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class SeedFiles:
    root: Path
    paths: tuple[Path, ...]             # visible entries (no part starting with "."), by relative path
    unlisted: tuple[Path, ...] = ()      # folders that could not be listed
    hashes: dict[str, str] = field(default_factory=dict)        # relative path -> sha256 of a regular file
    unreadable: dict[str, str] = field(default_factory=dict)    # relative path -> why it could not be hashed

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def corpus_hash(self) -> str:
        """Every regular file's path and bytes: any add, edit or delete changes it (an
        unreadable file counts as such, so fixing it changes the hash too)."""
        digest = hashlib.sha256()
        names = sorted(set(self.hashes) | set(self.unreadable), key=lambda name: Path(name).parts)
        for name in names:
            digest.update(name.encode("utf-8") + b"\0")
            sha = self.hashes.get(name)
            digest.update(sha.encode("ascii") + b"\n" if sha else b"unreadable\n")
        return digest.hexdigest()


def scan_seeds(root: Path) -> SeedFiles:
    """Walk `root` once (hidden entries skipped, links to folders not followed) and hash
    every regular file."""
    root = Path(root)
    found: list[Path] = []
    unlisted: list[Path] = []

    def note_unlisted(error: OSError) -> None:
        if error.filename and Path(error.filename) != root:
            unlisted.append(Path(error.filename))

    for folder, subfolders, names in os.walk(root, onerror=note_unlisted):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        found.extend(Path(folder) / name for name in sorted(names) if not name.startswith("."))
    found.sort(key=lambda path: path.relative_to(root).as_posix())
    hashes: dict[str, str] = {}
    unreadable: dict[str, str] = {}
    for path in found:
        relative = path.relative_to(root).as_posix()
        if not path.is_file():  # a FIFO or device would block a read; a broken link has no bytes
            continue
        try:
            hashes[relative] = sha256_file(path)
        except OSError as error:
            unreadable[relative] = error.strerror or str(error)
    return SeedFiles(root, tuple(found), tuple(unlisted), hashes, unreadable)
