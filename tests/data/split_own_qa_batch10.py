"""How own_qa10_tune.jsonl and own_qa10_heldout.jsonl were made (run once, kept for the record).

A tenth batch of 300 questions, written on 2026-12-03 (twelfth session) by three helper sessions
that saw only the five seed files and a written description of the format and the styles
(never the code, the dev set, the earlier batches or each other's output): writer a Chinese
styles, writer b English, English with pinyin names and mixed, writer c fifty pairs of an
answerable question and an unanswerable near miss about the same entity. It was written at the
start of that session, before any of its changes was decided, and the engine was first run on it
after the split, at the session's start (ee09b9a). The checks and the split are the third
batch's (`split_own_qa_batch3.py`), with another seed. One of writer a's gold spans was
longer than the check's 40 characters; it was cut, before the split, to the 40 or fewer
characters around its answer (q10a_061). 20 of the 300 questions repeat an earlier batch's
word for word; they were kept, as users do ask the same things.

    python tests/data/split_own_qa_batch10.py /tmp/batch10/work/a.jsonl /tmp/batch10/work/b.jsonl /tmp/batch10/work/c.jsonl
"""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from split_own_qa_batch3 import write_split  # noqa: E402

SEED = 20261210

if __name__ == "__main__":
    write_split(sys.argv[1:], ("own_qa10_tune.jsonl", "own_qa10_heldout.jsonl"), SEED)
