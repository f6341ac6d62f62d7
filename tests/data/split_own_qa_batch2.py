"""How own_qa2_tune.jsonl and own_qa2_heldout.jsonl were made (run once, kept for the record).

A second batch of 360 questions, written by three more helper sessions that saw only the five
seed files (never the code, the dev set, the first batch or each other's output): writer A
mostly English (plain and with pinyin names) and mixed, writer B Chinese styles, writer C hard
near misses paired with answerable questions of the same form. Every gold span is checked
against the whitespace-stripped seed; the batch is split once, with a fixed seed, stratified
by answerable x language x writer, half into tuning and half into a held-out part that no
decision was taken on before the final measurement.

    python tests/data/split_own_qa_batch2.py /tmp/blindqa2
"""
import collections
import glob
import json
import pathlib
import random
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
seeds = {p.name: re.sub(r"\s+", "", p.read_text(encoding="utf-8")) for p in (HERE.parent.parent / "seeds").glob("*.txt")}
rows = []
for path in sorted(glob.glob(sys.argv[1] + "/writer_*.jsonl")):
    for line in open(path, encoding="utf-8"):
        if line.strip():
            rows.append(json.loads(line))
ids, bad = set(), []
for r in rows:
    assert r["id"] not in ids
    ids.add(r["id"])
    assert r["lang"] in ("zh", "en"), r
    if r["gold"]:
        text = seeds[r["source"]]
        for g in r["gold"]:
            if re.sub(r"\s+", "", g) not in text or not 6 <= len(g) <= 25:
                bad.append((r["id"], g))
        if r["answer"] is None or r["answer"] not in r["gold"][0]:
            bad.append((r["id"], "answer"))
    else:
        assert r["kind"] == "unanswerable" and r["answer"] is None
print("rows", len(rows), "bad", bad)
assert not bad
rng = random.Random(20261202)
groups = collections.defaultdict(list)
for r in rows:
    groups[(bool(r["gold"]), r["lang"], r["id"][:4])].append(r)
tune, held = [], []
for key in sorted(groups):
    members = sorted(groups[key], key=lambda r: r["id"])
    rng.shuffle(members)
    half = len(members) // 2
    if len(members) % 2 and rng.random() < 0.5:
        half += 1
    tune += members[:half]
    held += members[half:]
for name, part in (("own_qa2_tune.jsonl", tune), ("own_qa2_heldout.jsonl", held)):
    part.sort(key=lambda r: r["id"])
    with open(HERE / name, "w", encoding="utf-8") as handle:
        for r in part:
            handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts = collections.Counter((bool(r["gold"]), r["lang"]) for r in part)
    print(name, len(part), dict(counts))
