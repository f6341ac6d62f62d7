import pytest

from retrieval.question.answer_type import AnswerType, asking_part, missing_answer_types, read_constraints, unmatched_periods, unmatched_years


@pytest.mark.parametrize("question, language, kinds", [
    ("这个园区是由哪家公司运营的？", "zh", {AnswerType.ORGANISATION}),
    ("项目是什么时候开工的？", "zh", {AnswerType.DATE}),
    ("会议由谁主持？", "zh", {AnswerType.PERSON, AnswerType.ORGANISATION}),
    ("办公地址在哪里？", "zh", {AnswerType.ADDRESS}),
    ("Which district is the park in?", "en", {AnswerType.DISTRICT}),
    ("园区在什么地方？", "zh", {AnswerType.PLACE}),
    ("创新中心是哪天揭牌的？", "zh", {AnswerType.DAY}),
    ("On what exact date was the meeting held?", "en", {AnswerType.DAY}),
    ("金家岭金融区的法人金融机构有多少家？", "zh", set()),
    ("When did the centre open?", "en", {AnswerType.DATE}),
    ("这个会是哪一年开幕的？", "zh", {AnswerType.YEAR}),
    ("In what year was the company founded?", "en", {AnswerType.YEAR}),
    ("How much did it invest?", "en", set()),
    ("“十二事合一”涉及的9个部门具体是哪些？", "zh", {AnswerType.ORGANISATION}),
    ("这个孵化器的母公司到底叫什么名字？", "zh", {AnswerType.ORGANISATION}),
    ("这家公司是哪一年成立的？", "zh", {AnswerType.YEAR}),
])
def test_the_asked_answer_type_is_read_from_the_question_words(question, language, kinds):
    assert read_constraints(question, language).answer_types == kinds


def test_years_and_periods_must_show_in_the_text_and_third_quarter_is_not_inside_first_three():
    constraints = read_constraints("某区2021年三季度的产值是多少？", "zh")
    assert constraints.years == {"2021"} and constraints.periods == {"third_quarter"}
    assert unmatched_years(constraints, "2022年前三季度产值增长") == 1
    assert unmatched_periods(constraints, "2021年前三季度产值增长") == 1
    assert unmatched_periods(constraints, "2021年三季度产值增长") == 0
    assert read_constraints("What was GDP in the first three quarters of 2022?", "en").periods == {"first_three_quarters"}
    assert read_constraints("2020年Q1的进出口总额", "zh").periods == {"first_quarter"}


def test_a_range_of_quarters_is_the_period_it_names_not_its_two_ends():
    assert read_constraints("市南区2022年Q1-Q3的GDP是多少？", "zh").periods == {"first_three_quarters"}
    assert read_constraints("Who spoke about Shinan's Q1–Q3 2022 economy?", "en").periods == {"first_three_quarters"}
    assert read_constraints("2022年一至三季度GDP", "zh").periods == {"first_three_quarters"}
    assert read_constraints("Output from Q1 to Q2 of 2021", "en").periods == {"first_half"}
    # no period word names the second and third quarters together: both stay asked
    assert read_constraints("Output in Q2-Q3 2021", "en").periods == {"second_quarter", "third_quarter"}
    # a year's last digit before a dash is not the start of a range
    assert read_constraints("2021-3季度产值", "zh").periods == frozenset()
    assert unmatched_periods(read_constraints("2022年Q1-Q3的GDP", "zh"), "2022年前三季度,GDP达到1120.97亿元") == 0


def test_an_answer_type_counts_only_outside_the_questions_own_words():
    constraints = read_constraints("创新中心是由哪家单位牵头建设的？", "zh")
    assert missing_answer_types(constraints, "国家创新中心正式揭牌。", ["创新中心"]) == 1
    assert missing_answer_types(constraints, "由海尔集团牵头建设国家创新中心。", ["创新中心"]) == 0


