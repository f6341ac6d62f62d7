"""Follow-ups in Telegram, through the fake Bot API: the 理解为 line, the button that asks the
message as a new question, /new, and one conversation per user within a group."""
from __future__ import annotations

import re

import pytest
from fakes import TelegramFakeEngine as FakeEngine
from fake_telegram import FakeTelegram

from retrieval.question.followup_words import Lexicon

ALICE = FakeTelegram.user(1001)
BOB = FakeTelegram.user(1002)
PLACES = ("崂山区", "即墨区")


class ConversingEngine(FakeEngine):
    """The handler tests' fake engine, with word knowledge of two districts."""

    def __init__(self) -> None:
        super().__init__()
        self.lexicon = Lexicon(re.compile("|".join(PLACES) + r"|.").findall, {place: "ns" for place in PLACES})


def buttons(params: dict) -> list[dict]:
    return [b for row in (params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


@pytest.fixture
async def bot(make_bot):
    return await make_bot(engine=ConversingEngine())


async def test_a_follow_up_shows_how_it_was_understood_and_can_be_asked_as_new(bot):
    await bot.say(ALICE, "崂山区独角兽企业奖励多少？")
    assert "理解为" not in bot.last_message(ALICE["id"])["text"]
    assert not any("新问题" in b["text"] for b in buttons(bot.last_message(ALICE["id"])))

    await bot.say(ALICE, "那即墨区呢？")
    reply = bot.last_message(ALICE["id"])
    assert reply["text"].startswith("理解为：即墨区独角兽企业奖励多少？")
    assert bot.engine.asked[-1] == "即墨区独角兽企业奖励多少？"
    ask_new = next(b for b in buttons(reply) if "新问题" in b["text"])

    await bot.send(bot.telegram.press(ALICE, bot.sent_message(ALICE["id"]), ask_new["callback_data"]))
    assert bot.engine.asked[-1] == "那即墨区呢？"  # the message as typed, on its own
    assert "理解为" not in bot.last_message(ALICE["id"])["text"]


async def test_new_forgets_the_conversation(bot):
    await bot.say(ALICE, "崂山区独角兽企业奖励多少？")
    await bot.say(ALICE, "/new")
    assert "新的对话" in bot.last_message(ALICE["id"])["text"]
    await bot.say(ALICE, "那即墨区呢？")
    assert bot.engine.asked[-1] == "那即墨区呢？"


async def test_in_a_group_each_user_has_their_own_conversation(bot):
    group = FakeTelegram.group_chat()
    await bot.say(ALICE, "/ask 崂山区独角兽企业奖励多少？", chat=group)
    await bot.say(BOB, "/ask 那即墨区呢？", chat=group)
    assert bot.engine.asked[-1] == "那即墨区呢？"  # Bob has asked nothing before
    await bot.say(ALICE, "/ask 那即墨区呢？", chat=group)
    assert bot.engine.asked[-1] == "即墨区独角兽企业奖励多少？"
