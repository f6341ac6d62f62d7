"""Metrics of retrieval/evaluation.py on hand-made answers, whose right values are worked out by hand."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from retrieval.errors import EvalFileInvalid, InvestqaError
from retrieval.measure.evaluation import (
    Outcome,
    QAItem,
    abstention_curve,
    abstention_metrics,
    evaluate,
    first_hit_rank,
    load_qa,
    rank_metrics,
    score_answer,
    summarise,
)
from retrieval.types import Answer, Result

from fakes import make_passage

DEV_QA = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_qa.jsonl"


def item(id="q1", lang="zh", kind="fact", gold=("答案",)) -> QAItem:
    return QAItem(id=id, lang=lang, kind=kind, question=f"question {id}", gold=tuple(gold))


def outcome(hit_rank=None, abstained=False, answerable=True, score=0.5, **fields) -> Outcome:
    qa = item(gold=("x",) if answerable else (), kind=fields.pop("kind", "fact" if answerable else "unanswerable"), **fields)
    return Outcome(item=qa, abstained=abstained, hit_rank=hit_rank, top_passage_id="p", top_score=score, confidence=score)


def answer(texts, abstained=False, scores=None) -> Answer:
    scores = scores or [1.0 - 0.1 * i for i in range(len(texts))]
    results = tuple(
        Result(rank, make_passage(rank, text), scores[rank - 1], 0, len(text))
        for rank, text in enumerate(texts, start=1)
    )
    return Answer("q", "zh", abstained, results)


# ---------------------------------------------------------------- gold matching


def test_gold_matches_across_hard_wrapped_lines_and_spaces():
    passages = ["无关的段落。", "对新认定的独角兽企业，最高可奖\n励300 万元。"]
    assert first_hit_rank(["最高可奖励300万元"], passages) == 2


def test_any_alternative_gold_span_counts_and_the_first_hit_wins():
    passages = ["甲乙丙", "丁戊己", "甲乙丙丁"]
    assert first_hit_rank(["不存在的", "丁戊"], passages) == 2
    assert first_hit_rank(["甲 乙"], passages) == 1
    assert first_hit_rank(["庚辛"], passages) is None


def test_score_answer_reads_rank_abstention_and_top_passage():
    qa = item(gold=("奖励300万元",))
    scored = score_answer(qa, answer(["别的", "也不是", "最高可奖励300万元"], abstained=True, scores=[0.7, 0.6, 0.5]))
    assert scored.hit_rank == 3
    assert scored.abstained is True
    assert scored.top_passage_id == make_passage(1, "").passage_id
    assert scored.top_score == pytest.approx(0.7)


def test_unanswerable_question_never_has_a_hit_rank():
    scored = score_answer(item(gold=()), answer(["随便什么内容"]))
    assert scored.hit_rank is None and scored.missed


# ---------------------------------------------------------------- rank metrics


def test_rank_metrics_by_hand():
    outcomes = [
        outcome(hit_rank=1),
        outcome(hit_rank=3),
        outcome(hit_rank=None),
        outcome(hit_rank=7),
        outcome(answerable=False, abstained=True),  # not part of the rank metrics
    ]
    metrics = rank_metrics(outcomes)
    assert metrics.questions == 4
    assert metrics.hits[1] == pytest.approx(0.25)
    assert metrics.hits[3] == pytest.approx(0.5)
    assert metrics.hits[5] == pytest.approx(0.5)
    assert metrics.mrr == pytest.approx((1 + 1 / 3 + 0 + 1 / 7) / 4, abs=1e-6)


def test_mrr_ignores_hits_below_rank_10():
    metrics = rank_metrics([outcome(hit_rank=2), outcome(hit_rank=11)])
    assert metrics.mrr == pytest.approx(0.25)


def test_answered_at_1_requires_not_abstaining():
    metrics = rank_metrics([outcome(hit_rank=1), outcome(hit_rank=1, abstained=True)])
    assert metrics.hits[1] == pytest.approx(1.0)
    assert metrics.answered_at_1 == pytest.approx(0.5)


def test_rank_metrics_of_no_answerable_question_are_zero():
    metrics = rank_metrics([outcome(answerable=False)])
    assert metrics.questions == 0 and metrics.mrr == 0.0 and metrics.hits[1] == 0.0


def test_to_dict_uses_the_readme_metric_names():
    data = rank_metrics([outcome(hit_rank=1)]).to_dict()
    assert set(data) == {"questions", "hit@1", "hit@3", "hit@5", "mrr@10", "answered@1", "quote_holds_gold", "answer_marked"}


# ---------------------------------------------------------------- abstention


def test_abstention_precision_and_recall_by_hand():
    outcomes = [
        outcome(answerable=False, abstained=True),
        outcome(answerable=False, abstained=False),
        outcome(hit_rank=1, abstained=True),
        outcome(hit_rank=1),
        outcome(hit_rank=None),
    ]
    metrics = abstention_metrics(outcomes)
    assert metrics.abstentions == 2 and metrics.correct_abstentions == 1
    assert metrics.precision == pytest.approx(0.5)
    assert metrics.recall == pytest.approx(0.5)
    assert metrics.answerable_abstained == pytest.approx(1 / 3, abs=1e-6)


def test_precision_is_undefined_without_abstentions():
    metrics = abstention_metrics([outcome(hit_rank=1), outcome(answerable=False)])
    assert metrics.precision is None
    assert metrics.recall == 0.0


def test_default_curve_includes_the_shipped_operating_point():
    from retrieval.answer.answerability import shipped_model

    threshold = shipped_model().answer_threshold
    points = abstention_curve([outcome(answerable=False, score=threshold - 0.01), outcome(hit_rank=1, score=threshold)])
    shipped = next(point.metrics for point in points if point.threshold == threshold)
    assert (shipped.precision, shipped.recall, shipped.answerable_abstained) == (1.0, 1.0, 0.0)


def test_abstention_curve_thresholds_the_confidence():
    outcomes = [
        outcome(answerable=False, score=0.2),
        outcome(answerable=False, score=0.6),
        outcome(hit_rank=1, score=0.4),
        outcome(hit_rank=1, score=0.8),
    ]
    points = {point.threshold: point.metrics for point in abstention_curve(outcomes, [0.3, 0.5, 0.7, 0.9])}
    # below 0.3: only the 0.2 unanswerable abstains
    assert (points[0.3].precision, points[0.3].recall, points[0.3].answerable_abstained) == (1.0, 0.5, 0.0)
    # below 0.5: 0.2 (unanswerable) and 0.4 (answerable)
    assert (points[0.5].precision, points[0.5].recall, points[0.5].answerable_abstained) == (0.5, 0.5, 0.5)
    # below 0.7: 0.2, 0.4, 0.6
    assert points[0.7].precision == pytest.approx(2 / 3, abs=1e-6) and points[0.7].recall == 1.0
    assert points[0.9].abstentions == 4 and points[0.9].answerable_abstained == 1.0


# ---------------------------------------------------------------- loading QA files


def write_lines(path: Path, rows) -> Path:
    path.write_text("\n".join(row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


GOOD = {"id": "a1", "lang": "zh", "kind": "fact", "question": "问题？", "gold": ["答案片段"], "source": "000.txt"}


def test_load_qa_reads_items_and_skips_blank_lines(tmp_path):
    unanswerable = dict(GOOD, id="a2", lang="en", kind="unanswerable", question="What?", gold=[], source="")
    items = load_qa(write_lines(tmp_path / "qa.jsonl", [GOOD, "", unanswerable]))
    assert [qa.id for qa in items] == ["a1", "a2"]
    assert items[0].gold == ("答案片段",) and items[0].answerable
    assert not items[1].answerable


@pytest.mark.parametrize(
    "bad_line, fragment",
    [
        ("{not json", "not valid JSON"),
        (json.dumps(dict(GOOD, id="b", lang="fr")), "lang"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "gold"} | {"id": "b"}), "gold"),
        (json.dumps(dict(GOOD, id="b", question="  ")), "question"),
        (json.dumps(dict(GOOD, id="b", gold="答案片段")), "gold"),
        (json.dumps(dict(GOOD)), "duplicate id"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_load_qa_names_the_bad_line(tmp_path, bad_line, fragment):
    path = write_lines(tmp_path / "qa.jsonl", [GOOD, "", bad_line])
    with pytest.raises(EvalFileInvalid) as error:
        load_qa(path)
    assert "line 3" in str(error.value) and fragment in str(error.value)
    assert isinstance(error.value, InvestqaError)


def test_load_qa_refuses_missing_empty_and_binary_files(tmp_path):
    with pytest.raises(EvalFileInvalid, match="not found"):
        load_qa(tmp_path / "missing.jsonl")
    with pytest.raises(EvalFileInvalid, match="no questions"):
        load_qa(write_lines(tmp_path / "empty.jsonl", [""]))
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(EvalFileInvalid, match="UTF-8"):
        load_qa(binary)


@pytest.mark.skipif(not DEV_QA.exists(), reason="shared dev QA set not present")
def test_the_shared_dev_set_loads_in_full():
    lines = [line for line in DEV_QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = load_qa(DEV_QA)
    assert len(items) == len(lines)
    assert all(qa.answerable == (qa.kind != "unanswerable") for qa in items)


# ---------------------------------------------------------------- runner


class ScriptedEngine:
    """Returns a fixed answer per (question, config) and records the calls."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def ask(self, question, k=5, config=None):
        self.calls.append((question, k, config))
        return self.answers[(question, config)]