def test_a_day_or_a_district_is_asked_precisely():
    day = read_constraints("青岛人工智能计算中心是哪天正式投入运营的？", "zh")
    assert missing_answer_types(day, "中心于2023年正式投入运营。", ["中心"]) == 1   # a year is not a day
    assert missing_answer_types(day, "中心于2023年5月18日正式投入运营。", ["中心"]) == 0
    district = read_constraints("青岛国际人力资源服务产业园具体在青岛哪个区？", "zh")
    assert missing_answer_types(district, "产业园位于青岛高新技术产业开发区以东的园区。", ["产业园"]) == 0
    assert missing_answer_types(district, "产业园已入驻企业60余家，入驻率达90%。", ["产业园"]) == 1
    assert missing_answer_types(district, "产业园位于市北区。", ["产业园"]) == 0


def test_background_sentences_name_no_attribute_or_answer_type():
    question = "我是一家人力资源外包公司的负责人，正在考虑入驻产业园。请问园区对入驻企业有没有考核机制？谢谢"
    assert asking_part(question) == "请问园区对入驻企业有没有考核机制？"
    assert AnswerType.PERSON not in read_constraints(question, "zh").answer_types
    assert read_constraints("我是小饭馆的老板。请问崂山区的负责人是谁？", "zh").answer_types == {AnswerType.PERSON}
    assert asking_part("崂山 2023 外贸 增速") == "崂山 2023 外贸 增速"   # keywords alone: nothing is background


def test_a_year_naming_a_report_is_told_from_the_year_asked_about():
    constraints = read_constraints("即墨区2019年政府工作报告中，2018年全区生产总值增长了多少？", "zh")
    assert constraints.years == {"2018", "2019"} and constraints.report_years == {"2019"}
    assert read_constraints("In the 2019 government work report, what was Jimo's GDP growth in 2018?", "en").report_years == {"2019"}
    assert read_constraints("崂山2019年一年接待了多少游客？", "zh").report_years == frozenset()


def test_the_year_asked_about_must_show_where_the_passage_says_which_years_facts_it_holds():
    # the 2019 report's review section: its facts are 2018's, its title's year is the report's
    title_and_text, facts = "2019年青岛市崂山区政府工作报告一、2018年工作回顾全年接待游客2020万人次", "一、2018年工作回顾全年接待游客2020万人次"
    asked_2019 = read_constraints("崂山2019年一年接待了多少游客？", "zh")
    assert unmatched_years(asked_2019, title_and_text) == 0       # the title alone no longer answers for the facts
    assert unmatched_years(asked_2019, title_and_text, facts) == 1
    naming_the_report = read_constraints("崂山区2019年政府工作报告里，2018年接待了多少游客？", "zh")
    assert unmatched_years(naming_the_report, title_and_text, facts) == 0


@pytest.mark.parametrize("question, asked", [
    ("How much did Qingdao Xituxi invest when it landed in Laoshan?", set()),
    ("Who was the Jimo party secretary when the report was delivered?", {AnswerType.PERSON}),
    ("Who delivered the 2019 Jimo work report, and on what date?", {AnswerType.PERSON, AnswerType.DAY}),
    ("What was the exact date of the reform meeting?", {AnswerType.DAY}),
    ("When did the park open?", {AnswerType.DATE}),
    ("In which district is the park?", {AnswerType.DISTRICT}),
    ("In which month of 2019 was the list published?", {AnswerType.DATE}),
    ("In which year was the company founded?", {AnswerType.YEAR}),
    ("In which building is the office?", {AnswerType.PLACE}),
])
def test_an_english_question_asks_what_its_question_words_ask_not_its_clauses(question, asked):
    assert read_constraints(question, "en").answer_types == asked


