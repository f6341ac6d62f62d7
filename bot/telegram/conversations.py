"""One `Conversation` per private chat, and per user within a group (people in a group ask
their own follow-ups), so that `那2019年呢？` is read against the sender's previous question."""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable

from retrieval.conversation import IDLE_SECONDS, Conversation


def conversation_key(chat_id: int, user_id: int | None, private: bool) -> tuple:
    return (chat_id,) if private or user_id is None else (chat_id, user_id)


def conversation_key_of(update) -> tuple:
    """The key of the conversation a Telegram update belongs to."""
    chat, user = update.effective_chat, update.effective_user
    return conversation_key(chat.id, user.id if user else None, chat.type == "private")


class ConversationStore:
    """The conversations of this process (least recently used dropped beyond `capacity`)."""

    def __init__(self, capacity: int = 10000, idle_seconds: float = IDLE_SECONDS, clock: Callable[[], float] | None = None):
        self.capacity = capacity
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._conversations: OrderedDict[tuple, Conversation] = OrderedDict()

    def get(self, key: tuple, engine) -> Conversation:
        """The conversation under `key`, answering with `engine` (the one loaded now)."""
        conversation = self._conversations.get(key)
        if conversation is None:
            extra = {"clock": self.clock} if self.clock else {}
            conversation = self._conversations[key] = Conversation(engine, idle_seconds=self.idle_seconds, **extra)
            while len(self._conversations) > self.capacity:
                self._conversations.popitem(last=False)
        else:
            self._conversations.move_to_end(key)
            conversation.engine = engine
        return conversation

    def reset(self, key: tuple) -> None:
        conversation = self._conversations.get(key)
        if conversation is not None:
            conversation.reset()

    def __len__(self) -> int:
        return len(self._conversations)
