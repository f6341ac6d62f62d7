"""`investqa eval`: score a QA file or a conversation file under chosen search configurations."""
from __future__ import annotations

import json

from . import cli
from . import terminal_format as fmt

DEFAULT_CONFIG = "hybrid"


def chosen_configs(names: list[str] | None) -> dict:
    presets = cli.search_presets()
    chosen = {}
    for name in names or [DEFAULT_CONFIG]:
        if name not in presets:
            raise cli.UsageError(f"unknown --config {name!r} (choose from {', '.join(presets)})")
        chosen[name] = presets[name]
    return chosen


def run_eval(args) -> int:
    """A QA file or a conversation file (lines with "turns"): the same run, its own scoring."""
    from retrieval.measure import conversations, evaluation

    if conversations.is_conversation_file(args.file):
        items = conversations.load_conversations(args.file)
        evaluate, to_dict, formatted = conversations.evaluate_conversations, dict, fmt.format_conversation_report
    else:
        items = evaluation.load_qa(args.file)
        evaluate, to_dict, formatted = evaluation.evaluate, lambda report: report.to_dict(), fmt.format_eval_report
    configs = chosen_configs(args.config)
    engine = cli.load_engine(args.index, args.embedder)
    progress = cli.make_progress_bar()
    try:
        report = to_dict(evaluate(engine, items, configs, k=args.k, progress=progress))
    finally:
        progress.close()
    print(json.dumps(report, ensure_ascii=False) if args.json else formatted(report, show_misses=args.misses))
    return 0
