"""Durable store of 👍/👎 votes: one SQLite file in the index's state directory.

Each vote is appended as one row (question, shown passage ids, vote, UTC time, salted
SHA-256 of the Telegram user id). WAL mode with synchronous=FULL: a vote acknowledged to
the user survives a crash or power cut. The salt is made once per store and kept in it,
so the same user hashes the same way across restarts but ids cannot be looked up from
the export without the database.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

FEEDBACK_FILE = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user_hash TEXT NOT NULL,
    question TEXT NOT NULL,
    passage_ids TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    build_id TEXT
);
"""


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    time: str  # ISO 8601, UTC
    user_hash: str
    question: str
    passage_ids: tuple[str, ...]
    vote: int  # +1 👍, -1 👎
    build_id: str | None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["passage_ids"] = list(self.passage_ids)
        return data


def feedback_path(index_dir: Path) -> Path:
    from retrieval import state_dir

    return Path(state_dir(index_dir)) / FEEDBACK_FILE


class FeedbackStore:
    """Opens a short-lived connection per call, so it is safe from any thread."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._salt: str | None = None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.executescript(_SCHEMA)
        return connection

    def _salt_for(self, connection: sqlite3.Connection) -> str:
        if self._salt is None:
            with connection:
                connection.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)", (secrets.token_hex(16),)
                )
            self._salt = connection.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()[0]
        return self._salt

    def hash_user(self, user_id: int) -> str:
        with closing(self._connect()) as connection:
            return _hash(self._salt_for(connection), user_id)

    def record(
        self,
        *,
        user_id: int,
        question: str,
        passage_ids: Sequence[str],
        vote: int,
        build_id: str | None = None,
        now: dt.datetime | None = None,
    ) -> int:
        if vote not in (-1, 1):
            raise ValueError("vote must be +1 or -1")
        moment = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
        with closing(self._connect()) as connection:
            salt = self._salt_for(connection)
            with connection:
                cursor = connection.execute(
                    "INSERT INTO feedback (time, user_hash, question, passage_ids, vote, build_id)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        moment.isoformat(timespec="seconds"),
                        _hash(salt, user_id),
                        question,
                        json.dumps(list(passage_ids), ensure_ascii=False),
                        vote,
                        build_id,
                    ),
                )
            return int(cursor.lastrowid)

    def records(self) -> Iterator[FeedbackRecord]:
        if not self.path.exists():
            return
        with closing(self._connect()) as connection:
            rows = connection.execute(
                "SELECT id, time, user_hash, question, passage_ids, vote, build_id FROM feedback ORDER BY id"
            )
            for row in rows:
                yield FeedbackRecord(
                    id=row[0],
                    time=row[1],
                    user_hash=row[2],
                    question=row[3],
                    passage_ids=tuple(json.loads(row[4])),
                    vote=row[5],
                    build_id=row[6],
                )


def _hash(salt: str, user_id: int) -> str:
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()
