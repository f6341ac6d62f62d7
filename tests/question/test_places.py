import pytest

from retrieval.question.answer_type import read_constraints
from retrieval.question.places import named_places, parse_places, shipped_places, unmatched_places

SMALL = parse_places("# comment\n崂山|崂山区\tlaoshan\n黄岛区|西海岸新区\thuangdao|west coast\n")


def test_forms_come_longest_first_and_english_names_match_whole_words_only():
    assert SMALL[0].forms == ("崂山区", "崂山")
    assert named_places("What about the West Coast area?", SMALL) == (("西海岸新区", "黄岛区"),)
    assert named_places("laoshanese tea", SMALL) == ()


def test_a_place_is_named_in_chinese_or_english_and_each_counts_once():
    assert named_places("崂山区和Huangdao的GDP", SMALL) == (("崂山区", "崂山"), ("西海岸新区", "黄岛区"))
    assert named_places("GDP是多少？", SMALL) == ()


@pytest.mark.parametrize("line", ["no tab", "崂山\t", "\tlaoshan"])
def test_a_malformed_line_is_rejected_with_its_number(line):
    with pytest.raises(ValueError, match="line 2"):
        parse_places(f"# comment\n{line}\n")


def test_unmatched_places_counts_the_named_places_a_text_never_names():
    places = named_places("崂山区和黄岛区", SMALL)
    assert unmatched_places(places, "崂山区生产总值") == 1
    assert unmatched_places(places, "西海岸新区与崂山") == 0
    assert unmatched_places((), "anything") == 0


def test_a_street_named_after_a_place_does_not_name_the_place():
    laoshan = (("崂山区", "崂山"),)
    assert unmatched_places(laoshan, "2019年即墨区政府工作报告：实施崂山一路等14条道路照明工程") == 1
    assert unmatched_places(laoshan, "市北区即墨路、崂山路街道改造") == 1
    assert unmatched_places(laoshan, "实施崂山一路照明工程，崂山风景区游客增长") == 0


def test_the_shipped_list_knows_qingdaos_districts_but_not_qingdao_itself():
    forms = {form for place in shipped_places() for form in place.forms}
    assert {"市南区", "市北区", "李沧区", "即墨区", "黄岛区", "城阳区", "崂山区", "胶州市", "平度市", "莱西市"} <= forms
    assert "青岛" not in forms and "青岛市" not in forms
    # "high-tech" alone is an enterprise label, not the zone
    assert named_places("how many high-tech enterprises") == ()
    assert named_places("qingdao high-tech zone's gdp") == (("高新技术产业开发区", "青岛高新区", "高新区"),)


def test_constraints_carry_the_places_a_question_names():
    assert read_constraints("市北区2022年前三季度gdp是多少？", "zh").places == (("市北区", "市北"),)
    assert read_constraints("what was shinan's gdp in 2022?", "en").places == (("市南区", "市南"),)
