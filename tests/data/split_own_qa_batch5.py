"""How own_qa5_tune.jsonl and own_qa5_heldout.jsonl were made (run once, kept for the record).

A fifth batch of 300 questions, written on 2026-12-02 (fifth session) by three more helper
sessions that saw only the five seed files and a description of the file format (never the
code, the dev set, the earlier batches or each other's output): writer a Chinese styles,
writer b English, English with pinyin names and mixed, writer c fifty pairs of an answerable
question and an unanswerable one of the same form. It was written at the start of that
session, and the engine was first run on it only after the split, once with the engine
before the session's change and once after it. The checks and the split are the third
batch's (`split_own_qa_batch3.py`), with another seed.

    python tests/data/split_own_qa_batch5.py /tmp/batch5/zh_styles.jsonl /tmp/batch5/en_styles.jsonl /tmp/batch5/pairs.jsonl
"""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from split_own_qa_batch3 import write_split  # noqa: E402

SEED = 20261205


def main(paths: list[str]) -> None:
    write_split(paths, ("own_qa5_tune.jsonl", "own_qa5_heldout.jsonl"), SEED)


if __name__ == "__main__":
    main(sys.argv[1:])
