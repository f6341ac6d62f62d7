"""How own_qa8_tune.jsonl and own_qa8_heldout.jsonl were made (run once, kept for the record).

An eighth batch of 300 questions, written on 2026-12-03 (tenth session) by three helper sessions
that saw only the five seed files and a written description of the format and the styles
(never the code, the dev set, the earlier batches or each other's output): writer a Chinese
styles, writer b English, English with pinyin names and mixed, writer c fifty pairs of an
answerable and an unanswerable question of the same form. It was written at the start of that
session, before any of its changes was decided; the engine was run on it only after the split,
at the session's start (5f9c851) and with its changes, so both parts judge the session's work on
questions nobody had seen. The checks and the split are the third batch's
(`split_own_qa_batch3.py`), with another seed; the writers gave an unanswerable question's
source as null, which the evaluation's format writes as "".

    python tests/data/split_own_qa_batch8.py /tmp/batch8/zh_styles.jsonl /tmp/batch8/en_styles.jsonl /tmp/batch8/pairs.jsonl
"""
from __future__ import annotations

import json
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from split_own_qa_batch3 import write_split  # noqa: E402

SEED = 20261208


def main(paths: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        normalised = []
        for path in paths:
            questions = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
            for question in questions:
                question["source"] = question["source"] or ""
            normalised.append(str(pathlib.Path(folder) / pathlib.Path(path).name))
            pathlib.Path(normalised[-1]).write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
        write_split(normalised, ("own_qa8_tune.jsonl", "own_qa8_heldout.jsonl"), SEED)


if __name__ == "__main__":
    main(sys.argv[1:])
