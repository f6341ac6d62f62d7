import json

import pytest
from hypothesis import given, settings, strategies as st

from retrieval import crosslingual
from retrieval.crosslingual import (
    CrossLingualExpander,
    derived_bases,
    gloss_keys,
    is_mostly_english,
    lemma_candidates,
)
from retrieval.errors import IndexCorrupt

# A small English -> Chinese dictionary in the shape `english_to_chinese()` returns.
DICTIONARY = {
    "unicorn": {"独角兽": 1.0, "麒麟": 0.8},
    "glass": {"玻璃": 1.0, "杯子": 0.8},
    "park": {"公园": 1.0, "园": 0.5},
    "pocket park": {"口袋公园": 1.0},
    "pocket": {"口袋": 1.0},
    "company": {"公司": 1.0, "企业": 0.9},
    "award": {"奖励": 1.0},
    "maximum": {"最高": 1.0},
    "what": {"什么": 1.0},
    "change": {"变化": 1.0},
    "venture capital": {"风险投资": 1.0},
}
VOCABULARY = [
    "独角兽", "玻璃", "公园", "口袋公园", "口袋", "公司", "企业", "企业", "奖励", "最高", "什么",
    "变化", "嫦娥", "风险", "投资", "崂山", "崂山", "崂山", "崂山区", "即墨区", "市南", "青岛",
    "青岛", "青岛", "清道", "5000", "2018", "3",
]


@pytest.fixture(scope="module")
def expander():
    return CrossLingualExpander.build(VOCABULARY, DICTIONARY)


def terms(expander, question):
    return dict(expander.expand(question))


def test_english_word_maps_to_its_chinese_vocabulary_token(expander):
    assert "独角兽" in terms(expander, "What is the maximum award for new unicorn companies?")


def test_candidates_missing_from_the_corpus_are_dropped(expander):
    found = terms(expander, "smart glass")
    assert "玻璃" in found
    assert "杯子" not in found


def test_plurals_find_their_singular(expander):
    assert "公园" in terms(expander, "parks")
    assert "公司" in terms(expander, "companies")


def test_a_phrase_match_beats_its_single_words(expander):
    found = terms(expander, "How many pocket parks?")
    assert "口袋公园" in found
    assert found["口袋公园"] >= max(found.values())
    assert "口袋" not in found


def test_a_phrase_missing_from_the_vocabulary_uses_its_vocabulary_pieces(expander):
    found = terms(expander, "venture capital")
    assert {"风险", "投资"} <= set(found)


def test_stopwords_and_question_words_are_dropped(expander):
    assert "什么" not in terms(expander, "What is it?")
    assert expander.expand("what is the of and") == []


def test_transliterated_names_map_to_corpus_tokens(expander):
    found = terms(expander, "Which companies settled in Laoshan?")
    assert found["崂山"] == max(found.values())
    assert "市南" in terms(expander, "Shinan")


def test_name_with_an_english_suffix_word_maps_to_the_full_name(expander):
    found = terms(expander, "Laoshan District")
    assert found["崂山区"] >= found["崂山"]
    alone = terms(expander, "Laoshan")
    assert alone["崂山"] > alone["崂山区"]
    assert "即墨区" in terms(expander, "Jimo District")


def test_the_common_reading_of_a_homophone_weighs_more(expander):
    found = terms(expander, "Qingdao")
    assert found["青岛"] > found.get("清道", 0.0)


def test_a_lower_case_english_word_is_not_read_as_pinyin(expander):
    found = terms(expander, "what change happened")
    assert "变化" in found
    assert "嫦娥" not in found


def test_numbers_are_kept_and_english_scales_become_chinese_units(expander):
    found = terms(expander, "invested 50 million yuan in 2018")
    assert {"5000", "2018"} <= set(found)


def test_number_words_become_digits_with_less_weight(expander):
    found = terms(expander, "three banks in 2018")
    assert found["3"] < found["2018"]


def test_a_chinese_question_expands_to_nothing(expander):
    assert expander.expand("崂山区独角兽企业最高奖励多少？") == []


def test_every_term_is_a_vocabulary_token(expander):
    question = "Which Laoshan unicorn company got the maximum award for pocket parks and glass in 2018?"
    assert set(terms(expander, question)) <= set(VOCABULARY)


def test_save_and_load_are_mirror_images(expander, tmp_path):
    path = tmp_path / "crosslingual.json"
    expander.save(path)
    json.loads(path.read_text("utf-8"))  # plain JSON
    loaded = CrossLingualExpander.load(path)
    assert loaded == expander
    question = "Laoshan District unicorn companies, pocket parks, 50 million"
    assert loaded.expand(question) == expander.expand(question)


def test_a_damaged_map_raises_index_corrupt(tmp_path):
    path = tmp_path / "crosslingual.json"
    path.write_text('{"format": 1, "terms": ', "utf-8")
    with pytest.raises(IndexCorrupt):
        CrossLingualExpander.load(path)
    with pytest.raises(IndexCorrupt):
        CrossLingualExpander.load(tmp_path / "missing.json")


def test_gloss_keys_clean_cedict_senses():
    assert gloss_keys("to mass-produce") == ["mass produce"]
    assert gloss_keys("to return to work (after a stoppage)") == ["return work"]
    assert gloss_keys("(coll.) modem") == ["modem"]
    assert gloss_keys("résumé; curriculum vitae") == ["resume", "curriculum vitae"]
    assert gloss_keys("CL:個|个[ge4]") == []
    assert gloss_keys("surname Lao") == []


def test_lemma_candidates():
    assert "park" in lemma_candidates("parks")
    assert "company" in lemma_candidates("companies")
    assert "plan" in lemma_candidates("planned")
    assert "produce" in lemma_candidates("produced")
    assert "recruit" in derived_bases("recruitment")
    assert "approve" in derived_bases("approval")


def test_is_mostly_english():
    assert is_mostly_english("How many hilltop parks are in 崂山?")
    assert not is_mostly_english("崂山区有多少个山头公园 park?")


def test_the_real_cedict_translates_the_domain_words():
    vocabulary = ["独角兽", "企业", "智能", "温变", "玻璃", "量产", "洁净", "厂房", "口袋", "公园", "山头"]
    expander = CrossLingualExpander.build(vocabulary)
    assert "独角兽" in terms(expander, "new unicorn companies")
    found = terms(expander, "mass-produce smart thermochromic glass")
    assert {"量产", "智能", "玻璃"} <= set(found)
    assert "公园" in terms(expander, "hilltop parks and pocket parks")


def test_the_inverted_dictionary_is_cached_and_reused(tmp_path, monkeypatch):
    first = crosslingual.load_dictionary(tmp_path)
    assert len(list(tmp_path.glob("cedict-en-zh-*.json"))) == 1

    def no_parsing():
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(crosslingual, "english_to_chinese", no_parsing)
    assert crosslingual.load_dictionary(tmp_path) == first


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_text_expands_to_weighted_vocabulary_tokens(text):
    expander = CrossLingualExpander.build(VOCABULARY, DICTIONARY)
    for token, weight in expander.expand(text):
        assert token in VOCABULARY
        assert 0 < weight <= 1.0
