import pytest

from retrieval.question.answer_type import read_constraints
from retrieval.question.attributes import named_attributes, parse_attributes, shipped_attributes, unstated_attributes

SMALL = parse_attributes(
    "# comment\n"
    "registered_capital\t注册资本|注册了多少钱\tregistered capital|how much capital\t注册资本|注册资金\n"
    "occupancy_rate\t入驻率|入住率\toccupancy\t入驻率|空置\n"
)


def test_phrases_with_an_asking_word_are_left_to_the_answer_types():
    capital = SMALL[0]
    assert capital.asks == ("注册资本", "registered capital")
    assert named_attributes("这家公司注册了多少钱？", SMALL) == ()


def test_an_attribute_is_named_in_chinese_english_or_both_and_each_counts_once():
    assert named_attributes("聚量融资租赁 注册资本", SMALL) == (("注册资本", "注册资金"),)
    assert named_attributes("What is the Registered Capital of X and its occupancy?", SMALL) == (("注册资本", "注册资金"), ("入驻率", "空置"))
    assert named_attributes("产业园有多少家企业？", SMALL) == ()


@pytest.mark.parametrize("line", ["only\tthree\tfields", "\t注册资本\tcapital\t注册资本", "capital\t注册资本\tcapital\t-"])
def test_a_malformed_line_is_rejected_with_its_number(line):
    with pytest.raises(ValueError, match="line 2"):
        parse_attributes(f"# comment\n{line}\n")


def test_unstated_attributes_counts_the_named_attributes_a_text_states_with_none_of_their_words():
    named = named_attributes("注册资本和入驻率", SMALL)
    assert unstated_attributes(named, "园区入驻率达90%") == 1
    assert unstated_attributes(named, "注册资金1亿元,空置面积10%") == 0
    assert unstated_attributes((), "anything") == 0


def test_the_shipped_list_parses_and_the_constraints_carry_what_a_question_names():
    assert len(shipped_attributes()) > 40
    constraints = read_constraints("伟隆流体项目的总投资是多少?", "zh")
    assert constraints.attributes and any("总投资" in states for states in constraints.attributes)
    assert read_constraints("你好", "zh").attributes == ()


def test_foreign_domestic_capital_and_gdp_value_added_are_told_apart():
    domestic = read_constraints("市南区前三季度实际利用内资是多少？", "zh").attributes
    assert unstated_attributes(domestic, "前三季度，市南区新注册亿元以上内资项目85个；实际利用外资3亿美元") == 1
    assert unstated_attributes(domestic, "实际利用内资120亿元") == 0
    foreign = read_constraints("How much foreign capital did Shinan actually use?", "en").attributes
    assert unstated_attributes(foreign, "实际利用外资3亿美元") == 0
    gdp = read_constraints("崂山区GDP增速是多少", "zh").attributes
    assert unstated_attributes(gdp, "规上工业增加值同比增长16%") == 1
    assert unstated_attributes(gdp, "实现地区生产总值1200亿元，同比增长5%") == 0
