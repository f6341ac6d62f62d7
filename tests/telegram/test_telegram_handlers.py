"""Handler tests: the production Application against the in-process fake Bot API."""
from __future__ import annotations

import asyncio
import threading

import pytest
from fakes import TelegramFakeEngine as FakeEngine
from fake_telegram import FakeTelegram, parse_html

from bot.telegram.access import AccessPolicy

ALICE = FakeTelegram.user(1001)
BOB_EN = FakeTelegram.user(1002, language_code="en")
STRANGER = FakeTelegram.user(6666)
ADMIN = FakeTelegram.user(4242)


def buttons(message_params: dict) -> list[dict]:
    markup = message_params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def button_data(message_params: dict, text_part: str) -> str:
    return next(b["callback_data"] for b in buttons(message_params) if text_part in b["text"])


async def test_question_is_answered_with_bold_quote_source_and_keyboard(bot):
    await bot.say(ALICE, "崂山区对新认定的独角兽企业最高奖励多少？")
    reply = bot.last_message(ALICE["id"])
    assert reply["parse_mode"] == "HTML"
    assert "<b>为支持企业发展，崂山区出台多项政策。</b>" in reply["text"]
    assert "崂山区支持政策 · 日期 2021-03-01" in reply["text"]
    # a confident answer leads alone: the other results sit behind "more results"
    assert "<b>1.</b>" in reply["text"] and "<b>2.</b>" not in reply["text"]
    parse_html(reply["text"])  # valid Telegram HTML
    data = [b["callback_data"] for b in buttons(reply)]
    assert len(data) == 4  # the source button, more, 👍, 👎
    assert [b["text"] for b in buttons(reply)][:2] == ["原文 1", "更多结果"]
    assert all(len(d.encode()) <= 64 for d in data)
    assert bot.telegram.calls_to("sendChatAction")[0].params["action"] == "typing"
    assert threading.main_thread().name not in bot.engine.threads  # searched off the event loop


async def test_corpus_and_user_html_is_escaped(bot):
    await bot.say(ALICE, "<b>产业基金</b> & <script>alert(1)</script> 新一代信息技术")
    reply = bot.last_message(ALICE["id"])
    parse_html(reply["text"])
    assert "&lt;新一代信息技术&gt;" in reply["text"] and "&amp; 金融" in reply["text"]
    assert "<script>" not in reply["text"]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("   \n\t ", "请输入一个问题"),
        ("😀😀🎉", "只能回答文字问题"),
        ("\x00\x01\x7f", "请输入一个问题"),
        ("崂" * 100_000, "问题太长了"),
    ],
)
async def test_unusable_questions_get_a_polite_reply(bot, question, expected):
    await bot.say(ALICE, question)
    texts = bot.texts_to(ALICE["id"])
    assert len(texts) == 1 and expected in texts[0]
    assert bot.engine.asked == [] or len(question) > 2000


async def test_control_characters_are_removed_before_asking(bot):
    await bot.say(ALICE, "独角兽\x00企业\u200b奖励\x1b？")
    assert bot.engine.asked == ["独角兽 企业奖励 ？"]


async def test_abstention_is_plain_and_closest_passages_sit_behind_a_button(bot):
    await bot.say(ALICE, "一个无关的问题")
    reply = bot.last_message(ALICE["id"])
    assert "没有找到" in reply["text"] and "<b>1.</b>" not in reply["text"]
    await bot.send(bot.telegram.press(ALICE, bot.sent_message(ALICE["id"]), button_data(reply, "最接近")))
    assert bot.telegram.calls_to("answerCallbackQuery")
    closest = bot.last_message(ALICE["id"])["text"]
    assert "最接近的段落" in closest and "<b>1.</b>" in closest


async def test_a_message_off_the_documents_subject_is_told_what_they_cover_without_a_button(bot):
    await bot.say(ALICE, "好的谢谢，无关的话，再见")
    reply = bot.last_message(ALICE["id"])
    assert "不在文件范围内" in reply["text"] and "没有找到" not in reply["text"]
    assert "reply_markup" not in reply or not reply["reply_markup"]


@pytest.mark.parametrize("user, question", [(ALICE, "an unanswerable question"), (BOB_EN, "无关的问题")])
async def test_abstention_in_english_for_english_questions_or_clients(bot, user, question):
    await bot.say(user, question)
    assert "could not find" in bot.last_message(user["id"])["text"]


