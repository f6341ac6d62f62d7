"""All the wiring of the Telegram bot in one place: settings, logging, handlers, start-up.

Long polling by default (the bot needs no public address); webhook mode with
`--webhook-url` (webhook.py). Both HTTP clients go through `network.ResilientRequest`
(proxy, retries with backoff). `concurrent_updates` lets a slow question run while others
are answered; searching itself runs in worker threads.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from telegram import BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from . import handlers, inline, library_handlers, runner
from . import webhook as webhook_mode
from .access import AccessPolicy, ConfigError, QuestionRateLimiter
from .feedback import FeedbackStore, feedback_path
from .network import Link, Proxy, ResilientRequest, RetryPolicy, proxy_from
from .reload import EngineHolder
from .uploads import file_base_url
from .webhook import WebhookSettings, webhook_from

log = logging.getLogger(__name__)

COMMANDS = {
    "zh": [
        ("ask", "提问（群聊中使用）"),
        ("help", "我能回答什么、怎么问"),
        ("sources", "已收录的文件"),
        ("new", "开始新的对话（不再结合上一个问题理解追问）"),
    ],
    "en": [
        ("ask", "Ask a question (in groups)"),
        ("help", "What I know and how to ask"),
        ("sources", "The indexed documents"),
        ("new", "Start a new conversation (follow-ups no longer use the last question)"),
    ],
}


@dataclass(frozen=True)
class BotSettings:
    token: str
    index_dir: Path
    policy: AccessPolicy
    base_url: str | None = None
    questions_per_minute: int = 10
    page_size: int = 3
    reload_interval: float = 5.0
    proxy: Proxy | None = None
    retry: RetryPolicy = RetryPolicy()
    webhook: WebhookSettings | None = None
    seeds_dir: Path = Path("seeds")  # where admins' uploads go

    @property
    def secrets(self) -> list[str]:
        """What logs must never show: the token, the proxy password, the webhook secret."""
        proxy_password = self.proxy.password if self.proxy else None
        return [s for s in (self.token, proxy_password, self.webhook.secret if self.webhook else None) if s]

    def __repr__(self) -> str:  # never show the token, even in a debugger or a traceback
        return f"BotSettings(index_dir={self.index_dir!s}, base_url={self.base_url!r}, ...)"


def _number(environ: Mapping[str, str], name: str, given, default, kind=int):
    raw = given if given is not None else environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value


def settings_from(args, environ: Mapping[str, str]) -> BotSettings:
    token = (environ.get("TELEGRAM_BOT_TOKEN") or "").strip()
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it")
    index = getattr(args, "index", None) or environ.get("INVESTQA_INDEX") or "vectors"
    base_url = (environ.get("TELEGRAM_API_BASE_URL") or "").strip() or None
    return BotSettings(
        token=token,
        index_dir=Path(index),
        policy=AccessPolicy.from_env(environ),
        base_url=base_url,
        questions_per_minute=_number(
            environ, "INVESTQA_QUESTIONS_PER_MINUTE", getattr(args, "questions_per_minute", None), 10
        ),
        page_size=_number(environ, "INVESTQA_RESULTS", getattr(args, "results", None), 3),
        reload_interval=_number(
            environ, "INVESTQA_RELOAD_INTERVAL", getattr(args, "reload_interval", None), 5.0, float
        ),
        proxy=proxy_from(environ, base_url),
        retry=RetryPolicy.from_env(environ),
        webhook=webhook_from(args, environ),
        seeds_dir=Path(getattr(args, "seeds", None) or environ.get("INVESTQA_SEEDS") or "seeds"),
    )


class RedactSecrets(logging.Filter):
    """Replaces secrets in every record (message, arguments, traceback) before it is written."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def redact(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, "<redacted>")
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class QuietTelegramErrors(logging.Filter):
    """python-telegram-bot logs some Telegram errors (a failed bootstrap, a last getUpdates on
    stop) with a traceback; they are conditions of the network or of the API, not bugs: one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if record.name.startswith("telegram") and isinstance(error, TelegramError):
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def setup_logging(secrets: str | list[str], verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL at INFO, and Bot API URLs contain the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("faiss").setLevel(logging.WARNING)  # CPU-feature probing at import
    quiet = QuietTelegramErrors()
    redactor = RedactSecrets([secrets] if isinstance(secrets, str) else list(secrets))
    for handler in logging.getLogger().handlers:
        handler.addFilter(quiet)
        handler.addFilter(redactor)


async def _post_init(application: Application) -> None:
    for language, commands in COMMANDS.items():
        await application.bot.set_my_commands(
            [BotCommand(name, description) for name, description in commands],
            language_code=None if language == "zh" else language,
        )
    state: handlers.BotState = application.bot_data[handlers.STATE]
    state.watcher = asyncio.create_task(state.holder.watch(application.bot_data["reload_interval"]))
    await library_handlers.start(application)
    log.info("bot @%s is running on index build %s", application.bot.username, state.holder.engine.build_id)


async def _post_stop(application: Application) -> None:
    await library_handlers.stop(application)
    state: handlers.BotState = application.bot_data[handlers.STATE]
    if state.watcher:
        state.watcher.cancel()
        try:
            await state.watcher
        except asyncio.CancelledError:
            pass
    await webhook_mode.remove_on_stop(application)


def make_requests(settings: BotSettings) -> tuple[ResilientRequest, ResilientRequest]:
    """The two HTTP clients (API calls and the getUpdates long poll), sharing one `Link`."""
    link = Link(settings.base_url, settings.proxy, settings.retry)
    return ResilientRequest(link, connection_pool_size=256), ResilientRequest(link, connection_pool_size=1)


def build_application(
    settings: BotSettings,
    holder: EngineHolder,
    feedback: FeedbackStore,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> Application:
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .concurrent_updates(True)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url).base_file_url(file_base_url(settings.base_url))
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    application = builder.build()
    application.bot_data[handlers.STATE] = handlers.BotState(
        holder=holder,
        feedback=feedback,
        policy=settings.policy,
        limiter=QuestionRateLimiter(settings.questions_per_minute, 60.0),
        page_size=settings.page_size,
        results_to_fetch=settings.page_size * 3,
    )
    application.bot_data["reload_interval"] = settings.reload_interval

    new_messages = filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, handlers.gatekeeper), group=-1)
    library_handlers.install(application, settings.seeds_dir, settings.index_dir)  # before on_button
    application.add_handler(CommandHandler(["start", "help"], handlers.on_help, filters=new_messages))
    application.add_handler(CommandHandler("sources", handlers.on_sources, filters=new_messages))
    application.add_handler(CommandHandler("ask", handlers.on_ask, filters=new_messages))
    application.add_handler(CommandHandler("reload", handlers.on_reload, filters=new_messages))
    application.add_handler(CommandHandler("new", handlers.on_new, filters=new_messages))
    application.add_handler(
        MessageHandler(new_messages & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, handlers.on_private_text)
    )
    application.add_handler(
        MessageHandler(new_messages & filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND, handlers.on_group_text)
    )
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(InlineQueryHandler(inline.on_inline_query))
    application.add_error_handler(handlers.on_error)
    return application


def run(args) -> int:
    """`investqa telegram`: run the bot until SIGINT/SIGTERM (exit 0 after in-flight answers)."""
    environ = os.environ
    try:
        settings = settings_from(args, environ)
    except ConfigError as error:
        print(f"investqa telegram: {error}", file=sys.stderr)
        return 2
    setup_logging(settings.secrets, verbose=getattr(args, "verbose", False))

    from retrieval.errors import InvestqaError

    try:
        holder = EngineHolder.load(settings.index_dir)
    except InvestqaError as error:
        print(f"investqa telegram: {error}", file=sys.stderr)
        return 1
    request, updates_request = make_requests(settings)
    application = build_application(
        settings, holder, FeedbackStore(feedback_path(settings.index_dir)), request, updates_request
    )
    link = request.link
    log.info("starting the Telegram bot on index %s (Telegram at %s)", settings.index_dir, link.where)
    try:
        runner.serve(application, link, settings.token, settings.base_url, settings.webhook)
    except InvalidToken:
        print("investqa telegram: Telegram rejected the bot token (check TELEGRAM_BOT_TOKEN)", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - one redacted line instead of a traceback with the token
        log.debug("the bot stopped with an error", exc_info=True)
        message = RedactSecrets(settings.secrets).redact(f"{type(error).__name__}: {error}")
        print(f"investqa telegram: the bot stopped: {message}", file=sys.stderr)
        return 1
    log.info("the Telegram bot stopped")
    return 0
