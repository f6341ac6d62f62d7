"""Fit the learned reranker (retrieval/search/ranking.py) on QA files and write its weights as
JSON. Measurement code: the core never imports it.

    python -m retrieval.measure.fit_ranker tests/data/own_qa_tune.jsonl --index vectors

Each answerable question contributes its fused top `--depth` candidates, labelled 1 when the
passage holds a gold span; a question whose gold is not among them teaches nothing and is
left out. The weights minimise the listwise softmax loss plus an L2 penalty whose strength
is chosen by 5-fold cross-validation on top-1 accuracy (ties: the stronger penalty). The
printed table compares the fused order, the cross-validated model and the final fit.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from retrieval.measure.evaluation import compact, load_qa
from retrieval.search.ranking import RANK_FEATURES, RANKER_FILE, RankingModel, fit_listwise, top1_accuracy

STRENGTHS = (0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03)
FOLDS = 5


def collect(engine, items, depth: int) -> tuple[list[tuple[np.ndarray, np.ndarray]], int]:
    """(feature matrix, labels) per answerable question whose gold is in the fused top."""
    from retrieval.config import HYBRID

    groups, answerable = [], 0
    for item in items:
        if not item.answerable:
            continue
        answerable += 1
        plan = engine.plan(item.question)
        scored = engine.score_candidates(plan, HYBRID)
        head, matrix = engine.head_features(plan, scored, depth)
        spans = [compact(span) for span in item.gold]
        labels = np.array([float(any(span in compact(engine.backend.passage(int(scored.candidates[p])).text) for span in spans)) for p in head])
        if labels.any():
            groups.append((matrix, labels))
    return groups, answerable


def cross_validated(groups, strength: float, seed: int = 0) -> float:
    folds = np.random.default_rng(seed).permutation(len(groups)) % FOLDS
    hits = 0.0
    for fold in range(FOLDS):
        train = [g for g, f in zip(groups, folds) if f != fold]
        test = [g for g, f in zip(groups, folds) if f == fold]
        hits += top1_accuracy(fit_listwise(train, strength), test) * len(test)
    return hits / len(groups)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.measure.fit_ranker", description=__doc__.split("\n\n")[0])
    parser.add_argument("qa_files", nargs="+", type=Path)
    parser.add_argument("--index", type=Path, default=Path("vectors"))
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "data" / RANKER_FILE)
    args = parser.parse_args(argv)
    from retrieval import Engine

    engine = Engine.load(args.index)
    items = [item for path in args.qa_files for item in load_qa(path)]
    groups, answerable = collect(engine, items, args.depth)
    fused_only = np.zeros(len(RANK_FEATURES))
    fused_only[RANK_FEATURES.index("fused")] = 1.0
    accuracy = {strength: cross_validated(groups, strength) for strength in STRENGTHS}
    strength = max(STRENGTHS, key=lambda s: (round(accuracy[s], 6), s))
    weights = fit_listwise(groups, strength)
    model = RankingModel(RANK_FEATURES, tuple(float(w) for w in weights.round(6)), args.depth)
    report = {
        **model.to_dict(),
        "fitted_on": [str(path) for path in args.qa_files], "answerable": answerable, "gold_in_head": len(groups),
        "regularisation": strength, "cv_top1": {str(k): round(v, 4) for k, v in accuracy.items()},
        "top1_of_gold_in_head": {"fused": round(top1_accuracy(fused_only, groups), 4), "fitted": round(top1_accuracy(weights, groups), 4)},
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    json.dump({key: report[key] for key in ("answerable", "gold_in_head", "regularisation", "cv_top1", "top1_of_gold_in_head")}, sys.stdout)
    print()
    for name, weight in sorted(zip(RANK_FEATURES, weights), key=lambda item: -abs(item[1])):
        print(f"{name:16s} {weight:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
