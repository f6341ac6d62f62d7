"""Pure HTML formatting of answers for Telegram, and splitting into ≤ 4096-character messages.

Nothing here talks to Telegram or the engine: values in, strings out. Every piece of text
that comes from the corpus or from the user goes through `escape` before it is put in HTML.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from retrieval.types import Answer, DocumentInfo, Passage, Result

from ..presentation import answer_span, date_labels

# Telegram's limit is 4096 characters of message text; we count UTF-16 code units of the
# raw HTML (tags included), which is never less than what Telegram counts.
MESSAGE_LIMIT = 4096
EXCERPT_CONTEXT = 120  # characters of passage shown on each side of the answering sentence
INLINE_DESCRIPTION_LIMIT = 200

_SENTENCE_END = "。！？；!?;\n"

MESSAGES = {
    "zh": {
        "abstain": "抱歉，文件中没有找到能回答这个问题的内容。",
        "off_topic": "这个问题似乎不在文件范围内（招商引资政策和项目），没有可以引用的内容。可以问我文件里的项目、数据或政策。",
        "show_closest": "查看最接近的段落",
        "closest_header": "最接近的段落（不一定回答了你的问题）：",
        "closest_caveat": "没有找到确切回答这个问题的内容，最接近的是：",
        "more": "更多结果",
        "context": "原文 {n}",
        "empty": "请输入一个问题，例如：{example}",
        "no_words": "我只能回答文字问题，请用中文或英文提问。",
        "too_long": "问题太长了，请缩短后再问。",
        "rate_limited": "提问太频繁了，请 {seconds} 秒后再试。",
        "refused": "抱歉，这个机器人只对授权用户开放。",
        "admin_only": "只有管理员可以使用这个命令。",
        "error": "抱歉，出了点问题，请稍后再试。",
        "stale": "这个按钮已过期，请重新提问。",
        "passage_gone": "索引已更新，这条结果已不存在，请重新提问。",
        "no_more": "没有更多结果了。",
        "thanks": "谢谢你的反馈！",
        "context_header": "原文上下文：",
        "reloaded": "已加载新的索引（{build_id}）。",
        "reload_unchanged": "索引没有变化（{build_id}）。",
        "reload_failed": "无法加载新的索引，继续使用当前索引（{build_id}）。",
        "help_intro": "我会在以下招商引资文件中查找答案，并逐字引用原文和出处：",
        "help_examples": "可以这样问：",
        "help_footer": "私聊时直接发送问题；在群里用 /ask 问题、@我 或回复我的消息。可以追问（如“那2019年呢？”），/new 开始新的对话。",
        "sources_header": "已收录的文件：",
        "passages": "{n} 段",
        "inline_abstain_title": "文件中没有找到答案",
        "inline_closest": "最接近：",
        "undated": "日期不详",
        "understood_as": "理解为：{question}",
        "ask_as_new": "按原话作为新问题提问",
        "new_conversation": "已开始新的对话：下一个问题将单独理解。",
    },
    "en": {
        "abstain": "Sorry, I could not find anything in the documents that answers this question.",
        "off_topic": "That looks outside what the documents cover (investment policy and projects), so there is nothing to quote. Ask me about the projects, figures or policies in them.",
        "show_closest": "Show the closest passages",
        "closest_header": "Closest passages (they may not answer your question):",
        "closest_caveat": "I found nothing that answers this exactly; the closest passage is:",
        "more": "More results",
        "context": "Source {n}",
        "empty": "Please type a question, for example: {example}",
        "no_words": "I can only answer questions written in words: please ask in Chinese or English.",
        "too_long": "That question is too long: please shorten it and ask again.",
        "rate_limited": "You are asking very quickly: please try again in {seconds} seconds.",
        "refused": "Sorry, this bot is only available to authorised users.",
        "admin_only": "Only administrators can use this command.",
        "error": "Sorry, something went wrong. Please try again later.",
        "stale": "This button has expired: please ask again.",
        "passage_gone": "The index has been updated and this result no longer exists: please ask again.",
        "no_more": "There are no more results.",
        "thanks": "Thanks for your feedback!",
        "context_header": "Source context:",
        "reloaded": "Loaded the new index ({build_id}).",
        "reload_unchanged": "The index has not changed ({build_id}).",
        "reload_failed": "Could not load the new index; still using {build_id}.",
        "help_intro": "I look up answers in these investment-policy documents and quote them verbatim "
        "with their source:",
        "help_examples": "Try asking:",
        "help_footer": "In a private chat just send a question; in groups use /ask question, "
        "mention me, or reply to one of my messages. Follow-ups such as \"what about 2019?\" use your last "
        "question; /new starts afresh.",
        "sources_header": "Indexed documents:",
        "passages": "{n} passages",
        "inline_abstain_title": "No answer found in the documents",
        "inline_closest": "Closest: ",
        "undated": "undated",
        "understood_as": "Understood as: {question}",
        "ask_as_new": "Ask as a new question",
        "new_conversation": "New conversation: your next question is read on its own.",
    },
}

EXAMPLE_QUESTIONS = {
    "zh": ["崂山区对新引进的总部企业有什么扶持政策？", "即墨区2019年的主要工作目标是什么？"],
    "en": [
        "How much does Laoshan district reward a newly recognised unicorn company?",
        "What is Jimo district's GDP target for 2019?",
    ],
}


def text(language: str, key: str, **values) -> str:
    """A user-facing message in `language` ("zh" or "en"), already safe for HTML."""
    template = MESSAGES.get(language, MESSAGES["zh"])[key]
    return template.format(**{name: escape(str(value)) for name, value in values.items()})


def escape(value: str) -> str:
    return html.escape(value, quote=False)


def source_text(passage: Passage, language: str) -> str:
    """Plain "title · 日期 … · 网站转载 … · OCR": the document's own date and the site's date
    line, labelled in `language` (missing dates left out); "OCR" ends it when the text was
    read from a scan (the quote may hold recognition errors)."""
    ocr = ["OCR"] if getattr(passage, "ocr", False) else []
    return " · ".join([passage.title] + date_labels(passage, language) + ocr)


def source_line(passage: Passage, language: str = "zh") -> str:
    """`source_text`, escaped for HTML."""
    return escape(source_text(passage, language))


def marked_quote(result: Result, marked: bool) -> str:
    """The quote in bold (HTML), its answer bold-underlined inside when `marked` and known.
    Each piece is escaped on its own: the span's offsets count characters, not entities."""
    span = answer_span(result, marked)
    if span is None:
        return f"<b>{escape(result.quote)}</b>"
    text, start, end = result.passage.text, span[0], span[1]
    return "".join([
        "<b>", escape(text[result.quote_start : start]),
        "<u>", escape(text[start:end]), "</u>",
        escape(text[end : result.quote_end]), "</b>",
    ])


