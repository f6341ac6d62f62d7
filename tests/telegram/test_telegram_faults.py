"""Fault injection through the real `investqa telegram` process and the fake Bot API on
loopback: an API that comes up late, one that goes away mid-conversation, a stretch of 502s,
a 429 with retry_after, a bad token. Each run checks that no traceback is printed, that the
questions asked during the fault are all answered exactly once afterwards, that SIGTERM
exits 0 and that the token never shows. Backoff is capped at 1 s here (INVESTQA_RETRY_MAX)."""
from __future__ import annotations

import re
import time

import pytest
from bot_process import BotProcess, assert_answered_once, assert_clean, ask_each, clean_env, free_port, wait_until_polling
from fake_bot_api import FakeBotApiServer
from fake_telegram import FakeTelegram

pytestmark = pytest.mark.integration

QUESTION = "崂山区对新认定的独角兽企业最高奖励多少？"
ATTEMPT = re.compile(r"cannot reach Telegram at (\S+) \(attempt (\d+): [^)]*\); next try in ([\d.]+) s")


def users(first_id: int, count: int) -> list[dict]:
    return [FakeTelegram.user(first_id + i) for i in range(count)]


@pytest.fixture
def start_bot(copy_index, tmp_path):
    started: list[BotProcess] = []
    index_dir = copy_index()

    def start(base_url: str, *args: str, **env: str) -> BotProcess:
        bot = BotProcess(index_dir, tmp_path / f"bot{len(started)}.log", clean_env(TELEGRAM_API_BASE_URL=base_url, **env), *args)
        started.append(bot)
        return bot

    yield start
    for bot in started:
        bot.close()


def test_the_api_coming_up_10_s_after_the_bot(start_bot):
    port = free_port()
    telegram = FakeTelegram()
    asked = users(5100, 3)
    bot = start_bot(f"http://127.0.0.1:{port}/bot")
    started = time.monotonic()
    bot.wait_for_line("cannot reach Telegram", count=2)
    ask_each(telegram, asked, QUESTION)  # sent while the API is down: Telegram keeps them
    time.sleep(max(0.0, 10 - (time.monotonic() - started)))
    with FakeBotApiServer(telegram, port=port) as server:
        wait_until_polling(telegram, bot)
        assert_answered_once(telegram, asked)
        assert all("300万元" in telegram.delivered_to(user["id"])[0].params["text"] for user in asked)
        assert bot.stop() == 0
        assert server.paths  # it did reach the API
    output = bot.output()
    assert_clean(output)
    attempts = ATTEMPT.findall(output)
    assert len(attempts) >= 5 and {host for host, _, _ in attempts} == {f"127.0.0.1:{port}"}
    assert [int(number) for _, number, _ in attempts] == list(range(1, len(attempts) + 1))  # one line each
    assert all(float(delay) <= 1.1 for _, _, delay in attempts)  # capped (at 1 s here, 60 s by default)
    assert len(attempts) == output.count("cannot reach Telegram")
    assert "reached Telegram at" in output


def test_sigterm_while_waiting_for_the_api_exits_0(start_bot):
    bot = start_bot(f"http://127.0.0.1:{free_port()}/bot", INVESTQA_RETRY_MAX="5")
    bot.wait_for_line("cannot reach Telegram", count=2)
    began = time.monotonic()
    assert bot.stop(timeout=10) == 0
    assert time.monotonic() - began < 5  # not after the backoff wait
    output = bot.output()
    assert_clean(output)
    assert "stopped before Telegram could be reached" in output


def test_the_api_stopped_for_20_s_mid_conversation(start_bot):
    telegram = FakeTelegram()
    before, during = users(5200, 1), users(5210, 4)
    server = FakeBotApiServer(telegram).__enter__()
    port = server.port
    bot = start_bot(server.base_url)
    try:
        wait_until_polling(telegram, bot)
        ask_each(telegram, before, QUESTION)
        assert_answered_once(telegram, before, settle=0)

        server.stop()
        stopped = time.monotonic()
        bot.wait_for_line("lost the connection to Telegram")
        ask_each(telegram, during, QUESTION)
        time.sleep(max(0.0, 20 - (time.monotonic() - stopped)))
        assert not any(telegram.delivered_to(user["id"]) for user in during)

        server = FakeBotApiServer(telegram, port=port).__enter__()  # back on the same port
        assert_answered_once(telegram, during)
        bot.wait_for_line("is back after")
        assert bot.stop() == 0
    finally:
        server.__exit__(None, None, None)
    output = bot.output()
    assert_clean(output)
    assert output.count("lost the connection to Telegram") == 1  # not one line per failed poll
    assert output.count("is back after") == 1
    assert len(telegram.delivered_to(before[0]["id"])) == 1


def test_a_stretch_of_502s_and_failed_sends(start_bot):
    telegram = FakeTelegram()
    during, after = users(5300, 3), users(5310, 1)
    with FakeBotApiServer(telegram) as server:
        bot = start_bot(server.base_url)
        wait_until_polling(telegram, bot)
        telegram.fail_all(502, "Bad Gateway")
        ask_each(telegram, during, QUESTION)
        bot.wait_for_line("lost the connection to Telegram")
        time.sleep(2)
        assert not any(telegram.delivered_to(user["id"]) for user in during)
        telegram.recover()
        assert_answered_once(telegram, during)

        for _ in range(3):  # an answer whose sendMessage fails is sent again, once it goes through
            telegram.fail_next("sendMessage", 502, "Bad Gateway")
        ask_each(telegram, after, QUESTION)
        assert_answered_once(telegram, after)
        assert len(telegram.messages_to(after[0]["id"])) == 4  # three 502s, then the answer
        assert bot.stop() == 0
    output = bot.output()
    assert_clean(output)
    assert output.count("lost the connection to Telegram") == 2 and output.count("is back after") == 2
    assert "HTTP 502" in output and "gave up" not in output


def test_429_with_retry_after_is_waited_out(start_bot):
    telegram = FakeTelegram()
    asked = users(5400, 2)
    telegram.fail_next("getUpdates", 429, "Too Many Requests: retry after 2", retry_after=2)  # the first poll
    with FakeBotApiServer(telegram) as server:
        bot = start_bot(server.base_url)
        telegram.wait_for(lambda call: call.method == "getUpdates" and call.status == 429, timeout=15)
        ask_each(telegram, asked, QUESTION)
        telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2)
        assert_answered_once(telegram, asked)
        assert bot.stop() == 0

    polls = telegram.calls_to("getUpdates")
    limited = next(i for i, call in enumerate(polls) if call.status == 429)
    assert polls[limited + 1].at - polls[limited].at >= 2  # retry_after honoured by the poll
    sends = telegram.calls_to("sendMessage")
    refused = next(call for call in sends if call.status == 429)
    retried = next(c for c in sends if c.params["chat_id"] == refused.params["chat_id"] and c.status == 200)
    assert retried.at - refused.at >= 2  # and by the answer
    output = bot.output()
    assert_clean(output)
    assert output.count("Telegram asked to wait") == 2


@pytest.mark.parametrize("status", [401, 404])
def test_a_bad_token_is_one_line_and_exit_2(start_bot, status):
    telegram = FakeTelegram()
    telegram.fail_next("getMe", status, "Unauthorized" if status == 401 else "Not Found")
    with FakeBotApiServer(telegram) as server:
        bot = start_bot(server.base_url)
        assert bot.process.wait(timeout=60) == 2
    output = bot.output()
    assert_clean(output)
    assert output.count("rejected the bot token") == 1
    assert "cannot reach" not in output  # not mistaken for a network fault
    assert telegram.calls_to("getUpdates") == []
