from retrieval.answer.time_in_force import UNKNOWN_YEAR, out_of_force, periods_in_force, without_titles, years_in_force
from retrieval.question.answer_type import Constraints

TEXT = "继2021年进阶“gdp千亿俱乐部”之后，2022年，崂山区域发展势头更盛。前三季度，全区生产总值、固定资产投资增速均居全市第一。全年新增市场主体1.5万户。"


def span_of(sentence: str) -> tuple[int, int]:
    start = TEXT.index(sentence)
    return start, start + len(sentence)


def asking(years=(), periods=()) -> Constraints:
    return Constraints(years=frozenset(years), periods=frozenset(periods))


def test_the_last_year_named_before_a_quote_is_in_force_and_so_are_those_it_names():
    assert years_in_force(TEXT, *span_of("前三季度，全区生产总值")) == {"2022"}
    assert years_in_force(TEXT, *span_of("继2021年进阶")) == {"2021"}
    assert years_in_force("新增企业300家。", 0, 5) == frozenset()
    assert years_in_force("2021年打下基础。今年以来，新增企业300家。", 9, 20) == {UNKNOWN_YEAR}


def test_a_period_stays_in_force_until_another_is_named():
    assert periods_in_force(TEXT, *span_of("全区生产总值、固定资产投资增速")) == {"first_three_quarters"}
    assert periods_in_force(TEXT, *span_of("全年新增市场主体")) == {"full_year"}


def test_a_question_about_a_year_or_period_the_quote_does_not_speak_of_is_out_of_force():
    quote = span_of("前三季度，全区生产总值、固定资产投资增速均居全市第一。")
    assert out_of_force(asking(years={"2021"}), TEXT, *quote) == (True, False)
    assert out_of_force(asking(years={"2022"}, periods={"first_three_quarters"}), TEXT, *quote) == (False, False)
    assert out_of_force(asking(periods={"full_year"}), TEXT, *quote) == (False, True)
    # nothing named up to the quote: nothing is judged here (the passage-level checks decide)
    assert out_of_force(asking(years={"2019"}, periods={"first_half"}), "新增企业300家。", 0, 8) == (False, False)


def test_a_year_named_by_earlier_passages_is_in_force_unless_the_text_says_this_year_or_names_the_asked_one():
    quote = "前三季度，全区生产总值完成810.71亿元。"
    assert out_of_force(asking(years={"2021"}), quote, 0, len(quote), inherited_year="2022") == (True, False)
    assert out_of_force(asking(years={"2022"}), quote, 0, len(quote), inherited_year="2022") == (False, False)
    relative = "今年一季度新开工城市更新项目33个。"
    assert out_of_force(asking(years={"2022"}), relative, 0, len(relative), inherited_year="2023") == (False, False)
    # a year written without 年 inside the quote ("2022国际虚拟现实创新大会") is the quote's own
    fair = "2023年还将举办。在9月份举办的2022国际虚拟现实创新大会上，31个项目签约。"
    assert out_of_force(asking(years={"2022"}), fair, fair.index("在9月"), len(fair)) == (False, False)


def test_a_year_inside_a_document_title_is_not_the_time_the_text_speaks_of():
    text = "2022年，崂山区发布《独角兽企业培育计划2019-2023年》。拥有高新技术企业628家。"
    quote = text.index("拥有")
    assert years_in_force(text, quote, len(text)) == {"2022"}
    assert out_of_force(Constraints(years=frozenset({"2022"})), text, quote, len(text)) == (False, False)
    # the title's offsets are kept: a quote inside the text after it is found where it was
    assert without_titles(text).index("拥有") == quote and "2023" not in without_titles(text)
    # a title alone sets nothing in force
    titled = "发布《2019年工作要点》。拥有高新技术企业628家。"
    assert years_in_force(titled, titled.index("拥有"), len(titled)) == frozenset()
