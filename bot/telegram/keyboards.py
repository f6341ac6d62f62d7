"""The inline keyboards under answers. Callback data comes from `answers.Button` (≤ 64 bytes)."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from .answers import Action, Button, CachedAnswer
from .formatting import MESSAGES


def results_keyboard(key: str, cached: CachedAnswer, offset: int, page_size: int) -> InlineKeyboardMarkup:
    """A source-context button per result shown, "more" when results remain, then 👍/👎 for this page."""
    language = cached.language
    shown = cached.page(offset, page_size)
    rows = []
    context_row = [
        InlineKeyboardButton(
            MESSAGES[language]["context"].format(n=offset + i + 1),
            callback_data=Button(Action.CONTEXT, key, offset + i).encode(),
        )
        for i in range(len(shown))
    ]
    if context_row:
        rows.append(context_row)
    following = offset + len(shown)
    if len(cached.answer.results) > following:
        more = MESSAGES[language]["more"]
        rows.append([InlineKeyboardButton(more, callback_data=Button(Action.MORE, key, following).encode())])
    if offset == 0 and cached.understood_as:
        rows.append([ask_as_new_button(key, language)])
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=Button(Action.VOTE_UP, key, offset).encode()),
            InlineKeyboardButton("👎", callback_data=Button(Action.VOTE_DOWN, key, offset).encode()),
        ]
    )
    return InlineKeyboardMarkup(rows)


def closest_keyboard(key: str, language: str, rewritten: bool = False) -> InlineKeyboardMarkup:
    """Under an abstention: the closest passages, shown only on request (and, when the
    message was a rewritten follow-up, asking it as a new question)."""
    button = Button(Action.CLOSEST, key, 0).encode()
    rows = [[InlineKeyboardButton(MESSAGES[language]["show_closest"], callback_data=button)]]
    return InlineKeyboardMarkup(rows + ([[ask_as_new_button(key, language)]] if rewritten else []))


def ask_as_new_button(key: str, language: str) -> InlineKeyboardButton:
    """Under a rewritten follow-up: ask the message as typed, on its own."""
    return InlineKeyboardButton(MESSAGES[language]["ask_as_new"], callback_data=Button(Action.ASK_NEW, key, 0).encode())
