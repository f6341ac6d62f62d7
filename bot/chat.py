"""`investqa chat`: a terminal conversation with the engine.

`ChatSession` holds the conversation state and turns each input line into the text to show
(no I/O, so it is unit-testable with a fake engine); `run_chat` reads lines with prompt_toolkit
on a terminal, or with plain input() when stdin is piped.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Callable, Iterator, TextIO

from retrieval.errors import InvestqaError

from . import terminal_format as fmt
from .presentation import ANSWERED, NOT_FOUND, looks_off_topic, tier
from .reload import build_changed

MORE_STEP = 2  # results shown per :more
QUIT_COMMANDS = {"quit", "q", "exit"}
PROMPT = "? "


class ChatSession:
    def __init__(self, engine, style: fmt.Style, k: int = 5, clock: Callable[[], float] | None = None) -> None:
        from retrieval.conversation import Conversation

        self.conversation = Conversation(engine, **({"clock": clock} if clock else {}))
        self.style = style
        self.k = k
        self.answer = None
        self.shown = 0  # how many results of `answer` have been shown
        self.language = "en"  # of the last question: commands answer in it
        self.finished = False

    @property
    def engine(self):
        return self.conversation.engine

    @engine.setter
    def engine(self, engine) -> None:  # after a reload the conversation goes on with the new build
        self.conversation.engine = engine

    def handle(self, line: str) -> str:
        """The reply to one input line ("" when there is nothing to say)."""
        text = line.strip()
        if not text:
            return ""
        if text[0] in ":：":  # the full-width colon is what a Chinese input method types
            command, _, argument = text[1:].strip().partition(" ")
            return self._command(command.lower(), argument.strip())
        return self._ask(text)

    def _ask(self, question: str) -> str:
        try:
            reply = self.conversation.ask(question, k=self.k)
        except InvestqaError as error:
            return fmt.message(self.language, "error", message=str(error))
        answer = reply.answer
        self.answer, self.language = answer, answer.language
        understood = fmt.understood_line(answer.language, reply.understood_as, self.style) + "\n" if reply.rewritten else ""
        if tier(answer) == NOT_FOUND:
            self.shown = 0
            off_topic = looks_off_topic(answer)
            return understood + fmt.format_abstention(answer.language, self.style, offer_more=bool(answer.results) and not off_topic, off_topic=off_topic)
        # an answer (marked) or the closest passage (under a caveat) leads alone; :more for the rest
        self.shown = 1
        return understood + self._with_hint(fmt.format_lead(answer, self.style))

    @property
    def _marked(self) -> bool:
        """Answer spans are marked only in an answer presented as one."""
        return self.answer is not None and tier(self.answer) == ANSWERED

    def _with_hint(self, text: str) -> str:
        remaining = len(self.answer.results) - self.shown
        if remaining <= 0:
            return text
        return text + "\n" + self.style.dim(fmt.message(self.language, "hint_more", count=remaining))

    def _command(self, command: str, argument: str) -> str:
        if command in QUIT_COMMANDS:
            self.finished = True
            return ""
        if command in ("help", "h", "?"):
            return fmt.help_text(self.language)
        if command == "new":
            self.conversation.reset()
            return fmt.message(self.language, "new_conversation")
        if command == "more":
            return self._more()
        if command == "source":
            return self._source(argument)
        return fmt.message(self.language, "unknown_command", command=":" + command)

    def _more(self) -> str:
        if self.answer is None:
            return fmt.message(self.language, "ask_first")
        results = self.answer.results
        if self.shown >= len(results):
            return fmt.message(self.language, "no_more")
        batch = results[self.shown : self.shown + MORE_STEP]
        self.shown += len(batch)
        blocks = [fmt.format_result(result, len(results), self.style, self.language, self._marked) for result in batch]
        return self._with_hint("\n\n".join(blocks))

    def _source(self, argument: str) -> str:
        if self.answer is None or not self.answer.results:
            return fmt.message(self.language, "ask_first")
        count = len(self.answer.results)
        number = int(argument) if argument.isdigit() else 0
        if not 1 <= number <= count:
            return fmt.message(self.language, "source_usage", count=count)
        result = self.answer.results[number - 1]
        try:
            neighbours = self.engine.neighbours(result.passage.passage_id, radius=1)
        except InvestqaError as error:
            return fmt.message(self.language, "error", message=str(error))
        return fmt.format_neighbours(result, neighbours, self.style, self.language, self._marked)


def banner(engine) -> str:
    documents = engine.documents()
    passages = sum(document.passages for document in documents)
    return (
        f"investqa chat: {len(documents)} documents, {passages} passages. "
        "Ask in Chinese or English; follow-ups use the previous question (:new starts afresh); "
        ":help for commands, :quit to leave.\n"
        "用中文或英文提问；追问会结合上一个问题（:new 重新开始）；输入 :help 查看命令，:quit 退出。"
    )


def piped_lines(stream: TextIO) -> Iterator[str]:
    """Lines from a non-interactive stdin (a pipe or file), until end of input."""
    for line in stream:
        yield line.rstrip("\r\n")


def terminal_lines(history_path: Path | None) -> Iterator[str]:
    """Lines typed at a prompt with editing and history; Ctrl-C clears the line, Ctrl-D ends."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    history = InMemoryHistory()
    if history_path is not None:
        try:
            with open(history_path, "a", encoding="utf-8"):
                pass
            history = FileHistory(str(history_path))
        except OSError:  # read-only index folder: keep history for this session only
            pass
    session = PromptSession(history=history)
    while True:
        try:
            yield session.prompt(PROMPT)
        except KeyboardInterrupt:
            continue
        except EOFError:
            return


