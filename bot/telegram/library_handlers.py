"""Admins manage the documents from the chat: send a file to add it (or replace one of the same
name, after a button), `/remove` to take one out. Everyone else gets a polite refusal.

Wiring: `install(application, seeds_dir, index_dir)` adds the handlers (before the answer
buttons' catch-all); `start`/`stop` run from the application's post_init/post_stop.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from retrieval.errors import DocumentNameTaken, DocumentRejected, InvestqaError, LastDocument, SeedsMismatch
from retrieval.ingest.library import (
    KEEP_BOTH,
    REPLACE,
    Library,
    check_same_corpus,
    indexed_documents,
    owed_build,
    safe_name,
)

from .handlers import on_button as answer_buttons
from .handlers import state_of, user_language
from .library_texts import say
from .uploads import MAX_DOWNLOAD_BYTES, JobQueue, StatusMessage, download, rebuild

log = logging.getLogger(__name__)

LIBRARY = "investqa_library"
BUTTON_PREFIX = "lib:"
MIME_SUFFIXES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/html": ".html",
}

@dataclass
class PendingUpload:
    staged: Path
    name: str
    chat_id: int
    message_id: int
    language: str


@dataclass
class LibraryState:
    library: Library
    seeds_dir: Path
    index_dir: Path
    jobs: JobQueue = field(default_factory=JobQueue)
    uploads: dict[str, PendingUpload] = field(default_factory=dict)  # token -> upload awaiting a yes
    removals: dict[str, str] = field(default_factory=dict)  # token -> file name


def library_of(context: ContextTypes.DEFAULT_TYPE) -> LibraryState:
    return context.bot_data[LIBRARY]


def _token() -> str:
    return secrets.token_hex(4)


def _is_admin(update: Update, context) -> bool:
    user = update.effective_user
    return state_of(context).policy.is_admin(user.id if user else None)


# --- uploads -----------------------------------------------------------------------------


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    language = user_language(update)
    if not _is_admin(update, context):
        await message.reply_html(say(language, "not_admin"))  # nothing downloaded, nothing stored
        return
    library = library_of(context)
    document = message.document
    name = safe_name(document.file_name or "document")
    if "." not in name:
        name += MIME_SUFFIXES.get(document.mime_type or "", "")
    if document.file_size and document.file_size > MAX_DOWNLOAD_BYTES:
        await message.reply_html(say(language, "too_large", mb=document.file_size // (1024 * 1024)))
        return
    from retrieval.ingest.readers import SUPPORTED_SUFFIXES

    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        await message.reply_html(say(language, "unsupported", name=name))
        return
    waiting = library.jobs.waiting()
    status = await StatusMessage.send(
        context.bot, message.chat_id,
        say(language, "queued", name=name, n=waiting) if waiting else say(language, "reading", name=name),
        reply_to=message.message_id,
    )
    staged = library.library.staging_dir() / f"{_token()}{Path(name).suffix.lower()}"
    try:
        await download(context.bot, document.file_id, staged)
    except Exception:
        staged.unlink(missing_ok=True)
        await status.finish(say(language, "unreadable", name=name, why="download failed"))
        raise
    await library.jobs.put(lambda: _store_and_build(context, status, staged, name, None, language))


async def _store_and_build(context, status: StatusMessage, staged: Path, name: str, on_conflict: str | None, language: str) -> None:
    library = library_of(context)
    started = time.monotonic()
    status.set(say(language, "reading", name=name))

    def ocr_progress(done: int, total: int) -> None:
        status.set(say(language, "ocr", name=name, i=done, n=total))

    keep_staged = False
    try:
        await asyncio.to_thread(check_same_corpus, library.seeds_dir, library.index_dir)
        outcome = await asyncio.to_thread(library.library.add, staged, name, on_conflict or "ask", ocr_progress)
    except DocumentNameTaken:
        keep_staged = True
        token = _token()
        library.uploads[token] = PendingUpload(staged, name, status.chat_id, status.message_id, language)
        keyboard = InlineKeyboardMarkup([[
            InlineKeyboardButton(say(language, "replace"), callback_data=f"{BUTTON_PREFIX}rep:{token}"),
            InlineKeyboardButton(say(language, "keep_both"), callback_data=f"{BUTTON_PREFIX}both:{token}"),
            InlineKeyboardButton(say(language, "cancel"), callback_data=f"{BUTTON_PREFIX}no:{token}"),
        ]])
        await status.finish(say(language, "confirm_replace", name=name), keyboard)
        return
    except DocumentRejected as error:
        await status.finish(rejection(language, error))
        return
    except SeedsMismatch as error:
        await status.finish(say(language, "failed", why=str(error)))
        return
    finally:
        if not keep_staged:
            staged.unlink(missing_ok=True)
    if outcome.status == "duplicate":
        await status.finish(say(language, "duplicate", name=name, existing=outcome.name))
        return
    await _build_added(context, status, language, outcome.name, outcome.ocr, started)


def rejection(language: str, error: DocumentRejected) -> str:
    key = {"unsupported": "unsupported", "encrypted": "encrypted", "empty": "empty",
           "too_large": "too_large_file"}.get(error.kind, "unreadable")
    return say(language, key, name=error.name, why=error.why)


async def _build(context, status: StatusMessage, language: str) -> float | None:
    """Update the index, the status showing the progress; the seconds taken, or None after
    the status says why it failed (the old build then keeps answering)."""
    library = library_of(context)
    holder = state_of(context).holder

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "embedding" and total:
            status.set(say(language, "embedding", done=done, total=total))
        elif stage == "reading":
            status.set(say(language, "indexing"))

    try:
        _, seconds = await rebuild(library.seeds_dir, library.index_dir, holder, progress)
    except InvestqaError as error:
        await status.finish(say(language, "failed", why=str(error)))
        return None
    except Exception as error:  # noqa: BLE001 - reported in the chat; the old build keeps serving
        log.exception("index update failed")
        await status.finish(say(language, "failed", why=type(error).__name__))
        return None
    return seconds


async def _build_added(context, status: StatusMessage, language: str, name: str, ocr: bool, started: float) -> None:
    """Update the index, then end the status with the summary of what `name` brought in (the
    seconds counted from the start of reading, OCR included)."""
    if await _build(context, status, language) is None:
        return
    seconds = time.monotonic() - started
    documents = await asyncio.to_thread(indexed_documents, library_of(context).index_dir, [name])
    titles = "；".join(document.title for document in documents) or "—"
    passages = sum(document.passages for document in documents)
    note = say(language, "ocr_note") if ocr or any(d.ocr for d in documents) else ""
    await status.finish(say(language, "live", name=name, ocr=note, titles=titles, passages=passages, seconds=seconds))


# --- removal -----------------------------------------------------------------------------


async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins only (enforced by the gatekeeper, checked again here): a button per document."""
    language = user_language(update)
    if not _is_admin(update, context):
        await update.effective_message.reply_html(say(language, "not_admin"))
        return
    library = library_of(context)
    files = await asyncio.to_thread(library.library.files)
    if not files:
        await update.effective_message.reply_html(say(language, "no_documents"))
        return
    titles = _titles_by_file(library.index_dir)
    rows = []
    for stored in files:
        token = _token()
        library.removals[token] = stored.name
        label = stored.name if stored.name not in titles else f"{stored.name} · {titles[stored.name][0]}"
        rows.append([InlineKeyboardButton(label[:60], callback_data=f"{BUTTON_PREFIX}rm:{token}")])
    await update.effective_message.reply_html(say(language, "remove_choose"), reply_markup=InlineKeyboardMarkup(rows))


