"""Scoring the engine against a QA file (the dev_qa.jsonl format). Pure functions + one runner.

Scoring rules (from the QA set's README):
- an answerable question is hit at rank r when any gold span, whitespace removed, occurs in the
  whitespace-removed text of the r-th returned passage; hit@1/3/5 and MRR@10 are averaged over
  answerable questions, overall, per language and per kind;
- abstention precision = abstentions on unanswerable questions / all abstentions,
  abstention recall = abstentions on unanswerable questions / unanswerable questions.
Hit metrics look at the ranking only: an answer that abstained still lists its top passages.
`answered@1` is the stricter user-facing figure: hit at rank 1 and not abstained.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence, TypeVar

from retrieval.errors import EvalFileInvalid

HIT_DEPTHS = (1, 3, 5)
MRR_DEPTH = 10
LANGUAGES = ("zh", "en")
# thresholds on the answerability model's probability for the reliability curve (the shipped
# operating point is in retrieval/data/answerability.json)
CURVE_THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
_WHITESPACE = re.compile(r"\s+")
Item = TypeVar("Item")


@dataclass(frozen=True)
class QAItem:
    id: str
    lang: str
    kind: str
    question: str
    gold: tuple[str, ...]
    source: str = ""
    answer: str | None = None  # the minimal answer (a figure, a name) inside gold[0], when the set gives it

    @property
    def answerable(self) -> bool:
        return bool(self.gold)


# ---------------------------------------------------------------- loading


def parse_qa_item(data: object) -> QAItem:
    """One decoded line -> QAItem; ValueError says what is wrong with it."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    for name in ("id", "question", "kind"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise ValueError(f"field {name!r} must be a non-empty string")
    if data.get("lang") not in LANGUAGES:
        raise ValueError(f"field 'lang' must be one of {', '.join(LANGUAGES)}")
    gold = data.get("gold")
    if not isinstance(gold, list) or not all(isinstance(span, str) and compact(span) for span in gold):
        raise ValueError("field 'gold' must be a list of non-empty strings")
    source = data.get("source", "")
    if not isinstance(source, str):
        raise ValueError("field 'source' must be a string")
    answer = data.get("answer")
    if answer is not None and (not isinstance(answer, str) or not compact(answer)):
        raise ValueError("field 'answer' must be a non-empty string or null")
    return QAItem(
        id=data["id"], lang=data["lang"], kind=data["kind"], question=data["question"],
        gold=tuple(gold), source=source, answer=answer,
    )


