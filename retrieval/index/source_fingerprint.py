"""What a built artifact depends on besides its input data: the source of every retrieval
module the code that builds it can run, and the data files those modules name by path.
Build caches are keyed by it, so editing any of them rebuilds the artifact."""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from types import ModuleType


def fingerprint_sources(root: ModuleType) -> list[Path]:
    """`root`'s file and every retrieval module reachable from it (following what each
    module's globals refer to, so a new import is covered without a list to keep), plus the
    files those modules hold as paths (the glossary, the suffix table)."""
    seen: dict[str, ModuleType] = {}
    pending = [root]
    data_files: set[Path] = set()
    while pending:
        module = pending.pop()
        if module.__name__ in seen:
            continue
        seen[module.__name__] = module
        for value in vars(module).values():
            if isinstance(value, Path) and value.is_file():
                data_files.add(value)
            name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
            if isinstance(name, str) and name.split(".")[0] == "retrieval" and name not in seen and name in sys.modules:
                pending.append(sys.modules[name])
    return sorted({Path(module.__file__) for module in seen.values() if getattr(module, "__file__", None)} | data_files)


def source_fingerprint(root: ModuleType) -> bytes:
    """A digest of `fingerprint_sources(root)`: names and bytes."""
    digest = hashlib.sha256()
    for path in fingerprint_sources(root):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.digest()
