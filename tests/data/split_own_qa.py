"""How own_qa_tune.jsonl and own_qa_heldout.jsonl were made (run once, kept for the record).

The 475 questions were written by five helper sessions that saw only the five seed files
(never the code, the dev set or each other's output), in the styles and unanswerable kinds
listed in the README. This script checks every gold span against the whitespace-stripped
seed and splits once, with a fixed seed, stratified by answerable x language x writer.
"""
import collections
import glob
import json
import pathlib
import random
import re
import sys
seeds = {p.name: re.sub(r"\s+", "", p.read_text(encoding="utf-8")) for p in pathlib.Path("/work/main/seeds").glob("*.txt")}
rows = []
for f in sorted(glob.glob(sys.argv[1] + "/writer_*.jsonl")):
    for line in open(f, encoding="utf-8"):
        if line.strip():
            rows.append(json.loads(line))
ids = set(); bad = []
for r in rows:
    assert r["id"] not in ids; ids.add(r["id"])
    assert r["lang"] in ("zh", "en"), r
    if r["gold"]:
        text = seeds[r["source"]]
        for g in r["gold"]:
            if re.sub(r"\s+", "", g) not in text or not 6 <= len(g) <= 25: bad.append((r["id"], g))
        if r["answer"] is None or r["answer"] not in r["gold"][0]: bad.append((r["id"], "answer"))
    else:
        assert r["kind"] == "unanswerable" and r["answer"] is None
print("rows", len(rows), "bad", bad)
# stratified split, fixed seed
rng = random.Random(20261201)
groups = collections.defaultdict(list)
for r in rows:
    groups[(bool(r["gold"]), r["lang"], r["id"][:4])].append(r)
tune, held = [], []
for key in sorted(groups):
    g = sorted(groups[key], key=lambda r: r["id"]); rng.shuffle(g)
    half = len(g) // 2
    # alternate which half gets the odd one out
    if len(g) % 2 and rng.random() < 0.5: half += 1
    tune += g[:half]; held += g[half:]
for name, part in (("own_qa_tune.jsonl", tune), ("own_qa_heldout.jsonl", held)):
    part.sort(key=lambda r: r["id"])
    with open(f"/work/main/tests/data/{name}", "w", encoding="utf-8") as h:
        for r in part: h.write(json.dumps(r, ensure_ascii=False) + "\n")
    c = collections.Counter((bool(r["gold"]), r["lang"]) for r in part)
    print(name, len(part), dict(c))
