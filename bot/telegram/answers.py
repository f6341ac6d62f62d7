"""Pure helpers between a Telegram update and the engine: question cleaning, reply language,
the per-process answer cache, and the compact callback data of the inline buttons.

Callback data is `action:key:number` (at most 14 bytes, well under Telegram's 64): `key`
names a cached answer, `number` a page offset or a result index. Nothing is ever looked
up from callback data except through the cache, which only holds answers this process made.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum

from retrieval.types import Answer, Result

from ..presentation import ANSWERED, NOT_FOUND, tier


class Action(Enum):
    MORE = "m"  # next page of results
    CLOSEST = "p"  # the closest passages of an abstained answer
    CONTEXT = "c"  # full source context of one result
    VOTE_UP = "u"
    VOTE_DOWN = "d"
    ASK_NEW = "n"  # ask the message as typed, as a new question (under a rewritten follow-up)


@dataclass(frozen=True)
class Button:
    action: Action
    key: str
    number: int

    def encode(self) -> str:
        return f"{self.action.value}:{self.key}:{self.number}"


_KEY_LENGTH = 8
_CALLBACK = re.compile(r"^([mpcudn]):([0-9a-f]{%d}):(\d{1,3})$" % _KEY_LENGTH)


def parse_button(data: str | None) -> Button | None:
    """The button a callback carries, or None for anything this process did not make."""
    match = _CALLBACK.match(data or "")
    if not match:
        return None
    return Button(Action(match.group(1)), match.group(2), int(match.group(3)))


@dataclass(frozen=True)
class CachedAnswer:
    question: str  # as the user typed it
    answer: Answer
    language: str
    build_id: str | None = None
    understood_as: str | None = None  # the rewritten question, when a follow-up was rewritten

    @property
    def tier(self) -> str:
        return tier(self.answer)

    @property
    def marked(self) -> bool:
        """Answer spans are marked only in an answer presented as one."""
        return self.tier == ANSWERED

    def page_length(self, offset: int, size: int) -> int:
        """An answer, or the closest passage under its caveat, leads alone (the others sit
        behind "more results"); every other page holds `size` results."""
        return 1 if offset == 0 and self.tier != NOT_FOUND else size

    def page(self, offset: int, size: int) -> tuple[Result, ...]:
        return self.answer.results[offset : offset + self.page_length(offset, size)]


class AnswerCache:
    """The most recent answers of this process, by short random key (least recent evicted)."""

    def __init__(self, capacity: int = 2000):
        self.capacity = capacity
        self._entries: OrderedDict[str, CachedAnswer] = OrderedDict()

    def put(self, entry: CachedAnswer) -> str:
        key = secrets.token_hex(_KEY_LENGTH // 2)
        while key in self._entries:
            key = secrets.token_hex(_KEY_LENGTH // 2)
        self._entries[key] = entry
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        return key

    def get(self, key: str) -> CachedAnswer | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def __len__(self) -> int:
        return len(self._entries)


def clean_question(raw: str | None) -> str:
    """The question with control and invisible format characters dropped and spaces collapsed."""
    kept = []
    for char in raw or "":
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")  # newlines, tabs, NULs... all become plain spaces
        elif category in ("Cf", "Cs", "Co", "Cn") and char != "\u200d":
            continue
        else:
            kept.append(char)
    return " ".join("".join(kept).split())


def has_words(question: str) -> bool:
    """True when the question has at least one letter or digit (not only emoji or punctuation)."""
    return any(unicodedata.category(char)[0] in "LN" for char in question)


def reply_language(question: str, user_language_code: str | None, answer_language: str | None = None) -> str:
    """Chinese by default; English for English questions or English-language clients."""
    if answer_language == "en":
        return "en"
    if user_language_code and user_language_code.lower().startswith("en"):
        return "en"
    if answer_language is None and question:
        from retrieval import detect_language

        return "en" if detect_language(question) == "en" else "zh"
    return "zh"