def load_jsonl_items(path: Path | str, parse: Callable[[object], Item], what: str = "questions") -> list[Item]:
    """Every item of a JSON Lines file (QA items, conversations), each decoded by `parse`
    (which raises ValueError saying what is wrong); blank lines are allowed, anything else bad
    is refused with its line number, and so are duplicate ids."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EvalFileInvalid(path, "file not found") from None
    except IsADirectoryError:
        raise EvalFileInvalid(path, "is a folder, not a file") from None
    except UnicodeDecodeError as error:
        raise EvalFileInvalid(path, f"not UTF-8 ({error.reason})") from None
    except OSError as error:
        raise EvalFileInvalid(path, error.strerror or str(error)) from None
    items: list[Item] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = parse(json.loads(line))
        except json.JSONDecodeError as error:
            raise EvalFileInvalid(path, f"not valid JSON ({error.msg})", number) from None
        except ValueError as error:
            raise EvalFileInvalid(path, str(error), number) from None
        if item.id in seen:
            raise EvalFileInvalid(path, f"duplicate id {item.id!r}", number)
        seen.add(item.id)
        items.append(item)
    if not items:
        raise EvalFileInvalid(path, f"no {what} in it")
    return items


def load_qa(path: Path | str) -> list[QAItem]:
    """Every question of a JSON Lines QA file (see `load_jsonl_items`)."""
    return load_jsonl_items(path, parse_qa_item)


# ---------------------------------------------------------------- scoring one answer


def compact(text: str) -> str:
    return _WHITESPACE.sub("", text)


def first_hit_rank(gold: Sequence[str], passage_texts: Sequence[str]) -> int | None:
    """1-based rank of the first passage containing a gold span, or None."""
    spans = [compact(span) for span in gold]
    for rank, text in enumerate(passage_texts, start=1):
        flat = compact(text)
        if any(span in flat for span in spans):
            return rank
    return None


@dataclass(frozen=True)
class Outcome:
    """What the engine did on one question, reduced to what the metrics need."""

    item: QAItem
    abstained: bool
    hit_rank: int | None
    top_passage_id: str | None
    top_score: float | None
    confidence: float = 1.0  # the engine's probability that its top result answers
    verdict: str = "answer"
    quote_holds_gold: bool | None = None  # rank-1 hits only: a gold span inside the top quote
    answer_marked: bool | None = None     # rank-1 hits with a given answer: the marked span holds it

    @property
    def missed(self) -> bool:
        """Wrong at the top: answerable and not hit at rank 1, or unanswerable and not abstained."""
        return self.hit_rank != 1 if self.item.answerable else not self.abstained

    def to_dict(self) -> dict:
        return {
            "id": self.item.id,
            "lang": self.item.lang,
            "kind": self.item.kind,
            "question": self.item.question,
            "answerable": self.item.answerable,
            "abstained": self.abstained,
            "hit_rank": self.hit_rank,
            "top_passage_id": self.top_passage_id,
            "top_score": self.top_score,
            "confidence": self.confidence,
            "verdict": self.verdict,
            "quote_holds_gold": self.quote_holds_gold,
            "answer_marked": self.answer_marked,
        }


def score_answer(item: QAItem, answer) -> Outcome:
    """`answer` is a retrieval.types.Answer (anything with .abstained and .results)."""
    results = list(answer.results)
    top = results[0] if results else None
    hit_rank = first_hit_rank(item.gold, [result.passage.text for result in results]) if item.answerable else None
    quote_holds = marked = None
    if hit_rank == 1:
        quote_holds = first_hit_rank(item.gold, [top.quote]) == 1
        if item.answer is not None:
            span = getattr(top, "answer_text", None)
            marked = bool(span) and compact(item.answer) in compact(span)
    return Outcome(
        item=item,
        abstained=bool(answer.abstained),
        hit_rank=hit_rank,
        top_passage_id=top.passage.passage_id if top else None,
        top_score=float(top.score) if top else None,
        confidence=float(getattr(answer, "confidence", 1.0)),
        verdict=getattr(answer, "verdict", "none" if answer.abstained else "answer"),
        quote_holds_gold=quote_holds,
        answer_marked=marked,
    )


# ---------------------------------------------------------------- aggregates


@dataclass(frozen=True)
class RankMetrics:
    questions: int
    hits: Mapping[int, float]  # depth -> share of questions hit within that depth
    mrr: float
    answered_at_1: float
    quote_holds_gold: float | None = None  # share of rank-1 hits whose quote holds a gold span
    answer_marked: float | None = None     # share of rank-1 hits (with a given answer) marked right

    def to_dict(self) -> dict:
        data: dict = {"questions": self.questions}
        data.update({f"hit@{depth}": self.hits[depth] for depth in HIT_DEPTHS})
        data[f"mrr@{MRR_DEPTH}"] = self.mrr
        data["answered@1"] = self.answered_at_1
        data["quote_holds_gold"] = self.quote_holds_gold
        data["answer_marked"] = self.answer_marked
        return data


def rank_metrics(outcomes: Iterable[Outcome]) -> RankMetrics:
    """Averages over the answerable questions among `outcomes` (zeros when there are none)."""
    answerable = [outcome for outcome in outcomes if outcome.item.answerable]
    count = len(answerable)

    def share(values: Iterable[float]) -> float:
        return round(sum(values) / count, 6) if count else 0.0

    ranks = [outcome.hit_rank for outcome in answerable]
    quoted = [outcome.quote_holds_gold for outcome in answerable if outcome.quote_holds_gold is not None]
    marked = [outcome.answer_marked for outcome in answerable if outcome.answer_marked is not None]
    return RankMetrics(
        questions=count,
        hits={depth: share(rank is not None and rank <= depth for rank in ranks) for depth in HIT_DEPTHS},
        mrr=share(1.0 / rank if rank is not None and rank <= MRR_DEPTH else 0.0 for rank in ranks),
        answered_at_1=share(outcome.hit_rank == 1 and not outcome.abstained for outcome in answerable),
        quote_holds_gold=round(sum(quoted) / len(quoted), 6) if quoted else None,
        answer_marked=round(sum(marked) / len(marked), 6) if marked else None,
    )


@dataclass(frozen=True)
class AbstentionMetrics:
    abstentions: int
    correct_abstentions: int  # abstentions on unanswerable questions
    unanswerable: int
    answerable: int
    precision: float | None  # None when there was no abstention at all
    recall: float | None  # None when the set has no unanswerable question
    answerable_abstained: float | None  # share of answerable questions abstained on

    def to_dict(self) -> dict:
        return {
            "abstentions": self.abstentions,
            "correct_abstentions": self.correct_abstentions,
            "precision": self.precision,
            "recall": self.recall,
            "answerable_abstained": self.answerable_abstained,
        }


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def abstention_metrics(outcomes: Iterable[Outcome], abstains: Callable[[Outcome], bool] | None = None) -> AbstentionMetrics:
    """Precision/recall of abstaining; `abstains` overrides the engine's own decision (for curves)."""
    outcomes = list(outcomes)
    decide = abstains or (lambda outcome: outcome.abstained)
    abstained = [outcome for outcome in outcomes if decide(outcome)]
    correct = sum(not outcome.item.answerable for outcome in abstained)
    unanswerable = sum(not outcome.item.answerable for outcome in outcomes)
    answerable = len(outcomes) - unanswerable
    return AbstentionMetrics(
        abstentions=len(abstained),
        correct_abstentions=correct,
        unanswerable=unanswerable,
        answerable=answerable,
        precision=ratio(correct, len(abstained)),
        recall=ratio(correct, unanswerable),
        answerable_abstained=ratio(len(abstained) - correct, answerable),
    )


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    metrics: AbstentionMetrics

    def to_dict(self) -> dict:
        return {"threshold": round(self.threshold, 6), **self.metrics.to_dict()}


