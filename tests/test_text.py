"""retrieval.text: normalisation for matching, sentence spans, hard-wrap joins."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retrieval.text import display_width, ends_sentence, join_lines, normalize, split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def test_normalize_folds_width_script_and_case():
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert normalize("臺灣經濟發展") == "台湾经济发展"
    assert normalize("GDP增长") == "gdp增长"


def test_chinese_sentences_end_at_marks_and_keep_closing_quotes():
    text = "他说：“好的。”然后走了！真的吗？是的；结束"
    assert sentences(text) == ["他说：“好的。”", "然后走了！", "真的吗？", "是的；", "结束"]


def test_newline_ends_a_sentence_and_whitespace_stays_with_the_sentence_before():
    text = "第一行没有句号\n第二行。 第三行"
    assert sentences(text) == ["第一行没有句号\n", "第二行。 ", "第三行"]


def test_decimal_points_and_inner_ellipsis_do_not_end_sentences():
    text = "增长8.5%，达到……新高。Revenue rose 3.2 percent. Next one"
    assert sentences(text) == ["增长8.5%，达到……新高。", "Revenue rose 3.2 percent. ", "Next one"]


def test_repeated_marks_end_once():
    assert sentences("真的吗？！好。。") == ["真的吗？！", "好。。"]


def test_ellipsis_at_line_end_ends_the_sentence():
    assert sentences("加快向这里聚集……\n下一段") == ["加快向这里聚集……\n", "下一段"]


def test_empty_text_has_no_sentences():
    assert split_sentences("") == []


@given(st.text())
def test_sentence_spans_cover_any_text_in_order(text):
    spans = split_sentences(text)
    position = 0
    for start, end in spans:
        assert start == position and end > start
        position = end
    assert position == len(text)


def test_ends_sentence_allows_closing_quotes():
    assert ends_sentence("赵燕介绍。”")
    assert ends_sentence("加快向这里聚集……")
    assert not ends_sentence("让历史街区内")
    assert not ends_sentence("规模1亿元，")
    assert not ends_sentence("")


def test_join_lines_is_exact_for_chinese_and_spaced_for_latin():
    assert join_lines("主要集中在金", "家岭街道") == "主要集中在金家岭街道"
    assert join_lines("实际问题 580", "个。") == "实际问题 580个。"
    assert join_lines("the investment", "policy") == "the investment policy"
    assert join_lines("a well-", "known park") == "a well-known park"


def test_display_width_counts_ascii_as_half():
    assert display_width("中文") == 2
    assert display_width("ab") == 1


@given(st.text())
def test_normalize_accepts_any_text(text):
    assert isinstance(normalize(text), str)  # never raises, whatever the characters