def _titles_by_file(index_dir: Path) -> dict[str, list[str]]:
    titles: dict[str, list[str]] = {}
    for document in indexed_documents(index_dir):
        titles.setdefault(document.file, []).append(document.title)
    return titles


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if not (query.data or "").startswith(BUTTON_PREFIX):  # PTB matches empty data to any pattern
        await answer_buttons(update, context)
        return
    language = user_language(update)
    if not _is_admin(update, context):
        await query.answer(say(language, "not_admin"))
        return
    library = library_of(context)
    action, _, token = query.data[len(BUTTON_PREFIX):].partition(":")
    chat_id = query.message.chat.id if query.message else query.from_user.id

    if action in ("rep", "both", "no"):
        upload = library.uploads.pop(token, None)
        if upload is None:
            await query.answer(say(language, "stale"))
            return
        await query.answer()
        if action == "no":
            upload.staged.unlink(missing_ok=True)
            await StatusMessage(context.bot, upload.chat_id, upload.message_id, "").finish(
                say(upload.language, "cancelled", name=upload.name))
            return
        on_conflict = REPLACE if action == "rep" else KEEP_BOTH
        status = await StatusMessage.adopt(context.bot, upload.chat_id, upload.message_id,
                                           say(upload.language, "reading", name=upload.name))
        await library.jobs.put(lambda: _store_and_build(context, status, upload.staged, upload.name, on_conflict, upload.language))
        return

    name = library.removals.get(token)
    if name is None or action not in ("rm", "rmok", "rmno"):
        await query.answer(say(language, "stale"))
        return
    await query.answer()
    if action == "rm":
        titles = "\n".join(f"• {title}" for title in _titles_by_file(library.index_dir).get(name, []))
        keyboard = InlineKeyboardMarkup([[
            InlineKeyboardButton(say(language, "remove_yes"), callback_data=f"{BUTTON_PREFIX}rmok:{token}"),
            InlineKeyboardButton(say(language, "remove_no"), callback_data=f"{BUTTON_PREFIX}rmno:{token}"),
        ]])
        await context.bot.send_message(chat_id, say(language, "remove_confirm", name=name, titles=titles), parse_mode=ParseMode.HTML, reply_markup=keyboard)
        return
    library.removals.pop(token, None)
    if action == "rmno":
        await context.bot.send_message(chat_id, say(language, "remove_cancelled"), parse_mode=ParseMode.HTML)
        return
    status = await StatusMessage.send(context.bot, chat_id, say(language, "removing", name=name))
    await library.jobs.put(lambda: _remove_and_build(context, status, name, language))


