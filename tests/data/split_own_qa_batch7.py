"""How own_qa7_tune.jsonl and own_qa7_heldout.jsonl were made (run once, kept for the record).

A seventh batch of 300 questions, written on 2026-12-03 (ninth session) by three helper sessions
that saw only the five seed files and a written description of the format and the styles
(never the code, the dev set, the earlier batches or each other's output): writer a Chinese
styles, writer b English, English with pinyin names and mixed, writer c fifty pairs of an
answerable and an unanswerable question of the same form. It was written after that session's
named-person changes had been decided and while its English question-word change was being
tried; the engine was run on it only after the split, at the session's start (5003278) and with
its changes, so both parts judge the session's work on questions nobody had seen. The checks
and the split are the third batch's (`split_own_qa_batch3.py`), with another seed.

    python tests/data/split_own_qa_batch7.py /tmp/batch7/zh_styles.jsonl /tmp/batch7/en_styles.jsonl /tmp/batch7/pairs.jsonl
"""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from split_own_qa_batch3 import write_split  # noqa: E402

SEED = 20261207


def main(paths: list[str]) -> None:
    write_split(paths, ("own_qa7_tune.jsonl", "own_qa7_heldout.jsonl"), SEED)


if __name__ == "__main__":
    main(sys.argv[1:])
