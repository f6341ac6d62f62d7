import pytest

from retrieval.question.answer_type import AnswerType, missing_answer_types, read_constraints, unmatched_periods, unmatched_years


@pytest.mark.parametrize("question, language, kinds", [
    ("这个园区是由哪家公司运营的？", "zh", {AnswerType.ORGANISATION}),
    ("项目是什么时候开工的？", "zh", {AnswerType.DATE}),
    ("会议由谁主持？", "zh", {AnswerType.PERSON, AnswerType.ORGANISATION}),
    ("办公地址在哪里？", "zh", {AnswerType.ADDRESS}),
    ("Which district is the park in?", "en", {AnswerType.PLACE}),
    ("When did the centre open?", "en", {AnswerType.DATE}),
    ("How much did it invest?", "en", set()),
])
def test_the_asked_answer_type_is_read_from_the_question_words(question, language, kinds):
    assert read_constraints(question, language).answer_types == kinds


def test_years_and_periods_must_show_in_the_text_and_third_quarter_is_not_inside_first_three():
    constraints = read_constraints("某区2021年三季度的产值是多少？", "zh")
    assert constraints.years == {"2021"} and constraints.periods == {"third_quarter"}
    assert unmatched_years(constraints, "2022年前三季度产值增长") == 1
    assert unmatched_periods(constraints, "2021年前三季度产值增长") == 1
    assert unmatched_periods(constraints, "2021年三季度产值增长") == 0
    assert read_constraints("What was GDP in the first three quarters of 2022?", "en").periods == {"first_three_quarters"}
    assert read_constraints("2020年Q1的进出口总额", "zh").periods == {"first_quarter"}


def test_an_answer_type_counts_only_outside_the_questions_own_words():
    constraints = read_constraints("创新中心是由哪家单位牵头建设的？", "zh")
    assert missing_answer_types(constraints, "国家创新中心正式揭牌。", ["创新中心"]) == 1
    assert missing_answer_types(constraints, "由海尔集团牵头建设国家创新中心。", ["创新中心"]) == 0
