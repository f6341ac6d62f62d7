"""End to end: the real `investqa telegram` process, the real engine and model, a real built
index, against the fake Bot API HTTP server on 127.0.0.1. All traffic stays on loopback;
every wait is bounded."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time

import pytest
from bot_process import INVESTQA, BotProcess, clean_env, wait_until_polling
from fake_bot_api import FakeBotApiServer
from fake_telegram import TOKEN, FakeTelegram, parse_html

pytestmark = pytest.mark.integration

ALICE = FakeTelegram.user(1001)
BOB = FakeTelegram.user(1002, language_code="en")
ADMIN = FakeTelegram.user(4242)
STRANGER = FakeTelegram.user(6666)
BURST_USERS = [FakeTelegram.user(3000 + i) for i in range(20)]
UNICORN_QUESTION = "崂山区对新认定的独角兽企业最高奖励多少？"


def texts_to(telegram: FakeTelegram, chat_id: int) -> list[str]:
    return [call.params["text"] for call in telegram.messages_to(chat_id)]


def wait_for_replies(telegram: FakeTelegram, chat_id: int, count: int, timeout: float = 60.0) -> list[str]:
    telegram.wait_for(lambda c: c.method == "sendMessage" and c.params.get("chat_id") == chat_id, timeout, count)
    return texts_to(telegram, chat_id)


def ask(telegram: FakeTelegram, user: dict, text: str, timeout: float = 60.0) -> dict:
    """Send `text` and return the params of the bot's next message to that user."""
    before = len(telegram.messages_to(user["id"]))
    telegram.message_update(user, text)
    wait_for_replies(telegram, user["id"], before + 1, timeout)
    return telegram.messages_to(user["id"])[before].params


def button(params: dict, label_part: str) -> str:
    rows = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(b["callback_data"] for row in rows for b in row if label_part in b["text"])


@pytest.fixture
def bot_process(copy_index, tmp_path):
    index_copy = copy_index()  # the bot serves (and the test rebuilds) a copy of the shared built index
    telegram = FakeTelegram()
    with FakeBotApiServer(telegram) as server:
        env = clean_env(
            TELEGRAM_API_BASE_URL=server.base_url,
            INVESTQA_ALLOWED_USERS=",".join(str(u["id"]) for u in [ALICE, BOB, *BURST_USERS]),
            INVESTQA_ADMINS=str(ADMIN["id"]),
            NO_PROXY="127.0.0.1,localhost",
        )
        bot = BotProcess(index_copy, tmp_path / "bot.log", env, "--reload-interval", "1")
        try:
            wait_until_polling(telegram, bot, timeout=300)  # loading the model takes a while
            yield telegram, bot.process, index_copy, bot.log_path
        finally:
            bot.close()