def abstention_curve(outcomes: Iterable[Outcome], thresholds: Iterable[float] | None = None) -> list[CurvePoint]:
    """Abstention metrics if the rule were "abstain when the probability is below the threshold"
    (the reliability curve: abstention recall against answerable questions abstained)."""
    outcomes = list(outcomes)
    if thresholds is None:  # the fixed grid plus the shipped operating point
        from retrieval.answer.answerability import shipped_model

        thresholds = sorted(set(CURVE_THRESHOLDS) | {shipped_model().answer_threshold})

    def below(threshold: float) -> Callable[[Outcome], bool]:
        return lambda outcome: outcome.confidence < threshold

    return [CurvePoint(threshold, abstention_metrics(outcomes, below(threshold))) for threshold in thresholds]


# ---------------------------------------------------------------- reports and runner


@dataclass(frozen=True)
class ConfigReport:
    name: str
    overall: RankMetrics
    by_language: Mapping[str, RankMetrics]
    by_kind: Mapping[str, RankMetrics]
    abstention: AbstentionMetrics
    curve: tuple[CurvePoint, ...]
    outcomes: tuple[Outcome, ...]
    seconds: float = 0.0

    @property
    def misses(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.missed]

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "overall": self.overall.to_dict(),
            "by_language": {lang: metrics.to_dict() for lang, metrics in self.by_language.items()},
            "by_kind": {kind: metrics.to_dict() for kind, metrics in self.by_kind.items()},
            "abstention": self.abstention.to_dict(),
            "abstention_curve": [point.to_dict() for point in self.curve],
            "seconds": round(self.seconds, 3),
            "ms_per_question": round(1000 * self.seconds / len(self.outcomes), 1) if self.outcomes else None,
            "questions": [outcome.to_dict() for outcome in self.outcomes],
        }


def summarise(name: str, outcomes: Sequence[Outcome], seconds: float = 0.0) -> ConfigReport:
    """All metrics of one configuration; languages and kinds without answerable questions are left out."""
    def grouped(key: Callable[[QAItem], str]) -> dict[str, RankMetrics]:
        groups: dict[str, list[Outcome]] = {}
        for outcome in outcomes:
            if outcome.item.answerable:
                groups.setdefault(key(outcome.item), []).append(outcome)
        return {name: rank_metrics(group) for name, group in groups.items()}

    by_language = grouped(lambda item: item.lang)
    return ConfigReport(
        name=name,
        overall=rank_metrics(outcomes),
        by_language={lang: by_language[lang] for lang in LANGUAGES if lang in by_language},
        by_kind=dict(sorted(grouped(lambda item: item.kind).items())),
        abstention=abstention_metrics(outcomes),
        curve=tuple(abstention_curve(outcomes)),
        outcomes=tuple(outcomes),
        seconds=seconds,
    )


@dataclass(frozen=True)
class EvaluationReport:
    k: int
    questions: int
    answerable: int
    configs: tuple[ConfigReport, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {
            "k": self.k,
            "questions": self.questions,
            "answerable": self.answerable,
            "configs": {report.name: report.to_dict() for report in self.configs},
        }


def evaluate(
    engine,
    questions: Sequence[QAItem],
    configs: Mapping[str, object],
    k: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> EvaluationReport:
    """Ask every question under every configuration (name -> SearchConfig) and score the answers.

    `engine` is anything with `ask(question, k=, config=)` returning an Answer.
    `progress(done, total)` is called after each question, counting across configurations.
    """
    total = len(questions) * len(configs)
    done = 0
    reports = []
    for name, config in configs.items():
        started = time.perf_counter()
        outcomes = []
        for item in questions:
            outcomes.append(score_answer(item, engine.ask(item.question, k=k, config=config)))
            done += 1
            if progress is not None:
                progress(done, total)
        reports.append(summarise(name, outcomes, time.perf_counter() - started))
    answerable = sum(item.answerable for item in questions)
    return EvaluationReport(k=k, questions=len(questions), answerable=answerable, configs=tuple(reports))
