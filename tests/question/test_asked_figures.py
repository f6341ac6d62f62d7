import pytest

from retrieval.question.asked_figures import Figure, asked_figures, figure_spans, stated_figures, states_an_asked_figure, given_numbers, without_given_numbers

MONEY, COUNT, DURATION, PERCENT, ANY = Figure.MONEY, Figure.COUNT, Figure.DURATION, Figure.PERCENT, Figure.ANY


@pytest.mark.parametrize("question, kinds", [
    ("开发区去年引进了多少家外资企业？", {COUNT}),
    ("新区一共有几个产业园？", {COUNT}),
    ("新城吸纳了多少万人就业？", {COUNT}),               # 多少万人 counts 人
    ("这个产业园项目总投资是多少？", {MONEY}),
    ("创业担保贷款最高能贷多少钱？", {MONEY}),
    ("外贸进出口额达到多少亿元？", {MONEY}),
    ("全区财政收入增长了多少？", {ANY}),                # growth: a percentage or an amount
    ("融资租赁款的利率具体是多少？", {PERCENT}),        # a rate is stated as a percentage
    ("平台的群众满意率有多高？", {PERCENT}),
    ("服务业占比多少？", {PERCENT}),
    ("审批效率提高了多少？", {ANY}),                    # 效率 is no rate
    ("增长了多少个百分点？", {PERCENT}),
    ("占地面积有多大？", {ANY}),
    ("地区生产总值的预期目标是多少？", {ANY}),          # a target may be a growth rate
    ("新厂房建设用了多久？", {DURATION}),
    ("工程要几年建成？", {DURATION}),
    ("全区生产总值在全市排第几？", {ANY}),
    ("新建厂房多少平方米？", {ANY}),
    ("有多少个项目开工，完成了多少投资？", {COUNT, MONEY}),
    ("区里推动哪几家企业上市？", set()),                # which ones, not how many
    ("这几乎是全市唯一的吗？", set()),
    ("这个产业园叫什么名字？", set()),
])
def test_chinese_questions_ask_for_a_kind_of_figure(question, kinds):
    assert asked_figures(question, "zh") == frozenset(kinds)


@pytest.mark.parametrize("question, kinds", [
    ("How many employees does the company have?", {COUNT}),
    ("How many days did the plant take to build?", {DURATION}),
    ("How much did the district invest in the park?", {MONEY}),
    ("How much did exports grow last year?", {ANY}),
    ("How many yuan does a startup receive?", {MONEY}),
    ("How many square meters is the new plant?", {ANY}),
    ("What was the district's GDP in 2018?", {MONEY}),
    ("What was Shinan district's full-year GDP for 2022?", {MONEY}),
    ("What GDP target did the district set for 2019?", {ANY}),   # a target may be a growth rate
    ("What is the theme of the total investment fair?", set()),   # the phrase after "what" is the theme
    ("What share of the key projects had started?", {PERCENT}),
    ("What was the growth rate of the district's GDP?", {PERCENT}),
    ("What is the total length of the metro line?", {ANY}),
    ("Which company moved its headquarters to the district?", set()),
    ("What is the theme of the conference?", set()),
])
def test_english_questions_ask_for_a_kind_of_figure(question, kinds):
    assert asked_figures(question, "en") == frozenset(kinds)


@pytest.mark.parametrize("text, kinds", [
    ("对新认定的企业最高可奖励300万元。", {MONEY, ANY}),
    ("青岛易科8000万项目签约落地。", {MONEY, ANY}),          # 8000万 before 项目 is money
    ("签约项目1.2亿,总投资50亿。", {MONEY, ANY}),
    ("受益居民1.3万户。", {COUNT, ANY}),                      # 1.3万 before 户 is a count
    ("收集简历8600余份,引进企业十余家。", {COUNT, ANY}),
    ("用时5个多月,已具备100P算力。", {DURATION, ANY}),         # 5个多月 is no count of things
    ("165天完成洁净厂房建设。", {DURATION, ANY}),
    ("市场占有率已超过25%。", {PERCENT, ANY}),
    ("小微企业奖励比例为百分之五。", {PERCENT, ANY}),         # a percentage in words
    ("对全市贡献率提升0.6个百分点。", {PERCENT, ANY}),
    ("新建厂房3万平方米。", {ANY}),                            # an area, not money
    ("全区生产总值居全市第一。", {ANY}),
])
def test_texts_state_kinds_of_figure(text, kinds):
    assert stated_figures(text) == frozenset(kinds)


@pytest.mark.parametrize("text", [
    "2020年5月15日开工建设,2021年投入运营。",      # dates
    "一是优化营商环境,三是打造一个平台、引进一批项目。",  # enumerations and articles
    "成立于2003年的公司深耕中央空调配件领域多年。",
])
def test_dates_and_articles_state_no_figure(text):
    assert stated_figures(text) == frozenset()


def test_hard_wrapped_text_is_read_across_line_breaks():
    assert MONEY in stated_figures("总投资\n50\n亿元")


def test_a_passage_passes_when_it_states_any_asked_kind():
    assert states_an_asked_figure(frozenset({COUNT, MONEY}), frozenset({MONEY, ANY}))
    assert not states_an_asked_figure(frozenset({COUNT}), frozenset({MONEY, ANY}))
    assert states_an_asked_figure(frozenset({ANY}), frozenset({COUNT, ANY}))
    assert not states_an_asked_figure(frozenset({MONEY}), frozenset())
    assert states_an_asked_figure(frozenset(), frozenset())  # asks for none


