"""Faults users and machines cause: odd files, odd questions, damaged indexes, killed rebuilds.

Unit tests build a small mixed-format corpus with a fake embedder; integration tests run the
real CLI and real rebuilds on private copies of the `built_index` fixture.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval import PRESETS, Engine, build_index, current_build_id
from retrieval.index import store
from retrieval.index.embedders import Embedder
from retrieval.errors import IndexCorrupt, IndexLocked, IndexNotFound, NoDocuments

ROOT = Path(__file__).resolve().parent.parent
UNICORN = "崂山区对新认定的独角兽企业最高奖励多少？"
# One sentence per document, each about something else, so every document is its own passage.
SIMPLIFIED = "崂山区对新入驻楼宇的金融企业给予三年租金补贴，补贴标准为每平方米每天一元。"
BOM_TEXT = "市南区鼓励企业上市，对在主板上市的企业给予最高五百万元奖励。"
GBK_TEXT = "李沧区对新引进的高层次人才提供人才公寓，租金减免期限最长五年。"
GB18030_TEXT = "黄岛区表彰企业家刘䶮，对专精特新企业一次性奖励五十万元。"  # 䶮 is not in GBK
BIG5_TEXT = "臺灣企業來城陽區投資設廠，可以享受稅收返還和土地價格優惠政策。"
BIG5_QUESTION = "台湾企业在城阳区投资设厂有什么税收优惠"  # simplified, as users type it
MARKDOWN = "# 即墨区招商指南\n\n## 物流产业\n\n即墨区对**冷链物流**企业新建冷库给予每吨二百元建设补助。\n"
HTML_PAGE = (
    "<html><head><title>胶州市政策</title><style>p{color:red}</style>"
    "<script>var hidden = '脚本里的秘密文字';</script></head><body>"
    "<nav>首页 导航菜单</nav><p>胶州市对跨境电商企业的海外仓建设给予最高二百万元补助。</p>"
    "<footer>版权信息</footer></body></html>"
)
DOCX_TEXT = "平度市对农业龙头企业新建加工生产线给予设备投资额百分之十的补助。"
ROUNDUP_NEWS = "本周各区密集出台招商引资新政，涵盖金融、人才、物流等多个领域，下面汇总其中与企业关系最密切的条款。"
PDF_LINES = ["莱西市对新能源汽车零部件企", "业新增固定资产投资给予百分", "之八的奖励。"]


class HashEmbedder(Embedder):
    """Deterministic stand-in for the model: same text, same unit vector."""

    spec = "test-hash"
    dim = 16

    def _vectors(self, texts) -> np.ndarray:
        rows = np.array([list(hashlib.sha256(text.encode("utf-8")).digest()[: self.dim]) for text in texts], dtype=np.float32) + 1.0
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    embed_passages = embed_queries = _vectors


def write_mixed_seeds(folder: Path) -> dict[str, str]:
    """Every supported format and encoding, plus files that must be skipped; returns the
    expected skip reason (a fragment) per bad file."""
    import docx
    from documents import cjk_pdf

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "utf8.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (folder / "bom.txt").write_bytes(BOM_TEXT.encode("utf-8-sig"))
    (folder / "gbk.txt").write_bytes(GBK_TEXT.encode("gbk"))
    (folder / "gb18030.txt").write_bytes(GB18030_TEXT.encode("gb18030"))
    (folder / "big5.txt").write_bytes(BIG5_TEXT.encode("big5"))
    (folder / "guide.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "page.html").write_text(HTML_PAGE, encoding="utf-8")
    word = docx.Document()
    word.add_heading("平度市农业政策", level=1)
    word.add_paragraph(DOCX_TEXT)
    word.save(folder / "policy.docx")
    (folder / "scan.pdf").write_bytes(cjk_pdf(PDF_LINES))
    # The same news reposted: once under another name, once inside a longer file.
    (folder / "utf8_repost.txt").write_text(SIMPLIFIED + "\n", encoding="utf-8")
    (folder / "weekly_roundup.txt").write_text(f"各区招商动态\n\n{ROUNDUP_NEWS}\n\n{SIMPLIFIED}\n", encoding="utf-8")
    (folder / "bad").mkdir()
    (folder / "bad" / "photo.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "bad" / "empty.md").write_bytes(b"")
    (folder / "bad" / "sheet.xlsx").write_bytes(b"PK\x03\x04not really a workbook")
    (folder / "bad" / "broken.docx").write_bytes(b"not a zip")
    (folder / "bad" / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage")
    (folder / "bad" / "dangling.txt").symlink_to(folder / "gone.txt")
    return {
        "utf8_repost.txt": "duplicate of utf8.txt",
        "bad/photo.txt": "binary",
        "bad/empty.md": "empty file",
        "bad/sheet.xlsx": "unsupported file type .xlsx",
        "bad/broken.docx": ".docx",
        "bad/broken.pdf": "PDF",
        "bad/dangling.txt": "broken link",
    }


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    expected_skips = write_mixed_seeds(root / "seeds")
    report = build_index(root / "seeds", root / "index", embedder=HashEmbedder())
    engine = Engine.load(root / "index", embedder=HashEmbedder())
    return report, engine, expected_skips, root


# ---------------------------------------------------------------- formats and encodings


def test_every_format_is_indexed_and_every_bad_file_skipped_with_its_reason(mixed_index):
    report, engine, expected_skips, _ = mixed_index
    reasons = {skipped.file: skipped.reason for skipped in report.skipped}
    assert set(reasons) == set(expected_skips)
    for file, fragment in expected_skips.items():
        assert fragment in reasons[file], (file, reasons[file])
    indexed = {info.file for info in engine.documents()}
    assert indexed == {"utf8.txt", "weekly_roundup.txt", "bom.txt", "gbk.txt", "gb18030.txt", "big5.txt", "guide.md", "page.html",
                       "policy.docx", "scan.pdf"}
    assert report.documents == len(indexed)
    assert engine.manifest["counts"]["skipped"] == len(expected_skips)


def test_texts_are_quoted_as_written_and_duplicates_indexed_once(mixed_index):
    _, engine, _, _ = mixed_index
    texts = [passage.text for passage in engine.passages()]
    for original in (SIMPLIFIED, ROUNDUP_NEWS, BOM_TEXT, GBK_TEXT, GB18030_TEXT, BIG5_TEXT, DOCX_TEXT, "".join(PDF_LINES)):
        assert sum(original in text for text in texts) == 1, original
    joined = "\n".join(texts)
    assert "\ufeff" not in joined
    for hidden in ("脚本里的秘密文字", "color", "导航菜单", "版权信息", "**"):
        assert hidden not in joined


def test_traditional_text_is_found_by_a_simplified_question_and_quoted_in_traditional(mixed_index):
    _, engine, _, _ = mixed_index
    answer = engine.ask(BIG5_QUESTION, k=3, config=PRESETS["bm25"])
    top = answer.results[0]
    assert top.passage.file == "big5.txt"
    assert top.quote in BIG5_TEXT  # the characters as written, not the simplified search form


def test_titles_and_sections_come_from_the_formats_metadata(mixed_index):
    _, engine, _, _ = mixed_index
    by_file = {passage.file: passage for passage in engine.passages()}
    assert by_file["page.html"].title == "胶州市政策"
    assert by_file["policy.docx"].title == "平度市农业政策"
    assert by_file["guide.md"].title == "即墨区招商指南"
    assert by_file["guide.md"].section == "物流产业"


# ---------------------------------------------------------------- concurrent rebuilds and state


def _hold_build_lock(index_dir, ready, release):
    with store.build_lock(Path(index_dir)):
        ready.set()
        release.wait(30)


def test_a_concurrent_rebuild_is_refused_and_the_index_untouched(mixed_index):
    _, _, _, root = mixed_index
    index_dir = root / "index"
    before = current_build_id(index_dir)
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_build_lock, args=(index_dir, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(IndexLocked, match="already rebuilding"):
            build_index(root / "seeds", index_dir, embedder=HashEmbedder())
        done = run_cli("index", "--seeds", str(root / "seeds"), "--index", str(index_dir))
        assert done.returncode == 1
        assert "already rebuilding" in one_error_line(done.stderr)
    finally:
        release.set()
        holder.join(30)
    assert current_build_id(index_dir) == before
    assert not list((index_dir / "builds").glob(".tmp-*"))


def _vote_then_die(index_dir):
    from bot.telegram.feedback import FeedbackStore, feedback_path

    FeedbackStore(feedback_path(Path(index_dir))).record(user_id=42, question="问题", passage_ids=["a#1:0"], vote=1)
    os.kill(os.getpid(), signal.SIGKILL)  # no clean shutdown, no close()


def test_feedback_acknowledged_before_a_crash_survives_it(tmp_path):
    pytest.importorskip("bot.telegram.feedback")
    from bot.telegram.feedback import FeedbackStore, feedback_path

    child = multiprocessing.get_context("fork").Process(target=_vote_then_die, args=(tmp_path,))
    child.start()
    child.join(30)
    assert child.exitcode == -signal.SIGKILL
    path = feedback_path(tmp_path)
    records = list(FeedbackStore(path).records())
    assert [(record.question, record.vote) for record in records] == [("问题", 1)]
    import sqlite3

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# ---------------------------------------------------------------- real CLI helpers


def run_cli(*args, stdin_text: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INVESTQA_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin_text, capture_output=True, text=True,
        encoding="utf-8", cwd=ROOT, env=env, timeout=timeout,
    )


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("investqa: error: ")
    return lines[0]


# ---------------------------------------------------------------- bad questions (real CLI)


@pytest.mark.integration
def test_strange_questions_are_answered_or_refused_without_traceback(built_index):
    strange = [
        "崂山区\x00\x07\x1b[31m 奖励\x7f多少",  # control characters and an escape sequence
        "😀🚀🎉",  # emoji only
        "<script>alert('招商')</script><b>补贴</b>",
        "'; DROP TABLE passages; -- OR 1=1",
        "../../../../etc/passwd",
        "问" * 100_000,  # pasted far too much
        "，。！？、",  # punctuation only: nothing to search for
    ]
    done = run_cli("ask", "--json", "-k", "2", "--index", str(built_index), stdin_text="\n".join(strange) + "\n")
    assert "Traceback" not in done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert [obj["question"] for obj in objects] == strange
    for obj in objects[:5]:
        assert len(obj["results"]) == 2 and isinstance(obj["abstained"], bool), obj["question"][:40]
    assert "too long" in objects[5]["error"] and "2000" in objects[5]["error"]
    # Nothing to search for: refused as empty, or answered with "nothing reliable found".
    for obj in (objects[1], objects[6]):
        assert "empty" in obj["error"] if "error" in obj else obj["abstained"], obj
    assert done.returncode == 1  # some questions failed, and said so


@pytest.mark.integration
def test_a_huge_or_empty_question_on_the_command_line_is_one_clear_line(built_index):
    too_long = run_cli("ask", "--index", str(built_index), "subsidy " * 12_500)  # 100 000 characters
    assert too_long.returncode == 1 and too_long.stdout == ""
    line = one_error_line(too_long.stderr)
    assert "too long (100000 characters" in line and "limit is 2000" in line
    for blank in ("", " \t "):
        empty = run_cli("ask", "--index", str(built_index), blank)
        assert empty.returncode == 2 and "empty" in one_error_line(empty.stderr)


# ---------------------------------------------------------------- `investqa index` on odd files


@pytest.mark.integration
def test_index_warns_once_per_skipped_file_and_summarises(built_index, tmp_path):
    expected_skips = write_mixed_seeds(tmp_path / "seeds")
    index_dir = tmp_path / "index"
    # The parsed dictionary does not depend on the corpus: reuse it rather than parse again.
    for parsed in (built_index / "cache").glob("cedict-*.json"):
        (index_dir / "cache").mkdir(parents=True, exist_ok=True)
        shutil.copy(parsed, index_dir / "cache" / parsed.name)
    done = run_cli("index", "--seeds", str(tmp_path / "seeds"), "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    warnings = done.stderr.splitlines()  # nothing else: no library chatter, no traceback
    assert len(warnings) == len(expected_skips), done.stderr
    for file, reason in expected_skips.items():
        (line,) = [line for line in warnings if line.startswith(f"investqa: warning: skipped {file}: ")]
        assert reason in line
    assert "indexed 10 documents" in done.stdout and f"{len(expected_skips)} files skipped" in done.stdout
    answer = run_cli("ask", "--json", "--index", str(index_dir), BIG5_QUESTION)
    assert json.loads(answer.stdout)["results"][0]["source"]["file"] == "big5.txt"


# ---------------------------------------------------------------- damaged indexes


@pytest.mark.integration
def test_every_index_file_is_checksummed(built_index):
    build_dir = store.current_build_dir(built_index)
    manifest = store.read_manifest(build_dir)
    files = {path.relative_to(build_dir).as_posix() for path in build_dir.rglob("*") if path.is_file()}
    assert set(manifest["artifacts"]) == files - {store.MANIFEST}
    assert all(len(entry["sha256"]) == 64 and entry["bytes"] >= 0 for entry in manifest["artifacts"].values())


@pytest.mark.integration
def test_truncated_flipped_or_missing_files_are_detected_at_load(copy_index):
    index_dir = copy_index()
    build_dir = store.current_build_dir(index_dir)
    for name in store.read_manifest(build_dir)["artifacts"]:
        path = build_dir / name
        original = path.read_bytes()
        damaged = [original[: len(original) // 2], original[:-1] + bytes([original[-1] ^ 0xFF]) if original else b"x"]
        for content in damaged:
            path.write_bytes(content)
            with pytest.raises(IndexCorrupt, match="rebuild it with `investqa index"):
                Engine.load(index_dir)
        path.unlink()
        with pytest.raises(IndexCorrupt, match="missing"):
            Engine.load(index_dir)
        path.write_bytes(original)
    manifest = build_dir / store.MANIFEST
    manifest.write_bytes(manifest.read_bytes()[:100])
    with pytest.raises(IndexCorrupt):
        Engine.load(index_dir)
    (index_dir / store.POINTER).write_text("../../etc\n", encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        Engine.load(index_dir)
    (index_dir / store.POINTER).write_text("", encoding="utf-8")
    with pytest.raises(IndexNotFound):
        Engine.load(index_dir)


@pytest.mark.integration
def test_the_cli_names_the_rebuild_command_for_a_damaged_index(copy_index):
    index_dir = copy_index()
    build_dir = store.current_build_dir(index_dir)
    vectors = build_dir / "passage_vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-7])
    done = run_cli("ask", "--index", str(index_dir), UNICORN)
    assert done.returncode == 1 and done.stdout == ""
    line = one_error_line(done.stderr)
    assert "damaged" in line and f"investqa index --index {index_dir}" in line


@pytest.mark.integration
@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their permissions")
def test_an_unreadable_index_folder_is_one_clear_line(copy_index):
    index_dir = copy_index()
    index_dir.chmod(0)
    try:
        done = run_cli("ask", "--index", str(index_dir), UNICORN)
    finally:
        index_dir.chmod(0o755)
    assert done.returncode == 1
    assert "permissions" in one_error_line(done.stderr)


# ---------------------------------------------------------------- killed rebuilds

BUILD_CHILD = """
import sys
from retrieval import build_index
def progress(done, total):
    print("embedded" if done == total else "progress", done, total, flush=True)
