"""The core on the real index: answers, quotes, abstention, lookups, refusals, rebuilds."""
from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from retrieval import Engine, build_index
from retrieval.answer.time_in_force import out_of_force
from retrieval.config import HYBRID
from retrieval.conversation import Conversation
from retrieval.errors import EmptyQuestion, IndexCorrupt, IndexMismatch, QuestionTooLong, UnknownPassage

pytestmark = pytest.mark.integration


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_unicorn_reward_question_quotes_the_300_wan_sentence_first(engine):
    answer = engine.ask("崂山区对新认定的独角兽企业最高奖励多少？")
    top = answer.results[0]
    assert not answer.abstained and answer.language == "zh"
    assert "最高可奖励300万元" in top.passage.text
    assert "300万元" in top.quote
    assert top.quote in top.passage.text


def test_a_figure_question_quotes_the_sentence_with_the_figure_not_just_the_name(engine):
    answer = engine.ask("香港中路街道老旧小区改造工程总投资多少？")
    top = answer.results[0]
    assert not answer.abstained
    assert "3800万" in top.quote and top.quote in top.passage.text


def test_english_question_about_laoshan_unicorn_awards_finds_the_chinese_passage(engine):
    answer = engine.ask("What is the maximum award for newly recognised unicorn companies in Laoshan?")
    assert answer.language == "en" and not answer.abstained
    assert any("最高可奖励300万元" in result.passage.text for result in answer.results[:3])


def test_the_same_indicator_asked_of_a_district_the_corpus_reports_is_answered(engine):
    answer = engine.ask("Laoshan GDP first three quarters 2022")
    assert not answer.abstained and answer.signals["place_unmatched"] == 0.0
    assert "崂山" in answer.results[0].passage.title + answer.results[0].passage.text


def test_an_english_domain_term_reaches_the_chinese_one_through_the_glossary(engine):
    # "public rental housing" is 公租房: no word-by-word translation finds it
    answer = engine.ask("How many public rental housing units were completed in Laoshan in 2018?")
    assert not answer.abstained
    assert "公租房980套" in squash(answer.results[0].quote)


@pytest.mark.parametrize("question", ["市南区前三季度实际利用外资是多少？", "市南区 前三季度 实际利用外资"])
def test_the_quote_is_the_sentence_naming_the_indicator_not_the_one_naming_place_and_period(engine, question):
    # the passage's lead sentence names 前三季度 and 市南区; the next states the asked figure
    # (the keyword query asks no figure: only the weights of 前 / 三季 / 季度 / 市南区 decide)
    quote = squash(engine.ask(question).results[0].quote)
    assert "实际利用外资475亿美元" in quote and "内资项目85个" not in quote


def test_a_follow_up_to_another_district_quotes_that_districts_report(engine):
    conversation = Conversation(engine)
    conversation.ask("即墨区2019年城乡居民人均可支配收入预期增长多少？")
    follow_up = conversation.ask("那崂山区呢？")
    assert follow_up.rewritten and "崂山区" in follow_up.understood_as
    top = follow_up.answer.results[0]
    assert "崂山" in top.passage.title and "居民人均可支配收入增长8%左右" in squash(top.quote)


def test_a_follow_up_to_another_year_quotes_that_years_plan_not_the_previous_answer(engine):
    """The rewrite repeats the 2018 question's words, which the 2018 review matches best; the
    report's title names 2019 for every passage, so only leaving the previous answer helps."""
    conversation = Conversation(engine)
    first = conversation.ask("即墨区2018年新发展高新技术企业多少家？")
    assert "高新技术企业134家" in squash(first.answer.results[0].quote)
    follow_up = conversation.ask("2019年呢？")
    assert follow_up.understood_as == "即墨区2019年新发展高新技术企业多少家？"
    top = follow_up.answer.results[0]
    assert "2019年" in top.passage.section and "高新技术企业150家以上" in squash(top.quote)
    # the mark keeps the qualifier: the report states at least 150, not exactly 150
    assert top.answer_text == "150家以上"


def test_off_topic_question_abstains_but_still_lists_candidates(engine):
    answer = engine.ask("What is the recipe for chocolate cake?", k=4)
    assert answer.abstained and answer.confidence < engine.model.answer_threshold
    assert len(answer.results) == 4