async def test_more_results_context_and_votes(bot):
    await bot.say(ALICE, "崂山区独角兽企业奖励")
    first = bot.last_message(ALICE["id"])
    sent = bot.sent_message(ALICE["id"])

    await bot.send(bot.telegram.press(ALICE, sent, button_data(first, "更多")))
    more = bot.last_message(ALICE["id"])["text"]
    assert "<b>2.</b>" in more and "<b>4.</b>" in more and "<b>1.</b>" not in more and "<b>5.</b>" not in more
    more_buttons = [b["text"] for b in buttons(bot.last_message(ALICE["id"]))]
    assert more_buttons[:3] == ["原文 2", "原文 3", "原文 4"] and "更多结果" in more_buttons

    await bot.send(bot.telegram.press(ALICE, sent, button_data(first, "原文 1")))
    context = bot.last_message(ALICE["id"])["text"]
    assert "原文上下文" in context and "<b>为支持企业发展，崂山区出台多项政策。</b>" in context
    assert "产业基金" in context  # the neighbouring passage of the same document

    await bot.send(bot.telegram.press(ALICE, sent, button_data(first, "👍")))
    await bot.send(bot.telegram.press(BOB_EN, sent, button_data(first, "👎")))
    records = list(bot.feedback.records())
    assert [r.vote for r in records] == [1, -1]
    assert records[0].question == "崂山区独角兽企业奖励"
    shown = [result.passage.passage_id for result in bot.engine.ask("崂山区独角兽企业奖励", 9).results[:1]]
    assert list(records[0].passage_ids) == shown  # the vote is about what was shown: the answer
    assert records[0].user_hash == bot.feedback.hash_user(ALICE["id"]) != records[1].user_hash
    assert len(bot.telegram.calls_to("answerCallbackQuery")) == 4


@pytest.mark.parametrize("data", ["m:deadbeef:3", "garbage", "c:../../etc:0", "x" * 64, ""])
async def test_stale_or_foreign_buttons_are_still_answered(bot, data):
    await bot.send(bot.telegram.press(ALICE, {"message_id": 5, "date": 0, "chat": {"id": 1001, "type": "private"}}, data))
    answers = bot.telegram.calls_to("answerCallbackQuery")
    assert len(answers) == 1 and "过期" in answers[0].params["text"]
    assert bot.telegram.calls_to("sendMessage") == []


async def test_context_of_a_passage_gone_after_reload(make_bot):
    bot = await make_bot(next_engines=[FakeEngine("build-2", text_suffix="（修订）")], build_ids=["build-2"])
    await bot.say(ALICE, "独角兽企业奖励")
    first = bot.last_message(ALICE["id"])
    assert (await bot.holder.refresh()).changed
    await bot.send(bot.telegram.press(ALICE, bot.sent_message(ALICE["id"]), button_data(first, "原文 1")))
    assert "索引已更新" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]


async def test_groups_answer_ask_mentions_and_replies_only(bot):
    group = FakeTelegram.group_chat()
    await bot.say(ALICE, "独角兽企业奖励多少", chat=group)
    assert bot.texts_to(group["id"]) == []
    await bot.say(ALICE, "/ask 独角兽企业奖励多少", chat=group)
    await bot.say(ALICE, "@investqa_test_bot 产业基金规模", chat=group)
    bot_message = {"message_id": 7, "date": 0, "chat": group, "from": bot.telegram.bot_user, "text": "..."}
    await bot.say(ALICE, "即墨区生产总值增长多少", chat=group, reply_to=bot_message)
    assert len(bot.texts_to(group["id"])) == 3
    assert bot.engine.asked == ["独角兽企业奖励多少", "产业基金规模", "即墨区生产总值增长多少"]
    assert all(call.params.get("reply_parameters") for call in bot.telegram.messages_to(group["id"]))


async def test_start_help_and_sources_list_the_documents(bot):
    await bot.say(ALICE, "/start")
    await bot.say(BOB_EN, "/help")
    await bot.say(ALICE, "/sources")
    start, sources = bot.texts_to(ALICE["id"])
    assert "崂山区支持政策" in start and "2021-03-01" in start and "可以这样问" in start
    assert "Try asking" in bot.texts_to(BOB_EN["id"])[0]
    assert "即墨区工作报告" in sources and "日期不详" in sources


async def test_allowlist_refuses_strangers_in_one_place(make_bot):
    bot = await make_bot(policy=AccessPolicy(allowed_users=frozenset({ALICE["id"]})))
    await bot.say(STRANGER, "独角兽企业奖励")
    await bot.say(STRANGER, "/sources")
    assert bot.texts_to(STRANGER["id"]) == ["抱歉，这个机器人只对授权用户开放。"] * 2
    group = FakeTelegram.group_chat()
    await bot.say(STRANGER, "just chatting", chat=group)
    assert bot.texts_to(group["id"]) == []
    await bot.send(bot.telegram.inline_query(STRANGER, "独角兽"))
    assert bot.telegram.calls_to("answerInlineQuery")[-1].params["results"] == []
    await bot.send(bot.telegram.press(STRANGER, bot.sent_message(STRANGER["id"]), "m:deadbeef:3"))
    assert "授权" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    assert bot.engine.asked == []
    await bot.say(ALICE, "独角兽企业奖励")
    assert bot.engine.asked == ["独角兽企业奖励"]
    await bot.send(bot.telegram.inline_query(ALICE, "独角兽"))
    answered = bot.telegram.calls_to("answerInlineQuery")[-1].params
    assert answered["results"] and answered["is_personal"] is True  # Telegram's cache must not share them


async def test_allowed_chat_lets_everyone_in_it_ask(make_bot):
    group = FakeTelegram.group_chat(-100777)
    bot = await make_bot(policy=AccessPolicy(allowed_chats=frozenset({group["id"]})))
    await bot.say(STRANGER, "/ask 独角兽", chat=group)
    await bot.say(STRANGER, "独角兽")
    assert bot.engine.asked == ["独角兽"]