def test_figures_that_follow_each_other_closely_are_all_read():
    # the unit after 260亿 must not swallow the 30 of 30个
    assert COUNT in stated_figures("总投资260亿元的30个重点项目")
    assert COUNT in stated_figures("年内交付H135直升机7架")


def test_figure_match_prefers_the_specific_kinds_asked():
    from retrieval.question.asked_figures import figure_match
    assert figure_match(frozenset({COUNT, ANY}), frozenset({COUNT, ANY})) == 1.0
    assert figure_match(frozenset({COUNT, ANY}), frozenset({ANY})) == 0.0  # 800万平方米 is no count
    assert figure_match(frozenset({COUNT, MONEY}), frozenset({MONEY, ANY})) == 0.5
    assert figure_match(frozenset({ANY}), frozenset({ANY})) == 1.0
    assert figure_match(frozenset(), frozenset({MONEY, ANY})) == 0.0


def test_a_rate_asked_needs_a_percentage_not_an_amount():
    asked = asked_figures("万里江茶厂那笔融资租赁款的利率具体是多少？", "zh")
    assert not states_an_asked_figure(asked, stated_figures("获得了1000万元的租赁款，融资成本低于行业平均利率水平。"))
    assert states_an_asked_figure(asked, stated_figures("其中小微企业奖励比例为百分之五。"))


def test_percentages_in_words_are_marked_whole():
    text = "其中小微企业奖励比例为百分之五，最高100万元，增长5.5%。"
    assert [text[start:end] for start, end in figure_spans(text, frozenset({PERCENT}))] == ["百分之五", "5.5%"]
    assert [text[start:end] for start, end in figure_spans(text, frozenset({ANY}))] == ["百分之五", "100万元", "5.5%"]


def test_numbers_the_question_gives_are_not_stated_answers():
    given = given_numbers("那237个重点项目里已经开工在建的有多少个？")
    assert given == {"237"}
    restating = "围绕总投资1800亿元的237个固投重点支撑项目,按照“挂图作战”月度节点推进。"
    answering = "截至6月底,237个重点项目已有120个开工在建。"
    assert Figure.COUNT in stated_figures(restating)
    assert Figure.COUNT not in stated_figures(without_given_numbers(restating, given))
    assert Figure.COUNT in stated_figures(without_given_numbers(answering, given))
    # whole numbers only: 2370 and 23.7 are not the 237 the question gives
    assert without_given_numbers("2370个和23.7平方公里和237个", given) == "2370个和23.7平方公里和 个"
    assert without_given_numbers(restating, given_numbers("有多少个开工在建？")) == restating


def test_keyword_queries_name_the_kind_of_figure_they_want():
    from retrieval.question.asked_figures import named_figures

    assert named_figures("崂山 2018 旅游总收入") == {Figure.MONEY}
    assert named_figures("人力资源服务产业园 入驻率") == {Figure.PERCENT}
    assert named_figures("崂山 私募基金管理人 家数") == {Figure.COUNT}
    assert named_figures("shinan gdp first three quarters 2022") == {Figure.MONEY}
    assert named_figures("暖南诉办 小程序 板块") == frozenset()


def test_the_measure_word_a_count_is_asked_in():
    from retrieval.question.asked_figures import asked_count_unit

    assert asked_count_unit("平台涵盖了多少家注册企业？") == "家"
    assert asked_count_unit("计划建几个口袋公园？") == "个"
    assert asked_count_unit("How many registered companies does it cover?") == "家"
    assert asked_count_unit("产值增长了多少？") is None


def test_a_count_asked_in_one_measure_word_is_not_stated_by_counts_in_another():
    from retrieval.question.asked_figures import states_count_in

    assert not states_count_in("市南区新注册亿元以上内资项目85个;", "家")
    assert not states_count_in("累计发放免费公章2967套,为市场主体节省资金175余万元。", "家")
    assert states_count_in("累计引进落户金融机构及类金融企业1177家，涵盖22类业态", "家")
    assert states_count_in("市场主体总数达到3.2万户", "家")          # 户 counts companies too
    assert states_count_in("为100余座楼宇建立信息档案", "栋")          # 座 and 栋 count buildings
    assert states_count_in("与10余名创业青年代表直接对话", "位")
    # a date or money is no count; 个 counts anything and a question asking no measure word passes
    assert not states_count_in("2022年5月投资3亿元", "家")
    assert states_count_in("新注册项目85个", "个") and states_count_in("没有数字", None)


def test_hours_working_days_and_the_same_day_state_a_duration():
    assert Figure.DURATION in stated_figures("实现“1个环节、2个小时办结”的企业服务新模式")
    assert Figure.DURATION in stated_figures("3个工作日内办结")
    assert stated_figures("伟隆流体项目在办理当天即发证") >= {Figure.DURATION}
    assert Figure.DURATION not in stated_figures("新建项目5个")


def test_the_background_before_please_asks_for_no_figure():
    from retrieval.question.asked_figures import asked_count_unit

    long = "我们正在考察青岛中央商务区的几个孵化器。想了解一下摩天之星的服务模式具体是个什么样的体系？谢谢"
    assert asked_figures(long, "zh") == frozenset()
    assert asked_count_unit("我在比较几家供应商。请问易科有多少个客户？") == "个"
    assert asked_figures("我家孩子要上学。请问2019年计划新建多少处中小学？", "zh") == {Figure.COUNT}
    # 这几个月 is background; what follows 想问问 / 想知道 asks a date, no figure
    assert asked_figures("小区这几个月一直在施工。想问问老旧小区改造预计什么时候能完工？", "zh") == frozenset()
    assert asked_figures("朋友说一期已经投产了。我想知道二期计划投资多少？", "zh") != frozenset()
