from retrieval.answer.quotes import score_sentences, select_quote

TEXT = "崂山区加快培育新兴产业。对新认定的独角兽企业最高可奖励300万元。其他各类科技型企业也有相应支持。"


def spans(text):
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == "。":
            out.append((start, i + 1))
            start = i + 1
    if start < len(text):
        out.append((start, len(text)))
    return out


def test_the_sentence_with_the_question_terms_is_quoted_not_the_first():
    sentence_spans = spans(TEXT)
    sentences = [TEXT[s:e] for s, e in sentence_spans]
    scores = score_sentences(sentences, [("独角兽", 1.0), ("奖励", 1.0), ("崂山", 0.2)])
    start, end = select_quote(sentence_spans, scores, TEXT)
    assert TEXT[start:end] == "对新认定的独角兽企业最高可奖励300万元。"


def test_dense_scores_break_keyword_ties():
    sentence_spans = spans(TEXT)
    sentences = [TEXT[s:e] for s, e in sentence_spans]
    scores = score_sentences(sentences, [], dense_scores=[0.1, 0.2, 0.9])
    start, end = select_quote(sentence_spans, scores, TEXT)
    assert TEXT[start:end] == "其他各类科技型企业也有相应支持。"


def test_a_too_short_sentence_takes_in_its_neighbour():
    text = "是的。对新认定的独角兽企业最高可奖励300万元。"
    sentence_spans = spans(text)
    start, end = select_quote(sentence_spans, [1.0, 0.0], text)
    assert text[start:end] == text


def test_quote_is_trimmed_and_inside_text():
    text = "  第一句话说了很多很多内容。  "
    start, end = select_quote([(0, len(text))], [0.0], text)
    assert text[start:end] == "第一句话说了很多很多内容。"
    assert select_quote([], [], "") == (0, 0)


PROJECT = "以老旧小区改造工程为例,该工程对4个社区综合整治。小区改造始于今年9月,总投资3800万余元。市南区多处老旧小区焕发新活力。"


def test_a_quote_lacking_the_asked_figure_takes_in_the_neighbour_that_states_it():
    sentence_spans = spans(PROJECT)
    sentences = [PROJECT[s:e] for s, e in sentence_spans]
    terms = [("老旧小区改造工程", 3.0), ("总投资", 1.0)]
    # the name wins the sentence on its own ...
    start, end = select_quote(sentence_spans, score_sentences(sentences, terms), PROJECT)
    assert PROJECT[start:end] == sentences[0]
    # ... and takes in the money the question asks for when the next sentence states it
    money = [0.0, 1.0, 0.0]
    scores = score_sentences(sentences, terms, figure_matches=money)
    start, end = select_quote(sentence_spans, scores, PROJECT, figure_matches=money)
    assert PROJECT[start:end] == sentences[0] + sentences[1]


def test_a_sentence_stating_the_asked_figure_outscores_one_that_only_names_the_topic():
    sentence_spans = spans(PROJECT)
    sentences = [PROJECT[s:e] for s, e in sentence_spans]
    scores = score_sentences(sentences, [("小区", 1.0)], figure_matches=[0.0, 1.0, 0.0])  # every sentence has 小区
    start, end = select_quote(sentence_spans, scores, PROJECT, figure_matches=[0.0, 1.0, 0.0])
    assert PROJECT[start:end] == sentences[1]


def test_without_an_asked_figure_the_quote_stays_one_sentence():
    sentence_spans = spans(PROJECT)
    sentences = [PROJECT[s:e] for s, e in sentence_spans]
    scores = score_sentences(sentences, [("老旧小区改造工程", 3.0)])
    start, end = select_quote(sentence_spans, scores, PROJECT, figure_matches=[0.0, 0.0, 0.0])
    assert PROJECT[start:end] == sentences[0]


SPEECH = "“我们拿出1100万元财政资金撬动商家返利，引导市民消费。”崂山区副区长黄应胜介绍。夜经济由此升温。"


def test_a_who_question_quote_takes_in_the_next_sentence_naming_the_person():
    sentence_spans = spans(SPEECH)
    sentences = [SPEECH[s:e] for s, e in sentence_spans]
    scores = score_sentences(sentences, [("1100万元", 2.0), ("商家返利", 1.0)])
    names = [False, True, False]
    start, end = select_quote(sentence_spans, scores, SPEECH, answer_matches=names)
    assert SPEECH[start:end] == sentences[0] + sentences[1]
    # a quote already naming one stays as it is, and so does one whose neighbour names none
    assert select_quote(sentence_spans, scores, SPEECH, answer_matches=[True, True, False]) == sentence_spans[0]
    assert select_quote(sentence_spans, scores, SPEECH, answer_matches=[False, False, True]) == sentence_spans[0]


MAKER = "近日，国内首台晶圆测量仪上市。目前，该设备在清华大学等单位装机使用。这款测量仪的研发者来自致真精密仪器有限公司。"


def test_a_far_sentence_naming_the_answer_is_quoted_when_it_matches_the_question_nearly_as_well():
    sentence_spans = spans(MAKER)
    sentences = [MAKER[s:e] for s, e in sentence_spans]
    scores = score_sentences(sentences, [("晶圆", 1.0), ("测量仪", 1.0), ("研发", 0.5)])
    # the next sentence names an organisation too (清华大学), but matches the question by nothing
    names = [False, True, True]
    assert select_quote(sentence_spans, scores, MAKER, answer_matches=names) == sentence_spans[2]
    # a far naming sentence that matches the question poorly is not quoted: the next one is taken in
    weak = score_sentences(sentences, [("晶圆", 1.0), ("上市", 1.0), ("测量仪", 0.2)])
    start, end = select_quote(sentence_spans, weak, MAKER, answer_matches=names)
    assert MAKER[start:end] == sentences[0] + sentences[1]
