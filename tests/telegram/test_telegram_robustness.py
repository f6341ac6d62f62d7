"""Errors from Telegram, token secrecy, start-up wiring, configuration and hot reload."""
from __future__ import annotations

import argparse
import asyncio
import io
import logging
import subprocess
import sys
from argparse import Namespace
from types import SimpleNamespace

import pytest
from fake_telegram import TOKEN, FakeTelegram
from fakes import TelegramFakeEngine as FakeEngine

from bot.telegram import app as bot_app
from bot.telegram import handlers
from bot.telegram.reload import EngineHolder

ALICE = FakeTelegram.user(1001)


async def test_a_failed_send_is_reported_to_the_user_and_the_bot_keeps_going(bot, caplog):
    # (in-process request without retries; the real one retries 5xx first, see test_telegram_network)
    bot.telegram.fail_next("sendMessage", 500, "Internal Server Error")
    with caplog.at_level(logging.WARNING):
        await bot.say(ALICE, "独角兽")
    assert "出了点问题" in bot.texts_to(ALICE["id"])[-1]
    assert "error while handling an update (Telegram connection problem)" in caplog.text
    assert all(record.exc_info is None for record in caplog.records)  # a network fault: no traceback
    await bot.say(ALICE, "独角兽")
    assert "<b>1.</b>" in bot.texts_to(ALICE["id"])[-1]


async def test_retry_after_is_waited_out_by_the_rate_limiter(bot):
    bot.telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await bot.say(ALICE, "独角兽")
    assert len(bot.telegram.calls_to("sendMessage")) == 2  # the 429, then the retry
    assert "<b>1.</b>" in bot.texts_to(ALICE["id"])[-1]


async def test_a_user_who_blocked_the_bot_is_not_an_error(bot, caplog):
    bot.telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with caplog.at_level(logging.INFO):
        await bot.say(ALICE, "独角兽")
    assert len(bot.telegram.calls_to("sendMessage")) == 1  # no attempt to "apologise" into a block
    assert "blocked" in caplog.text and "error while handling" not in caplog.text


async def test_message_not_modified_and_polling_errors_are_quiet(bot, caplog):
    from telegram import Update
    from telegram.error import BadRequest, NetworkError, TimedOut

    update = Update.de_json(bot.telegram.message_update(ALICE, "x"), bot.app.bot)
    for error, target in [
        (BadRequest("Bad Request: message is not modified"), update),
        (TimedOut(), None),
        (NetworkError("Bad Gateway"), None),
    ]:
        await handlers.on_error(target, SimpleNamespace(error=error, bot=bot.app.bot, bot_data=bot.app.bot_data))
    assert bot.telegram.calls_to("sendMessage") == []
    assert "error while handling" not in caplog.text


async def test_post_init_registers_commands_and_post_stop_ends_the_watcher(bot):
    await bot_app._post_init(bot.app)
    commands = bot.telegram.calls_to("setMyCommands")
    assert {c["command"] for c in commands[0].params["commands"]} == {"ask", "help", "sources", "new"}
    assert {call.params.get("language_code") for call in commands} == {None, "en"}
    state = bot.app.bot_data[handlers.STATE]
    assert not state.watcher.done()
    await bot_app._post_stop(bot.app)
    assert state.watcher.cancelled()


async def test_watcher_swaps_in_a_new_build_and_survives_a_broken_one(tmp_path, caplog):
    build_ids = ["b1"]
    engines = {"b2": FakeEngine("b2")}

    def loader(path):
        build_id = build_ids[0]
        if build_id == "broken":
            raise RuntimeError("half-written build")
        return engines[build_id]

    holder = EngineHolder(tmp_path, FakeEngine("b1"), loader, lambda path: build_ids[0])
    watcher = asyncio.create_task(holder.watch(0.05))
    try:
        build_ids[0] = "broken"
        await asyncio.sleep(0.2)
        assert holder.engine.build_id == "b1" and "could not load index build broken" in caplog.text
        build_ids[0] = "b2"
        for _ in range(100):
            if holder.engine.build_id == "b2":
                break
            await asyncio.sleep(0.05)
        assert holder.engine.build_id == "b2"
    finally:
        watcher.cancel()


