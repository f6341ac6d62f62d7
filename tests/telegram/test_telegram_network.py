"""network.py and webhook.py in-process: proxy settings, backoff, answers retried across an
outage or dropped after the allowed time, stop signals ending retries, webhook settings,
and PTB's own tracebacks for Telegram errors turned into one line."""
from __future__ import annotations

import asyncio
import io
import logging
import time
from argparse import Namespace

import pytest
from bot_process import free_port
from fake_bot_api import FakeBotApiServer
from fake_telegram import TOKEN, FakeTelegram

from bot.telegram import app as bot_app
from bot.telegram import handlers
from bot.telegram.access import ConfigError
from bot.telegram.network import GaveUp, Link, Proxy, ResilientRequest, RetryPolicy, proxy_from
from bot.telegram.webhook import parse_listen, webhook_from

FAST = RetryPolicy(first=0.1, cap=0.3, give_up_after=1.5)


def test_the_own_proxy_variable_comes_first_then_https_proxy_then_all_proxy():
    env = {"INVESTQA_PROXY": "socks5://u:p@10.0.0.1:1080", "HTTPS_PROXY": "http://10.0.0.2:3128",
           "ALL_PROXY": "socks5://10.0.0.3:1080"}
    assert proxy_from(env, None).url == "socks5://u:p@10.0.0.1:1080"
    del env["INVESTQA_PROXY"]
    assert proxy_from(env, None) == Proxy("http://10.0.0.2:3128", "HTTPS_PROXY")
    del env["HTTPS_PROXY"]
    assert proxy_from(env, None).source == "ALL_PROXY"
    assert proxy_from({}, None) is None


def test_no_proxy_exempts_the_api_host_from_the_standard_variables_only():
    env = {"HTTPS_PROXY": "http://10.0.0.2:3128", "NO_PROXY": "127.0.0.1,localhost"}
    assert proxy_from(env, "http://127.0.0.1:8081/bot") is None
    assert proxy_from(env, None) is not None  # api.telegram.org is not exempt
    assert proxy_from({**env, "INVESTQA_PROXY": "http://10.0.0.9:1"}, "http://127.0.0.1:8081/bot") is not None


@pytest.mark.parametrize("value", ["ftp://host:21", "socks5://user:pw@host", "http://:3128", "http://host:port"])
def test_a_malformed_proxy_is_a_config_error_without_its_password(value):
    with pytest.raises(ConfigError, match="INVESTQA_PROXY") as raised:
        proxy_from({"INVESTQA_PROXY": value}, None)
    assert ":pw@" not in str(raised.value)


def test_the_proxy_password_and_the_webhook_secret_are_redacted_like_the_token():
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "INVESTQA_PROXY": "socks5://me:hunter2@10.0.0.1:1080",
           "INVESTQA_WEBHOOK_URL": "https://bot.example.test/hook", "INVESTQA_WEBHOOK_SECRET": "s3cret-hook"}
    settings = bot_app.settings_from(Namespace(), env)
    assert settings.proxy.shown == "socks5://me:***@10.0.0.1:1080"
    assert set(settings.secrets) == {TOKEN, "hunter2", "s3cret-hook"}
    assert "hunter2" not in repr(settings) and "s3cret-hook" not in repr(settings)


def test_backoff_doubles_up_to_the_cap_and_is_configurable():
    policy = RetryPolicy(first=1, cap=60)
    delays = [policy.delay(attempt) for attempt in range(1, 10)]
    assert 0.9 <= delays[0] <= 1.1 and 1.8 <= delays[1] <= 2.2 and 3.6 <= delays[2] <= 4.4
    assert all(54 <= delay <= 66 for delay in delays[6:])
    env = {"INVESTQA_RETRY_FIRST": "0.5", "INVESTQA_RETRY_MAX": "5", "INVESTQA_SEND_GIVE_UP": "30"}
    assert RetryPolicy.from_env(env) == RetryPolicy(0.5, 5, 30)
    assert RetryPolicy.from_env({}) == RetryPolicy(1.0, 60.0, 120.0)
    with pytest.raises(ConfigError, match="INVESTQA_RETRY_MAX"):
        RetryPolicy.from_env({"INVESTQA_RETRY_MAX": "soon"})


async def _send(request: ResilientRequest, base_url: str, chat_id: int) -> dict:
    from telegram.request import RequestData
    from telegram.request._requestparameter import RequestParameter

    data = RequestData([RequestParameter.from_input("chat_id", chat_id), RequestParameter.from_input("text", "hi")])
    return await request.post(f"{base_url}{TOKEN}/sendMessage", data)


async def test_an_answer_sent_while_the_api_is_down_arrives_once_when_it_is_back(caplog):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/bot"
    link = Link(base_url, None, RetryPolicy(first=0.1, cap=0.3, give_up_after=30))
    request = ResilientRequest(link)
    await request.initialize()
    telegram = FakeTelegram()
    with caplog.at_level(logging.WARNING):
        sending = asyncio.create_task(_send(request, base_url, 7))
        await asyncio.sleep(1.0)  # refused a few times meanwhile
        assert not sending.done()
        with FakeBotApiServer(telegram, port=port):
            await asyncio.wait_for(sending, 10)
    await request.shutdown()
    assert [call.status for call in telegram.messages_to(7)] == [200]
    text = caplog.text
    assert text.count("lost the connection") == 1 and text.count("is back after") == 1


