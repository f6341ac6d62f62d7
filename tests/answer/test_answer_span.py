from retrieval.answer.answer_span import answer_span
from retrieval.question.answer_type import AnswerType
from retrieval.question.asked_figures import Figure

TEXT = "崂山区出台政策。对新认定的独角兽企业给予最高300万元奖励；对瞪羚企业给予50万元奖励。"


def quote_of(sentence: str) -> tuple[int, int]:
    start = TEXT.index(sentence)
    return start, start + len(sentence)


def test_the_figure_nearest_the_questions_words_is_marked_with_its_unit():
    quote = quote_of("对新认定的独角兽企业给予最高300万元奖励；对瞪羚企业给予50万元奖励。")
    start, end = answer_span(TEXT, quote, frozenset({Figure.MONEY}), frozenset(), ["独角兽", "奖励"])
    assert TEXT[start:end] == "300万元" and quote[0] <= start < end <= quote[1]
    start, end = answer_span(TEXT, quote, frozenset({Figure.MONEY}), frozenset(), ["瞪羚"])
    assert TEXT[start:end] == "50万元"


def test_dates_organisations_and_names_are_marked_when_asked_for():
    text = "2019年11月，青岛易科空调工程材料有限公司与开发区签约。《崂山区商务楼宇等级评定规范》发布。"
    whole = (0, len(text))
    start, end = answer_span(text, whole, frozenset(), frozenset({AnswerType.DATE}), ["签约"])
    assert text[start:end] == "2019年11月"
    start, end = answer_span(text, whole, frozenset(), frozenset({AnswerType.ORGANISATION}), ["签约"])
    assert text[start:end].endswith("有限公司")
    start, end = answer_span(text, whole, frozenset(), frozenset(), ["规范"], "这个规范叫什么？")
    assert text[start:end] == "《崂山区商务楼宇等级评定规范》"
    # a quoted name is not the answer to a question that does not ask for a name
    assert answer_span(text, whole, frozenset(), frozenset(), ["规范"], "这个规范有什么作用？") is None


def test_no_span_when_the_quote_has_nothing_of_the_asked_kind():
    assert answer_span(TEXT, quote_of("崂山区出台政策。"), frozenset({Figure.MONEY}), frozenset(), ["政策"]) is None


def test_the_figure_in_the_clause_of_the_questions_words_wins_and_a_rate_question_takes_the_percentage():
    text = "全区拥有高新技术企业628家,每万家企业拥有高新技术企业数量136家,全市第一;产值增长6%,达到810亿元。"
    whole = (0, len(text))
    start, end = answer_span(text, whole, frozenset({Figure.COUNT}), frozenset(), ["每万家企业", "数量"], "每万家企业有多少家高新技术企业？")
    assert text[start:end] == "136家"
    start, end = answer_span(text, whole, frozenset({Figure.ANY}), frozenset(), ["产值"], "产值增长了多少？")
    assert text[start:end] == "6%"
