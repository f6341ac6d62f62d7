"""Formatting and splitting: escaped, valid Telegram HTML, never over 4096 characters."""
from __future__ import annotations

import re
from dataclasses import replace

from fake_telegram import parse_html, utf16_length
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram import formatting
from bot.telegram.formatting import MESSAGE_LIMIT, split_message
from retrieval.types import DocumentInfo, Passage, Result


def make_result(text: str, quote: str, title="标题 <A&B>", date="2022-05-01", rank=1) -> Result:
    start = text.index(quote)
    passage = Passage("p1", "d1", "f.txt", title, date, None, 0, len(text), text)
    return Result(rank, passage, 1.0, start, start + len(quote))


def plain(html: str) -> str:
    return parse_html(html)


def test_result_has_bold_quote_inside_an_escaped_excerpt_then_its_source():
    text = "前文很长。" * 40 + "奖励<300万元> & 更多。" + "后文也很长。" * 40
    html = formatting.format_result(make_result(text, "奖励<300万元> & 更多。"), 2)
    assert "<b>奖励&lt;300万元&gt; &amp; 更多。</b>" in html
    assert html.startswith("<b>2.</b> …") and "…\n<i>— 标题 &lt;A&amp;B&gt; · 日期 2022-05-01</i>" in html
    assert len(plain(html)) < 300  # a short excerpt, not the whole passage
    # the excerpt starts and ends on sentence boundaries
    assert "…前文很长。" in html and "后文也很长。…" in html


def test_source_without_date_is_just_the_title():
    html = formatting.format_result(make_result("一句话。", "一句话。", date=None), 1)
    assert html.endswith("<i>— 标题 &lt;A&amp;B&gt;</i>") and "…" not in html


def test_help_lists_documents_and_examples_in_both_languages():
    documents = [DocumentInfo("d1", "a.txt", "崂山<经济>", "2022-01-01", 12), DocumentInfo("d2", "b.txt", "即墨", None, 3)]
    zh = formatting.format_help(documents, "zh")
    en = formatting.format_help(documents, "en")
    assert "崂山&lt;经济&gt; (日期 2022-01-01, 12 段)" in zh and "日期不详" in zh
    assert "undated" in en and "Try asking" in en
    plain(zh), plain(en)


def with_answer(result: Result, answer: str) -> Result:
    start = result.passage.text.index(answer, result.quote_start)
    return replace(result, answer_start=start, answer_end=start + len(answer))


def test_answer_is_bold_underlined_inside_the_bold_sentence_each_piece_escaped():
    text = "前文<p>。奖励<300万元> & 更多给A&B公司。后文。"
    result = with_answer(make_result(text, "奖励<300万元> & 更多给A&B公司。"), "<300万元> & 更多")
    html = formatting.format_result(result, 1, "zh", marked=True)
    assert "<b>奖励<u>&lt;300万元&gt; &amp; 更多</u>给A&amp;B公司。</b>" in html
    assert "前文&lt;p&gt;。" in html and html.count("<u>") == 1
    assert plain(html).startswith("1. 前文<p>。奖励<300万元> & 更多给A&B公司。后文。")
    # not marked (a closest passage), or no span known: the plain bold sentence
    assert "<u>" not in formatting.format_result(result, 1, "zh", marked=False)
    assert "<u>" not in formatting.format_result(replace(result, answer_start=None, answer_end=None), 1, marked=True)


def test_answer_span_at_the_quote_edges_or_outside_it():
    text = "前文。300万元。后文。"
    whole = with_answer(make_result(text, "300万元。"), "300万元。")
    assert "<b><u>300万元。</u></b>" in formatting.format_result(whole, 1, marked=True)
    outside = replace(whole, answer_start=0, answer_end=2)  # not inside the quote: not trusted
    assert "<u>" not in formatting.format_result(outside, 1, marked=True)


def test_answer_is_marked_in_the_source_context_too():
    text = "上一句。奖励300万元。"
    result = with_answer(make_result(text, "奖励300万元。"), "300万元")
    html = formatting.format_context([result.passage], result, "en", marked=True)
    assert "上一句。<b>奖励<u>300万元</u>。</b>" in html
    plain(html)


def test_source_lines_show_own_and_site_dates_labelled_in_both_languages():
    passage = replace(make_result("一句话。", "一句话。", date="2019-01-31").passage, posted="2025-07-09")
    assert formatting.source_line(passage, "zh") == "标题 &lt;A&amp;B&gt; · 日期 2019-01-31 · 网站转载 2025-07-09"
    assert formatting.source_text(passage, "en") == "标题 <A&B> · dated 2019-01-31 · posted 2025-07-09"
    assert formatting.source_text(replace(passage, date=None), "en") == "标题 <A&B> · posted 2025-07-09"
    documents = [DocumentInfo("d1", "a.txt", "即墨报告", "2019-01-31", 5, posted="2025-07-09"),
                 DocumentInfo("d2", "b.txt", "转载新闻", None, 2, posted="2025-07-09")]
    assert "• 即墨报告 (日期 2019-01-31 · 网站转载 2025-07-09, 5 段)" in formatting.format_sources(documents, "zh")
    english = formatting.format_sources(documents, "en")
    assert "• 即墨报告 (dated 2019-01-31 · posted 2025-07-09, 5 passages)" in english
    assert "• 转载新闻 (posted 2025-07-09, 2 passages)" in english


def test_short_messages_are_not_split():
    assert split_message("<b>a</b>\n\nb") == ["<b>a</b>\n\nb"]


def test_split_happens_at_paragraph_boundaries():
    paragraphs = [f"<b>{i}.</b> " + "字" * 1000 for i in range(10)]
    chunks = split_message("\n\n".join(paragraphs))
    assert len(chunks) > 1
    for chunk in chunks:
        assert utf16_length(chunk) <= MESSAGE_LIMIT
        assert all(part in paragraphs for part in chunk.split("\n\n"))
    assert "\n\n".join(chunks) == "\n\n".join(paragraphs)


def test_a_huge_paragraph_is_split_outside_tags_and_entities_with_tags_reopened():
    html = "<i>" + "句子&amp;内容。" * 2000 + "</i>"
    chunks = split_message(html)
    assert len(chunks) > 1
    for chunk in chunks:
        assert utf16_length(chunk) <= MESSAGE_LIMIT
        assert chunk.startswith("<i>") and chunk.endswith("</i>")
        plain(chunk)  # valid: no cut inside a tag or an entity
    assert "".join(plain(chunk) for chunk in chunks) == plain(html)


def test_emoji_count_as_two_utf16_units():
    chunks = split_message("😀" * 3000)
    assert len(chunks) == 2 and all(utf16_length(c) <= MESSAGE_LIMIT for c in chunks)


_piece = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60).map(formatting.escape),
    st.sampled_from(["\n\n", "\n", "。", " "]),
    st.text(max_size=30).map(lambda t: f"<b>{formatting.escape(t)}</b>"),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_piece, max_size=400), st.integers(min_value=40, max_value=600))
def test_any_escaped_message_splits_into_valid_bounded_chunks(pieces, limit):
    html = "".join(pieces)
    chunks = split_message(html, limit=limit)
    for chunk in chunks:
        assert utf16_length(chunk) <= limit
        parse_html(chunk)
    squash = lambda value: re.sub(r"\s+", "", value)  # noqa: E731 - splits may drop whitespace
    assert squash("".join(plain(c) for c in chunks)) == squash(plain(html))
