"""Ingestion of the real seed files: the layout damage described in the issues is undone."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from retrieval.ingest import ChunkSettings, chunk_corpus, load_corpus

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DEV_QA = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_qa.jsonl"

BOILERPLATE = ("点我投稿", "有想补充的信息", "- 联系我们", "- 企业入驻", "青岛财经日报/")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(SEEDS)


@pytest.fixture(scope="module")
def passages(corpus):
    return chunk_corpus(corpus, ChunkSettings())


def documents_of(corpus, prefix):
    return [document for document in corpus.documents if document.file.startswith(prefix)]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_seed_is_read(corpus):
    assert corpus.skipped == ()
    assert sorted(corpus.files) == sorted(path.name for path in SEEDS.glob("*.txt"))
    assert {document.file[:3] for document in corpus.documents} == {"000", "001", "002", "003", "004"}


@pytest.mark.parametrize("prefix", ["000", "002"])
def test_hard_wrapped_lines_are_joined_into_paragraphs(corpus, prefix):
    (document,) = documents_of(corpus, prefix)
    raw_lines = [line for line in (SEEDS / document.file).read_text("utf-8").splitlines() if line.strip()]
    # Far fewer paragraphs than lines, and no line break inside a paragraph.
    assert len(document.paragraphs) < len(raw_lines) / 4
    for start, end in document.paragraphs:
        assert "\n" not in document.text[start:end]


def test_words_cut_by_the_wrap_read_whole(corpus):
    (laoshan,) = documents_of(corpus, "000")
    assert "崂山的城市中心区主要集中在金家岭街道等沿海一线" in laoshan.text
    (district,) = documents_of(corpus, "002")
    assert "青岛市第十三次党代会提出的“建设新时代社会主义现代化国际大都市”" in district.text


def test_no_characters_are_lost_in_wrapped_files(corpus):
    for prefix in ("000", "002"):
        (document,) = documents_of(corpus, prefix)
        raw = compact((SEEDS / document.file).read_text("utf-8"))
        cleaned = compact(document.text)
        # Only the title, subtitle, headings and byline leave the text; the body is all there.
        assert len(raw) - len(cleaned) < 200
        body_chars = sorted(cleaned)
        assert all(raw.count(char) >= cleaned.count(char) for char in set(body_chars))


def test_captions_do_not_split_sentences(corpus):
    texts = [document.text for document in documents_of(corpus, "004")]
    assert any("让历史街区内的百盛、天主教堂" in text for text in texts)
    assert any("通过审批流程再优化、申报材料再精简" in text for text in texts)
    # The caption itself is kept, as a paragraph of its own.
    assert any("青岛高新区政务服务大厅构建数字化审批平台提升政务服务效率。" in text for text in texts)


def test_multi_article_file_is_split_with_titles_and_dates(corpus, passages):
    articles = documents_of(corpus, "003")
    assert 9 <= len(articles) <= 11
    assert articles[0].title == "2019年青岛市即墨区人民政府工作报告"
    for article in articles:
        assert "【" not in article.title and article.title
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", article.posted)
        assert article.posted not in article.text
    for passage in passages:
        if passage.file.startswith("003"):
            assert all(junk not in passage.text for junk in BOILERPLATE)
            assert not re.search(r"(^|\n)-?\s*(联系我们|企业入驻)?(\n|$)", passage.text)


def test_work_report_sections_come_from_inline_numbered_headings(corpus):
    report = documents_of(corpus, "003")[0]
    headings = [section.heading for section in report.sections]
    assert any(heading.startswith("一、") for heading in headings)
    assert any("(二)" in heading for heading in headings)


def test_titles_and_headings_are_metadata_not_text(corpus, passages):
    (laoshan,) = documents_of(corpus, "000")
    assert laoshan.title.startswith("崂山区“六稳”“六保”工作今年这样做")
    assert laoshan.date is None
    assert "开启“战略北进”" in laoshan.sections[0].heading
    by_file = [passage for passage in passages if passage.file.startswith("004")]
    assert any(passage.section == "经济发展有底气有实力" for passage in by_file)
    for passage in passages:
        assert not passage.text.startswith(("亮点三", "经济发展有底气有实力", "开启“战略北进”"))
        assert "青岛财经网记者" not in passage.text and "■" not in passage.text


def test_passages_are_verbatim_slices_with_metadata(corpus, passages):
    documents = {document.doc_id: document for document in corpus.documents}
    for passage in passages:
        document = documents[passage.doc_id]
        assert document.text[passage.start : passage.end] == passage.text
        assert passage.passage_id.startswith(passage.doc_id + ":")
        assert (passage.file, passage.title, passage.date, passage.posted) == (
            document.file, document.title, document.date, document.posted
        )
        assert passage.section == document.section_at(passage.start)


def test_passage_sizes(passages):
    settings = ChunkSettings()
    lengths = [len(passage.text) for passage in passages]
    assert max(lengths) <= settings.max_chars
    in_range = [length for length in lengths if settings.min_chars <= length]
    assert len(in_range) >= 0.9 * len(lengths)


def test_passage_ids_are_unique_and_stable(passages):
    ids = [passage.passage_id for passage in passages]
    assert len(set(ids)) == len(ids)
    again = chunk_corpus(load_corpus(SEEDS), ChunkSettings())
    assert [passage.passage_id for passage in again] == ids
    assert [passage.text for passage in again] == [passage.text for passage in passages]


@pytest.mark.skipif(not DEV_QA.exists(), reason="dev QA set not available")
def test_dev_gold_spans_do_not_cross_passage_boundaries(passages):
    texts = [compact(passage.text) for passage in passages]
    spans = [compact(span) for line in DEV_QA.read_text("utf-8").splitlines() for span in json.loads(line)["gold"]]
    crossing = [span for span in spans if not any(span in text for text in texts)]
    assert spans and crossing == []


def test_work_reports_carry_their_own_date_beside_the_sites_repost_date(corpus):
    """The site reposted every 003 article on 2025-07-09; the two work reports state the day
    they were delivered in their heading line, and the news pieces state no full date."""
    articles = documents_of(corpus, "003")
    jimo, laoshan, *news = articles
    assert "即墨区" in jimo.title and "2019年1月31日" in jimo.text[:40]
    assert (jimo.date, jimo.posted) == ("2019-01-31", "2025-07-09")
    assert (laoshan.date, laoshan.posted) == ("2019-01-10", "2025-07-09")
    assert all(article.date is None and article.posted == "2025-07-09" for article in news)
    # the other files have neither a date line nor a dated heading
    others = [document for document in corpus.documents if not document.file.startswith("003")]
    assert others and all(document.date is None and document.posted is None for document in others)
