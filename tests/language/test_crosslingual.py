import json

import pytest
from hypothesis import given, settings, strategies as st

from retrieval.language import cedict, crosslingual, glossary
from retrieval.language.cedict import derived_bases, gloss_keys, lemma_candidates
from retrieval.language.crosslingual import CrossLingualExpander
from retrieval.language.english_question import is_mostly_english
from retrieval.language.glossary import load_glossary, parse_glossary
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
    return CrossLingualExpander.build(VOCABULARY, DICTIONARY, glossary={})


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
    first = cedict.load_dictionary(tmp_path)
    assert len(list(tmp_path.glob("cedict-en-zh-*.json"))) == 1

    def no_parsing():
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(cedict, "english_to_chinese", no_parsing)
    assert cedict.load_dictionary(tmp_path) == first


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_text_expands_to_weighted_vocabulary_tokens(text):
    expander = CrossLingualExpander.build(GLOSSARY_VOCABULARY, GLOSSARY_DICTIONARY, glossary=parse_glossary(GLOSSARY_TEXT))
    for token, weight in expander.expand(text):
        assert token in GLOSSARY_VOCABULARY
        assert 0 < weight <= 1.0


# -- the domain glossary ---------------------------------------------------------------------

GLOSSARY_TEXT = """\
# standard renderings
above designated size|above-scale\t规模以上|规上
gazelle enterprise\t瞪羚企业|瞪羚
specialized, refined, distinctive and innovative\t专精特新
Fortune Global 500\t世界500强
one-stop service\t一站式|一站式服务
West Coast New Area\t西海岸新区
"""
GLOSSARY_VOCABULARY = VOCABULARY + [
    "规模以上", "工业", "企业", "瞪羚", "专精特新", "世界", "500", "强", "一站式", "服务", "上", "大小", "全球",
]
GLOSSARY_DICTIONARY = {**DICTIONARY, "above": {"上": 0.5}, "size": {"大小": 1.0}, "global": {"全球": 1.0},
                       "industrial": {"工业": 1.0}, "enterprise": {"企业": 1.0}, "gazelle": {"瞪羚": 1.0}}


@pytest.fixture(scope="module")
def glossary_expander():
    return CrossLingualExpander.build(GLOSSARY_VOCABULARY, GLOSSARY_DICTIONARY, glossary=parse_glossary(GLOSSARY_TEXT))


def test_glossary_lines_become_content_word_keys_with_forms_in_order():
    parsed = parse_glossary(GLOSSARY_TEXT)
    assert parsed["above designated size"] == ("规模以上", "规上")
    assert parsed["above scale"] == ("规模以上", "规上")  # variants share the forms; hyphens split
    assert parsed["specialized refined distinctive innovative"] == ("专精特新",)  # function words go
    assert parsed["fortune global 500"] == ("世界500强",)
    assert len(parsed) == 7


def test_a_key_listed_twice_keeps_every_form_once():
    parsed = parse_glossary("GDP\t生产总值\nGDP|gross domestic product\t地区生产总值|生产总值\n")
    assert parsed["gdp"] == ("生产总值", "地区生产总值")
    assert parsed["gross domestic product"] == ("地区生产总值", "生产总值")


@pytest.mark.parametrize("line", ["no tab here", "english\t", "\t中文", "of the\t中文", "a\tb\tc"])
def test_a_malformed_glossary_line_is_rejected_with_its_number(line):
    with pytest.raises(ValueError, match="line 2"):
        parse_glossary(f"# comment\n{line}\n")


def test_the_shipped_glossary_parses_and_has_the_standard_renderings():
    shipped = load_glossary()
    assert len(set(shipped.values())) >= 60
    assert "规模以上" in shipped["above designated size"]
    assert "高新区" in shipped["high tech zone"]
    assert "招商引资" in shipped["investment promotion"]


