"""Scoring conversations: the last turn of each, asked after the earlier turns.

File format (JSON Lines): {"id", "lang": "zh"|"en"|"mixed", "follow_kind", "turns": [...],
"expected_rewrite": str|null, "kind", "gold": [...], "answer", "source"}. follow_kind is one of
place, period, attribute, pronoun (follow-ups that should be rewritten), uncovered (a follow-up
to something the documents do not cover: should be rewritten and abstained on) and standalone
(a new complete question: must not be rewritten).

The last turn is scored three ways with the standard metrics (evaluation.py): in its
conversation, as the message alone (what the bot did before it kept context), and, where the
file gives one, the expected standalone rewrite asked alone (the reference a perfect resolver
would reach). Rewrites themselves are judged only by whether they happened: a rewrite is
good when it retrieves and abstains like the reference, not when it matches its wording.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from retrieval.conversation import Conversation
from retrieval.measure.evaluation import QAItem, compact, load_jsonl_items, rank_metrics, ratio, score_answer, summarise

FOLLOW_KINDS = ("place", "period", "attribute", "pronoun", "uncovered", "standalone")
STANDALONE = "standalone"
LANGUAGES = ("zh", "en", "mixed")


@dataclass(frozen=True)
class ConversationItem:
    id: str
    lang: str
    follow_kind: str
    turns: tuple[str, ...]
    gold: tuple[str, ...]
    expected_rewrite: str | None = None
    source: str = ""

    def last_turn(self, question: str | None = None) -> QAItem:
        """The last turn as a QA item (kind = follow_kind), asked as `question` when given."""
        return QAItem(self.id, self.lang, self.follow_kind, question or self.turns[-1], self.gold, self.source)


def is_conversation_file(path: Path | str) -> bool:
    """Whether the first non-blank line of a JSON Lines file is a conversation (has "turns")."""
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    data = json.loads(line)
                    return isinstance(data, dict) and "turns" in data
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False  # load_qa reports the problem properly
    return False


def parse_conversation(data: object) -> ConversationItem:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if not isinstance(data.get("id"), str) or not data["id"].strip():
        raise ValueError("field 'id' must be a non-empty string")
    if data.get("lang") not in LANGUAGES:
        raise ValueError(f"field 'lang' must be one of {', '.join(LANGUAGES)}")
    if data.get("follow_kind") not in FOLLOW_KINDS:
        raise ValueError(f"field 'follow_kind' must be one of {', '.join(FOLLOW_KINDS)}")
    turns = data.get("turns")
    if not isinstance(turns, list) or not 1 <= len(turns) or not all(isinstance(t, str) and t.strip() for t in turns):
        raise ValueError("field 'turns' must be a list of non-empty strings")
    gold = data.get("gold")
    if not isinstance(gold, list) or not all(isinstance(span, str) and compact(span) for span in gold):
        raise ValueError("field 'gold' must be a list of non-empty strings")
    rewrite = data.get("expected_rewrite")
    if rewrite is not None and not (isinstance(rewrite, str) and rewrite.strip()):
        raise ValueError("field 'expected_rewrite' must be a non-empty string or null")
    return ConversationItem(data["id"], data["lang"], data["follow_kind"], tuple(turns), tuple(gold), rewrite, str(data.get("source", "")))


def load_conversations(path: Path | str) -> list[ConversationItem]:
    return load_jsonl_items(path, parse_conversation, "conversations")


def evaluate_conversations(
    engine,
    items: Sequence[ConversationItem],
    configs: Mapping[str, object],
    k: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """One block per configuration: the last turns in context, alone, and the reference rewrites
    alone (each a `summarise` report), the rewrite rates, and one record per conversation."""
    total, done = len(items) * len(configs), 0
    blocks = {}
    for name, config in configs.items():
        started = time.perf_counter()
        in_context, alone, reference, records = [], [], [], []
        for item in items:
            conversation = Conversation(engine, clock=lambda: 0.0)  # turns of one conversation never expire
            for turn in item.turns[:-1]:
                conversation.ask(turn, k=k, config=config)
            last = conversation.ask(item.turns[-1], k=k, config=config)
            in_context.append(score_answer(item.last_turn(), last.answer))
            alone.append(score_answer(item.last_turn(), engine.ask(item.turns[-1], k=k, config=config)))
            if item.expected_rewrite:
                reference.append(score_answer(item.last_turn(item.expected_rewrite), engine.ask(item.expected_rewrite, k=k, config=config)))
            records.append({
                "id": item.id, "lang": item.lang, "follow_kind": item.follow_kind, "message": item.turns[-1],
                "understood_as": last.understood_as, "rewritten": last.rewritten,
                "hit_rank": in_context[-1].hit_rank, "abstained": in_context[-1].abstained,
                "alone_hit_rank": alone[-1].hit_rank, "alone_abstained": alone[-1].abstained,
            })
            done += 1
            if progress is not None:
                progress(done, total)
        blocks[name] = {
            "in_context": _scored(in_context),
            "message_alone": _scored(alone),
            "reference_alone": _scored(reference),
            "rewriting": rewrite_rates(records),
            "seconds": round(time.perf_counter() - started, 3),
            "conversations": records,
        }
    return {"k": k, "conversations": len(items), "answerable": sum(bool(item.gold) for item in items), "configs": blocks}


def _scored(outcomes) -> dict:
    """summarise() of the outcomes plus the rank metrics of the answerable follow-ups alone."""
    report = summarise("", outcomes).to_dict()
    follow_ups = [outcome for outcome in outcomes if outcome.item.kind != STANDALONE]
    return {
        "overall": report["overall"],
        "follow_ups": rank_metrics(follow_ups).to_dict(),
        "by_kind": report["by_kind"],
        "abstention": report["abstention"],
        "uncovered_abstained": ratio(
            sum(o.abstained for o in outcomes if o.item.kind == "uncovered"), sum(o.item.kind == "uncovered" for o in outcomes)
        ),
    }


def rewrite_rates(records: Sequence[dict]) -> dict:
    follow_ups = [record for record in records if record["follow_kind"] != STANDALONE]
    standalone = [record for record in records if record["follow_kind"] == STANDALONE]
    return {
        "follow_ups": len(follow_ups),
        "follow_ups_rewritten": ratio(sum(record["rewritten"] for record in follow_ups), len(follow_ups)),
        "standalone": len(standalone),
        "standalone_left_as_is": ratio(sum(not record["rewritten"] for record in standalone), len(standalone)),
    }
