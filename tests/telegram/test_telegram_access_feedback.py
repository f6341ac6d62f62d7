"""Access policy, rate limiter and the feedback store (plain Python, no Telegram)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from argparse import Namespace

import pytest

from bot.telegram.access import AccessPolicy, ConfigError, QuestionRateLimiter, Verdict, parse_ids
from bot.telegram.export import run as export_feedback
from bot.telegram.feedback import FeedbackStore


def test_parse_ids_accepts_commas_spaces_and_negative_group_ids():
    assert parse_ids(" 1, 2 ,-100123,", "X") == frozenset({1, 2, -100123})
    assert parse_ids("", "X") is None and parse_ids(None, "X") is None
    with pytest.raises(ConfigError, match="INVESTQA_ALLOWED_USERS"):
        parse_ids("12,abc", "INVESTQA_ALLOWED_USERS")


def test_without_allowlists_everyone_may_ask_but_only_admins_reload():
    policy = AccessPolicy.from_env({"INVESTQA_ADMINS": "7"})
    assert policy.check(1, 1) is Verdict.ALLOWED
    assert policy.check(1, 1, "reload") is Verdict.ADMIN_ONLY
    assert policy.check(7, 7, "reload") is Verdict.ALLOWED


def test_allowlists_admit_listed_users_listed_chats_and_admins_only():
    policy = AccessPolicy.from_env(
        {"INVESTQA_ALLOWED_USERS": "1", "INVESTQA_ALLOWED_CHATS": "-5", "INVESTQA_ADMINS": "9"}
    )
    assert policy.check(1, 1) is Verdict.ALLOWED
    assert policy.check(2, -5) is Verdict.ALLOWED  # anyone inside an allowed group
    assert policy.check(9, 9) is Verdict.ALLOWED
    assert policy.check(2, 2) is Verdict.REFUSED
    assert policy.check(2, -6) is Verdict.REFUSED
    assert policy.check(None, None) is Verdict.REFUSED
    assert policy.check(2, 2, "reload") is Verdict.REFUSED  # refused before the admin check


def test_rate_limiter_is_a_sliding_window_per_user():
    now = [0.0]
    limiter = QuestionRateLimiter(3, 60.0, clock=lambda: now[0])
    assert [limiter.acquire(1) for _ in range(3)] == [0, 0, 0]
    assert limiter.acquire(1) == 60
    assert limiter.acquire(2) == 0  # another user is not affected
    now[0] = 45.0
    assert limiter.acquire(1) == 15
    now[0] = 60.0
    assert limiter.acquire(1) == 0


def test_feedback_is_durable_wal_and_hashes_users_with_a_salt(tmp_path):
    path = tmp_path / "state" / "feedback.sqlite3"
    store = FeedbackStore(path)
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    store.record(user_id=42, question="问题<1>", passage_ids=["a", "b"], vote=1, build_id="b1", now=moment)
    store.record(user_id=43, question="q2", passage_ids=[], vote=-1)
    with pytest.raises(ValueError):
        store.record(user_id=43, question="q", passage_ids=[], vote=0)

    records = list(FeedbackStore(path).records())  # a new store (a restarted bot) reads them back
    assert [r.vote for r in records] == [1, -1]
    first = records[0]
    assert first.question == "问题<1>" and first.passage_ids == ("a", "b") and first.build_id == "b1"
    assert first.time == "2024-01-02T03:04:05+00:00"
    assert first.user_hash == FeedbackStore(path).hash_user(42)  # stable across restarts
    assert first.user_hash != hashlib.sha256(b"42").hexdigest()  # salted
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_feedback_export_is_json_lines(tmp_path, capsys):
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    store = FeedbackStore(index_dir / "state" / "feedback.sqlite3")
    store.record(user_id=1, question="崂山？", passage_ids=["p1"], vote=1)
    store.record(user_id=2, question="即墨？", passage_ids=["p2", "p3"], vote=-1)
    assert export_feedback(Namespace(index=str(index_dir), json=True)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["question"] for line in lines] == ["崂山？", "即墨？"]
    assert json.loads(lines[1])["passage_ids"] == ["p2", "p3"] and json.loads(lines[1])["vote"] == -1
    assert export_feedback(Namespace(index=str(index_dir), json=False)) == 0
    assert "2 votes: 1 👍, 1 👎" in capsys.readouterr().out


def test_feedback_export_of_a_missing_index_fails_cleanly(tmp_path, capsys):
    assert export_feedback(Namespace(index=str(tmp_path / "nope"), json=True)) == 1
    assert "no index folder" in capsys.readouterr().err
    assert not (tmp_path / "nope").exists()
