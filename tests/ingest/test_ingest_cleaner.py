"""The cleaner's rules on small synthetic texts (the seeds are covered in test_ingest_seeds)."""
from __future__ import annotations

from retrieval.ingest import ChunkSettings, build_document, chunk_corpus, load_corpus
from retrieval.ingest.cleaner import clean_text, section_label

SENTENCE = "园区今年新引进重点项目十二个，总投资超过八十亿元，带动就业三千余人。"


def paragraphs(raw: str, title_hint: str | None = None) -> list[str]:
    return [text for article in clean_text(raw, title_hint) for text, _ in article.paragraphs]


def test_caption_inside_a_sentence_moves_after_the_paragraph():
    raw = "\n\n".join([
        "标题行",
        "开发区今年以来加快产业升级。值得一提的是,结合科技手段,开发区充分运用大数据等手段,让园区内",
        "图为开发区的创新中心大楼外景。",
        "的企业享受一站式服务,办事效率明显提升。",
    ])
    texts = paragraphs(raw)
    assert any("让园区内的企业享受一站式服务" in text for text in texts)
    assert texts[-1] == "图为开发区的创新中心大楼外景。"


def test_caption_cutting_a_word_is_detected_by_the_word():
    raw = "\n\n".join([
        "标题行",
        "服务是发展的关键。今年以来,新区通过审批流程再优",
        "新区政务服务大厅一角。",
        "化、申报材料再精简,审批效率再上新台阶。",
    ])
    assert any("审批流程再优化、申报材料再精简" in text for text in paragraphs(raw))


def test_a_cut_paragraph_goes_on_directly_after_a_blank_line():
    raw = "标题行\n\n为推动项目落地,前期,市区两级组成专班多次赴武\n\n汉、深圳等地实地调研,积极协调推进。\n\n下一段落的内容到此结束。"
    texts = paragraphs(raw)
    assert "多次赴武汉、深圳等地实地调研" in texts[0]
    assert texts[1] == "下一段落的内容到此结束。"


def test_headings_become_sections_not_text():
    raw = "\n\n".join(["文章标题", "□本报记者 张三", "第一部分小标题", SENTENCE, "第二部分", SENTENCE.replace("十二", "十五")])
    (article,) = clean_text(raw)
    assert article.title == "文章标题"
    assert article.paragraphs == [(SENTENCE, "第一部分小标题"), (SENTENCE.replace("十二", "十五"), "第二部分")]


def test_title_tags_split_articles_and_dates_and_navigation_are_metadata():
    raw = "\n".join([
        "-",
        "【某区招商】某区出台支持政策",
        "某区出台支持政策，鼓励企业落户。 一、政策背景 为加快发展，某区制定本政策。 二、支持内容 最高奖励一千万元。",
        "2024-03-05",
        "-",
        "【青岛招商】第二篇文章",
        "第二篇文章的正文内容，讲的是人才政策。",
        "2024年3月6日",
        "有想补充的信息?点我投稿",
        "- 联系我们",
        "- 企业入驻",
    ])
    first, second = clean_text(raw)
    # a date line standing alone is the site's (posted), not one the article states itself
    assert (first.title, first.posted, first.date) == ("某区出台支持政策", "2024-03-05", None)
    assert (second.title, second.posted, second.date) == ("第二篇文章", "2024-03-06", None)
    assert first.paragraphs == [
        ("某区出台支持政策，鼓励企业落户。", None),
        ("为加快发展，某区制定本政策。", "一、政策背景"),
        ("最高奖励一千万元。", "二、支持内容"),
    ]
    assert second.paragraphs == [("第二篇文章的正文内容，讲的是人才政策。", None)]


def test_title_and_byline_after_body_start_a_second_article():
    raw = "\n\n".join(["第一篇标题", SENTENCE, "第二篇：新区答好服务答卷", "■本报记者 李四 通讯员 王五", SENTENCE[::-1]])
    first, second = clean_text(raw)
    assert first.title == "第一篇标题" and second.title == "第二篇：新区答好服务答卷"
    assert second.paragraphs == [(SENTENCE[::-1], None)]