print("started", flush=True)
build_index(sys.argv[1], sys.argv[2], progress=progress)
print("finished", flush=True)
"""
NEW_PARAGRAPH = "崂山区对新落户的量子计算企业给予一次性落户奖励八百万元，并提供三年免租的研发场地。"


def start_build(seeds: Path, index_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", BUILD_CHILD, str(seeds), str(index_dir)], stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
    )


def kill_when(child: subprocess.Popen, marker: str, delay: float) -> None:
    """SIGKILL the build `delay` seconds after it printed a line starting with `marker`."""
    for line in child.stdout:
        if line.startswith(marker):
            break
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(60)
    child.stdout.close()


@pytest.mark.integration
def test_a_rebuild_killed_at_any_moment_leaves_a_working_index(copy_index, seeds_dir, tmp_path, engine):
    index_dir = copy_index()
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    first = sorted(seeds.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n\n" + NEW_PARAGRAPH + "\n", encoding="utf-8")
    previous = current_build_id(index_dir)
    # Moments: starting up, loading the model, starting to embed, embedding, then writing the
    # keyword, dense and cross-lingual files, and on towards publishing. (Kills at each step
    # of publishing itself are in test_store.py.)
    moments = [("started", 0.2), ("started", 1.5), ("progress 0 ", 0.0), ("progress 0 ", 0.8),
               ("embedded", 0.5), ("embedded", 2.0)]
    killed_mid_build = 0
    for marker, delay in moments:
        child = start_build(seeds, index_dir)
        kill_when(child, marker, delay)
        killed_mid_build += child.returncode == -signal.SIGKILL
        loaded = Engine.load(index_dir, embedder=engine.embedder)  # verifies every checksum
        assert loaded.build_id in (previous, current_build_id(index_dir))
        answer = loaded.ask(UNICORN, k=3)
        assert answer.results and all(result.quote in result.passage.text for result in answer.results)
    assert killed_mid_build >= 3  # the last moments may come after a fast machine finished
    # The next build runs (the killed ones' lock died with them), cleans up after them and
    # publishes the new text.
    report = build_index(seeds, index_dir, embedder=engine.embedder)
    assert report.built
    assert not list((index_dir / "builds").glob(".tmp-*"))
    assert len([path for path in (index_dir / "builds").iterdir()]) <= 2
    rebuilt = Engine.load(index_dir, embedder=engine.embedder)
    assert rebuilt.build_id == report.build_id != previous
    assert any(NEW_PARAGRAPH in passage.text for passage in rebuilt.passages())


def test_a_folder_of_only_unreadable_files_names_each_skipped_file(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    (seeds / "empty.txt").write_bytes(b"")
    with pytest.raises(NoDocuments) as raised:
        build_index(seeds, tmp_path / "index", embedder=HashEmbedder())
    message = str(raised.value)
    assert "photo.jpg" in message and "empty.txt" in message and "\n" not in message
    assert not (tmp_path / "index" / "CURRENT").exists()
