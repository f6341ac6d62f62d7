"""Hot reload: hold the current Engine and swap in a new one when the index is rebuilt.

Handlers read `holder.engine` once per question and keep that object for the whole
answer, so a swap never changes the engine under a question in flight. The new Engine
is loaded in a worker thread; only the final assignment happens on the event loop, where
it is atomic with respect to every handler.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..reload import build_changed, load_build

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadOutcome:
    changed: bool
    build_id: str
    failed: bool = False


class EngineHolder:
    def __init__(
        self,
        index_dir: Path,
        engine: Any,
        loader: Callable[[Path], Any],
        read_build_id: Callable[[Path], str | None],
    ):
        self.index_dir = Path(index_dir)
        self.engine = engine
        self._loader = loader
        self._read_build_id = read_build_id
        self._lock = asyncio.Lock()

    @classmethod
    def load(cls, index_dir: Path) -> "EngineHolder":
        """Load the index's current build; later builds reuse the loaded embedding model."""
        from retrieval import current_build_id

        holder: EngineHolder | None = None

        def loader(path: Path):
            engine = load_build(path, previous=holder.engine if holder is not None else None)
            engine.embedder  # load the model now, in this worker thread, not on the first question
            return engine

        holder = cls(index_dir, loader(index_dir), loader, current_build_id)
        return holder

    async def refresh(self) -> ReloadOutcome:
        """Load the index's current build if it differs from the one in use."""
        async with self._lock:  # one load at a time; later callers see the new engine
            current = self.engine.build_id
            try:
                on_disk = await asyncio.to_thread(build_changed, self.engine, self.index_dir, self._read_build_id)
            except OSError:
                log.warning("could not read the index's current build id", exc_info=True)
                return ReloadOutcome(False, current, failed=True)
            if on_disk is None:
                return ReloadOutcome(False, current)
            try:
                new_engine = await asyncio.to_thread(self._loader, self.index_dir)
            except Exception:
                # a half-written or damaged build must never take the bot down: keep serving
                log.warning("could not load index build %s; keeping %s", on_disk, current, exc_info=True)
                return ReloadOutcome(False, current, failed=True)
            self.engine = new_engine
            log.info("switched to index build %s (was %s)", new_engine.build_id, current)
            return ReloadOutcome(True, new_engine.build_id)

    async def watch(self, interval: float) -> None:
        """Poll for a new build every `interval` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("index reload check failed")
