"""The bot's link to the Bot API: proxy, retries with backoff, and one log line per change.

`ResilientRequest` is the `telegram.request.BaseRequest` both of the bot's HTTP clients use
(API calls, file downloads and the getUpdates long poll). It retries what a flaky network
or an overloaded Telegram throws at it, so handlers and PTB's polling loop see an error only
when retrying is over:

- getUpdates: network errors, timeouts and 5xx are retried with exponential backoff for as
  long as the bot runs (Telegram keeps the updates meanwhile);
- content calls (sendMessage, editMessageText, setWebhook, …): retried for up to
  `give_up_after` seconds, then dropped with one log line (`GaveUp`);
- short-lived calls (getMe, sendChatAction, answerCallbackQuery, answerInlineQuery): one try;
- 429: the `retry_after` Telegram asks for is waited out (within the same limits).

`Link` logs one line when the connection is lost and one when it is back, never the token
(URLs hold it) nor a proxy password. `wait_for_telegram` is the start-up loop: one line per
attempt with the host and the next retry, until getMe answers.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from urllib.request import proxy_bypass_environment

from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.request import HTTPXRequest, RequestData

from .access import ConfigError

log = logging.getLogger(__name__)

DEFAULT_API = "https://api.telegram.org/bot"
ONE_TRY = frozenset({"getMe", "sendChatAction", "answerCallbackQuery", "answerInlineQuery"})
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


class GaveUp(NetworkError):
    """A call dropped after retrying for the whole allowed time (already logged)."""


@dataclass(frozen=True)
class Proxy:
    url: str  # with the password: for the HTTP client only
    source: str  # the variable it came from

    @property
    def shown(self) -> str:
        """The URL without its password, for logs."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))

    @property
    def password(self) -> str | None:
        return urlsplit(self.url).password


def proxy_from(environ: Mapping[str, str], api_base_url: str | None) -> Proxy | None:
    """INVESTQA_PROXY, else the standard HTTPS_PROXY / ALL_PROXY (which honour NO_PROXY)."""
    own = (environ.get("INVESTQA_PROXY") or "").strip()
    if own:
        return _checked(Proxy(own, "INVESTQA_PROXY"))
    host = urlsplit(api_base_url or DEFAULT_API).hostname or ""
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        value = (environ.get(name) or "").strip()
        if value:
            no_proxy = environ.get("NO_PROXY") or environ.get("no_proxy") or ""
            if no_proxy and proxy_bypass_environment(host, {"no": no_proxy}):
                return None
            return _checked(Proxy(value, name))
    return None


def _checked(proxy: Proxy) -> Proxy:
    parts = urlsplit(proxy.url)
    try:
        valid = parts.scheme.lower() in PROXY_SCHEMES and bool(parts.hostname) and parts.port is not None
    except ValueError:  # a port that is not a number
        valid = False
    if not valid:
        raise ConfigError(
            f"{proxy.source} must look like http://host:port, https://host:port or "
            f"socks5://user:password@host:port, got {proxy.shown!r}"
        )
    return proxy


@dataclass(frozen=True)
class RetryPolicy:
    first: float = 1.0  # seconds before the first retry
    cap: float = 60.0  # the longest wait between two tries
    give_up_after: float = 120.0  # content calls are dropped after this long

    def delay(self, attempt: int) -> float:
        """Exponential backoff (attempt 1, 2, … → first, 2·first, …) up to `cap`, ±10 % jitter."""
        base = min(self.cap, self.first * 2 ** max(0, attempt - 1))
        return max(0.05, base * random.uniform(0.9, 1.1))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "RetryPolicy":
        def seconds(name: str, default: float) -> float:
            raw = (environ.get(name) or "").strip()
            if not raw:
                return default
            try:
                value = float(raw)
            except ValueError:
                raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
            if value <= 0:
                raise ConfigError(f"{name} must be positive, got {raw!r}")
            return value

        return cls(
            first=seconds("INVESTQA_RETRY_FIRST", cls.first),
            cap=seconds("INVESTQA_RETRY_MAX", cls.cap),
            give_up_after=seconds("INVESTQA_SEND_GIVE_UP", cls.give_up_after),
        )


