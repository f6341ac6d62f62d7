"""Documents sent to the bot: download, one status message edited in place, and a queue that
runs one library job (store + index build) at a time.

The build runs in a worker thread through `retrieval.ingest.library.update_index` (incremental,
published atomically); questions keep using `holder.engine`, the old build, until the build
is published and `holder.refresh()` swaps the new one in.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

log = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit
STATUS_EDIT_INTERVAL = 1.0  # seconds between edits of a status message (Telegram rate-limits edits)

Job = Callable[[], Awaitable[None]]


def file_base_url(api_base_url: str | None) -> str | None:
    """The file endpoint of a Bot API server, laid out as a self-hosted server lays it out:
    `http://host:8081/bot` -> `http://host:8081/file/bot` (None: python-telegram-bot's default)."""
    if not api_base_url:
        return None
    base = api_base_url.rstrip("/")
    head, found, tail = base.rpartition("/bot")
    if not found:
        return base + "/file/bot"
    return f"{head}/file/bot{tail}"


class StatusMessage:
    """One message edited in place as a job goes on. `set` may be called from any thread;
    edits happen on the event loop, at most one per STATUS_EDIT_INTERVAL, latest text wins."""

    def __init__(self, bot, chat_id: int, message_id: int, text: str, interval: float = STATUS_EDIT_INTERVAL):
        self.bot = bot
        self.chat_id = chat_id
        self.message_id = message_id
        self._shown = text
        self._wanted = text
        self._lock = threading.Lock()
        self._interval = interval
        self._ticker: asyncio.Task | None = None

    @classmethod
    async def send(cls, bot, chat_id: int, text: str, reply_to: int | None = None) -> "StatusMessage":
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        message = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_parameters=reply)
        status = cls(bot, chat_id, message.message_id, text)
        status._ticker = asyncio.create_task(status._tick())
        return status

    @classmethod
    async def adopt(cls, bot, chat_id: int, message_id: int, text: str) -> "StatusMessage":
        """Take over a message sent earlier (its buttons go): show `text`, then keep editing it."""
        status = cls(bot, chat_id, message_id, "")
        await status._edit(text)
        status._ticker = asyncio.create_task(status._tick())
        return status

    def set(self, text: str) -> None:
        with self._lock:
            self._wanted = text

    async def _edit(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        try:
            await self.bot.edit_message_text(text, chat_id=self.chat_id, message_id=self.message_id,
                                             parse_mode=ParseMode.HTML, reply_markup=keyboard)
            self._shown = text
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                log.warning("could not edit a status message: %s", error)
        except TelegramError as error:
            log.warning("could not edit a status message: %s", error)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            with self._lock:
                wanted = self._wanted
            if wanted != self._shown:
                await self._edit(wanted)

    async def finish(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        """The last edit: stops the ticker, then shows `text` (and `keyboard`)."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        self.set(text)
        await self._edit(text, keyboard)


class JobQueue:
    """Library jobs in arrival order, one at a time (so one index build at a time)."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._worker: asyncio.Task | None = None

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    def waiting(self) -> int:
        return self._queue.qsize()

    async def put(self, job: Job) -> None:
        self.start()
        await self._queue.put(job)

    async def _run(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a document job failed")
            finally:
                self._queue.task_done()

    async def join(self) -> None:
        await self._queue.join()


async def download(bot, file_id: str, target: Path) -> Path:
    """Download a Telegram file (≤ 20 MB) to `target` through the Bot API's file endpoint."""
    telegram_file = await bot.get_file(file_id)
    await telegram_file.download_to_drive(custom_path=target)
    return target


async def rebuild(seeds_dir: Path, index_dir: Path, holder, on_progress: Callable[[str, int, int], None]):
    """Update the index in a worker thread, then switch the bot to the new build.

    Returns (BuildReport, seconds). The embedding model the bot already loaded is reused.
    """
    from retrieval.ingest.library import update_index

    started = time.monotonic()
    embedder = getattr(holder.engine, "embedder", None)

    def embedding(done: int, total: int) -> None:
        on_progress("embedding", done, total)

    report = await asyncio.to_thread(
        update_index, seeds_dir, index_dir, None, embedding, on_progress, 600.0, embedder
    )
    await holder.refresh()
    return report, time.monotonic() - started