@pytest.mark.parametrize("question", [
    "今天天气怎么样？",
    "谁是美国总统？",
    "北京故宫的门票多少钱？",
    "What's the weather in Paris tomorrow?",
    "What is the capital of France?",
    "How tall is Mount Everest?",
    # near misses: the district or topic is in the corpus, the asked fact is not
    "市北区2022年的地区生产总值是多少？",
    "崂山区写字楼的平均租金是多少？",
    # the indicator is reported, for another district (the district's name is the one miss)
    "What was Licang's GDP in the first three quarters of 2022?",
    "黄岛区2019年地区生产总值预期增长多少？",
    "平度市2022年前三季度GDP增速是多少？",
    "How much does Jiaozhou reward newly recognised unicorn companies?",
])
def test_questions_about_things_the_corpus_never_mentions_abstain(engine, question):
    assert engine.ask(question).abstained


@pytest.mark.parametrize("question", [
    "崂山区有多少家独角兽企业？",
    "即墨区2019年地区生产总值的预期目标是多少？",
    "How many unicorn companies does Laoshan have?",
    "青岛蓝谷累计落户了多少家国字号科研机构和高等院校？",
    "2018年即墨外贸进出口额达到多少亿元？",
])
def test_questions_the_corpus_answers_are_not_abstained(engine, question):
    answer = engine.ask(question)
    assert not answer.abstained and answer.confidence >= engine.model.answer_threshold


def test_results_are_ranked_verbatim_slices_with_sources(engine):
    answer = engine.ask("青岛易科8000万项目签约落地在哪个开发区？", k=5)
    assert [result.rank for result in answer.results] == [1, 2, 3, 4, 5]
    scores = [result.score for result in answer.results]
    assert scores == sorted(scores, reverse=True)
    for result in answer.results:
        passage = result.passage
        assert passage.text[result.quote_start : result.quote_end] == result.quote
        assert passage.end - passage.start == len(passage.text)
        assert passage.file.endswith(".txt") and passage.title
    assert "海阳经济开发区" in answer.results[0].quote


def test_traditional_and_full_width_questions_find_the_same_passage(engine):
    simplified = engine.ask("崂山区对新认定的独角兽企业最高奖励多少？").results[0].passage.passage_id
    traditional = engine.ask("嶗山區對新認定的獨角獸企業最高獎勵多少？").results[0].passage.passage_id
    assert simplified == traditional


def test_bad_questions_raise_domain_errors(engine):
    with pytest.raises(EmptyQuestion):
        engine.ask("   \n\t")
    with pytest.raises(EmptyQuestion):
        engine.ask("\x00\x01")
    with pytest.raises(QuestionTooLong):
        engine.ask("崂山" * 50_000)
    answer = engine.ask("🙂🙂🙂")
    assert answer.abstained


def test_passage_lookups_accept_only_existing_ids(engine):
    first = engine.passages()[0]
    assert engine.passage(first.passage_id) == first
    neighbours = engine.neighbours(first.passage_id, radius=1)
    assert neighbours[0] == first and all(p.doc_id == first.doc_id for p in neighbours)
    for bad in ("../../etc/passwd", "", "nope#1:0", None):
        with pytest.raises(UnknownPassage):
            engine.passage(bad)


def test_documents_list_titles_and_counts(engine):
    documents = engine.documents()
    assert sum(doc.passages for doc in documents) == len(engine.passages())
    assert any("即墨区人民政府工作报告" in doc.title for doc in documents)


def test_an_embedder_mismatch_is_refused(built_index):
    with pytest.raises(IndexMismatch, match="investqa index"):
        Engine.load(built_index, embedder_spec="sentence-transformers:some-other-model")


def test_a_damaged_index_file_is_detected_at_load(copy_index):
    index_dir = copy_index()
    build = index_dir / "builds" / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    vectors = build / "passage_vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-100])
    with pytest.raises(IndexCorrupt, match="rebuild"):
        Engine.load(index_dir)