async def _remove_and_build(context, status: StatusMessage, name: str, language: str) -> None:
    library = library_of(context)
    try:
        removed = await asyncio.to_thread(library.library.remove, name)
    except LastDocument:
        await status.finish(say(language, "last", name=name))
        return
    except InvestqaError as error:
        await status.finish(say(language, "failed", why=str(error)))
        return
    seconds = await _build(context, status, language)
    if seconds is not None:
        await status.finish(say(language, "removed", name=removed.name, seconds=seconds))


# --- wiring ------------------------------------------------------------------------------


def install(application: Application, seeds_dir: Path, index_dir: Path) -> None:
    """Add the document handlers; call before the catch-all answer-button handler."""
    application.bot_data[LIBRARY] = LibraryState(
        Library(seeds_dir, index_dir), Path(seeds_dir), Path(index_dir)
    )
    new_messages = filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(new_messages & filters.ChatType.PRIVATE & filters.Document.ALL, on_document))
    application.add_handler(CommandHandler("remove", on_remove, filters=new_messages))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{BUTTON_PREFIX}"))


async def start(application: Application) -> None:
    """Start the job queue; finish a build an upload left pending (crash, restart)."""
    library: LibraryState | None = application.bot_data.get(LIBRARY)
    if library is None:
        return
    library.jobs.start()
    await asyncio.to_thread(library.library.clear_staging)
    if library.seeds_dir.is_dir() and await asyncio.to_thread(owed_build, library.seeds_dir, library.index_dir):
        log.info("a document added or removed before the last stop is not indexed yet: updating the index")
        holder = application.bot_data["investqa"].holder

        async def finish_pending() -> None:
            try:
                await rebuild(library.seeds_dir, library.index_dir, holder, lambda *_: None)
            except InvestqaError as error:
                log.warning("could not finish the pending index update: %s", error)

        await library.jobs.put(finish_pending)


async def stop(application: Application) -> None:
    library: LibraryState | None = application.bot_data.get(LIBRARY)
    if library is not None:
        await library.jobs.stop()
