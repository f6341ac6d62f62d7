"""File formats and encodings users have: every file is read or skipped with a reason."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval.errors import SeedsNotFound
from retrieval.ingest import load_corpus
from retrieval.ingest.readers import UnreadableFile, decode_bytes, read_text

from documents import cjk_pdf

ARTICLE = "崂山区出台促进楼宇经济高质量发展若干政策，支持金家岭金融区发展。企业入驻可享受租金补贴。"
TRADITIONAL = "臺灣的經濟發展很快，投資環境良好，歡迎企業來青島投資。"


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "utf-8", "utf-8-sig", "utf-16"])
def test_text_encodings_are_detected(tmp_path, encoding):
    text = TRADITIONAL if encoding == "big5" else ARTICLE
    path = tmp_path / f"doc_{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    decoded, _ = read_text(path)
    assert decoded == text


@pytest.mark.parametrize("text", ["中文", "高新区招商", "發展", "投資環境良好"])
@pytest.mark.parametrize("encoding", ["gbk", "big5"])
def test_short_legacy_texts_decode(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip(f"{text} is not in {encoding}")
    assert decode_bytes(data) == text


def test_utf8_bom_is_not_part_of_the_text(tmp_path):
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    corpus = load_corpus(tmp_path)
    assert corpus.documents[0].text == ARTICLE
    assert "\ufeff" not in corpus.documents[0].title


def test_html_keeps_visible_text_only(tmp_path):
    page = f"""<!doctype html><html><head><title>崂山区招商政策</title>
    <style>p {{ color: red }}</style><script>var secret = "脚本内容";</script></head>
    <body><nav><a href="/">首页</a> 导航菜单</nav><header>网站页眉</header>
    <h1>崂山区招商政策</h1>
    <p>崂山区出台促进楼宇经济高质量发展若干政策，
    支持金家岭金融区发展。</p><p>企业入驻可享受租金补贴&amp;奖励。</p>
    <footer>版权信息 页脚</footer></body></html>"""
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    (document,) = corpus.documents
    assert document.title == "崂山区招商政策"
    assert "支持金家岭金融区发展。" in document.text
    assert "政策，支持" in document.text  # the source line break inside Chinese is not a space
    assert "租金补贴&奖励" in document.text
    for hidden in ("脚本内容", "color", "导航菜单", "网站页眉", "页脚"):
        assert hidden not in document.text


def test_markdown_headings_become_sections(tmp_path):
    source = "# 崂山区招商指南\n\n## 楼宇经济\n\n崂山区出台**楼宇经济**政策，支持[金家岭](http://x)发展。\n"
    (tmp_path / "guide.md").write_text(source, encoding="utf-8")
    (document,) = load_corpus(tmp_path).documents
    assert document.title.startswith("崂山区招商指南")
    assert document.text == "崂山区出台楼宇经济政策，支持金家岭发展。"


def test_docx_paragraphs_and_title(tmp_path):
    import docx

    word = docx.Document()
    word.add_heading("崂山区招商政策解读", level=1)
    word.add_paragraph(ARTICLE)
    word.add_heading("租金补贴", level=2)
    word.add_paragraph("新入驻企业最高可获得三年租金补贴。")
    word.save(tmp_path / "policy.docx")
    (document,) = load_corpus(tmp_path).documents
    assert document.title == "崂山区招商政策解读"
    assert ARTICLE in document.text
    assert document.section_at(document.text.index("新入驻企业")) == "租金补贴"


def test_chinese_pdf_lines_are_rejoined(tmp_path):
    lines = ["崂山区出台促进楼宇经济高质量发", "展若干政策，支持金家岭金融区发", "展。企业入驻可享受租金补贴。"]
    (tmp_path / "policy.pdf").write_bytes(cjk_pdf(lines))
    (document,) = load_corpus(tmp_path).documents
    assert "".join(lines) in document.text


def test_english_pdf_from_fpdf(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    sentence = "Laoshan district offers rent subsidies to companies that move into its office towers. "
    pdf.multi_cell(w=80, h=6, text=sentence * 3)
    pdf.output(str(tmp_path / "english.pdf"))
    (document,) = load_corpus(tmp_path).documents
    assert compact(sentence * 3) == compact(document.text)
    assert "\n" not in document.text  # one paragraph again


def test_bad_files_are_skipped_with_reasons(tmp_path):
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n \t\n", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "data.xlsx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "broken.docx").write_bytes(b"not a zip file")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    corpus = load_corpus(tmp_path)
    reasons = {skipped.file: skipped.reason for skipped in corpus.skipped}
    assert [document.file for document in corpus.documents] == ["good.txt"]
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "no text found"
    assert "binary" in reasons["image.txt"]
    assert "unsupported file type .xlsx" in reasons["data.xlsx"]
    assert ".docx" in reasons["broken.docx"]
    assert "PDF" in reasons["broken.pdf"]
    assert set(corpus.files) == {"good.txt", "empty.txt", "blank.txt", "image.txt", "data.xlsx",
                                 "broken.docx", "broken.pdf"}


def test_hidden_entries_are_ignored_and_subfolders_read(tmp_path):
    (tmp_path / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "district" / "laoshan").mkdir(parents=True)
    (tmp_path / "district" / "laoshan" / "policy.txt").write_text(ARTICLE, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [document.file for document in corpus.documents] == ["district/laoshan/policy.txt"]
    assert corpus.documents[0].doc_id == "district/laoshan/policy#1"
    assert corpus.skipped == ()
    assert list(corpus.files) == ["district/laoshan/policy.txt"]


def test_same_stem_in_two_formats_gets_distinct_ids(tmp_path):
    (tmp_path / "policy.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "policy.md").write_text("# 标题\n\n另一篇文章的内容，讲的是人才政策。", encoding="utf-8")
    ids = [document.doc_id for document in load_corpus(tmp_path).documents]
    assert len(set(ids)) == 2


def test_file_hashes_change_with_content(tmp_path):
    path = tmp_path / "policy.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    before = load_corpus(tmp_path).files["policy.txt"]
    path.write_text(ARTICLE + "补充。", encoding="utf-8")
    assert load_corpus(tmp_path).files["policy.txt"] != before
    assert re.fullmatch(r"[0-9a-f]{64}", before)


def test_missing_folder_raises(tmp_path):
    with pytest.raises(SeedsNotFound):
        load_corpus(tmp_path / "nowhere")


def test_read_text_rejects_unknown_suffix(tmp_path):
    path = tmp_path / "notes.rtf"
    path.write_text("{\\rtf1 hello}", encoding="ascii")
    with pytest.raises(UnreadableFile, match="unsupported"):
        read_text(path)


def test_html_title_comes_from_head_and_gbk_pages_decode(tmp_path):
    page = ("<html><head><meta charset='gbk'><title>市南区总部经济政策</title></head><body>"
            "<svg><title>图标</title></svg><p>" + ARTICLE + "</p></body></html>")
    (tmp_path / "page.htm").write_bytes(page.encode("gbk"))
    (document,) = load_corpus(tmp_path).documents
    assert document.title == "市南区总部经济政策"
    assert document.text == ARTICLE


def test_english_lines_are_not_split_at_their_first_word(tmp_path):
    text = "Companies that move into office towers in Laoshan receive up to three years of rent subsidies."
    (tmp_path / "guide.txt").write_text("Laoshan Investment Guide\n\n" + text + "\n", encoding="utf-8")
    (document,) = load_corpus(tmp_path).documents
    assert document.title == "Laoshan Investment Guide"
    assert document.text == text


def test_pipes_and_broken_links_are_skipped_without_blocking(tmp_path):
    import os

    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would wait forever for a writer
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    corpus = load_corpus(tmp_path)
    assert [document.file for document in corpus.documents] == ["good.txt"]
    reasons = {skipped.file: skipped.reason for skipped in corpus.skipped}
    assert reasons == {"pipe.txt": "not a regular file", "dangling.txt": "broken link"}


def test_unreadable_files_and_folders_are_skipped(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their permissions")
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    locked = tmp_path / "locked.txt"
    locked.write_text("另一篇文章。" * 10, encoding="utf-8")
    locked.chmod(0)
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "inside.txt").write_text("第三篇文章。" * 10, encoding="utf-8")
    folder.chmod(0)
    try:
        corpus = load_corpus(tmp_path)
    finally:
        folder.chmod(0o755)
        locked.chmod(0o644)
    assert [document.file for document in corpus.documents] == ["good.txt"]
    reasons = {skipped.file: skipped.reason for skipped in corpus.skipped}
    assert reasons["locked.txt"].startswith("cannot read file")
    assert reasons["private/"] == "cannot read folder"


def test_traditional_repost_of_a_simplified_article_is_a_duplicate(tmp_path):
    simplified = "黄岛区对新落户的总部企业给予一次性奖励，最高可达一千万元。企业可以申请办公用房补贴。"
    import zhconv

    (tmp_path / "a.txt").write_text(simplified, encoding="utf-8")
    (tmp_path / "b_big5.txt").write_bytes(zhconv.convert(simplified, "zh-tw").encode("big5"))
    corpus = load_corpus(tmp_path)
    assert [document.file for document in corpus.documents] == ["a.txt"]
    assert [(skipped.file, skipped.reason) for skipped in corpus.skipped] == [("b_big5.txt", "duplicate of a.txt")]


def test_a_huge_file_is_skipped_not_loaded(tmp_path):
    from retrieval.ingest.readers import MAX_FILE_BYTES

    with open(tmp_path / "dump.txt", "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    (skipped,) = load_corpus(tmp_path).skipped
    assert skipped.file == "dump.txt" and skipped.reason.startswith("file too large")


def test_one_scan_of_the_seeds_gives_the_corpus_hash_and_the_files_to_read(tmp_path):
    from retrieval.index.builder import seed_files_hash
    from retrieval.ingest import load_corpus
    from retrieval.ingest.files import scan_seeds

    (tmp_path / "a.txt").write_text("崂山区发布了新的楼宇经济政策，对独角兽企业给予奖励。", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("不该读到", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("# 即墨区\n\n即墨区加快建设汽车产业新城。", encoding="utf-8")
    scan = scan_seeds(tmp_path)
    assert [scan.relative(path) for path in scan.paths] == ["a.txt", "sub/b.md"]
    assert set(scan.hashes) == {"a.txt", "sub/b.md"}
    assert scan.corpus_hash() == seed_files_hash(tmp_path)
    corpus = load_corpus(tmp_path, scan)
    assert corpus.files == scan.hashes and len(corpus.documents) == 2
    (tmp_path / "a.txt").write_text("改了", encoding="utf-8")
    assert scan_seeds(tmp_path).corpus_hash() != scan.corpus_hash()