def test_rebuild_without_changes_embeds_nothing_and_edits_embed_only_what_changed(copy_index, seeds_dir, tmp_path):
    index_dir = copy_index()
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    unchanged = build_index(seeds, index_dir)
    assert unchanged.built and unchanged.embedded == 0 and unchanged.reused > 0

    assert not build_index(seeds, index_dir, if_stale=True).built

    # Delete one file and add a short new one: only the new text is embedded.
    (seeds / "000_d4d5f3d389a5a729.txt").unlink()
    (seeds / "new.txt").write_text("即墨区新设立的海洋产业基金首期规模为八亿元。", encoding="utf-8")
    changed = build_index(seeds, index_dir, if_stale=True)
    assert changed.built and 0 < changed.embedded <= 3
    engine = Engine.load(index_dir)
    assert not any(p.file.startswith("000_") for p in engine.passages())
    assert engine.ask("海洋产业基金首期规模").results[0].passage.file == "new.txt"


def test_query_vectors_match_the_embedder(engine):
    vector = engine.embedder.embed_queries(["崂山"])[0]
    assert vector.shape == (engine.manifest["embedder"]["dim"],)
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-3)


def test_an_index_built_by_an_older_ingest_is_stale_and_its_passages_still_load(copy_index, seeds_dir):
    """Builds made before the ingest told own dates from site dates have no "ingest" setting
    and no "posted" field: `--if-stale` must rebuild them, and they must still load meanwhile."""
    import json

    from retrieval.index import store
    from retrieval.index.builder import build_settings, is_stale, seed_files_hash
    from retrieval.ingest import ChunkSettings

    index_dir = copy_index()
    build = store.current_build_dir(index_dir)
    manifest = store.read_manifest(build)
    engine = Engine.load(index_dir)
    settings = build_settings(engine.embedder, ChunkSettings())
    corpus_hash = seed_files_hash(seeds_dir)
    assert not is_stale(index_dir, corpus_hash, settings)

    old_passages = build / "passages.jsonl"
    records = [json.loads(line) for line in old_passages.read_text(encoding="utf-8").splitlines()]
    assert any(record["posted"] == "2025-07-09" for record in records)
    old_passages.write_text("".join(
        json.dumps({key: value for key, value in record.items() if key != "posted"}, ensure_ascii=False) + "\n"
        for record in records), encoding="utf-8")
    manifest["artifacts"]["passages.jsonl"] = {"bytes": old_passages.stat().st_size, "sha256": store.sha256_file(old_passages)}
    del manifest["ingest"]
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    assert is_stale(index_dir, corpus_hash, settings)
    reloaded = Engine.load(index_dir)
    assert all(passage.posted is None for passage in reloaded.passages())


def test_a_named_attribute_ranks_the_passage_stating_it_and_is_quoted(engine):
    # the park's lead passage names it in every sentence; the occupancy rate sits in another.
    # A rate also asks for a percentage, which the lead passage lacks: either check ranks it
    question = "青岛国际人力资源服务产业园的入驻率是多少？"
    answer = engine.ask(question)
    assert "入驻率达90%" in squash(answer.results[0].quote)
    assert answer.signals["attribute_unstated"] == 0.0
    for alone in (HYBRID.with_(figure_penalty=0.0), HYBRID.with_(attribute_penalty=0.0)):
        assert "入驻率" in squash(engine.ask(question, config=alone).results[0].passage.text)
    without = engine.ask(question, config=HYBRID.with_(attribute_penalty=0.0, figure_penalty=0.0))
    assert "入驻率" not in squash(without.results[0].passage.text)


def test_an_attribute_the_corpus_never_states_is_not_presented_as_an_answer(engine):
    answer = engine.ask("青岛易科空调工程材料有限公司的注册资本是多少？")
    assert answer.signals["attribute_unstated"] == 1.0
    assert answer.abstained


@pytest.mark.parametrize("message", ["好的，谢谢你，今天先这样吧，再见！", "Where can I eat good dumplings near Qingdao railway station?", "青岛哪家海鲜大排档比较实惠？"])
def test_everyday_chat_comes_nearer_everyday_messages_and_is_not_answered(engine, message):
    answer = engine.ask(message)
    assert answer.signals["off_domain"] > 0 and answer.abstained
    # the signal is what lowers the confidence, not only the others
    assert engine.model.probability(dict(answer.signals, off_domain=0.0)) > answer.confidence