async def test_an_answer_failing_for_too_long_is_dropped_with_one_line(caplog):
    telegram = FakeTelegram()
    telegram.fail_all(502, "Bad Gateway")
    with FakeBotApiServer(telegram) as server:
        request = ResilientRequest(Link(server.base_url, None, FAST))
        await request.initialize()
        started = time.monotonic()
        with caplog.at_level(logging.WARNING), pytest.raises(GaveUp):
            await _send(request, server.base_url, 8)
        await request.shutdown()
    assert 1.0 <= time.monotonic() - started <= 3
    assert len(telegram.messages_to(8)) >= 3  # retried with backoff
    dropped = [record for record in caplog.records if "gave up" in record.getMessage()]
    assert len(dropped) == 1 and "sendMessage to chat 8" in dropped[0].getMessage()
    assert "HTTP 502" in dropped[0].getMessage()


async def test_a_stop_signal_ends_the_retries_at_once():
    telegram = FakeTelegram()
    telegram.fail_all(503, "Service Unavailable")
    with FakeBotApiServer(telegram) as server:
        link = Link(server.base_url, None, RetryPolicy(first=5, cap=5, give_up_after=120))
        request = ResilientRequest(link)
        await request.initialize()
        sending = asyncio.create_task(_send(request, server.base_url, 9))
        await asyncio.sleep(0.5)
        link.stop()
        started = time.monotonic()
        with pytest.raises(GaveUp):
            await asyncio.wait_for(sending, 3)
        assert time.monotonic() - started < 1
        await request.shutdown()


async def test_a_dropped_answer_is_not_reported_again_by_the_error_handler(bot, caplog):
    from types import SimpleNamespace

    update = bot.telegram.message_update(FakeTelegram.user(1001), "x")
    from telegram import Update

    context = SimpleNamespace(error=GaveUp("sendMessage dropped"), bot=bot.app.bot, bot_data=bot.app.bot_data)
    with caplog.at_level(logging.DEBUG, logger="bot.telegram.handlers"):
        await handlers.on_error(Update.de_json(update, bot.app.bot), context)
    assert caplog.records == [] and bot.telegram.calls_to("sendMessage") == []


def test_ptb_tracebacks_for_telegram_errors_become_one_line():
    from telegram.error import NetworkError

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(bot_app.QuietTelegramErrors())
    logger = logging.getLogger("telegram.ext.Updater")
    logger.addHandler(handler)
    try:
        try:
            raise NetworkError("httpx.ConnectError: All connection attempts failed")
        except NetworkError:
            logger.exception("Error while calling `get_updates` one more time")
        try:
            raise KeyError("a bug")
        except KeyError:
            logging.getLogger("telegram.ext.Application").addHandler(handler)
            logging.getLogger("telegram.ext.Application").exception("a real bug keeps its traceback")
    finally:
        logger.removeHandler(handler)
        logging.getLogger("telegram.ext.Application").removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "Error while calling `get_updates` one more time (NetworkError: httpx.ConnectError: All connection attempts failed)"
    assert "Traceback" in stream.getvalue().split(lines[1], 1)[1]


def test_webhook_settings_from_flags_and_environment():
    assert webhook_from(Namespace(), {}) is None  # long polling by default
    hook = webhook_from(Namespace(webhook_url="https://bot.example.test/a/b", listen="0.0.0.0:8443"), {})
    assert (hook.host, hook.port, hook.path, hook.keep) == ("0.0.0.0", 8443, "a/b", False)
    assert len(hook.secret) >= 32 and hook.secret not in repr(hook)  # drawn at random when not given
    env = {"INVESTQA_WEBHOOK_URL": "https://bot.example.test/hook", "INVESTQA_LISTEN": "[::]:9000",
           "INVESTQA_WEBHOOK_SECRET": "shared_secret-1", "INVESTQA_KEEP_WEBHOOK": "1"}
    hook = webhook_from(Namespace(), env)
    assert (hook.host, hook.port, hook.secret, hook.keep) == ("::", 9000, "shared_secret-1", True)
    assert parse_listen("127.0.0.1:8080") == ("127.0.0.1", 8080)


@pytest.mark.parametrize(
    "args, env, message",
    [
        (Namespace(webhook_url="http://bot.example.test/hook"), {}, "HTTPS"),
        (Namespace(webhook_url="https://bot.example.test/hook", listen="8443"), {}, "HOST:PORT"),
        (Namespace(webhook_url="https://bot.example.test/hook", listen="0.0.0.0:70000"), {}, "HOST:PORT"),
        (Namespace(webhook_url="https://bot.example.test/hook"), {"INVESTQA_WEBHOOK_SECRET": "has space"}, "SECRET"),
    ],
)
def test_bad_webhook_settings_are_config_errors(args, env, message):
    with pytest.raises(ConfigError, match=message):
        webhook_from(args, env)