def test_a_who_question_naming_an_office_is_answered_only_by_a_person_in_that_office():
    from retrieval.question.answer_type import names_an_answer

    sentence = "据青岛人工智能计算中心首席运营官彭浩介绍，中心已上线运营。"
    asks_coo = read_constraints("青岛人工智能计算中心的首席运营官是谁？", "zh")
    asks_manager = read_constraints("青岛人工智能计算中心的总经理是谁？", "zh")
    asks_anyone = read_constraints("这件事是谁介绍的？", "zh")
    assert asks_coo.offices == {"首席运营官"} and asks_manager.offices == {"总经理"} and not asks_anyone.offices
    assert names_an_answer(asks_coo, sentence) and names_an_answer(asks_anyone, sentence)
    assert not names_an_answer(asks_manager, sentence)
    secretary = read_constraints("市南区的区委书记是谁？", "zh")
    assert names_an_answer(secretary, "崂山区委书记张元升明确提出旅游品质提升的重要性。")
    # an office followed by a verb, not a name
    assert not names_an_answer(secretary, "上合青岛峰会结束后总书记亲临即墨视察。")
    assert not names_an_answer(secretary, "习近平总书记亲临视察，市委书记莅临调研。")
    assert not names_an_answer(read_constraints("崂山区副区长是谁？", "zh"), "区长吕涛各位代表:")


def test_a_sentence_names_an_answer_only_with_a_name_not_with_the_kind_of_thing_alone():
    from retrieval.question.answer_type import names_an_answer

    who = read_constraints("介绍夜经济政策的是哪位区领导？", "zh")
    assert names_an_answer(who, "崂山区副区长黄应胜介绍。")
    assert not names_an_answer(who, "我们按照全市层面对于夜经济的谋划，出台了意见。")
    company = read_constraints("测量仪是哪家公司研发的？", "zh")
    assert names_an_answer(company, "研发者来自致真精密仪器（青岛）有限公司。")
    assert not names_an_answer(company, "测量仪上市，打破了国外企业在该领域的垄断。")   # 企业 alone names none
    when = read_constraints("项目什么时候签约的？", "zh")
    assert names_an_answer(when, "2019年11月，项目签约。") and not names_an_answer(when, "项目顺利签约。")
    assert not names_an_answer(read_constraints("投资了多少钱？", "zh"), "崂山区副区长黄应胜介绍。")   # nothing named asked
    assert not names_an_answer(when, "2019年11月，项目签约。", kinds=frozenset({AnswerType.PERSON}))   # another kind only


def test_an_english_who_question_names_its_office_in_the_documents_words():
    assert read_constraints("Who is the district mayor of Shinan?", "en").offices == {"区长", "市长"}
    assert read_constraints("Who is the deputy mayor in charge of urban renewal?", "en").offices == {"副区长", "副市长"}
    assert read_constraints("Who is the Communist Party secretary of Jimo District?", "en").offices == {"书记"}
    assert read_constraints("Who is the quzhang (district mayor) of Shinan Qu?", "en").offices == {"区长", "市长"}
    assert not read_constraints("Who spoke at the conference?", "en").offices
    assert not read_constraints("What did the mayor say about investment?", "en").offices   # asks no person


@pytest.mark.parametrize("question, language, text, missing", [
    ("会议在哪里举办？", "zh", "恳谈会于2023年在青岛海尔大学举行。", 0),            # a venue answers where
    ("Where was the conference held?", "en", "论坛在青岛国际会议中心开幕。", 0),
    ("会议在哪里举办？", "zh", "恳谈会顺利举办，签约项目12个。", 1),
    ("帮办中心是什么时候成立的？", "zh", "9月底，帮办中心成立。", 0),              # a month with 底 is a date
    ("帮办中心是什么时候成立的？", "zh", "帮办中心成立后服务企业200家。", 1),
    ("大会是哪一年开幕的？", "zh", "2020年，大会在青岛开幕。", 0),                  # a year alone answers what year
    ("大会是什么时候开幕的？", "zh", "2020年，大会在青岛开幕。", 1),                # but not when
])
def test_venues_months_and_years_state_the_answer_types_that_ask_for_them(question, language, text, missing):
    assert missing_answer_types(read_constraints(question, language), text, ["大会", "帮办中心"]) == missing


def test_a_government_body_names_the_organisation_a_which_department_question_asks_for():
    asked = read_constraints("集中办理行政许可事项靠的是新组建的哪个部门？", "zh")
    assert missing_answer_types(asked, "组建行政审批服务局，集中办理行政许可事项") == 0
    assert missing_answer_types(asked, "集中办理行政许可事项，审批提速90%") == 1