@pytest.mark.parametrize("question", ["崂山区对新认定的独角兽企业最高奖励多少？", "What was Laoshan's GDP in the first three quarters of 2022?"])
def test_policy_questions_in_either_language_come_nearer_policy_questions(engine, question):
    answer = engine.ask(question)
    assert answer.signals["off_domain"] == 0.0 and not answer.abstained


def test_a_question_asking_which_day_needs_a_day_near_the_quote(engine):
    # the report says the centre opened, in a sentence with no date
    unanswered = engine.ask("即墨东部医疗中心具体哪天启用？")
    assert "东部医疗中心" in squash(unanswered.results[0].quote)
    assert unanswered.signals["precise_type_missing"] == 1.0
    assert unanswered.abstained
    answered = engine.ask("国家虚拟现实创新中心（青岛）哪天揭牌？")
    assert answered.signals["precise_type_missing"] == 0.0
    assert not answered.abstained and answered.results[0].answer_text == "11月12日上午"


def test_a_year_asked_about_is_matched_by_the_report_section_not_the_report_title(engine):
    # the 2019 report reviews 2018 in its first section: 2018's tourist count does not answer for 2019
    unanswered = engine.ask("崂山2019年一年接待了多少游客？")
    assert "2018" in unanswered.results[0].passage.section and "2019" in unanswered.results[0].passage.title
    assert unanswered.signals["years_unmatched"] == 1.0
    assert unanswered.abstained
    answered = engine.ask("崂山区2019年政府工作报告里，2018年全年接待了多少游客？")
    assert "接待游客2020万人次" in squash(answered.results[0].quote)
    assert answered.signals["years_unmatched"] == 0.0
    assert not answered.abstained


def test_a_number_the_question_gives_does_not_make_the_sentence_restating_it_the_answer(engine):
    # the lead sentence names the 237 projects; the next says how many of them were under way
    top = engine.ask("崂山那237个固投重点支撑项目，到6月底开工在建的有几个？").results[0]
    assert "已有120个开工在建" in squash(top.quote)
    assert top.answer_text == "120个"


def test_a_who_question_quotes_the_sentence_naming_the_person_after_the_speech_and_marks_the_name(engine):
    # the speech matches the question's words; the speaker is named in the sentence after it
    top = engine.ask("崂山区拿出1100万元财政资金刺激夜间消费，这事是哪位区领导出来介绍的？").results[0]
    assert "1100万元" in squash(top.quote) and squash(top.quote).endswith("介绍。")
    assert top.quote_start <= top.answer_start < top.answer_end <= top.quote_end
    assert re.fullmatch(r"副?区长\w{2,3}", top.answer_text)


def test_an_office_the_question_names_followed_by_a_name_answers_a_who_question(engine):
    # 市南区委书记王锋表示: the office is the question's own word, so blanking the question's words
    # left no sign of a person, and the answerable question used to be abstained on
    answer = engine.ask("市南区的区委书记是谁？")
    assert answer.signals["answer_type_missing"] == 0.0 and not answer.abstained
    assert "王锋" in answer.results[0].answer_text
    # a who-question whose passage names nobody still misses its answer type
    unanswered = engine.ask("即墨东部医疗中心的院长是谁？")
    assert unanswered.signals["answer_type_missing"] == 1.0 and unanswered.abstained


def test_a_who_question_is_answered_by_the_office_it_asks_about_not_by_another(engine):
    # the article names the computing centre's 首席运营官 and no 总经理
    coo = engine.ask("青岛人工智能计算中心的首席运营官是谁？")
    assert not coo.abstained and coo.results[0].answer_text == "首席运营官彭浩"
    manager = engine.ask("青岛人工智能计算中心的总经理是谁？")
    assert manager.signals["answer_type_missing"] == 1.0 and manager.abstained


@pytest.mark.parametrize("question", ["崂山 2018 旅游总收入", "市南区 前三季度 实际利用外资"])
def test_a_keyword_query_naming_a_measure_has_the_figure_marked(engine, question):
    top = engine.ask(question).results[0]
    assert re.fullmatch(r"[\d.]+\s*亿(?:美)?元", top.answer_text or "")