def test_evaluate_scores_every_config_and_splits_by_language_and_kind():
    questions = [
        QAItem("z1", "zh", "number", "问一", ("三百万",)),
        QAItem("e1", "en", "cross", "ask one", ("五十亿",)),
        QAItem("u1", "en", "unanswerable", "ask two", ()),
    ]
    answers = {
        ("问一", "A"): answer(["三百万元"]),
        ("ask one", "A"): answer(["无关", "五十亿元"]),
        ("ask two", "A"): answer(["无关"], abstained=True),
        ("问一", "B"): answer(["无关", "无关", "无关", "三百万"]),
        ("ask one", "B"): answer(["无关"]),
        ("ask two", "B"): answer(["无关"]),
    }
    engine = ScriptedEngine(answers)
    progress = []
    report = evaluate(engine, questions, {"first": "A", "second": "B"}, k=7, progress=lambda d, t: progress.append((d, t)))
    assert {k for _, k, _ in engine.calls} == {7}
    assert progress[-1] == (6, 6)
    first, second = report.configs
    assert first.name == "first" and second.name == "second"
    assert first.overall.hits[1] == pytest.approx(0.5) and first.overall.mrr == pytest.approx(0.75)
    assert first.by_language["zh"].hits[1] == 1.0 and first.by_language["en"].hits[1] == 0.0
    assert set(first.by_kind) == {"number", "cross"}  # no answerable "unanswerable" kind
    assert first.abstention.recall == 1.0 and first.abstention.precision == 1.0
    assert second.overall.hits[5] == pytest.approx(0.5) and second.overall.mrr == pytest.approx(0.125)
    assert second.abstention.recall == 0.0
    assert [o.item.id for o in second.misses] == ["z1", "e1", "u1"]
    data = report.to_dict()
    assert data["questions"] == 3 and data["answerable"] == 2
    assert set(data["configs"]) == {"first", "second"}
    assert "abstention_curve" in data["configs"]["first"]
    json.dumps(data)  # plain JSON types only


