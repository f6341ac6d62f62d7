"""`investqa bench`: run the performance benchmark, print a table or one JSON object.

The measuring lives in `retrieval.measure.benchmark`; this module parses options and formats.
Progress goes to stderr so that `--json` keeps stdout to exactly one object.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_QUESTIONS = "../shared/eval/dev_qa.jsonl"
DEFAULT_SCALE = "10000,100000,1000000"


def scale_sizes(text: str) -> list[int]:
    """"10000,100k,1M" -> [10000, 100000, 1000000]."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        multiplier = {"k": 1_000, "m": 1_000_000}.get(part[-1:], 1)
        try:
            size = int(float(part[:-1] if multiplier > 1 else part) * multiplier)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r} (e.g. 10000,100k,1M)") from None
        if size < 100:
            raise argparse.ArgumentTypeError(f"scale sizes must be at least 100, got {part!r}")
        sizes.append(size)
    return sizes


def run_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of runs of at least 1, got {text!r}")
    return count


def register(subparsers) -> None:
    bench = subparsers.add_parser(
        "bench", help="measure cold start, query latency, build speed, memory and scaling",
        description="Measures on this machine and reports against the project's speed targets. "
        "The full run takes up to ~20 minutes (the 1M-passage synthetic corpus); --quick ~1-2 minutes.",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    bench.add_argument("--quick", action="store_true", help="CI-sized run: 10k scale only, a subset of the seeds, fewer cold starts")
    bench.add_argument("--questions", metavar="FILE", default=DEFAULT_QUESTIONS,
                       help="JSON Lines file with a \"question\" per line (default: %(default)s; built-in questions if absent)")
    bench.add_argument("--seeds", metavar="DIR", default=os.environ.get("INVESTQA_SEEDS", "seeds"),
                       help="folder of source documents (env INVESTQA_SEEDS; default: %(default)s)")
    bench.add_argument("--index", metavar="DIR", default=os.environ.get("INVESTQA_INDEX", "vectors"),
                       help="index to serve from when it matches the seeds (env INVESTQA_INDEX; default: %(default)s); "
                       "otherwise a fresh build in a temporary folder is used")
    bench.add_argument("--scale", metavar="SIZES", type=scale_sizes, default=scale_sizes(DEFAULT_SCALE),
                       help=f"synthetic corpus sizes (default: {DEFAULT_SCALE}; 100k and 1M suffixes allowed)")
    bench.add_argument("--cold-runs", metavar="N", type=run_count, default=None, help="cold `investqa ask` runs (default: 5, quick: 2)")
    bench.add_argument("--backend", choices=("local", "milvus"), default="local",
                       help="milvus: the local and Milvus Lite backends side by side (build, warm latency, --scale points; default scale 10k)")
    bench.set_defaults(handler=run)


def ask_command() -> list[str]:
    """`investqa ask` the way a user runs it: the installed script next to this Python."""
    script = Path(sys.executable).with_name("investqa")
    return [str(script), "ask"] if script.exists() else [sys.executable, "-m", "bot.cli", "ask"]


def run(args) -> int:
    from retrieval.measure.benchmark import BenchOptions, run_benchmark
    from retrieval.errors import SeedsNotFound

    seeds = Path(args.seeds)
    if not seeds.is_dir():
        raise SeedsNotFound(seeds)
    if args.backend == "milvus":
        return run_backend_comparison(args, seeds)
    options = BenchOptions(
        seeds_dir=seeds, index_dir=Path(args.index),
        questions_file=Path(args.questions) if args.questions else None,
        ask_command=ask_command(), quick=args.quick, sizes=args.scale,
        cold_runs=args.cold_runs or (2 if args.quick else 5),
    )
    results = run_benchmark(options, progress=lambda message: print(f"bench: {message}", file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        print(format_table(results))
    return 0


def run_backend_comparison(args, seeds: Path) -> int:
    from retrieval.measure.backend_compare import compare_backends, format_comparison
    from retrieval.measure.pipeline import load_questions

    questions, _ = load_questions(Path(args.questions) if args.questions else None)
    sizes = args.scale if args.scale != scale_sizes(DEFAULT_SCALE) else [10_000]
    results = compare_backends(seeds, Path(args.index), questions, sizes,
                               progress=lambda message: print(f"bench: {message}", file=sys.stderr, flush=True))
    print(json.dumps(results, ensure_ascii=False) if args.json else format_comparison(results))
    return 0


def _number(value, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def _verdict(met) -> str:
    return {True: "met", False: "MISSED", None: "not measured"}[met]


def format_table(results: dict) -> str:
    corpus, machine = results["corpus"], results["machine"]
    targets = {row["metric"]: row for row in results["targets"]}
    loads = [machine.get(key) for key in ("load_average_1min", "load_average_1min_end") if machine.get(key) is not None]
    busy = " (above the CPU count: other work competed, times are inflated)" if loads and max(loads) > machine["cpus"] else ""
    lines = [
        f"investqa bench{' --quick' if results['quick'] else ''}: {machine['cpus']} CPUs, faiss {machine['faiss']}, "
        f"{results['seconds']:.0f} s; load average {' -> '.join(map(str, loads)) or 'n/a'}{busy}",
        f"corpus: {corpus['documents']} documents, {corpus['passages']} passages ({corpus['built_from']}); "
        f"served from {corpus['served_index']} ({corpus['served_passages']} passages); "
        f"{corpus['questions']} questions from {corpus['questions_source']}",
        "",
        f"{'measure':<40}{'value':>16}  {'target':<12}",
    ]

    def row(label: str, value: str, metric: str | None = None) -> None:
        target = targets.get(metric)
        suffix = f"{target['target']:<12}{_verdict(target['met'])}" if target else ""
        lines.append(f"{label:<40}{value:>16}  {suffix}".rstrip())

    row("cold start, `investqa ask` (median)", _number(results["cold_start_s"], " s", 2), "cold_start_s")
    if results.get("cold_start_error"):
        lines.append(f"  cold start failed: {results['cold_start_error']}")
    row("warm query p50 (hybrid)", _number(results["query_p50_ms"], " ms"), "query_p50_ms")
    row("warm query p95 (hybrid)", _number(results["query_p95_ms"], " ms"))
    for name, stats in results["baselines"].items():
        row(f"warm query p50 / p95 ({name} only)", f"{_number(stats['p50_ms'])} / {_number(stats['p95_ms'], ' ms')}")
    row(f"full build ({results['build_embedded_texts']} passages+sentences)", _number(results["build_s"], " s"))
    row("full build throughput", _number(results["build_passages_per_s"], " passages/s", 2))
    row("embedder alone, same passages", _number(results["embedder_passages_per_s"], " passages/s", 2))
    if results.get("build_embedding_share") is not None:
        row("share of the build spent embedding", _number(100 * results["build_embedding_share"], " %", 0))
    row("rebuild, no change (all cached)", _number(results["reindex_nochange_s"], " s", 2), "reindex_nochange_s")
    if results.get("reindex_embedded"):
        lines.append(f"  the no-change rebuild embedded {results['reindex_embedded']} texts again: the embedding cache missed")
    row("index --if-stale, no change", _number(results["reindex_if_stale_s"], " s", 2))
    row("peak RSS serving", _number(results["peak_rss_mb"], " MB"))
    lines += ["", "scale (synthetic: random 384-d unit vectors; Zipf token streams, 50k vocabulary, ~100 tokens)",
              f"{'n':>10}  {'index':<10}{'build s':>9}{'p50 ms':>9}{'recall@10':>11}{'mem MB':>9}{'B/passage':>11}"]
    for item in results["scale"]:
        recall = "exact" if item["recall@10"] is None else f"{item['recall@10']:.3f}"
        lines.append(f"{item['n']:>10,}  {item['index']:<10}{item['build_s']:>9.1f}{item['search_p50_ms']:>9.2f}"
                     f"{recall:>11}{item['mem_mb']:>9.1f}{item['bytes_per_passage']:>11.0f}")
    for metric in ("search_p50_ms@1M", "recall@10@1M"):
        target = targets[metric]
        lines.append(f"target {metric} {target['target']}: {_verdict(target['met'])}"
                     + ("" if target["value"] is None else f" ({target['value']})"))
    return "\n".join(lines)