def _context_before(passage_text: str, quote_start: int) -> tuple[str, bool]:
    """Up to EXCERPT_CONTEXT characters before the quote, starting at a sentence start when possible."""
    window_start = max(0, quote_start - EXCERPT_CONTEXT)
    before = passage_text[window_start:quote_start]
    if window_start == 0:
        return before, False
    cut = max(before.find(mark) for mark in _SENTENCE_END)
    if cut >= 0:
        return before[cut + 1 :], True
    return before, True


def _context_after(passage_text: str, quote_end: int) -> tuple[str, bool]:
    """Up to EXCERPT_CONTEXT characters after the quote, ending at a sentence end when possible."""
    window_end = min(len(passage_text), quote_end + EXCERPT_CONTEXT)
    after = passage_text[quote_end:window_end]
    if window_end == len(passage_text):
        return after, False
    ends = [after.rfind(mark) for mark in _SENTENCE_END]
    cut = max(ends)
    if cut >= 0:
        return after[: cut + 1], True
    return after, True


def excerpt(result: Result, marked: bool = False) -> str:
    """The answering sentence in bold inside a short excerpt of its passage (HTML); with
    `marked`, the answer inside it bold-underlined."""
    passage_text = result.passage.text
    before, clipped_before = _context_before(passage_text, result.quote_start)
    after, clipped_after = _context_after(passage_text, result.quote_end)
    return "".join(
        [
            "…" if clipped_before else "",
            escape(before),
            marked_quote(result, marked),
            escape(after),
            "…" if clipped_after else "",
        ]
    ).strip()


def format_result(result: Result, number: int, language: str = "zh", marked: bool = False) -> str:
    source = source_line(result.passage, language)
    return f"<b>{number}.</b> {excerpt(result, marked)}\n<i>— {source}</i>"


def format_results(
    results: Sequence[Result], first_number: int = 1, header: str = "", language: str = "zh", marked: bool = False
) -> str:
    """Numbered results separated by blank lines (the split points), after an optional header;
    answers marked when `marked` (only in an answer presented as one)."""
    blocks = [header] if header else []
    blocks += [format_result(result, first_number + i, language, marked) for i, result in enumerate(results)]
    return "\n\n".join(blocks)


def format_abstention(language: str, off_topic: bool = False) -> str:
    return text(language, "off_topic" if off_topic else "abstain")