def test_summarise_keeps_the_language_order_zh_en():
    report = summarise("x", [outcome(hit_rank=1, lang="en"), outcome(hit_rank=1, lang="zh")])
    assert list(report.by_language) == ["zh", "en"]


@pytest.mark.parametrize("name", [
    "blind_qa.jsonl", "own_qa_tune.jsonl", "own_qa_heldout.jsonl", "own_qa2_tune.jsonl", "own_qa2_heldout.jsonl",
    "own_qa3_tune.jsonl", "own_qa3_heldout.jsonl", "own_qa4_tune.jsonl", "own_qa4_heldout.jsonl",
    "own_qa5_tune.jsonl", "own_qa5_heldout.jsonl", "own_qa6_tune.jsonl", "own_qa6_heldout.jsonl",
])
def test_the_readmes_question_sets_hold_only_spans_their_seed_files_contain(name):
    """The README's measurements must stay answerable from the shipped seeds (whitespace
    removed, as the dev set's scoring does), with the minimal answer inside the first span."""
    root = Path(__file__).resolve().parents[2]
    items = load_qa(root / "tests" / "data" / name)
    seeds = {path.name: re.sub(r"\s+", "", path.read_text(encoding="utf-8")) for path in (root / "seeds").glob("*.txt")}
    assert sum(not item.gold for item in items) >= 10  # enough unanswerable questions to measure
    for item in items:
        for span in item.gold:
            assert re.sub(r"\s+", "", span) in seeds[item.source], (item.id, span)
        if item.gold and item.answer is not None:
            assert item.answer in item.gold[0], item.id
