from retrieval.language.tokenizer import Tokenizer

TOKENIZER = Tokenizer()


def test_domain_words_stay_whole():
    tokens = TOKENIZER.tokenize("崂山区对专精特新企业和独角兽企业实施双招双引")
    for word in ("崂山区", "专精特新", "独角兽", "双招双引"):
        assert word in tokens


def test_stopwords_and_punctuation_are_dropped():
    tokens = TOKENIZER.tokenize("崂山区的政府投资项目是多少？")
    assert "的" not in tokens and "多少" not in tokens and "？" not in tokens
    assert "政府" in tokens and "投资" in tokens


def test_normalisation_makes_width_and_script_irrelevant():
    assert TOKENIZER.tokenize("嶗山區ＧＤＰ") == TOKENIZER.tokenize("崂山区gdp")


def test_numbers_and_latin_words_are_tokens():
    tokens = TOKENIZER.tokenize("最高可奖励300万元，GDP增长4.8%")
    assert "300" in tokens and "gdp" in tokens and "4.8%" in tokens


def test_one_segmenter_serves_everyone_and_knows_the_domain_words(tmp_path):
    from retrieval.language.tokenizer import get_segmenter

    Tokenizer(cache_dir=tmp_path).tokenize("崂山")
    assert get_segmenter() is get_segmenter(tmp_path)
    assert "双招双引" in get_segmenter().lcut("推进双招双引工作", HMM=False)


def test_empty_and_symbol_only_text_gives_no_tokens():
    assert TOKENIZER.tokenize("") == []
    assert TOKENIZER.tokenize("🙂🙂 ？！") == []