def history_file(index_dir: Path | str) -> Path | None:
    try:
        from retrieval import state_dir

        return state_dir(index_dir) / "chat_history"
    except OSError:
        return None


def warm_up(engine) -> None:
    """Load the embedding model in the background while the user types the first question."""
    def load() -> None:
        try:
            getattr(engine, "embedder", None)
        except Exception:  # the first real question reports it properly
            pass

    threading.Thread(target=load, name="investqa-warm-up", daemon=True).start()


def reloaded(engine, index_dir: Path | str, load_engine: Callable | None):
    """A fresh engine when `investqa index` has published a new build since `engine` was loaded."""
    if load_engine is None:
        return None
    try:
        if build_changed(engine, index_dir) is None:
            return None
        return load_engine(previous=engine)
    except InvestqaError:  # keep answering from the build already loaded
        return None


def run_chat(engine, index_dir: Path | str, k: int = 5, stdin: TextIO | None = None,
             stdout: TextIO | None = None, load_engine: Callable | None = None) -> int:
    """The conversation loop; `load_engine(previous=engine)` (optional) loads the index again after a rebuild."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    style = fmt.Style(colour=fmt.colour_enabled(stdout))
    session = ChatSession(engine, style, k=k)
    interactive = stdin.isatty()
    if interactive:
        warm_up(engine)
    lines = terminal_lines(history_file(index_dir)) if interactive else piped_lines(stdin)
    print(banner(engine), file=stdout, flush=True)
    for line in lines:
        if not interactive and line.strip():  # echo, so a piped transcript reads as a dialogue
            print(style.bold(PROMPT + line.strip()), file=stdout, flush=True)
        if line.strip() and line.strip()[0] not in ":：":
            fresh = reloaded(session.engine, index_dir, load_engine)
            if fresh is not None:
                session.engine = fresh
                print(style.dim(f"(index updated: build {fresh.build_id})"), file=stdout, flush=True)
        reply = session.handle(line)
        if reply:
            print(reply + "\n", file=stdout, flush=True)
        if session.finished:
            break
    return 0
