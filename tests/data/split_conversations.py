"""Split the blind conversation set once into a tuning half and a held-out half.

Stratified by follow_kind, fixed seed: run once, the two halves are committed. Developing and
tuning look only at conversations_tune.jsonl; the held-out half is only ever scored.
    python tests/data/split_conversations.py /tmp/blindconv/out/conversations.jsonl tests/data
"""
import json
import random
import sys
from pathlib import Path

SEED = 13


def split(lines: list[str]) -> tuple[list[str], list[str]]:
    by_kind: dict[str, list[str]] = {}
    for line in lines:
        by_kind.setdefault(json.loads(line)["follow_kind"], []).append(line)
    rng = random.Random(SEED)
    tune, heldout = [], []
    for kind in sorted(by_kind):
        group = by_kind[kind][:]
        rng.shuffle(group)
        half = (len(group) + 1) // 2
        tune += group[:half]
        heldout += group[half:]
    order = {line: number for number, line in enumerate(lines)}
    return sorted(tune, key=order.get), sorted(heldout, key=order.get)


if __name__ == "__main__":
    source, folder = Path(sys.argv[1]), Path(sys.argv[2])
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    tune, heldout = split(lines)
    (folder / "conversations_tune.jsonl").write_text("\n".join(tune) + "\n", encoding="utf-8")
    (folder / "conversations_heldout.jsonl").write_text("\n".join(heldout) + "\n", encoding="utf-8")
    print(f"{len(tune)} tune, {len(heldout)} held out")
