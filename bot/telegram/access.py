"""Who may use the bot, who may run admin commands, and how often one may ask.

Every decision is made here, from plain ids, so it is testable without Telegram;
`handlers.gatekeeper` applies it to every update before any other handler runs.
"""
from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

ADMIN_COMMANDS = frozenset({"reload", "remove"})


class ConfigError(ValueError):
    """A malformed setting; its message names the variable (never its secret value)."""


def parse_ids(raw: str | None, variable: str) -> frozenset[int] | None:
    """Comma-separated Telegram ids (users positive, groups negative); None when unset."""
    if raw is None or not raw.strip():
        return None
    ids = set()
    for item in raw.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            ids.add(int(item))
        except ValueError:
            raise ConfigError(f"{variable} must be comma-separated numeric ids, got {item!r}") from None
    return frozenset(ids)


class Verdict(Enum):
    ALLOWED = "allowed"
    REFUSED = "refused"  # not on the allowlist
    ADMIN_ONLY = "admin_only"  # allowed user, but the command is for admins


@dataclass(frozen=True)
class AccessPolicy:
    """`None` allowlists mean "everyone"; when either is set, only those users or chats."""

    allowed_users: frozenset[int] | None = None
    allowed_chats: frozenset[int] | None = None
    admins: frozenset[int] = frozenset()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "AccessPolicy":
        return cls(
            allowed_users=parse_ids(environ.get("INVESTQA_ALLOWED_USERS"), "INVESTQA_ALLOWED_USERS"),
            allowed_chats=parse_ids(environ.get("INVESTQA_ALLOWED_CHATS"), "INVESTQA_ALLOWED_CHATS"),
            admins=parse_ids(environ.get("INVESTQA_ADMINS"), "INVESTQA_ADMINS") or frozenset(),
        )

    @property
    def restricted(self) -> bool:
        return self.allowed_users is not None or self.allowed_chats is not None

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins

    def is_allowed(self, user_id: int | None, chat_id: int | None) -> bool:
        if not self.restricted or self.is_admin(user_id):
            return True
        if user_id is not None and self.allowed_users and user_id in self.allowed_users:
            return True
        return chat_id is not None and bool(self.allowed_chats) and chat_id in self.allowed_chats

    def check(self, user_id: int | None, chat_id: int | None, command: str | None = None) -> Verdict:
        if not self.is_allowed(user_id, chat_id):
            return Verdict.REFUSED
        if command in ADMIN_COMMANDS and not self.is_admin(user_id):
            return Verdict.ADMIN_ONLY
        return Verdict.ALLOWED


class QuestionRateLimiter:
    """At most `limit` questions per user in any sliding window of `window` seconds."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        if limit < 1 or window <= 0:
            raise ConfigError("the question rate limit must be at least 1 per window")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._asked: dict[int, deque[float]] = {}

    def acquire(self, user_id: int) -> int:
        """0 when the question may go ahead (and counts it), else the seconds to wait."""
        now = self._clock()
        times = self._asked.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return max(1, math.ceil(self.window - (now - times[0])))
        times.append(now)
        if len(self._asked) > 10_000:  # forget idle users so memory stays bounded
            self._forget_idle(now)
        return 0

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, t in self._asked.items() if not t or now - t[-1] >= self.window]:
            del self._asked[user_id]