def test_numbered_section_labels_are_short():
    assert section_label("(一)聚焦强化政治担当,圆满完成服务保障任务") == "(一)聚焦强化政治担当"
    assert section_label("一、2018年工作回顾2018年,是全面贯彻的开局之年") == "一、2018年工作回顾"
    assert section_label("三、切实加强服务型政府建设各位代表,为人民服务") == "三、切实加强服务型政府建设"


def test_space_inside_a_sentence_is_not_a_paragraph_break():
    line = "启动全区空间发展战略规划和商务 二、三区街区设计导则编制工作，总投资约 930 亿元。" * 2
    assert paragraphs("标题\n" + line) == [line]


def test_wrapped_english_text_is_joined_with_spaces():
    raw = "Investment Guide\n\nLaoshan district offers rent\nsubsidies to companies that\nmove into its office towers.\n\nA second paragraph follows here."
    assert paragraphs(raw) == [
        "Laoshan district offers rent subsidies to companies that move into its office towers.",
        "A second paragraph follows here.",
    ]


def test_control_characters_and_emoji_do_not_break_cleaning():
    raw = "标题\x00\x07\n\n正文里有表情😀和\u200b零宽字符，\x1b还有控制字符。\r\n第二行也在。"
    texts = paragraphs(raw)
    assert texts[0].startswith("正文里有表情😀和零宽字符，还有控制字符。")
    assert all(ord(char) >= 32 for text in texts for char in text)


def test_empty_and_whitespace_texts_have_no_articles():
    assert clean_text("") == []
    assert clean_text(" \n\t\n ") == []


def test_title_hint_is_used_for_the_title():
    (article,) = clean_text(SENTENCE, title_hint="文件属性里的标题")
    document = build_document(article, "a#1", "a.docx", "a")
    assert document.title == "文件属性里的标题"
    assert document.text == SENTENCE


def test_repeated_news_is_indexed_once(tmp_path):
    story = "\n\n".join(["某区新闻", SENTENCE * 3, "另一段新闻内容，讲述人才引进政策的细节和具体落实情况。" * 4])
    (tmp_path / "a.txt").write_text(story, encoding="utf-8")
    (tmp_path / "b.txt").write_text(story, encoding="utf-8")  # the same news reposted
    reposted = "\n\n".join(["转载：另一个标题", "转载说明，本文来自某区新闻网站。" * 8, SENTENCE * 3])
    (tmp_path / "c.txt").write_text(reposted, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [document.file for document in corpus.documents] == ["a.txt", "c.txt"]
    assert [skipped.reason for skipped in corpus.skipped] == ["duplicate of a.txt"]
    passages = chunk_corpus(corpus, ChunkSettings())
    texts = [passage.text for passage in passages]
    assert sum(text.count(SENTENCE * 3) for text in texts) == 1
    assert any(passage.file == "c.txt" for passage in passages)
    # Ids are per document and unaffected by dropped repeats elsewhere.
    assert all(passage.passage_id.startswith(passage.doc_id + ":") for passage in passages)


def test_long_paragraphs_split_at_sentence_ends(tmp_path):
    long_paragraph = "".join(f"第{number}项措施已经落实到位，成效明显。" for number in range(60))
    (tmp_path / "report.txt").write_text("报告\n\n" + long_paragraph, encoding="utf-8")
    passages = chunk_corpus(load_corpus(tmp_path), ChunkSettings(min_chars=150, max_chars=500))
    assert len(passages) >= 3
    assert "".join(passage.text for passage in passages) == long_paragraph
    assert all(passage.text.endswith("。") and len(passage.text) <= 500 for passage in passages)
    assert max(len(p.text) for p in passages) - min(len(p.text) for p in passages) < 100


def test_chunk_settings_go_into_the_manifest():
    assert ChunkSettings(min_chars=100, max_chars=400).to_dict() == {"min_chars": 100, "max_chars": 400}
