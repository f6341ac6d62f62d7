"""The document library: safe names, checks before storing, duplicates, replace, remove."""
from __future__ import annotations

import json

import pytest

from document_factory import docx_bytes
from retrieval.errors import (
    DocumentNameTaken,
    DocumentNotFound,
    EmptyDocument,
    EncryptedDocument,
    LastDocument,
    UnreadableDocument,
    UnsupportedDocument,
)
from retrieval.ingest import load_corpus
from retrieval.ingest.library import KEEP_BOTH, REPLACE, Library, safe_name
from retrieval.types import Passage

POLICY = "崂山区发布新政策\n\n对新认定的人工智能企业给予一次性奖励五十万元，支持企业在崂山区发展壮大。"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\boot.ini.TXT", "boot.ini.txt"),
        (".hidden.md", "hidden.md"),
        ("青岛 通知（2024）.docx", "青岛 通知（2024）.docx"),
        ("a<b>|c:d*?.pdf", "a_b_c_d.pdf"),
        ("\x00\n\t.txt", "document.txt"),
        ("", "document"),
        ("x" * 300 + ".pdf", "x" * 80 + ".pdf"),
    ],
)
def test_safe_name_keeps_no_path_and_no_odd_characters(raw, expected):
    assert safe_name(raw) == expected


@pytest.fixture
def library(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "existing.txt").write_text("即墨区工作报告\n\n即墨区全年完成固定资产投资三百亿元，增长百分之十。", "utf-8")
    return Library(seeds)


def write(tmp_path, name, content) -> object:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_add_stores_under_a_safe_name_and_reads_titles(library, tmp_path):
    outcome = library.add(write(tmp_path, "upload.bin", POLICY), "../../outside/政策.txt")
    assert (outcome.name, outcome.status, outcome.titles, outcome.ocr) == ("政策.txt", "added", ("崂山区发布新政策",), False)
    assert (library.seeds_dir / "政策.txt").read_text("utf-8") == POLICY
    assert not (tmp_path / "outside").exists()
    assert [f.name for f in library.files()] == ["existing.txt", "政策.txt"]  # staging stays hidden
    assert any(document.title == "崂山区发布新政策" for document in load_corpus(library.seeds_dir).documents)


def test_same_content_is_recognised_whatever_its_name(library, tmp_path):
    library.add(write(tmp_path, "a.txt", POLICY), "政策.txt")
    outcome = library.add(write(tmp_path, "b.txt", POLICY), "another name.txt")
    assert (outcome.status, outcome.name) == ("duplicate", "政策.txt")
    assert not (library.seeds_dir / "another name.txt").exists()


def test_same_name_new_content_needs_a_yes(library, tmp_path):
    library.add(write(tmp_path, "a.txt", POLICY), "政策.txt")
    newer = write(tmp_path, "b.txt", POLICY.replace("五十万元", "八十万元"))
    with pytest.raises(DocumentNameTaken):
        library.add(newer, "政策.txt")
    assert "五十万元" in (library.seeds_dir / "政策.txt").read_text("utf-8")  # untouched

    both = library.add(newer, "政策.txt", on_conflict=KEEP_BOTH)
    assert both.name == "政策 (2).txt" and both.status == "added"
    newest = write(tmp_path, "c.txt", POLICY.replace("五十万元", "九十万元"))
    replaced = library.add(newest, "政策.txt", on_conflict=REPLACE)
    assert (replaced.name, replaced.status) == ("政策.txt", "replaced")
    assert "九十万元" in (library.seeds_dir / "政策.txt").read_text("utf-8")


def test_docx_is_checked_and_added(library, tmp_path):
    content = docx_bytes("胶州湾新材料产业园入驻办法", ["对入驻企业给予每平方米每月十五元的租金补贴，最长补贴三年。"])
    outcome = library.add(write(tmp_path, "x", content), "办法.docx")
    assert outcome.titles == ("胶州湾新材料产业园入驻办法",)


@pytest.mark.parametrize(
    "name, content, error",
    [
        ("virus.exe", b"MZ\x90\x00", UnsupportedDocument),
        ("no-suffix", POLICY, UnsupportedDocument),
        ("empty.txt", b"", EmptyDocument),
        ("blank.txt", "   \n\n  ", EmptyDocument),
        ("broken.pdf", b"%PDF-1.4 garbage", UnreadableDocument),
        ("broken.docx", b"PK\x03\x04 not a zip", UnreadableDocument),
        ("binary.txt", b"\x00\x01\x02\x03" * 100, UnreadableDocument),
    ],
)
def test_bad_files_are_refused_and_not_stored(library, tmp_path, name, content, error):
    with pytest.raises(error) as raised:
        library.add(write(tmp_path, "upload", content), name)
    assert name in str(raised.value)
    assert [f.name for f in library.files()] == ["existing.txt"]


def test_encrypted_pdf_is_refused(library, tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    with pytest.raises(EncryptedDocument):
        library.add(path, "locked.pdf")
    assert [f.name for f in library.files()] == ["existing.txt"]


def test_remove_by_name_or_stem_but_never_the_last(library, tmp_path):
    library.add(write(tmp_path, "a.txt", POLICY), "政策.txt")
    with pytest.raises(DocumentNotFound):
        library.remove("../existing.txt")
    assert library.remove("政策").name == "政策.txt"
    assert not (library.seeds_dir / "政策.txt").exists()
    with pytest.raises(LastDocument):
        library.remove("existing.txt")
    assert (library.seeds_dir / "existing.txt").exists()


def fake_index(index_dir, seed_files: dict) -> None:
    build = index_dir / "builds" / "b1"
    build.mkdir(parents=True)
    (build / "manifest.json").write_text(json.dumps({"build_id": "b1", "seed_files": seed_files}), "utf-8")
    (index_dir / "CURRENT").write_text("b1\n", "utf-8")


def test_an_add_or_remove_owes_a_build_until_the_index_is_updated(tmp_path):
    from retrieval.ingest.library import owed_build

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "existing.txt").write_text(POLICY, "utf-8")
    index = tmp_path / "index"
    library = Library(seeds, index)
    assert not owed_build(seeds, index)
    library.add(write(tmp_path, "a.txt", POLICY.replace("五十", "六十")), "new.txt")
    assert owed_build(seeds, index) and not owed_build(tmp_path / "other", index)
    (index / "state" / "pending-build.json").unlink()  # what a finished update_index does
    library.remove("new.txt")
    assert owed_build(seeds, index)


def test_a_seeds_folder_sharing_nothing_with_the_index_is_refused(library, tmp_path):
    from retrieval.errors import SeedsMismatch
    from retrieval.index.store import sha256_file
    from retrieval.ingest.library import check_same_corpus

    ours = tmp_path / "ours"
    fake_index(ours, {"existing.txt": sha256_file(library.seeds_dir / "existing.txt")})
    check_same_corpus(library.seeds_dir, ours)  # the folder it was built from
    theirs = tmp_path / "theirs"
    fake_index(theirs, {"other.txt": "0" * 64})
    with pytest.raises(SeedsMismatch):
        check_same_corpus(library.seeds_dir, theirs)


def test_passages_from_before_the_ocr_field_still_load():
    old = {"passage_id": "a#1:1", "doc_id": "a#1", "file": "a.txt", "title": "t", "date": None,
           "section": None, "start": 0, "end": 2, "text": "文字"}
    assert Passage.from_dict(json.loads(json.dumps(old))).ocr is False
    assert Passage.from_dict(dict(old, ocr=True)).ocr is True
    with pytest.raises(KeyError):
        Passage.from_dict({key: value for key, value in old.items() if key != "text"})
