"""How own_qa11_tune.jsonl and own_qa11_heldout.jsonl were made (run once, kept for the record).

An eleventh batch of 300 questions, written on 2026-12-03 (thirteenth session) by three helper
sessions that saw only the five seed files and a written description of the format and the
styles (never the code, the dev set, the earlier batches or each other's output): writer a
Chinese styles, writer b English, English with pinyin names and mixed, writer c fifty pairs of an
answerable question and an unanswerable near miss about the same entity. It was written at the
start of that session, before any of its changes was decided, and the engine was first run on it
after the split, at the session's start (373e710). The checks and the split are the third
batch's (`split_own_qa_batch3.py`), with another seed. Before the split, four gold spans longer
than the check's 40 characters were cut to the 40 or fewer characters around their answer
(q11a_060, q11a_093, q11b_065, q11c_001), and one question whose answer stood in its second gold
span had its two spans swapped (q11a_072). 39 of the 300 questions repeat an earlier batch's
word for word; they were kept, as users do ask the same things.

    python tests/data/split_own_qa_batch11.py /tmp/batch11/work/a.jsonl /tmp/batch11/work/b.jsonl /tmp/batch11/work/c.jsonl
"""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from split_own_qa_batch3 import write_split  # noqa: E402

SEED = 20261211

if __name__ == "__main__":
    write_split(sys.argv[1:], ("own_qa11_tune.jsonl", "own_qa11_heldout.jsonl"), SEED)
