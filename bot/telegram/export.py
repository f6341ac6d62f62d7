"""`investqa feedback`: print the votes the bot collected (a table, or JSON Lines with --json)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .feedback import FeedbackStore, feedback_path


def run(args) -> int:
    index_dir = Path(getattr(args, "index", None) or os.environ.get("INVESTQA_INDEX") or "vectors")
    if not index_dir.is_dir():
        print(f"investqa feedback: no index folder {index_dir} (pass --index DIR)", file=sys.stderr)
        return 1
    store = FeedbackStore(feedback_path(index_dir))
    records = list(store.records())
    out = sys.stdout
    if getattr(args, "json", False):
        for record in records:
            out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
        return 0
    if not records:
        print(f"no feedback yet in {store.path}", file=out)
        return 0
    up = sum(1 for record in records if record.vote > 0)
    print(f"{len(records)} votes: {up} 👍, {len(records) - up} 👎 ({store.path})", file=out)
    for record in records:
        mark = "👍" if record.vote > 0 else "👎"
        question = " ".join(record.question.split())
        if len(question) > 60:
            question = question[:59] + "…"
        print(f"{record.time}  {mark}  {question}  [{', '.join(record.passage_ids)}]", file=out)
    return 0
