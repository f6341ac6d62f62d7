from retrieval.answer.time_in_force import out_of_force, periods_in_force, years_in_force
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
    assert years_in_force("今年以来，新增企业300家。", 0, 5) == frozenset()


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
