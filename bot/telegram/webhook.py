"""Webhook mode: Telegram POSTs updates to a public HTTPS URL that a reverse proxy (nginx,
Caddy) forwards to the local listener run by python-telegram-bot (its `webhooks` extra).

Every request must carry Telegram's `X-Telegram-Bot-Api-Secret-Token` header with our
secret; PTB's listener answers 403 to any other and does not process it. The secret comes
from INVESTQA_WEBHOOK_SECRET (several workers behind one URL must share it) or is drawn at
random per process. `setWebhook` is called at start; `deleteWebhook` on a clean stop unless
`--keep-webhook` (other workers still serve the URL).
"""
from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from telegram.error import TelegramError
from telegram.ext import Application

from .access import ConfigError

log = logging.getLogger(__name__)

WEBHOOK = "webhook"  # key in application.bot_data
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token
_LISTEN = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:\[\]]+)):(?P<port>\d{1,5})$")


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    host: str
    port: int
    secret: str = field(repr=False)
    keep: bool = False

    @property
    def path(self) -> str:
        """The local path served: the path of the public URL (a proxy forwards it as is)."""
        return urlsplit(self.url).path.lstrip("/")


def parse_listen(value: str) -> tuple[str, int]:
    """'0.0.0.0:8443', '127.0.0.1:8080', '[::]:8443' → (host, port)."""
    match = _LISTEN.match(value.strip())
    port = int(match.group("port")) if match else 0
    if not match or not 0 < port < 65536:
        raise ConfigError(f"--listen must be HOST:PORT such as 0.0.0.0:8443, got {value!r}")
    return match.group("v6") or match.group("host"), port


def webhook_from(args, environ: Mapping[str, str]) -> WebhookSettings | None:
    """None for long polling (the default); the webhook settings when a URL is given."""
    url = (getattr(args, "webhook_url", None) or environ.get("INVESTQA_WEBHOOK_URL") or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"the webhook URL must be https://host[:port]/path (Telegram requires HTTPS), got {url!r}")
    listen = getattr(args, "listen", None) or environ.get("INVESTQA_LISTEN") or "127.0.0.1:8443"
    host, port = parse_listen(listen)
    secret = (environ.get("INVESTQA_WEBHOOK_SECRET") or "").strip()
    if secret and not _SECRET.match(secret):
        raise ConfigError("INVESTQA_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
    keep = bool(getattr(args, "keep_webhook", False)) or environ.get("INVESTQA_KEEP_WEBHOOK", "") in ("1", "true", "yes")
    return WebhookSettings(url=url, host=host, port=port, secret=secret or secrets.token_urlsafe(32), keep=keep)


def run(application: Application, webhook: WebhookSettings, allowed_updates: list[str]) -> None:
    """Serve the webhook until SIGINT/SIGTERM (signals are handled by the caller)."""
    application.bot_data[WEBHOOK] = webhook
    log.info("webhook mode: %s → listening on %s:%d/%s", webhook.url, webhook.host, webhook.port, webhook.path)
    application.run_webhook(
        listen=webhook.host,
        port=webhook.port,
        url_path=webhook.path,
        webhook_url=webhook.url,
        secret_token=webhook.secret,
        allowed_updates=allowed_updates,
        stop_signals=None,
        close_loop=False,
    )


async def remove_on_stop(application: Application) -> None:
    """deleteWebhook after a clean stop (post_stop), unless other workers still use it."""
    webhook: WebhookSettings | None = application.bot_data.get(WEBHOOK)
    if webhook is None:
        return
    if webhook.keep:
        log.info("leaving the webhook set (--keep-webhook)")
        return
    try:
        await application.bot.delete_webhook()
        log.info("webhook removed")
    except TelegramError as error:
        log.warning("could not remove the webhook: %s", error)
