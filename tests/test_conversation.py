"""`Conversation`: turns, idle expiry with an injected clock, reset; and the chat's `:new`."""
from __future__ import annotations

import re

import pytest

from bot import terminal_format as fmt
from bot.chat import ChatSession
from fakes import FakeEngine
from retrieval.config import HYBRID
from retrieval.conversation import Conversation
from retrieval.errors import EmptyQuestion
from retrieval.question.followup_words import Lexicon

PLACES = ("城阳区", "崂山区")


def toy_lexicon() -> Lexicon:
    """Two district names and single characters: enough for place follow-ups, no jieba."""
    pattern = re.compile("|".join(PLACES) + r"|\d{4}年|[A-Za-z]+|.")
    return Lexicon(pattern.findall, {place: "ns" for place in PLACES})


class ConversingEngine(FakeEngine):
    def __init__(self) -> None:
        super().__init__()
        self.lexicon = toy_lexicon()
        self.questions: list[str] = []
        self.configs: list = []

    def ask(self, question, k=5, config=None):
        self.questions.append(question)
        self.configs.append(config)
        return super().ask(question, k=k)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_follow_up_is_answered_as_the_rewritten_question():
    engine = ConversingEngine()
    conversation = Conversation(engine)
    first = conversation.ask("城阳区引进多少个重点项目？")
    assert not first.rewritten and first.understood_as == "城阳区引进多少个重点项目？"
    second = conversation.ask("那崂山区呢？")
    assert second.rewritten and second.understood_as == "崂山区引进多少个重点项目？"
    assert engine.questions == ["城阳区引进多少个重点项目？", "崂山区引进多少个重点项目？"]
    assert second.answer.question == "崂山区引进多少个重点项目？"


def test_only_a_follow_up_naming_a_new_place_demotes_passages_without_it():
    engine = ConversingEngine()
    conversation = Conversation(engine)
    conversation.ask("城阳区2019年引进多少个重点项目？")
    conversation.ask("那崂山区呢？")
    conversation.ask("2020年呢？")
    first, new_place, new_year = engine.configs
    assert first is None
    assert new_place.place_penalty > 0 and new_place.name_penalty == HYBRID.name_penalty
    assert new_year.place_penalty == HYBRID.place_penalty


def test_a_follow_up_to_another_place_or_year_demotes_the_previous_answers_passage():
    engine = ConversingEngine()
    conversation = Conversation(engine)
    answers = [conversation.ask(message) for message in ("城阳区2019年引进多少个重点项目？", "2020年呢？", "那崂山区呢？", "城阳区引进多少个重点项目？")]
    tops = [answer.answer.results[0].passage.passage_id if answer.answer.results else None for answer in answers]
    assert tops[0] is not None and tops[1] is not None
    _, new_year, new_place, standalone = engine.configs
    assert new_year.demoted_passages == {tops[0]} and new_year.demote_penalty > 0
    assert new_place.demoted_passages == {tops[1]} and new_place.demote_penalty > 0
    assert standalone is None  # a complete question is asked as it is


def test_the_context_expires_after_the_idle_time_and_on_reset():
    clock = Clock()
    conversation = Conversation(ConversingEngine(), idle_seconds=300, clock=clock)
    conversation.ask("城阳区引进多少个重点项目？")
    clock.now += 299
    assert conversation.ask("那崂山区呢？").rewritten  # within the idle time: a follow-up
    clock.now += 301
    assert conversation.expired
    assert not conversation.ask("那城阳区呢？").rewritten  # after it: read on its own
    conversation.reset()
    assert conversation.turns == [] and not conversation.ask("那崂山区呢？").rewritten


def test_a_failed_turn_is_not_remembered():
    conversation = Conversation(ConversingEngine())
    conversation.ask("城阳区引进多少个重点项目？")
    with pytest.raises(EmptyQuestion):
        conversation.ask("   ")
    assert [turn.message for turn in conversation.turns] == ["城阳区引进多少个重点项目？"]


def test_chat_shows_how_a_follow_up_was_understood_and_new_starts_afresh():
    chat = ChatSession(ConversingEngine(), fmt.Style(colour=False))
    assert "理解为" not in chat.handle("城阳区引进多少个重点项目？")
    reply = chat.handle("那崂山区呢？")
    assert reply.splitlines()[0] == "理解为：崂山区引进多少个重点项目？"
    assert chat.handle(":new") == fmt.message("zh", "new_conversation")
    assert "理解为" not in chat.handle("那崂山区呢？")
    assert ":new" in chat.handle(":help")
