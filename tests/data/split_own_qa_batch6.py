"""How own_qa6_tune.jsonl and own_qa6_heldout.jsonl were made (run once, kept for the record).

A sixth batch of 300 questions, written on 2026-12-02 (seventh session) by three more helper
sessions that saw only the five seed files and a description of the file format (never the
code, the dev set, the earlier batches, the off-domain lists or each other's output): writer a
Chinese styles, writer b English, English with pinyin names and mixed, writer c fifty pairs of
an answerable question and an unanswerable one of the same form. It was written after that
session's change (the off-domain signal) had been decided, and the engine was run on it only
after the split, once as the session began and once with the change, so both parts judge the
change on questions nobody had seen. The checks and the split are the third batch's
(`split_own_qa_batch3.py`), with another seed.

    python tests/data/split_own_qa_batch6.py /tmp/batch6/zh_styles.jsonl /tmp/batch6/en_styles.jsonl /tmp/batch6/pairs.jsonl
"""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from split_own_qa_batch3 import write_split  # noqa: E402

SEED = 20261206


def main(paths: list[str]) -> None:
    write_split(paths, ("own_qa6_tune.jsonl", "own_qa6_heldout.jsonl"), SEED)


if __name__ == "__main__":
    main(sys.argv[1:])