def test_bot_end_to_end(bot_process, engine, seeds_dir, tmp_path):
    telegram, process, index_dir, log_path = bot_process

    # /start explains what the bot knows: the indexed documents' titles
    start = ask(telegram, ALICE, "/start")["text"]
    assert all(document.title in parse_html(start) for document in engine.documents())

    # a question answered with the right quote, in bold, with its source and buttons; a
    # confident answer leads alone, the other results behind "more results"
    answer = ask(telegram, ALICE, UNICORN_QUESTION)
    assert "300万元" in answer["text"]
    quotes = [parse_html(part.split("</b>")[0]) for part in answer["text"].split("<b>")[1:]]
    quotes = [quote for quote in quotes if not quote.rstrip(".").isdigit()]  # drop "1." numbering
    corpus = [passage.text for passage in engine.passages()]
    assert len(quotes) == 1 and all(any(quote in text for text in corpus) for quote in quotes)  # verbatim
    assert button(answer, "更多结果")
    assert telegram.calls_to("sendChatAction")

    # a button press: the full source context of result 1, and the press is answered
    before = len(telegram.messages_to(ALICE["id"]))
    sent = {"message_id": 1, "date": 0, "chat": {"id": ALICE["id"], "type": "private"}, "text": "x"}
    telegram.press(ALICE, sent, button(answer, "原文 1"))
    telegram.wait_for(lambda c: c.method == "answerCallbackQuery", timeout=30)
    context = wait_for_replies(telegram, ALICE["id"], before + 1)[-1]
    assert "原文上下文" in context and "300万元" in context

    # a 👍 is stored in the index's state folder and exported by `investqa feedback --json`
    telegram.press(ALICE, sent, button(answer, "👍"))
    telegram.wait_for(lambda c: c.method == "answerCallbackQuery", timeout=30, count=2)
    exported = subprocess.run(
        [str(INVESTQA), "feedback", "--index", str(index_dir), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.splitlines()
    votes = [json.loads(line) for line in exported]
    assert [(vote["question"], vote["vote"]) for vote in votes] == [(UNICORN_QUESTION, 1)]
    assert len(votes[0]["passage_ids"]) == 1 and len(votes[0]["user_hash"]) == 64  # a hash, not the id

    # inline mode: at most 10 article results, each a quote with its source
    telegram.inline_query(ALICE, UNICORN_QUESTION)
    inline = telegram.wait_for(lambda c: c.method == "answerInlineQuery", timeout=60)[0].params["results"]
    assert 1 <= len(inline) <= 10 and all(result["type"] == "article" for result in inline)
    assert any("300万元" in result["input_message_content"]["message_text"] for result in inline)

    # a question full of <, > and &: a valid HTML reply (the fake server rejects bad HTML)
    reply = ask(telegram, ALICE, "<b>独角兽</b> & <script>奖励</script> <<>> &amp; 崂山")
    parse_html(reply["text"])
    assert "出了点问题" not in reply["text"]

    # a 5000-character message: a polite reply, never a traceback
    long_reply = ask(telegram, ALICE, "崂山区招商引资政策" * 556)["text"]
    assert "太长" in long_reply

    # a user outside the allowlist: a short refusal and no content
    refusal = ask(telegram, STRANGER, UNICORN_QUESTION)["text"]
    assert "授权" in refusal and "300万元" not in refusal

    # a burst of 20 questions, all answered
    for user in BURST_USERS:
        telegram.message_update(user, UNICORN_QUESTION)
    for user in BURST_USERS:
        assert "300万元" in wait_for_replies(telegram, user["id"], 1, timeout=180)[0]

    # a rebuild picked up while running: build into the same index folder from changed seeds
    from retrieval import build_index, current_build_id

    changed_seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, changed_seeds)
    changed = [path for path in changed_seeds.glob("*.txt") if "最高可奖励300万元" in path.read_text("utf-8")]
    assert len(changed) == 1
    changed[0].write_text(changed[0].read_text("utf-8").replace("最高可奖励300万元", "最高可奖励700万元"), "utf-8")
    old_build = current_build_id(index_dir)
    build_index(changed_seeds, index_dir)
    assert current_build_id(index_dir) != old_build
    deadline = time.monotonic() + 90
    while True:
        text = ask(telegram, BOB, UNICORN_QUESTION)["text"]
        if "700万元" in text:
            break
        assert "300万元" in text  # the old build keeps answering until the switch
        assert time.monotonic() < deadline, "the bot never switched to the new build"
        time.sleep(1)

    # /reload is for admins only; the admin (not on the allowlist) may run it
    assert "只有管理员" in ask(telegram, ALICE, "/reload")["text"]
    assert "没有变化" in ask(telegram, ADMIN, "/reload")["text"]  # the watcher already switched

    # SIGTERM: the answer in flight is still sent, then the process exits 0
    before = len(telegram.messages_to(ALICE["id"]))
    typing_before = len(telegram.calls_to("sendChatAction"))
    telegram.message_update(ALICE, "即墨区2019年的工作目标是什么？")
    telegram.wait_for(lambda c: c.method == "sendChatAction", timeout=30, count=typing_before + 1)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    assert len(telegram.messages_to(ALICE["id"])) > before  # the answer (maybe in parts) was sent

    output = log_path.read_text("utf-8", errors="replace")
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "Traceback" not in output
