from hypothesis import given, strategies as st

from retrieval.question.normalize import (
    chinese_to_number,
    normalize_query,
    number_to_chinese,
    number_variants,
)


def test_full_width_letters_digits_and_percent_become_half_width():
    assert normalize_query("ＧＤＰ增长１２．５％") == "GDP增长12.5%"


def test_traditional_characters_become_simplified():
    assert normalize_query("嶗山區的發展") == "崂山区的发展"


def test_simplified_chinese_is_left_as_it_is():
    assert normalize_query("崂山区招商引资政策") == "崂山区招商引资政策"


def test_whitespace_is_collapsed_and_control_characters_removed():
    assert normalize_query("  崂山\u200b区 \t\n 政策\x07 ") == "崂山区 政策"


def test_chinese_numbers_get_digit_variants():
    assert number_variants("八百万") == ["800万"]
    assert number_variants("奖励三百万元") == ["300万元"]
    assert number_variants("十三个项目") == ["13个"]
    assert number_variants("百分之五十") == ["50%"]
    assert number_variants("百分之三十二点六") == ["32.6%"]
    assert number_variants("一亿五千万元") == ["1.5亿元"]
    assert number_variants("一百零五家") == ["105家"]
    assert number_variants("二〇二二年") == ["2022年"]


def test_digit_numbers_get_chinese_variants():
    assert number_variants("800万元") == ["八百万元"]
    assert number_variants("50%") == ["百分之五十"]
    assert number_variants("13个") == ["十三个"]


def test_words_that_merely_contain_numerals_get_no_variants():
    for text in ("一季度", "第一", "统一", "万人", "之一", "十四五", "一流", "千万", "一家企业", "2020年"):
        assert number_variants(text) == [], text


def test_variants_are_additions_never_already_in_the_text():
    variants = number_variants("三百万元，即300万元，或八百万")
    assert "300万元" not in variants
    assert variants == ["800万"]


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_number_to_chinese_reads_back_to_the_same_value(value):
    assert chinese_to_number(number_to_chinese(value)) == value


def test_number_to_chinese_uses_the_usual_readings():
    assert number_to_chinese(13) == "十三"
    assert number_to_chinese(105) == "一百零五"
    assert number_to_chinese(10005) == "一万零五"
    assert number_to_chinese(35000000) == "三千五百万"


def test_malformed_numerals_have_no_value():
    assert chinese_to_number("万") is None
    assert chinese_to_number("十四五") is None
