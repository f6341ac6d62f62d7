"""`investqa ask --json --conversation` end to end on the real index."""
from __future__ import annotations

import json

import pytest

from test_cli import assert_answer_object, investqa

pytestmark = pytest.mark.integration


def test_conversation_mode_resolves_follow_ups_and_an_empty_line_starts_afresh(built_index):
    lines = "崂山区对新认定的独角兽企业最高奖励多少？\n那即墨区呢？\n\n那即墨区呢？\n"
    done = investqa("ask", "--json", "--conversation", "-k", "3", "--index", str(built_index), stdin_text=lines)
    assert done.returncode == 0, done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert [obj["question"] for obj in objects] == ["崂山区对新认定的独角兽企业最高奖励多少？", "那即墨区呢？", "那即墨区呢？"]
    first, follow_up, fresh = (obj.pop("understood_as") for obj in objects)
    assert first == "崂山区对新认定的独角兽企业最高奖励多少？"
    assert follow_up == "即墨区对新认定的独角兽企业最高奖励多少？"
    assert fresh == "那即墨区呢？"  # after the empty line there is nothing to follow up
    for obj in objects:
        assert_answer_object(obj, k=3)  # the usual keys, unchanged


def test_conversation_mode_refuses_a_question_argument(built_index):
    done = investqa("ask", "--json", "--conversation", "--index", str(built_index), "问题")
    assert done.returncode == 2 and "--conversation" in done.stderr
