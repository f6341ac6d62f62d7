"""Keyword evidence for abstention: concepts, credit, coverage (pure functions, no index)."""
from dataclasses import dataclass

import pytest

from retrieval.answer import evidence as ev

DOCUMENT_FREQUENCY = {"西海岸新区": 5, "西海岸": 6, "新区": 20, "海岸": 6, "基金": 8, "规模": 30, "博士": 0, "gdp": 3, "土地": 4, "优惠": 9}
TAGS = {"西海岸新区": "ns", "基金": "n", "规模": "n", "博士": "n", "设立": "v", "土地": "n", "优惠": "a"}


def df(term):
    return DOCUMENT_FREQUENCY.get(term, 0)


def concepts_of(terms, corpus="西海岸新区设立基金规模新区海岸"):
    return ev.chinese_concepts(terms, df, 100, lambda term: term in corpus, TAGS.get)


def test_a_compound_and_its_pieces_are_one_concept():
    concepts = concepts_of(["西海岸新区", "西海岸", "海岸", "新区", "基金"])
    assert [c.label for c in concepts] == ["西海岸新区", "基金"]
    assert set(concepts[0].forms) == {"西海岸新区", "西海岸", "海岸", "新区"}


def test_asking_words_and_predicates_weigh_less_than_nouns():
    by_label = {c.label: c for c in concepts_of(["基金", "多少", "设立"])}
    assert by_label["多少"].weight < by_label["基金"].weight
    assert by_label["设立"].weight < by_label["基金"].weight


def test_a_dictionary_noun_the_corpus_lacks_weighs_fully_and_a_scrap_little():
    by_label = {c.label: c for c in concepts_of(["博士", "率有"])}
    assert not by_label["博士"].in_corpus and not by_label["率有"].in_corpus
    assert by_label["率有"].weight < by_label["博士"].weight * 0.5


def test_credit_full_form_pieces_and_shared_characters():
    concept = concepts_of(["西海岸新区", "西海岸", "新区"])[0]
    assert ev.credit(concept, "西海岸新区设立") == 1.0
    assert ev.credit(concept, "崂山新区") == pytest.approx(0.4)  # 新区 covers 2 of 5 characters
    single = ev.Concept("写字楼", ("写字楼",), 1.0)
    assert ev.credit(single, "商务楼宇", character_factor=0.5) == pytest.approx(0.5 / 3)
    assert ev.credit(single, "商务大厦") == 0.0


def test_coverage_is_the_weighted_share_found_in_the_window():
    concepts = [ev.Concept("基金", ("基金",), 3.0), ev.Concept("博士", ("博士",), 1.0, in_corpus=False)]
    evidence = ev.gather(concepts, "设立产业基金")
    assert evidence.coverage == pytest.approx(0.75)
    assert evidence.uncovered == pytest.approx(0.25)  # 博士: 1 of 4 weight units
    assert ev.gather(concepts, "").coverage == 0.0
    assert ev.gather([], "anything").coverage == 0.0


def test_best_evidence_takes_the_window_that_covers_most():
    concepts = [ev.Concept("基金", ("基金",), 1.0), ev.Concept("规模", ("规模",), 1.0)]
    text = "设立基金。规模十亿元。另一句。再一句。"
    spans = [(0, 5), (5, 11), (11, 15), (15, 19)]
    windows = ev.windows(text, spans, radius=0)
    assert ev.best_evidence(concepts, windows).coverage == 0.5
    assert ev.best_evidence(concepts, ev.windows(text, spans, radius=1)).coverage == 1.0
    # title and section count as part of every window
    assert ev.best_evidence(concepts, ev.windows(text, spans, ("规模",), radius=0)).coverage == 1.0


@dataclass
class Term:
    text: str
    candidates: tuple


def test_english_forms_drop_single_characters_and_keep_latin_corpus_words():
    concepts = ev.english_concepts(
        [Term("weather", ("气",)), Term("gdp", ()), Term("land", ("土地",)), Term("paris", ()), Term("how many", ())],
        df, 100, TAGS.get,
    )
    by_label = {c.label: c for c in concepts}
    assert by_label["weather"].forms == () and by_label["weather"].weight > 0  # unmatched: weak absence evidence
    assert by_label["gdp"].forms == ("gdp",) and by_label["gdp"].in_corpus
    assert by_label["land"].forms == ("土地",)
    assert by_label["paris"].weight < by_label["land"].weight
    assert by_label["how many"].weight == 0.0


def test_names_get_no_credit_for_shared_characters():
    tags = dict(TAGS, 市北区="ns", 写字楼="n")
    concepts = ev.chinese_concepts(["市北区", "写字楼"], df, 100, lambda term: True, tags.get)
    by_label = {c.label: c for c in concepts}
    assert by_label["市北区"].is_name and not by_label["写字楼"].is_name
    window = "市南区的商务楼宇"
    assert ev.credit(by_label["市北区"], window) == 0.0
    assert ev.credit(by_label["写字楼"], window) > 0.0


def test_proper_names_are_capitalised_words_inside_a_sentence():
    assert ev.proper_names("What's the weather in Paris? How is Jimo's GDP and the iPhone?") == {"paris", "jimo", "gdp", "iphone"}
    assert ev.proper_names("Which district grew fastest?") == frozenset()


def test_the_answer_clause_takes_in_the_next_clause_when_it_holds_little_beside_the_answer():
    text = "5月15日开工建设,用时5个多月,计算中心已具备100P算力,即将投入运营。"
    assert ev.answer_clause(text, 0, 5) == "5月15日开工建设"
    text = "5月20日，国家虚拟现实创新中心揭牌。"
    assert ev.answer_clause(text, 0, 5) == "5月20日国家虚拟现实创新中心揭牌"


def test_a_clause_naming_none_of_the_questions_events_answers_something_else():
    asked = [ev.Concept("投入运营", ("投入运营", "投入", "运营"), 2.0), ev.Concept("计算中心", ("计算中心",), 3.0, is_name=True),
             ev.Concept("2022", ("2022",), 1.0)]
    assert ev.names_nothing_asked(asked, "5月15日开工建设")
    assert not ev.names_nothing_asked(asked, "6月1日正式投入运营")
    assert not ev.names_nothing_asked(asked[1:2], "5月15日开工建设")  # nothing asked beside the name: no evidence
