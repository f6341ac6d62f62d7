"""How own_qa3_tune.jsonl and own_qa3_heldout.jsonl were made (run once, kept for the record).

A third batch of 300 questions, written on 2026-12-02 by three more helper sessions that saw
only the five seed files (never the code, the dev set, the earlier batches or each other's
output): writer a Chinese styles, writer b English, English with pinyin names and mixed,
writer c answerable questions paired with unanswerable ones of the same form. It was written
after every change of that day had been decided, and the engine was run on it only after
the split, so both parts measure what was shipped; no decision was taken on them.

    python tests/data/split_own_qa_batch3.py /tmp/batch3/zh_styles.jsonl /tmp/batch3/en_styles.jsonl /tmp/batch3/pairs.jsonl
"""
from __future__ import annotations

import collections
import json
import pathlib
import random
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
SEED = 20261203
SPAN_CHARS = (6, 40)


def squeezed_seeds() -> dict[str, str]:
    return {path.name: re.sub(r"\s+", "", path.read_text(encoding="utf-8")) for path in (HERE.parent.parent / "seeds").glob("*.txt")}


def problems(question: dict, seeds: dict[str, str]) -> list[str]:
    """What is wrong with one question: a gold span not in its seed, an answer outside gold[0]."""
    found = []
    if question["lang"] not in ("zh", "en"):
        found.append("lang")
    if not question["gold"]:
        if question["kind"] != "unanswerable" or question["answer"] is not None or not question.get("unanswerable_kind"):
            found.append("unanswerable fields")
        return found
    text = seeds.get(question["source"], "")
    for span in question["gold"]:
        span = re.sub(r"\s+", "", span)
        if span not in text or not SPAN_CHARS[0] <= len(span) <= SPAN_CHARS[1]:
            found.append(f"gold {span!r}")
    answer = re.sub(r"\s+", "", question["answer"] or "")
    if not answer or answer not in re.sub(r"\s+", "", question["gold"][0]):
        found.append("answer")
    return found


def split(questions: list[dict], seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """Half of every answerable x language x writer group to tuning, the rest held out."""
    rng = random.Random(seed)
    groups = collections.defaultdict(list)
    for question in questions:
        groups[(bool(question["gold"]), question["lang"], question["id"][:4])].append(question)
    tune, held = [], []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda question: question["id"])
        rng.shuffle(members)
        half = len(members) // 2 + (len(members) % 2 and rng.random() < 0.5)
        tune += members[:half]
        held += members[half:]
    return tune, held


def main(paths: list[str]) -> None:
    write_split(paths, ("own_qa3_tune.jsonl", "own_qa3_heldout.jsonl"), SEED)


def write_split(paths: list[str], names: tuple[str, str], seed: int) -> None:
    """Check every question, split them, write the two parts under tests/data/."""
    questions = [json.loads(line) for path in paths for line in open(path, encoding="utf-8") if line.strip()]
    assert len({question["id"] for question in questions}) == len(questions), "duplicate ids"
    seeds = squeezed_seeds()
    bad = {question["id"]: found for question in questions if (found := problems(question, seeds))}
    print("questions", len(questions), "with problems", bad)
    assert not bad
    for name, part in zip(names, split(questions, seed)):
        part.sort(key=lambda question: question["id"])
        (HERE / name).write_text("".join(json.dumps(question, ensure_ascii=False) + "\n" for question in part), encoding="utf-8")
        print(name, len(part), dict(collections.Counter((bool(question["gold"]), question["lang"]) for question in part)))


if __name__ == "__main__":
    main(sys.argv[1:])
