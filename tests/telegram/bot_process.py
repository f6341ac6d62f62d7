"""The real `investqa telegram` process for fault-injection tests: started with a clean
environment (no proxy or bot settings from the developer's shell), short backoff caps so
recoveries take seconds, output captured to a file, every wait bounded."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from fake_telegram import TOKEN, FakeTelegram

INVESTQA = Path(sys.executable).with_name("investqa")
FAST_RETRIES = {"INVESTQA_RETRY_FIRST": "0.2", "INVESTQA_RETRY_MAX": "1", "INVESTQA_SEND_GIVE_UP": "60"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_env(**settings: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.lower().endswith("_proxy") and not key.startswith(("TELEGRAM_", "INVESTQA_"))
    }
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, INVESTQA_QUESTIONS_PER_MINUTE="100", **FAST_RETRIES)
    env.update(settings)
    return env


class BotProcess:
    def __init__(self, index_dir: Path, log_path: Path, env: dict[str, str], *args: str):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [str(INVESTQA), "telegram", "--index", str(index_dir), *args],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def wait_for_line(self, text: str, count: int = 1, timeout: float = 30.0) -> str:
        """The output once `text` occurs `count` times in it (fails fast if the bot exits)."""
        deadline = time.monotonic() + timeout
        while True:
            output = self.output()
            if output.count(text) >= count:
                return output
            assert self.process.poll() is None or output.count(text) >= count, (
                f"the bot exited ({self.process.returncode}) before logging {text!r}:\n{output[-3000:]}"
            )
            assert time.monotonic() < deadline, f"no {text!r} in the output after {timeout} s:\n{output[-3000:]}"
            time.sleep(0.1)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self._log.close()
        print(self.output()[-5000:])  # shown when the test fails


def wait_until_polling(telegram: FakeTelegram, bot: BotProcess, timeout: float = 60.0) -> None:
    """Until the bot registered its commands and polls (it started and reached the API)."""
    deadline = time.monotonic() + timeout
    while not (telegram.calls_to("setMyCommands") and telegram.calls_to("getUpdates")):
        assert bot.process.poll() is None, f"the bot exited ({bot.process.returncode}):\n{bot.output()[-3000:]}"
        assert time.monotonic() < deadline, "the bot did not start polling in time"
        time.sleep(0.1)


def ask_each(telegram: FakeTelegram, users: list[dict], text: str) -> None:
    for user in users:
        telegram.message_update(user, text)


def assert_answered_once(telegram: FakeTelegram, users: list[dict], timeout: float = 60.0, settle: float = 0.5):
    """Every user's question is answered by exactly one delivered message (checked again after
    `settle` seconds so a late duplicate is caught)."""
    deadline = time.monotonic() + timeout
    while not all(telegram.delivered_to(user["id"]) for user in users):
        missing = [user["id"] for user in users if not telegram.delivered_to(user["id"])]
        assert time.monotonic() < deadline, f"no answer for users {missing} after {timeout} s"
        time.sleep(0.1)
    time.sleep(settle)
    counts = {user["id"]: len(telegram.delivered_to(user["id"])) for user in users}
    assert set(counts.values()) == {1}, f"answers per user: {counts}"


def assert_clean(output: str) -> None:
    """No traceback and no secret anywhere in the bot's output."""
    assert "Traceback" not in output, output[-3000:]
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