def seconds(value: float) -> str:
    """'0.2', '4', '60': how long a wait is, for log lines."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"


def describe(error: BaseException | None = None, status: int | None = None) -> str:
    """A short reason for a log line: 'HTTP 502', 'timed out', 'httpx.ConnectError: …'."""
    if status is not None:
        return f"HTTP {status}"
    if isinstance(error, TimedOut):
        return "timed out"
    return str(error) or type(error).__name__


class Link:
    """What both HTTP clients share: where Telegram is, how to get there, whether it is up."""

    def __init__(self, api_base_url: str | None, proxy: Proxy | None, policy: RetryPolicy):
        self.host = urlsplit(api_base_url or DEFAULT_API).netloc
        self.proxy = proxy
        self.policy = policy
        self.stopping = False  # set on SIGTERM/SIGINT: no more retries, answers in flight get one try
        self.down_since: float | None = None
        self._stopped: asyncio.Event | None = None

    def stop(self) -> None:
        self.stopping = True
        if self._stopped is not None:
            self._stopped.set()

    async def pause(self, seconds: float) -> None:
        """Sleep between two tries; a stop signal ends the pause early."""
        if self._stopped is None:
            self._stopped = asyncio.Event()
        if self.stopping:
            return
        try:
            await asyncio.wait_for(self._stopped.wait(), seconds)
        except TimeoutError:
            pass

    @property
    def where(self) -> str:
        return self.host + (f" via proxy {self.proxy.shown}" if self.proxy else "")

    def lost(self, reason: str) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.warning("lost the connection to Telegram at %s (%s); retrying with backoff", self.where, reason)

    def ok(self) -> None:
        if self.down_since is not None:
            seconds = time.monotonic() - self.down_since
            self.down_since = None
            log.warning("the connection to Telegram at %s is back after %.0f s", self.where, seconds)


def _api_method(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _retry_after(payload: bytes) -> float:
    try:
        return float(json.loads(payload)["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return 1.0


def _chat_of(request_data: RequestData | None) -> str:
    chat = (request_data.parameters if request_data else {}).get("chat_id")
    return f" to chat {chat}" if chat is not None else ""


class ResilientRequest(HTTPXRequest):
    """HTTPXRequest through the configured proxy, retrying as the module docstring says."""

    def __init__(self, link: Link, **kwargs):
        super().__init__(proxy=link.proxy.url if link.proxy else None, **kwargs)
        self.link = link

    async def do_request(self, url, method, request_data=None, **timeouts) -> tuple[int, bytes]:
        api_method = _api_method(url)
        polling = api_method == "getUpdates"
        policy = self.link.policy
        deadline = time.monotonic() + policy.give_up_after
        attempt = 0
        while True:
            attempt += 1
            try:
                status, payload = await super().do_request(url, method, request_data, **timeouts)
            except NetworkError as error:  # TimedOut included
                status, payload, failure = None, b"", error
                reason = describe(error)
            else:
                failure = None
                if status < 500 and status != 429:
                    self.link.ok()
                    return status, payload
                reason = describe(status=status)
            if api_method in ONE_TRY or (polling and self.link.stopping):
                return self._give_back(status, payload, failure)
            if status == 429:
                self.link.ok()
                wait = _retry_after(payload) + 0.1
                log.warning("Telegram asked to wait %s s before the next %s (429)", seconds(wait), api_method)
                attempt = 0
            else:
                self.link.lost(reason)
                wait = policy.delay(attempt)
            if not polling and (self.link.stopping or time.monotonic() + wait > deadline):
                log.warning(
                    "gave up on %s%s after %.0f s (%s%s); it is dropped",
                    api_method, _chat_of(request_data), time.monotonic() - deadline + policy.give_up_after,
                    reason, ", stopping" if self.link.stopping else "",
                )
                raise GaveUp(f"{api_method} dropped after retries: {reason}")
            await self.link.pause(wait)

    @staticmethod
    def _give_back(status, payload, failure) -> tuple[int, bytes]:
        if failure is not None:
            raise failure
        return status, payload


async def wait_for_telegram(request: ResilientRequest, token: str, api_base_url: str | None) -> None:
    """Call getMe until Telegram answers: one line per failed attempt, exponential backoff.

    Raises InvalidToken on 401/404 and TelegramError on another refusal; cancellable.
    """
    link = request.link
    url = f"{api_base_url or DEFAULT_API}{token}/getMe"
    attempt = 0
    while True:
        attempt += 1
        try:
            status, payload = await request.do_request(url, "POST")
        except NetworkError as error:
            status, wait, reason = None, link.policy.delay(attempt), describe(error)
        else:
            reason = describe(status=status)
            wait = _retry_after(payload) if status == 429 else link.policy.delay(attempt)
        if status is not None and status < 500 and status != 429:
            if status in (401, 404):
                raise InvalidToken(f"getMe answered HTTP {status}")
            if status >= 300:
                raise TelegramError(f"getMe answered HTTP {status}: {_description(payload)}")
            if attempt > 1:
                log.warning("reached Telegram at %s after %d attempts", link.where, attempt)
            return
        log.warning(
            "cannot reach Telegram at %s (attempt %d: %s); next try in %s s", link.where, attempt, reason, seconds(wait)
        )
        await asyncio.sleep(wait)


def _description(payload: bytes) -> str:
    try:
        return str(json.loads(payload)["description"])[:200]
    except (ValueError, KeyError, TypeError):
        return "no description"
