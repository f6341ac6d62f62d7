"""The follow-up resolver on synthetic conversations (written for these tests, not taken from
the conversation set), with the real segmenter and dictionary tags and a made-up pinyin map."""
from __future__ import annotations

import pytest

from retrieval.language.tokenizer import get_segmenter
from retrieval.language.word_tags import dictionary_tags
from retrieval.question.followup import ELLIPSIS, PRONOUN, QUESTION, STANDALONE, resolve_followup, strip_connectives
from retrieval.question.followup_words import Lexicon, domain_dictionary_words


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory) -> Lexicon:
    cache = tmp_path_factory.mktemp("jieba")
    names = {"chengyang": [["城阳", 1.0], ["城阳区", 0.6]], "licang": [["李沧", 1.0], ["李沧区", 0.6]], "shibei": [["市北", 1.0], ["市北区", 0.6]]}
    return Lexicon(get_segmenter(cache).cut, dictionary_tags(cache), domain_dictionary_words(), names)


def resolve(lexicon, previous, message):
    return resolve_followup([previous] if isinstance(previous, str) else previous, message, lexicon)


@pytest.mark.parametrize("message", ["那李沧区呢？", "李沧区呢", "那么李沧区呢?"])
def test_a_place_follow_up_replaces_the_district_and_keeps_the_rest(lexicon, message):
    result = resolve(lexicon, "城阳区2020年新签约项目多少个？", message)
    assert result.kind == ELLIPSIS
    assert result.question == "李沧区2020年新签约项目多少个？"


def test_an_english_place_follow_up_keeps_the_possessive(lexicon):
    result = resolve(lexicon, "How many projects did Chengyang's parks sign in 2020?", "What about Licang?")
    assert result.question == "How many projects did Licang's parks sign in 2020?"


def test_a_pinyin_place_after_a_chinese_question_takes_the_corpus_spelling(lexicon):
    """The documents write 李沧区: a Chinese question naming "Licang" would not match them."""
    result = resolve(lexicon, "城阳区2020年新签约项目多少个？", "Licang呢？")
    assert result.question == "李沧区2020年新签约项目多少个？"


@pytest.mark.parametrize(
    "message, expected",
    [
        ("2021年呢？", "城阳区2021年上半年税收收入增长多少？"),
        ("前三季度呢？", "城阳区2020年前三季度税收收入增长多少？"),
        ("How about 2018?", "城阳区2018年上半年税收收入增长多少？"),
    ],
)
def test_a_period_follow_up_replaces_the_year_or_the_part_of_the_year(lexicon, message, expected):
    assert resolve(lexicon, "城阳区2020年上半年税收收入增长多少？", message).question == expected


def test_a_year_is_added_when_the_previous_question_had_none(lexicon):
    assert resolve(lexicon, "城阳区税收收入增长多少？", "2019年呢？").question == "2019年城阳区税收收入增长多少？"
    assert resolve(lexicon, "How much did Chengyang's tax revenue grow?", "and 2019?").question == (
        "How much did Chengyang's tax revenue grow in 2019?"
    )


def test_an_attribute_follow_up_goes_before_the_asking_word_or_replaces_the_counted_noun(lexicon):
    assert resolve(lexicon, "城阳区2020年工业产值多少？", "增长率呢？").question == "城阳区2020年工业产值增长率多少？"
    assert resolve(lexicon, "李沧区为小微企业减免了多少房租？", "那社保费呢？").question == "李沧区为小微企业减免了多少社保费？"


def test_a_pronoun_is_replaced_by_the_previous_subject(lexicon):
    result = resolve(lexicon, "青岛海洋科技馆哪一年建成开放？", "它的门票多少钱？")
    assert result.kind == PRONOUN
    assert result.question == "青岛海洋科技馆的门票多少钱？"
    english = resolve(lexicon, "When did the Qingdao Ocean Science Museum open?", "How much is its ticket?")
    assert english.question == "How much is Qingdao Ocean Science Museum's ticket?"


def test_that_company_after_a_which_question_becomes_its_description(lexicon):
    result = resolve(lexicon, "Which company built the Licang logistics hub?", "Where is that company based?")
    assert result.question == "Where is the company that built the Licang logistics hub based?"


def test_a_question_without_a_subject_gets_the_previous_context(lexicon):
    result = resolve(lexicon, "城阳区2020年新签约项目多少个？", "总投资是多少？")
    assert result.kind == QUESTION
    assert result.question.startswith("城阳区2020年新签约项目") and result.question.endswith("总投资是多少？")
    english = resolve(lexicon, "How large is the Qingdao Ocean Science Museum?", "When did it open?")
    assert "Qingdao Ocean Science Museum" in english.question and "open" in english.question


@pytest.mark.parametrize(
    "message",
    [
        "李沧区2021年新增多少家高新技术企业？",  # names its own place and asks
        "“专精特新”企业能得到哪些奖励？",  # a quoted name
        "How many startups did Shibei district attract in 2021?",
        "请问在青岛注册一家外资企业需要准备哪些材料以及多长时间可以办完？",  # long
    ],
)
def test_a_complete_question_is_left_as_it_is(lexicon, message):
    result = resolve(lexicon, "城阳区2020年新签约项目多少个？", message)
    assert result.kind == STANDALONE and result.question == message


def test_nothing_to_resolve_against_leaves_the_message(lexicon):
    assert resolve(lexicon, [], "那李沧区呢？").kind == STANDALONE
    assert resolve(lexicon, ["", "  "], "2019年呢？").question == "2019年呢？"


def test_only_words_of_the_two_questions_are_used(lexicon):
    previous, message = "城阳区2020年上半年税收收入增长多少？", "那李沧区2021年呢？"
    result = resolve(lexicon, previous, message)
    assert result.question == "李沧区2021年上半年税收收入增长多少？"
    assert set(result.question) <= set(previous + message)


def test_connectives_are_stripped_and_mark_a_follow_up():
    assert strip_connectives("那李沧区呢？") == ("李沧区", True)
    assert strip_connectives("And what about Licang?") == ("Licang", True)
    assert strip_connectives("那里有多少企业？") == ("那里有多少企业", False)  # 那里 is a pronoun, not 那