def format_context(passages: Sequence[Passage], focus: Result, language: str, marked: bool = False) -> str:
    """The passages around a result, in document order, with the answering sentence in bold
    (and its answer bold-underlined when `marked`)."""
    blocks = [f"<b>{text(language, 'context_header')}</b> <i>{source_line(focus.passage, language)}</i>"]
    for passage in passages:
        if passage.passage_id == focus.passage.passage_id:
            quoted = passage.text
            blocks.append(
                escape(quoted[: focus.quote_start])
                + marked_quote(focus, marked)
                + escape(quoted[focus.quote_end :])
            )
        else:
            blocks.append(escape(passage.text))
    if focus.passage.section:
        blocks.insert(1, f"<i>{escape(focus.passage.section)}</i>")
    return "\n\n".join(block.strip() for block in blocks if block.strip())


def format_documents(documents: Iterable[DocumentInfo], language: str) -> str:
    lines = []
    for document in documents:
        date = " · ".join(date_labels(document, language)) or text(language, "undated")
        count = text(language, "passages", n=document.passages)
        ocr = ", OCR" if getattr(document, "ocr", False) else ""
        lines.append(f"• {escape(document.title)} ({escape(date)}, {count}{ocr})")
    return "\n".join(lines)


def format_help(documents: Sequence[DocumentInfo], language: str) -> str:
    examples = "\n".join(f"• {escape(q)}" for q in EXAMPLE_QUESTIONS[language])
    return "\n\n".join(
        [
            text(language, "help_intro"),
            format_documents(documents, language),
            f"{text(language, 'help_examples')}\n{examples}",
            text(language, "help_footer"),
        ]
    )


def format_sources(documents: Sequence[DocumentInfo], language: str) -> str:
    return f"<b>{text(language, 'sources_header')}</b>\n" + format_documents(documents, language)


def inline_description(result: Result) -> str:
    """Plain text (no HTML) shown under an inline result's title."""
    quote = " ".join(result.quote.split())
    if len(quote) > INLINE_DESCRIPTION_LIMIT:
        quote = quote[: INLINE_DESCRIPTION_LIMIT - 1] + "…"
    return quote


# --- splitting -------------------------------------------------------------------------

_ATOM = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9-]+)")
_SOFT_BREAKS = "\n。！？；.!?;，, "


def telegram_length(value: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji can count as two)."""
    return len(value.encode("utf-16-le")) // 2


def split_message(message: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split HTML into messages of at most `limit`, at paragraph boundaries when possible.

    A paragraph longer than `limit` is cut at a sentence or word boundary outside any tag
    or entity; the tags open at the cut are closed and reopened so every part is valid HTML.
    """
    chunks: list[str] = []
    current = ""
    for paragraph in message.split("\n\n"):
        pieces = [paragraph] if telegram_length(paragraph) <= limit else _split_paragraph(paragraph, limit)
        for piece in pieces:
            candidate = f"{current}\n\n{piece}" if current else piece
            if telegram_length(candidate) <= limit:
                current = candidate
            else:
                if current.strip():
                    chunks.append(current)
                current = piece
    if current.strip():
        chunks.append(current)
    return chunks


def _split_paragraph(paragraph: str, limit: int) -> list[str]:
    atoms = _ATOM.findall(paragraph)
    # open_before[i]: the tags open just before atom i, as (name, opening tag as written)
    open_before: list[tuple[tuple[str, str], ...]] = [()]
    for atom in atoms:
        tags = list(open_before[-1])
        match = _TAG_NAME.match(atom) if atom.startswith("<") else None
        if match:
            name = match.group(1).lower()
            if atom.startswith("</"):
                for i in range(len(tags) - 1, -1, -1):
                    if tags[i][0] == name:
                        del tags[i]
                        break
            else:
                tags.append((name, atom))
        open_before.append(tuple(tags))

    def closing(index: int) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(open_before[index]))

    pieces = []
    start = 0
    while start < len(atoms):
        prefix = "".join(tag for _, tag in open_before[start])
        length = telegram_length(prefix)
        index, last_break = start, None
        while index < len(atoms):
            atom_length = telegram_length(atoms[index])
            if length + atom_length + telegram_length(closing(index + 1)) > limit and index > start:
                break
            length += atom_length
            index += 1
            if atoms[index - 1] in _SOFT_BREAKS:
                last_break = index
        end = last_break if index < len(atoms) and last_break else index
        pieces.append(prefix + "".join(atoms[start:end]) + closing(end))
        start = end
    return [piece.strip() for piece in pieces if _visible(piece)]


def _visible(piece: str) -> bool:
    return bool(re.sub(r"<[^>]*>", "", piece).strip())