def test_a_glossary_phrase_expands_to_its_corpus_form(glossary_expander):
    found = terms(glossary_expander, "industrial enterprises above designated size")
    assert found["规模以上"] == max(found.values())
    assert "工业" in found and "企业" in found  # the words outside the phrase still translate


def test_a_glossary_phrase_consumes_its_words_before_the_dictionary_sees_them(glossary_expander):
    found = terms(glossary_expander, "above designated size")
    assert "上" not in found and "大小" not in found
    explained = glossary_expander.explain("enterprises above designated size")
    assert [term.text for term in explained] == ["enterprises", "above designated size"]
    assert explained[1].candidates == ("规模以上",)


def test_glossary_phrases_match_inflected_words_and_cross_commas(glossary_expander):
    assert terms(glossary_expander, "How many gazelle enterprises?")["瞪羚"] > 0
    assert "专精特新" in terms(glossary_expander, 'Which "specialized, refined, distinctive and innovative" firms?')


def test_only_glossary_forms_the_corpus_uses_are_kept(glossary_expander):
    assert glossary_expander.glossary["above designated size"] == [["规模以上", 1.0]]  # 规上: not a token
    assert "west coast new area" not in glossary_expander.glossary  # no form at all: no entry
    # ... so the dictionary still translates those words
    assert "全球" in terms(glossary_expander, "global")


def test_a_glossary_form_missing_from_the_vocabulary_is_spelled_by_its_tokens(glossary_expander):
    found = terms(glossary_expander, "Fortune Global 500 companies")
    assert {"世界", "500"} <= set(found)
    assert "强" not in found and "全球" not in found  # no one-character pieces; the phrase wins


def test_glossary_expansions_are_vocabulary_tokens_and_survive_save_and_load(glossary_expander, tmp_path):
    question = "one-stop services for gazelle enterprises above designated size, Fortune Global 500"
    assert set(terms(glossary_expander, question)) <= set(GLOSSARY_VOCABULARY)
    path = tmp_path / "crosslingual.json"
    glossary_expander.save(path)
    loaded = CrossLingualExpander.load(path)
    assert loaded.expand(question) == glossary_expander.expand(question)


def test_a_map_saved_before_the_glossary_still_loads(expander, tmp_path):
    data = expander.to_dict()
    del data["glossary"]
    path = tmp_path / "crosslingual.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert CrossLingualExpander.load(path).expand("unicorn companies") == expander.expand("unicorn companies")


def test_the_shipped_glossary_is_used_by_default():
    expander = CrossLingualExpander.build(VOCABULARY + ["规模以上", "高新区"], DICTIONARY)
    assert "规模以上" in terms(expander, "enterprises above designated size")
    assert "高新区" in terms(expander, "the high-tech zone")


def test_editing_the_glossary_changes_the_source_fingerprint(tmp_path, monkeypatch):
    from retrieval.index.source_fingerprint import source_fingerprint

    copy = tmp_path / "glossary_en_zh.tsv"  # the same name, so only the content differs
    copy.write_text(glossary.GLOSSARY_PATH.read_text("utf-8"), "utf-8")
    monkeypatch.setattr(glossary, "GLOSSARY_PATH", copy)
    before = source_fingerprint(crosslingual)
    copy.write_text(copy.read_text("utf-8") + "new phrase\t新词\n", "utf-8")
    assert source_fingerprint(crosslingual) != before


def test_the_expander_cache_key_covers_every_module_and_data_file_it_reads():
    """The build cache of the expander is keyed by these files: text.py (normalisation) was
    once missing from a hand-kept list, so the list is derived from the imports."""
    from retrieval.index.source_fingerprint import fingerprint_sources

    names = {path.name for path in fingerprint_sources(crosslingual)}
    assert {"crosslingual.py", "cedict.py", "glossary.py", "vocabulary_alignment.py", "english_question.py", "text.py"} <= names
    assert {"glossary_en_zh.tsv", "english_suffixes.json"} <= names