def test_redaction_filter_hides_the_token_in_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(bot_app.RedactSecrets([TOKEN]))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
        try:
            raise RuntimeError(f"failed to reach /bot{TOKEN}/sendMessage")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output and output.count("<redacted>") == 2


def test_setup_logging_silences_httpx_request_lines():
    bot_app.setup_logging(TOKEN)
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert any(isinstance(f, bot_app.RedactSecrets) for h in logging.getLogger().handlers for f in h.filters)


def test_missing_token_is_one_clear_line_and_exit_code_2(monkeypatch, capsys):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert bot_app.run(Namespace()) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in err


def test_bad_settings_are_reported_without_the_token(monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("INVESTQA_ALLOWED_USERS", "alice")
    assert bot_app.run(Namespace()) == 2
    err = capsys.readouterr().err
    assert "INVESTQA_ALLOWED_USERS" in err and TOKEN not in err


def test_settings_come_from_arguments_then_environment():
    env = {"TELEGRAM_BOT_TOKEN": f" {TOKEN} ", "INVESTQA_INDEX": "/srv/index", "INVESTQA_QUESTIONS_PER_MINUTE": "5",
           "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"}
    settings = bot_app.settings_from(Namespace(results=4), env)
    assert settings.token == TOKEN and str(settings.index_dir) == "/srv/index"
    assert settings.questions_per_minute == 5 and settings.page_size == 4
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert TOKEN not in repr(settings)
    assert str(bot_app.settings_from(Namespace(index="mine"), env).index_dir) == "mine"


def test_register_adds_both_subcommands_without_importing_telegram():
    code = (
        "import argparse, sys, bot.telegram as t\n"
        "p = argparse.ArgumentParser(); s = p.add_subparsers()\n"
        "t.register(s)\n"
        "a = p.parse_args(['telegram', '--index', 'x', '--results', '2'])\n"
        "assert a.index == 'x' and a.results == 2 and a.handler is t.run_telegram\n"
        "a = p.parse_args(['feedback', '--json'])\n"
        "assert a.json and a.handler is t.run_feedback and not hasattr(a, 'index')\n"
        "assert 'telegram' not in sys.modules, 'PTB imported at registration'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_global_index_option_is_not_overwritten_by_the_subcommand():
    from bot.telegram import register

    parser = argparse.ArgumentParser()
    parser.add_argument("--index")
    register(parser.add_subparsers())
    assert parser.parse_args(["--index", "top", "telegram"]).index == "top"


@pytest.mark.parametrize("env_value", ["0", "-3", "many"])
def test_invalid_numbers_in_the_environment_are_config_errors(env_value):
    from bot.telegram.access import ConfigError

    with pytest.raises(ConfigError, match="INVESTQA_QUESTIONS_PER_MINUTE"):
        bot_app.settings_from(Namespace(), {"TELEGRAM_BOT_TOKEN": TOKEN, "INVESTQA_QUESTIONS_PER_MINUTE": env_value})


def test_a_rejected_token_is_one_line_without_the_token(monkeypatch, capsys, tmp_path):
    from fake_bot_api import FakeBotApiServer

    telegram = FakeTelegram()
    telegram.fail_next("getMe", 401, "Unauthorized")
    holder = EngineHolder(tmp_path, FakeEngine(), lambda path: None, lambda path: None)
    monkeypatch.setattr(EngineHolder, "load", classmethod(lambda cls, index_dir: holder))
    with FakeBotApiServer(telegram) as server:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", server.base_url)
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        assert bot_app.run(Namespace(index=str(tmp_path))) == 2
    captured = capsys.readouterr()
    assert "rejected the bot token" in captured.err
    assert TOKEN not in captured.err + captured.out
