"""Thin async handlers: read the update, call the engine off the event loop, send HTML.

Shared state lives in one `BotState` in `application.bot_data`; `app.py` wires it all.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from retrieval.errors import EmptyQuestion, QuestionTooLong, UnknownPassage

from . import formatting
from .access import AccessPolicy, QuestionRateLimiter, Verdict
from ..presentation import CLOSEST, NOT_FOUND, looks_off_topic
from .answers import Action, AnswerCache, CachedAnswer, clean_question, has_words, parse_button, reply_language
from .conversations import ConversationStore, conversation_key_of
from .feedback import FeedbackStore
from .keyboards import closest_keyboard, results_keyboard
from .network import GaveUp
from .reload import EngineHolder

log = logging.getLogger(__name__)

STATE = "investqa"
TYPING_REFRESH_SECONDS = 4.0  # Telegram shows "typing…" for about 5 s per chat action
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass
class BotState:
    holder: EngineHolder
    feedback: FeedbackStore
    policy: AccessPolicy
    limiter: QuestionRateLimiter
    page_size: int = 3
    results_to_fetch: int = 9
    cache: AnswerCache = field(default_factory=AnswerCache)
    conversations: ConversationStore = field(default_factory=ConversationStore)
    watcher: asyncio.Task | None = None


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    return context.bot_data[STATE]


def user_language(update: Update, question: str = "") -> str:
    user = update.effective_user
    return reply_language(question, user.language_code if user else None)


# --- access: the one place where allowlists and admin-only commands are enforced ---------


def command_of(message: Message | None, bot_username: str | None) -> str | None:
    """The bot command a message starts with (`/reload@ThisBot` -> "reload"), if any."""
    if not message or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    command, _, target = message.text[1 : first.length].partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None  # a command for another bot in the same group
    return command.lower()


def addressed_to_bot(message: Message, bot_username: str | None, bot_id: int) -> bool:
    """Private chats, our commands, @mentions of the bot and replies to the bot."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    if command_of(message, bot_username):
        return True
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == bot_id:
        return True
    mention = f"@{bot_username}".lower() if bot_username else None
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
        if mention and value.lower() == mention:
            return True
    return False


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every other handler; stops the update when the sender may not have it."""
    if not isinstance(update, Update):
        return
    state = state_of(context)
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    command = command_of(message, context.bot.username) if update.message else None
    verdict = state.policy.check(user.id if user else None, chat.id if chat else None, command)
    if verdict is Verdict.ALLOWED:
        return
    notice = formatting.text(user_language(update), "refused" if verdict is Verdict.REFUSED else "admin_only")
    if update.callback_query:
        await update.callback_query.answer(notice)
    elif update.inline_query:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.message and addressed_to_bot(update.message, context.bot.username, context.bot.id):
        await update.message.reply_text(notice)
    raise ApplicationHandlerStop


# --- sending -----------------------------------------------------------------------------


async def send_html(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    html: str,
    keyboard: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> None:
    """Send `html` as one or more messages ≤ 4096 characters; the keyboard goes on the last."""
    chunks = formatting.split_message(html)
    for number, chunk in enumerate(chunks):
        last = number == len(chunks) - 1
        await context.bot.send_message(
            chat_id,
            chunk,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard if last else None,
            reply_parameters=(
                ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and number == 0 else None
            ),
            link_preview_options=NO_PREVIEW,
        )


@contextlib.asynccontextmanager
async def typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int):
    """Show "typing…" in the chat until the block ends."""

    async def keep_typing() -> None:
        while True:
            with contextlib.suppress(TelegramError):
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_REFRESH_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def send_results_page(
    context, chat_id: int, key: str, cached: CachedAnswer, offset: int, page_size: int, header: str = "", reply_to=None
) -> None:
    page = cached.page(offset, page_size)
    html = formatting.format_results(page, offset + 1, header, cached.language, cached.marked)
    await send_html(context, chat_id, html, results_keyboard(key, cached, offset, page_size), reply_to)


# --- questions ---------------------------------------------------------------------------


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, raw_question: str) -> None:
    state = state_of(context)
    message, user = update.effective_message, update.effective_user
    chat_id = message.chat_id
    reply_to = message.message_id if message.chat.type != ChatType.PRIVATE else None
    question = clean_question(raw_question)
    language = user_language(update, question)

    async def reply(html: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        await send_html(context, chat_id, html, keyboard, reply_to)

    if not question:
        await reply(formatting.text(language, "empty", example=formatting.EXAMPLE_QUESTIONS[language][0]))
        return
    if not has_words(question):
        await reply(formatting.text(language, "no_words"))
        return
    wait = state.limiter.acquire(user.id if user else chat_id)
    if wait:
        await reply(formatting.text(language, "rate_limited", seconds=wait))
        return

    engine = state.holder.engine  # this question keeps this engine even if a reload swaps it
    conversation = state.conversations.get(conversation_key_of(update), engine)
    try:
        async with typing(context, chat_id):
            turn = await asyncio.to_thread(conversation.ask, question, state.results_to_fetch)
    except QuestionTooLong:
        await reply(formatting.text(language, "too_long"))
        return
    except EmptyQuestion:
        await reply(formatting.text(language, "no_words"))
        return

    answer, rewritten = turn.answer, turn.rewritten
    language = reply_language(question, user.language_code if user else None, answer.language)
    cached = CachedAnswer(question, answer, language, engine.build_id, turn.understood_as if rewritten else None)
    key = state.cache.put(cached)
    understood = formatting.text(language, "understood_as", question=turn.understood_as) if rewritten else ""
    if cached.tier == NOT_FOUND:
        off_topic = looks_off_topic(answer)
        notice = "\n\n".join(filter(None, (understood, formatting.format_abstention(language, off_topic))))
        # passages near "thanks, bye" are noise: no "closest passages" button then
        offer = (answer.results and not off_topic) or rewritten
        await reply(notice, closest_keyboard(key, language, rewritten) if offer else None)
        return
    # the answer (or the closest passage, under its caveat) alone; the rest behind "more results"
    caveat = formatting.text(language, "closest_caveat") if cached.tier == CLOSEST else ""
    header = "\n\n".join(filter(None, (understood, caveat)))
    await send_results_page(context, chat_id, key, cached, 0, state.page_size, header, reply_to=reply_to)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_question(update, context, update.effective_message.text)


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if not addressed_to_bot(message, context.bot.username, context.bot.id):
        return  # group chatter that is not for us: stay silent
    question = message.text
    if context.bot.username:
        question = _strip_mention(question, context.bot.username)
    await answer_question(update, context, question)


def _strip_mention(text: str, username: str) -> str:
    mention = f"@{username}"
    index = text.lower().find(mention.lower())
    return text if index < 0 else text[:index] + text[index + len(mention) :]


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_question(update, context, " ".join(context.args or []))


# --- commands ----------------------------------------------------------------------------


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    engine = state_of(context).holder.engine
    language = user_language(update)
    documents = await asyncio.to_thread(engine.documents)
    await send_html(context, update.effective_chat.id, formatting.format_help(documents, language))


async def on_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    engine = state_of(context).holder.engine
    documents = await asyncio.to_thread(engine.documents)
    await send_html(context, update.effective_chat.id, formatting.format_sources(documents, user_language(update)))


async def on_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/new: forget the conversation, so the next question is read on its own."""
    state_of(context).conversations.reset(conversation_key_of(update))
    await send_html(context, update.effective_chat.id, formatting.text(user_language(update), "new_conversation"))


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins only (enforced by `gatekeeper`): check for a new index build now."""
    outcome = await state_of(context).holder.refresh()
    key = "reload_failed" if outcome.failed else ("reloaded" if outcome.changed else "reload_unchanged")
    await send_html(context, update.effective_chat.id, formatting.text(user_language(update), key, build_id=outcome.build_id))


# --- buttons -----------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every press gets an answerCallbackQuery, including stale or foreign buttons."""
    query = update.callback_query
    state = state_of(context)
    button = parse_button(query.data)
    cached = state.cache.get(button.key) if button else None
    if cached is None:
        await query.answer(formatting.text(user_language(update), "stale"))
        return
    language = cached.language
    chat_id = query.message.chat.id if query.message else None

    if button.action in (Action.VOTE_UP, Action.VOTE_DOWN):
        shown = cached.page(button.number, state.page_size)
        await asyncio.to_thread(
            state.feedback.record,
            user_id=query.from_user.id,
            question=cached.question,
            passage_ids=[result.passage.passage_id for result in shown],
            vote=1 if button.action is Action.VOTE_UP else -1,
            build_id=cached.build_id,
        )
        await query.answer(formatting.text(language, "thanks"))
        return

    if chat_id is None:  # the button sat on an inline message: we cannot post next to it
        await query.answer(formatting.text(language, "stale"))
        return

    if button.action is Action.ASK_NEW:  # the follow-up was misread: ask the message on its own
        await query.answer()
        state.conversations.reset(conversation_key_of(update))
        await answer_question(update, context, cached.question)
        return

    if button.action in (Action.MORE, Action.CLOSEST):
        if not cached.page(button.number, state.page_size):
            await query.answer(formatting.text(language, "no_more"))
            return
        await query.answer()
        header = formatting.text(language, "closest_header") if button.action is Action.CLOSEST else ""
        await send_results_page(context, chat_id, button.key, cached, button.number, state.page_size, header)
        return

    # Action.CONTEXT
    if button.number >= len(cached.answer.results):
        await query.answer(formatting.text(language, "stale"))
        return
    focus = cached.answer.results[button.number]
    engine = state.holder.engine
    try:
        passages = await asyncio.to_thread(engine.neighbours, focus.passage.passage_id, 1)
    except UnknownPassage:
        passages = []
    if not any(p.passage_id == focus.passage.passage_id and p.text == focus.passage.text for p in passages):
        await query.answer(formatting.text(language, "passage_gone"))
        return
    await query.answer()
    await send_html(context, chat_id, formatting.format_context(passages, focus, language, cached.marked))


# --- errors ------------------------------------------------------------------------------


async def on_error(update: Any, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one error handler: log (the token is redacted by the logging filter), tell the
    user something went wrong, keep running."""
    error = context.error
    if isinstance(error, BadRequest) and "not modified" in str(error).lower():
        log.debug("ignored: message is not modified")
        return
    if isinstance(error, Forbidden):
        log.info("cannot write to a chat (the user blocked the bot or left): %s", error)
        return
    if isinstance(error, GaveUp):
        return  # network.py retried it for minutes and logged the drop
    if isinstance(error, (RetryAfter, NetworkError)):  # the network, not a bug: one line, no traceback
        if not isinstance(update, Update):
            log.warning("Telegram connection problem, retrying: %s", error)
            return
        log.warning("error while handling an update (Telegram connection problem): %s", error)
    else:
        log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    notice = formatting.text(user_language(update), "error")
    with contextlib.suppress(TelegramError):
        if update.callback_query:
            await update.callback_query.answer(notice)
        elif update.inline_query:
            await update.inline_query.answer([], cache_time=0)
        elif update.effective_chat:
            await context.bot.send_message(update.effective_chat.id, notice)
