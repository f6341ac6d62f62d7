from retrieval.answer.answer_span import answer_span
from retrieval.question.answer_type import AnswerType, read_constraints
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


def marked(text, figures=frozenset(), types=frozenset(), terms=(), question=""):
    offices = read_constraints(question, "zh").offices if AnswerType.PERSON in types else frozenset()
    span = answer_span(text, (0, len(text)), frozenset(figures), frozenset(types), list(terms), question, offices)
    return text[span[0]:span[1]] if span else None


def test_words_qualifying_a_figure_are_part_of_it_and_a_spaced_figure_is_read_whole():
    assert marked("民间投资增长超过30%。", {Figure.ANY}, terms=["民间投资"], question="民间投资涨了多少？") == "超过30%"
    assert marked("全区生产总值增长7.5%左右;", {Figure.ANY}, terms=["生产总值"], question="增长目标是多少？") == "7.5%左右"
    assert marked("总投资约 930 亿元。", {Figure.MONEY}, terms=["总投资"]) == "约 930 亿元"
    assert marked("节约了至少 15天时间。", {Figure.DURATION}, terms=["节约"]) == "至少 15天"
    assert marked("全年接待游客2020万人次。", {Figure.COUNT}, terms=["游客"]) == "2020万人次"
    assert marked("中心已具备100P算力。", {Figure.ANY}, terms=["算力"]) == "100P"


def test_a_figure_inside_a_documents_title_is_not_the_answer():
    text = "出台《支持企业十条政策措施》，为企业减免房租6978万元。"
    assert marked(text, {Figure.ANY}, terms=["房租"], question="免了多少房租？") == "6978万元"


def test_the_person_and_the_venue_asked_for_are_marked():
    assert marked("“今年消费压力大。”崂山区副区长黄应胜介绍。", types={AnswerType.PERSON}, terms=["介绍"]) == "副区长黄应胜"
    assert marked("青岛市崂山区人民政府区长赵燕各位代表:", types={AnswerType.PERSON}) == "区长赵燕"
    assert marked("论坛在青岛国际会议中心开幕。", types={AnswerType.PLACE}, terms=["论坛"]) == "青岛国际会议中心"


def test_of_two_people_quoted_the_one_in_the_office_asked_about_is_marked():
    text = "区委书记张元升明确提出，要打造旅游度假目的地；副区长黄应胜介绍了政策。"
    person = {AnswerType.PERSON}
    assert marked(text, types=person, question="崂山区副区长是谁？") == "副区长黄应胜"
    assert marked(text, types=person, question="崂山区的区委书记是谁？") == "区委书记张元升"
    assert marked(text, types=person, question="是哪位区领导提出的？") == "区委书记张元升"   # no office asked: the first
    assert marked(text, types=person, question="总经理是谁？") == "区委书记张元升"   # none in it: still the person named


def test_an_organisation_is_its_name_not_the_words_before_it_nor_the_questions_own_words():
    assert marked("目前，该设备在清华大学装机使用。", types={AnswerType.ORGANISATION}, terms=["装机"]) == "清华大学"
    text = "青岛聚量融资租赁有限公司是一家多场景的融资租赁公司。"
    assert marked(text, types={AnswerType.ORGANISATION}, terms=["融资租赁"], question="做融资租赁的是哪家公司？") == "青岛聚量融资租赁有限公司"


def test_a_keyword_query_naming_a_measure_gets_its_figure_marked_but_a_which_question_does_not():
    text = "全年接待游客2020万人次，旅游总收入达到139亿元。"
    assert marked(text, terms=["旅游总收入"], question="崂山 2018 旅游总收入") == "139亿元"
    assert marked("金家岭金融区规划面积23.7平方公里。", terms=["规划面积"], question="金家岭金融区 规划面积") == "23.7平方公里"
    assert marked("推动总规模10亿美元的中国―欧亚经济合作基金落户。", terms=["基金"], question="推动哪支总规模10亿美元的基金落户？") is None


def test_two_figures_asked_together_are_marked_together_and_a_count_takes_the_asked_measure_word():
    text = "其中，法人金融机构23家，占青岛市的74.19%。"
    assert marked(text, {Figure.COUNT, Figure.PERCENT}, terms=["法人金融机构"], question="法人金融机构有多少家，占比多少？") == "23家，占青岛市的74.19%"
    text = "平台实现对百座重点楼宇精准画像，涵盖2.2万余家注册企业。"
    assert marked(text, {Figure.COUNT}, terms=["楼宇"], question="平台涵盖了多少家注册企业？") == "2.2万余家"
    assert marked(text, {Figure.COUNT}, terms=["楼宇"], question="How many registered companies does the platform cover?") == "2.2万余家"