def test_an_english_who_question_is_answered_by_a_name_in_the_office_it_names(engine):
    # the corpus names Shinan's party secretary (市南区委书记王锋) but not its district mayor; a news
    # lead's 局长书记擂台 ("the directors' and secretaries' contest") names nobody
    secretary = engine.ask("Who is the Shinan district party secretary?")
    assert not secretary.abstained and secretary.results[0].answer_text == "区委书记王锋"
    mayor = engine.ask("Who is the district mayor of Shinan?")
    assert mayor.signals["answer_type_missing"] == 1.0 and mayor.abstained


def test_a_year_the_passage_names_but_not_for_the_quoted_sentence_is_out_of_force(engine):
    # the passage names 2021 in its lead ("继2021年进阶…之后，2022年…"); its figures are 2022's
    other_year = engine.ask("2021年崂山区的固定资产投资增长了多少？")
    assert other_year.signals["years_unmatched"] == 0.0 and other_year.signals["year_out_of_force"] == 1.0
    assert other_year.abstained
    own_year = engine.ask("崂山区2022年前三季度固定资产投资增速怎么样？")
    assert own_year.results[0].passage.passage_id == other_year.results[0].passage.passage_id
    assert own_year.signals["year_out_of_force"] == 0.0 and own_year.signals["period_out_of_force"] == 0.0
    assert not own_year.abstained


def test_a_count_asked_in_a_measure_word_the_quote_counts_nothing_in_is_flagged(engine):
    asked_in_jia = engine.ask("市南区前三季度新注册了几家企业？")
    asked_in_ge = engine.ask("市南区前三季度新注册了多少个亿元以上内资项目？")
    assert "85个" in asked_in_jia.results[0].quote and "85个" in asked_in_ge.results[0].quote
    assert asked_in_jia.signals["count_unit_missing"] == 1.0 and asked_in_ge.signals["count_unit_missing"] == 0.0
    assert asked_in_jia.confidence < asked_in_ge.confidence


def test_a_paragraph_inherits_the_year_its_article_named_before_it(engine):
    passages = engine.backend.passages()
    row = next(row for row, passage in enumerate(passages) if "810.71亿元" in "".join(passage.text.split()))
    assert "2022" not in passages[row].text and engine.reader.inherited_year(row) == "2022"
    text, inherited = passages[row].text, engine.reader.inherited_year(row)
    own_year, other_year = engine.plan("2022年崂山区前三季度生产总值完成了多少？"), engine.plan("2021年崂山区前三季度生产总值完成了多少？")
    # the passage-level check counts the inherited year; the quote-level one finds 2021 out of force
    assert engine.reader.constraint_misses(own_year, row)[1] == 0.0 and engine.reader.constraint_misses(other_year, row)[1] == 1.0
    assert out_of_force(own_year.constraints, text, 0, len(text), inherited) == (False, False)
    assert out_of_force(other_year.constraints, text, 0, len(text), inherited) == (True, False)


def test_an_english_question_is_searched_with_its_chinese_rendering_too(engine):
    from retrieval.question.plan import chinese_rendering

    english = engine.plan("What was Laoshan's GDP in the first three quarters of 2022?")
    assert chinese_rendering(english).split()[:2] == ["崂山", "生产总值"]
    assert chinese_rendering(engine.plan("崂山区前三季度生产总值是多少？")) == ""
    searched, own = engine._search_vector(english), engine._query_vector(english)
    assert np.isclose(np.linalg.norm(searched), 1.0, atol=1e-3) and float(searched @ own) < 0.999
    # the rendering moves the vector toward the Chinese passage stating the figures
    chinese = engine._query_vector(engine.plan("崂山区2022年前三季度地区生产总值"))
    assert float(searched @ chinese) > float(own @ chinese)


def test_a_date_of_another_event_does_not_answer_a_when_question(engine):
    # "5月15日开工建设,……即将投入运营": the only day quoted dates the start of construction
    opening = engine.ask("青岛人工智能计算中心是哪天正式投入运营的？")
    assert "投入运营" in squash(opening.results[0].quote) and opening.results[0].answer_text == "5月15日"
    assert opening.signals["answer_type_missing"] == 1.0 and opening.abstained
    start = engine.ask("青岛人工智能计算中心是哪天开工建设的？")
    assert start.signals["answer_type_missing"] == 0.0 and not start.abstained