async def test_reload_is_for_admins_only(make_bot):
    bot = await make_bot(
        policy=AccessPolicy(admins=frozenset({ADMIN["id"]})),
        next_engines=[FakeEngine("build-2")],
        build_ids=["build-2"],
    )
    await bot.say(ALICE, "/reload")
    assert "只有管理员" in bot.texts_to(ALICE["id"])[0]
    assert bot.holder.engine.build_id == "build-1"
    await bot.say(ADMIN, "/reload")
    assert bot.holder.engine.build_id == "build-2"
    assert "build-2" in bot.texts_to(ADMIN["id"])[0]


async def test_rate_limit_is_per_user_and_polite(make_bot):
    bot = await make_bot(questions_per_minute=2)
    for _ in range(3):
        await bot.say(ALICE, "独角兽")
    await bot.say(BOB_EN, "unicorn")
    assert len(bot.engine.asked) == 3
    assert "太频繁" in bot.texts_to(ALICE["id"])[-1]


async def test_inline_query_returns_up_to_ten_quoted_articles(bot):
    await bot.send(bot.telegram.inline_query(ALICE, "独角兽企业奖励"))
    results = bot.telegram.calls_to("answerInlineQuery")[-1].params["results"]
    assert 1 <= len(results) <= 10
    assert results[0]["type"] == "article"
    content = results[0]["input_message_content"]["message_text"]
    parse_html(content)
    assert "<b>" in content and "崂山区支持政策" in content
    assert not bot.telegram.calls_to("answerInlineQuery")[-1].params.get("is_personal")  # open bot: shareable


async def test_a_slow_question_does_not_block_others(make_bot):
    gate = threading.Event()
    bot = await make_bot(engine=FakeEngine(gate=gate))
    slow = asyncio.create_task(bot.say(ALICE, "慢问题 独角兽"))
    await asyncio.to_thread(bot.engine.entered_slow.wait, 10)
    await bot.say(BOB_EN, "unicorn")  # answered while the slow one is still searching
    assert len(bot.texts_to(BOB_EN["id"])) == 1 and bot.texts_to(ALICE["id"]) == []
    gate.set()
    await slow
    assert len(bot.texts_to(ALICE["id"])) == 1


async def test_in_flight_question_keeps_its_engine_during_a_swap(make_bot):
    gate = threading.Event()
    old = FakeEngine("build-1", gate=gate)
    new = FakeEngine("build-2", text_suffix="（新）")
    bot = await make_bot(engine=old, next_engines=[new], build_ids=["build-2"])
    question = asyncio.create_task(bot.say(ALICE, "慢 独角兽"))
    await asyncio.to_thread(old.entered_slow.wait, 10)
    assert (await bot.holder.refresh()).changed
    gate.set()
    await question
    assert "（新）" not in bot.last_message(ALICE["id"])["text"]
    await bot.say(ALICE, "独角兽")
    assert "（新）" in bot.last_message(ALICE["id"])["text"] and new.asked == ["独角兽"]


async def test_the_answer_is_bold_underlined_inside_the_bold_sentence_with_html_escaped(bot):
    await bot.say(ALICE, "产业基金 规模 新一代信息技术 生物医药 金融")
    reply = bot.last_message(ALICE["id"])["text"]
    assert "<b>崂山区还设立了产业基金，规模达到<u>100亿元</u>，重点投向&lt;新一代信息技术&gt;与生物医药 &amp; 金融。</b>" in reply
    parse_html(reply)


async def test_a_middling_answer_shows_the_closest_passage_under_a_caveat(bot):
    await bot.say(ALICE, "最接近的产业基金规模")
    reply = bot.last_message(ALICE["id"])
    assert reply["text"].startswith("没有找到确切回答这个问题的内容，最接近的是：")
    assert "<b>1.</b>" in reply["text"] and "<b>2.</b>" not in reply["text"]
    assert "<u>" not in reply["text"]  # not presented as an answer
    await bot.send(bot.telegram.press(ALICE, bot.sent_message(ALICE["id"]), button_data(reply, "更多")))
    assert "<b>2.</b>" in bot.last_message(ALICE["id"])["text"]
    await bot.say(BOB_EN, "closest fund size")
    assert bot.last_message(BOB_EN["id"])["text"].startswith(
        "I found nothing that answers this exactly; the closest passage is:")


async def test_inline_results_follow_the_tier(bot):
    await bot.send(bot.telegram.inline_query(ALICE, "产业基金规模"))
    answered = bot.telegram.calls_to("answerInlineQuery")[-1].params["results"]
    assert "<u>100亿元</u>" in answered[0]["input_message_content"]["message_text"]
    await bot.send(bot.telegram.inline_query(ALICE, "最接近的产业基金规模"))
    closest = bot.telegram.calls_to("answerInlineQuery")[-1].params["results"]
    assert closest[0]["title"].startswith("最接近：")
    content = closest[0]["input_message_content"]["message_text"]
    assert content.startswith("没有找到确切回答这个问题的内容") and "<u>" not in content
    parse_html(content)
