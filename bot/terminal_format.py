"""Terminal rendering of answers, passages and reports. Pure functions: text in, text out.

Colours are ANSI escapes applied only through a `Style`; `Style(colour=False)` gives plain text
(the quote is then marked with ** and the answer inside it with __, so both stay visible in logs
and pipes). With colour the quote is bold yellow and the answer inside it also underlined.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Sequence, TextIO

from .presentation import ANSWERED, CLOSEST, answer_span, date_labels, looks_off_topic, tier

EXCERPT_LIMIT = 480  # passages longer than this are cut to an excerpt around the quote
EXCERPT_CONTEXT = 150  # characters kept on each side of the quote
SENTENCE_ENDS = "。！？；!?;\n"
ELLIPSIS = "…"


@dataclass(frozen=True)
class Style:
    colour: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour and text else text

    def quote(self, text: str, answer: tuple[int, int] | None = None) -> str:
        """The quote highlighted; `answer` (offsets into `text`) underlined inside it."""
        if answer is None:
            return self._wrap("1;33", text) if self.colour else f"**{text}**"
        start, end = answer
        before, marked, after = text[:start], text[start:end], text[end:]
        if not self.colour:
            return f"**{before}__{marked}__{after}**"
        return self._wrap("1;33", before) + self._wrap("1;33;4", marked) + self._wrap("1;33", after)

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def warn(self, text: str) -> str:
        return self._wrap("35", text)


def colour_enabled(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or fake streams
        return False


MESSAGES = {
    "en": {
        "abstained": "Nothing reliable was found in the documents for this question.",
        "off_topic": "That looks outside what the documents cover (investment policy and projects): there is nothing to quote for it.",
        "offer_more": "Type :more to see the closest passages anyway.",
        "hint_more": "(:more for {count} more, :source N for the context of result N)",
        "no_more": "No more results.",
        "ask_first": "Ask a question first.",
        "source_usage": "Usage: :source N, where N is a result number from 1 to {count}.",
        "unknown_command": "Unknown command {command}. Type :help for the commands.",
        "closest": "Closest passages:",
        "closest_caveat": "I found nothing that answers this exactly; the closest passage is:",
        "others": "Other results:",
        "error": "Error: {message}",
        "understood_as": "Understood as: {question}",
        "new_conversation": "New conversation: the next question is read on its own.",
    },
    "zh": {
        "abstained": "文档中没有找到能可靠回答这个问题的内容。",
        "off_topic": "这个问题似乎不在文档范围内（招商引资政策和项目），没有可以引用的内容。",
        "offer_more": "输入 :more 仍可查看最接近的段落。",
        "hint_more": "（输入 :more 查看另外 {count} 条结果，:source N 查看第 N 条的上下文）",
        "no_more": "没有更多结果了。",
        "ask_first": "请先提一个问题。",
        "source_usage": "用法：:source N，N 是结果编号（1 到 {count}）。",
        "unknown_command": "未知命令 {command}。输入 :help 查看命令。",
        "closest": "最接近的段落：",
        "closest_caveat": "没有找到确切回答这个问题的内容，最接近的是：",
        "others": "其他结果：",
        "error": "出错了：{message}",
        "understood_as": "理解为：{question}",
        "new_conversation": "已开始新的对话：下一个问题将单独理解。",
    },
}

HELP = {
    "en": """Ask a question in Chinese or English; the answer quotes the documents verbatim.
  :more       show the next results
  :source N   show result N's passage with the passages around it
  :new        start a new conversation (follow-ups such as "what about 2019?" use the previous question until then)
  :help       show this help
  :quit       leave (or Ctrl-D)""",
    "zh": """用中文或英文提问；回答逐字引用文档原文。
  :more       查看后面的结果
  :source N   查看第 N 条结果所在段落及其前后段落
  :new        开始新的对话（在此之前，“那2019年呢？”这类追问会结合上一个问题理解）
  :help       显示本帮助
  :quit       退出（或按 Ctrl-D）""",
}


def message(language: str, key: str, **values) -> str:
    table = MESSAGES.get(language, MESSAGES["en"])
    return table[key].format(**values)


def help_text(language: str) -> str:
    return HELP.get(language, HELP["en"])


def _first_sentence_start(text: str, lower: int, upper: int) -> int:
    """The earliest position in [lower, upper] that starts a sentence; `lower` if none does."""
    for index in range(lower, upper + 1):
        if index == 0 or text[index - 1] in SENTENCE_ENDS:
            return index
    return lower


def _last_sentence_end(text: str, lower: int, upper: int) -> int:
    """The latest position in [lower, upper] that ends a sentence; `upper` if none does."""
    for index in range(upper, lower - 1, -1):
        if index == len(text) or text[index - 1] in SENTENCE_ENDS:
            return index
    return upper


def excerpt_span(text: str, quote_start: int, quote_end: int,
                 limit: int = EXCERPT_LIMIT, context: int = EXCERPT_CONTEXT) -> tuple[int, int]:
    """The part of a passage to show: all of it when short, else the quote with up to `context`
    characters either side, cut at sentence boundaries where one lies inside that window."""
    if len(text) <= limit:
        return 0, len(text)
    start = _first_sentence_start(text, max(0, quote_start - context), quote_start)
    end = _last_sentence_end(text, quote_end, min(len(text), quote_end + context))
    return start, end


def highlight_quote(text: str, quote_start: int, quote_end: int, style: Style, trim: bool = True,
                    answer: tuple[int, int] | None = None) -> str:
    """The passage (or an excerpt of it) with the quote highlighted and the answer, (start, end)
    in `text` inside the quote, marked within it; cuts are marked with …."""
    start, end = excerpt_span(text, quote_start, quote_end) if trim else (0, len(text))
    before = text[start:quote_start].lstrip()
    after = text[quote_end:end].rstrip()
    inside = None if answer is None else (answer[0] - quote_start, answer[1] - quote_start)
    return "".join((
        ELLIPSIS if start > 0 else "",
        before,
        style.quote(text[quote_start:quote_end], inside),
        after,
        ELLIPSIS if end < len(text) else "",
    ))


def source_line(passage, with_section: bool = False, language: str = "en") -> str:
    """`title · dated … · posted … · file` (section after the title when asked), the dates
    labelled in `language`; missing parts left out."""
    parts = [passage.title]
    if with_section and passage.section:
        parts.append(passage.section)
    parts += date_labels(passage, language) + [passage.file] + (["OCR"] if getattr(passage, "ocr", False) else [])
    return " · ".join(part for part in parts if part)


def format_result(result, total: int, style: Style, language: str = "en", marked: bool = False) -> str:
    """A result in full: number, excerpt with the quote highlighted (and, when `marked`, the
    answer inside it), source."""
    header = style.bold(f"[{result.rank}/{total}]") + style.dim(f"  score {result.score:.3f}")
    body = highlight_quote(result.passage.text, result.quote_start, result.quote_end, style,
                           answer=answer_span(result, marked))
    return f"{header}\n{body}\n{style.dim('— ' + source_line(result.passage, language=language))}"


def shorten(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + ELLIPSIS


def format_result_line(result, style: Style, language: str = "en") -> str:
    """One line per result: rank, the quote shortened, and where it comes from."""
    return f"{result.rank}. {shorten(result.quote)}  {style.dim('— ' + source_line(result.passage, language=language))}"


def format_abstention(language: str, style: Style, offer_more: bool = True, off_topic: bool = False) -> str:
    lines = [style.warn(message(language, "off_topic" if off_topic else "abstained"))]
    if offer_more:
        lines.append(message(language, "offer_more"))
    return "\n".join(lines)


def format_lead(answer, style: Style) -> str:
    """The first thing shown of an answer that has results, by its tier: the answering
    passage with its answer marked, or the closest passage under a caveat."""
    language, total = answer.language, len(answer.results)
    if tier(answer) == ANSWERED:
        return format_result(answer.results[0], total, style, language, marked=True)
    caveat = style.warn(message(language, "closest_caveat"))
    return caveat + "\n" + format_result(answer.results[0], total, style, language)


def format_answer(answer, style: Style) -> str:
    """One-shot rendering (`investqa ask`) by tier: an answer or the closest passage (with its
    caveat) in full, then the other results one line each; when nothing answers, the notice
    and then the closest passages one line each."""
    language = answer.language
    if tier(answer) not in (ANSWERED, CLOSEST):
        off_topic = looks_off_topic(answer)
        lines = [format_abstention(language, style, offer_more=False, off_topic=off_topic)]
        if answer.results and not off_topic:  # passages near "thanks, bye" are noise
            lines.append(style.dim(message(language, "closest")))
            lines += [format_result_line(result, style, language) for result in answer.results]
        return "\n".join(lines)
    lines = [format_lead(answer, style)]
    if len(answer.results) > 1:
        lines.append(style.dim(message(language, "others")))
        lines += [format_result_line(result, style, language) for result in answer.results[1:]]
    return "\n".join(lines)


def format_neighbours(result, passages: Sequence, style: Style, language: str = "en", marked: bool = False) -> str:
    """Result's passage in full with its quote highlighted (and its answer, when `marked`),
    between its neighbours (dimmed)."""
    focus = result.passage
    lines = [style.bold(source_line(focus, with_section=True, language=language))]
    for passage in passages:
        if passage.passage_id == focus.passage_id:
            lines.append(highlight_quote(focus.text, result.quote_start, result.quote_end, style, trim=False,
                                         answer=answer_span(result, marked)))
        else:
            lines.append(style.dim(passage.text.strip()))
    return "\n\n".join(lines)


def format_passage_entry(passage, style: Style) -> str:
    """`investqa passages` without --json: id, source, then the text indented."""
    text = "\n".join("    " + line for line in passage.text.strip().splitlines())
    return f"{style.bold(passage.passage_id)}  {style.dim(source_line(passage, with_section=True))}\n{text}"


def format_index_summary(report) -> str:
    """What `investqa index` prints after a build (skipped files are warned about separately)."""
    if not report.built:
        return "index is up to date" + (f" (build {report.build_id})" if getattr(report, "build_id", None) else "")
    return (
        f"indexed {report.documents} documents into {report.passages} passages; "
        f"{report.embedded} texts embedded, {report.reused} reused from cache; "
        f"{len(report.skipped)} files skipped; {report.seconds:.1f} s"
    )


# ---------------------------------------------------------------- `investqa eval`


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[tuple[str, Sequence]]) -> list[str]:
    label_width = max([len(label) for label, _ in rows] + [len(header[0])])
    columns = [header[1:]] + [[_cell(value) for value in values] for _, values in rows]
    widths = [max(len(row[index]) for row in columns) for index in range(len(header) - 1)]

    def line(label: str, cells: Sequence[str]) -> str:
        return "  ".join([label.ljust(label_width)] + [cell.rjust(width) for cell, width in zip(cells, widths)]).rstrip()

    return [line(header[0], header[1:])] + [line(label, [_cell(value) for value in values]) for label, values in rows]


RANK_KEYS = ("hit@1", "hit@3", "hit@5", "mrr@10", "answered@1")
ABSTENTION_KEYS = (("precision", "precision"), ("recall", "recall"), ("answerable_abstained", "answerable abstained"))


def format_eval_report(report: dict, show_misses: bool = False) -> str:
    """A comparison table (one column per configuration) from `EvaluationReport.to_dict()`."""
    configs = list(report["configs"].values())
    names = [config["name"] for config in configs]
    rows: list[tuple[str, list]] = []

    def add_rank_rows(prefix: str, pick, keys=RANK_KEYS) -> None:
        for key in keys:
            rows.append((f"{prefix} {key}", [(pick(config) or {}).get(key) for config in configs]))

    first = configs[0] if configs else {"by_language": {}, "by_kind": {}}
    add_rank_rows(f"all ({first.get('overall', {}).get('questions', 0)})", lambda config: config["overall"])
    for lang, metrics in first["by_language"].items():
        add_rank_rows(f"{lang} ({metrics['questions']})", lambda config, lang=lang: config["by_language"].get(lang))
    for kind, metrics in first["by_kind"].items():
        add_rank_rows(f"{kind} ({metrics['questions']})", lambda config, kind=kind: config["by_kind"].get(kind), ("hit@1", "mrr@10"))
    for key, label in ABSTENTION_KEYS:
        rows.append((f"abstention {label}", [config["abstention"][key] for config in configs]))
    rows.append(("abstentions", [config["abstention"]["abstentions"] for config in configs]))
    rows.append(("quote holds answer (rank-1 hits)", [config["overall"].get("quote_holds_gold") for config in configs]))
    rows.append(("answer marked (rank-1 hits)", [config["overall"].get("answer_marked") for config in configs]))
    rows.append(("ms per question", [f"{config['ms_per_question']:.1f}" for config in configs]))

    lines = [f"{report['questions']} questions ({report['answerable']} answerable), top {report['k']} per question", ""]
    lines += _table(["metric"] + names, rows)
    if configs and configs[0].get("abstention_curve") and configs[0]["abstention"]["recall"] is not None:
        lines += ["", f"reliability curve ({names[0]}): abstain below a probability threshold"]
        curve = configs[0]["abstention_curve"]
        lines += _table(["threshold", "unanswerable abstained", "answerable abstained"],
                        [(f"{point['threshold']:.2f}", [point["recall"], point["answerable_abstained"]]) for point in curve])
    if show_misses:
        for config in configs:
            lines += ["", f"misses ({config['name']}):"]
            lines += [format_miss(question) for question in config["questions"] if _is_miss(question)] or ["  none"]
    return "\n".join(lines)


def _is_miss(question: dict) -> bool:
    return question["hit_rank"] != 1 if question["answerable"] else not question["abstained"]


def format_miss(question: dict) -> str:
    if question["answerable"]:
        verdict = f"first hit at {question['hit_rank']}" if question["hit_rank"] else "no hit"
    else:
        verdict = "unanswerable, not abstained"
    return f"  {question['id']}  [{verdict}]  top-1 {question['top_passage_id']}  {shorten(question['question'], 70)}"


# ---------------------------------------------------------------- conversations


def understood_line(language: str, question: str, style: Style) -> str:
    """`理解为：…` / `Understood as: …`, shown above the answer to a rewritten follow-up."""
    return style.dim(message(language, "understood_as", question=question))


def format_conversation_turn(reply, style: Style) -> str:
    """`investqa ask --conversation` without --json: the message, how it was understood, the answer."""
    lines = [style.bold(f"? {reply.message}")]
    if reply.rewritten:
        lines.append(understood_line(reply.answer.language, reply.understood_as, style))
    return "\n".join(lines + [format_answer(reply.answer, style), ""])


CONVERSATION_COLUMNS = (("in_context", "in context"), ("message_alone", "message alone"), ("reference_alone", "rewrite alone"))


def format_conversation_report(report: dict, show_misses: bool = False) -> str:
    """`investqa eval` on a conversation file: the last turns in context, alone, and the
    expected rewrites alone, side by side; then the rewrite rates."""
    lines = [f"{report['conversations']} conversations ({report['answerable']} answerable last turns), top {report['k']}; last turns scored"]
    for name, block in report["configs"].items():
        columns = [block[key] for key, _ in CONVERSATION_COLUMNS]
        rows: list[tuple[str, list]] = []
        for group, label in (("overall", "all answerable"), ("follow_ups", "answerable follow-ups")):
            for key in ("hit@1", "hit@3", "hit@5", "mrr@10"):
                rows.append((f"{label} ({columns[0][group]['questions']}) {key}", [column[group][key] for column in columns]))
        for kind, metrics in columns[0]["by_kind"].items():
            rows.append((f"{kind} ({metrics['questions']}) hit@1", [(column["by_kind"].get(kind) or {}).get("hit@1") for column in columns]))
        rows.append(("uncovered abstained", [column["uncovered_abstained"] for column in columns]))
        for key, label in ABSTENTION_KEYS:
            rows.append((f"abstention {label}", [column["abstention"][key] for column in columns]))
        rates = block["rewriting"]
        lines += ["", f"[{name}]"] + _table(["metric"] + [label for _, label in CONVERSATION_COLUMNS], rows)
        lines += [
            f"follow-up last turns rewritten: {_cell(rates['follow_ups_rewritten'])} of {rates['follow_ups']}",
            f"standalone last turns left as they were: {_cell(rates['standalone_left_as_is'])} of {rates['standalone']}",
        ]
        if show_misses:
            lines += ["", "misses (in context):"]
            for record in block["conversations"]:
                wrong_rewrite = record["rewritten"] == (record["follow_kind"] == "standalone")
                wrong_answer = record["abstained"] if record["follow_kind"] == "uncovered" else record["hit_rank"] != 1
                if record["follow_kind"] == "uncovered":
                    wrong_answer = not record["abstained"]
                if wrong_rewrite or wrong_answer:
                    lines.append(f"  {record['id']} [{record['follow_kind']}] hit {record['hit_rank']} abstained {record['abstained']}: "
                                 f"{shorten(record['message'], 30)} -> {shorten(record['understood_as'], 60)}")
    return "\n".join(lines)
