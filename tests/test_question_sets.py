"""The blind question sets the README's quality numbers come from: every gold span and answer is
verbatim in its seed (whitespace stripped, as the writers were told), and no question sits in two
sets, so a tuning part never leaks into a held-out one."""
import collections
import json
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA))
from split_own_qa_batch3 import problems, squeezed_seeds  # noqa: E402

QUESTION_SETS = sorted(DATA.glob("own_qa*_*.jsonl"))


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_batch_has_a_tuning_and_a_held_out_part():
    parts = collections.defaultdict(set)
    for path in QUESTION_SETS:
        batch, part = path.stem.rsplit("_", 1)
        parts[batch].add(part)
    assert len(parts) >= 11 and all(found == {"tune", "heldout"} for found in parts.values()), dict(parts)


@pytest.mark.parametrize("path", QUESTION_SETS, ids=lambda path: path.name)
def test_gold_spans_are_verbatim_in_their_seed(path):
    seeds = squeezed_seeds()
    bad = {question["id"]: found for question in read(path) if (found := problems(question, seeds))}
    assert not bad


def test_no_question_is_in_two_sets():
    owners = collections.defaultdict(list)
    for path in QUESTION_SETS:
        for question in read(path):
            owners[question["id"]].append(path.name)
    assert not {question_id: names for question_id, names in owners.items() if len(names) > 1}
