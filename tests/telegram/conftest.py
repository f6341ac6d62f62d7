"""Fixtures for the Telegram tests: a bot Application wired exactly as in production, but
talking to `FakeTelegram` through an in-process request (no sockets) and using a fake engine."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the fakes next to this file

from fake_bot_api import FakeRequest  # noqa: E402
from fakes import TelegramFakeEngine as FakeEngine  # noqa: E402
from fake_telegram import TOKEN, FakeTelegram  # noqa: E402


@dataclass
class BotHarness:
    telegram: FakeTelegram
    app: object
    holder: object
    feedback: object
    engine: FakeEngine

    async def send(self, update: dict) -> None:
        from telegram import Update

        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def say(self, user: dict, text: str, **kwargs) -> dict:
        update = self.telegram.message_update(user, text, **kwargs)
        await self.send(update)
        return update

    def texts_to(self, chat_id: int) -> list[str]:
        return [call.params["text"] for call in self.telegram.messages_to(chat_id)]

    def last_message(self, chat_id: int) -> dict:
        return self.telegram.messages_to(chat_id)[-1].params

    def sent_message(self, chat_id: int) -> dict:
        """The last message as Telegram would deliver it (for pressing its buttons)."""
        params = self.last_message(chat_id)
        return {
            "message_id": 1,
            "date": 0,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup", "title": "t"},
            "text": "x",
            "reply_markup": params.get("reply_markup"),
        }


@pytest.fixture
async def make_bot(tmp_path):
    from bot.telegram.access import AccessPolicy
    from bot.telegram.app import BotSettings, build_application
    from bot.telegram.feedback import FeedbackStore
    from bot.telegram.reload import EngineHolder

    started = []

    async def make(
        policy: AccessPolicy | None = None,
        engine: FakeEngine | None = None,
        questions_per_minute: int = 100,
        next_engines: list | None = None,
        build_ids: list | None = None,
    ) -> BotHarness:
        telegram = FakeTelegram()
        engine = engine or FakeEngine()
        pending = list(next_engines or [])
        ids = list(build_ids or [])

        def loader(path):
            return pending.pop(0)

        def read_build_id(path):
            return ids[0] if ids else engine.build_id

        holder = EngineHolder(tmp_path, engine, loader, read_build_id)
        feedback = FeedbackStore(tmp_path / "state" / "feedback.sqlite3")
        settings = BotSettings(
            token=TOKEN,
            index_dir=tmp_path,
            policy=policy or AccessPolicy(),
            questions_per_minute=questions_per_minute,
        )
        app = build_application(settings, holder, feedback, request=FakeRequest(telegram))
        await app.initialize()
        started.append(app)
        return BotHarness(telegram, app, holder, feedback, engine)

    yield make
    for app in started:
        await app.shutdown()


@pytest.fixture
async def bot(make_bot):
    return await make_bot()
