"""Hot reload, one helper for the terminal chat and the Telegram bot: notice that
`investqa index` published a new build and load it, reusing the embedding model already
in memory (loading it again would cost seconds)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable


def load_build(index_dir: Path | str, embedder_spec: str | None = None, previous: Any = None):
    """The index's current build as an Engine; `previous`'s model when the build was made
    with the same embedder, its own otherwise."""
    from retrieval import Engine
    from retrieval.errors import IndexMismatch

    if previous is not None and embedder_spec is None:
        try:
            return Engine.load(index_dir, embedder=previous.embedder)
        except IndexMismatch:  # the rebuild changed the embedder: load its own
            pass
    return Engine.load(index_dir, embedder_spec=embedder_spec)


def build_changed(engine: Any, index_dir: Path | str, read_build_id: Callable[[Path], str | None] | None = None) -> str | None:
    """The id of the index's current build when it is not `engine`'s, else None."""
    if read_build_id is None:
        from retrieval import current_build_id as read_build_id
    on_disk = read_build_id(Path(index_dir))
    return None if on_disk is None or on_disk == engine.build_id else on_disk
