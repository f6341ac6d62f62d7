"""`investqa ask --json --conversation`: stdin lines are successive turns of one conversation;
an empty line starts a new one. Each turn prints the usual `ask --json` object plus
"understood_as", the question as it was answered (the line itself when not rewritten)."""
from __future__ import annotations

import json
from typing import Callable, Iterable, TextIO

from retrieval.errors import InvestqaError


def run_conversation_lines(
    engine, lines: Iterable[str], k: int, emit: Callable[[str], None], errors: TextIO,
    as_json: bool = True, render: Callable | None = None,
) -> int:
    """Answer every non-blank line in the context of the lines before it; returns the exit status
    (1 when a line failed: it gets {"question", "understood_as", "error"} and the next one goes on).
    Without `as_json`, `render(reply)` gives the text of each answered turn."""
    from retrieval.conversation import Conversation

    conversation = Conversation(engine, clock=lambda: 0.0)  # a piped conversation never idles out
    failures = 0
    for line in lines:
        message = line.strip()
        if not message:
            conversation.reset()
            continue
        try:
            reply = conversation.ask(message, k=k)
        except InvestqaError as error:
            failures += 1
            if as_json:
                emit(json.dumps({"question": message, "understood_as": message, "error": str(error)}, ensure_ascii=False))
            else:
                print(f"investqa: error: {error}", file=errors, flush=True)
            continue
        if as_json:
            emit(json.dumps({**reply.answer.to_dict(), "question": message, "understood_as": reply.understood_as}, ensure_ascii=False))
        else:
            emit(render(reply))
    return 1 if failures else 0
