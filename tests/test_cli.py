"""The `investqa` command line: its contract (JSON shapes, stdin mode, errors, exit codes).

Unit tests swap `bot.cli.load_engine` for a fake engine; integration tests run the real
CLI as a subprocess on the real index built once by the `built_index` fixture.
"""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from retrieval.errors import IndexMismatch, IndexNotFound
from fakes import FakeEngine, sample_passages

ROOT = Path(__file__).resolve().parent.parent
DEV_QA = ROOT.parent / "shared" / "eval" / "dev_qa.jsonl"
SOURCE_KEYS = {"file", "title", "date", "posted", "section", "start", "end", "ocr"}
RESULT_KEYS = {"rank", "passage_id", "text", "quote", "answer", "score", "source"}


@pytest.fixture
def engine(monkeypatch):
    fake = FakeEngine()
    loads = []

    def load(index_dir, embedder_spec=None):
        loads.append((index_dir, embedder_spec))
        return fake

    monkeypatch.setattr(cli, "load_engine", load)
    fake.loads = loads
    return fake


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str):
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    return feed


def assert_answer_object(obj: dict, k: int) -> None:
    assert set(obj) == {"question", "abstained", "verdict", "confidence", "results"}
    assert isinstance(obj["question"], str) and isinstance(obj["abstained"], bool)
    assert obj["verdict"] in ("answer", "closest", "none") and obj["abstained"] == (obj["verdict"] != "answer")
    assert 0.0 <= obj["confidence"]
    assert 1 <= len(obj["results"]) <= k
    for rank, result in enumerate(obj["results"], start=1):
        assert set(result) == RESULT_KEYS
        assert result["rank"] == rank
        assert isinstance(result["score"], float)
        assert isinstance(result["passage_id"], str) and isinstance(result["text"], str)
        assert result["quote"] and result["quote"] in result["text"]
        if result["answer"] is not None:  # the answer span lies inside the quote
            start, end = result["answer"]["start"], result["answer"]["end"]
            quote_start = result["text"].find(result["quote"])
            assert quote_start <= start < end <= quote_start + len(result["quote"])
        source = result["source"]
        assert set(source) == SOURCE_KEYS
        assert isinstance(source["file"], str) and isinstance(source["title"], str)
        for key in ("date", "posted"):
            assert source[key] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", source[key])
        assert source["section"] is None or isinstance(source["section"], str)
        assert isinstance(source["start"], int) and isinstance(source["end"], int)


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("investqa: error: ")
    assert "Traceback" not in stderr
    return lines[0]


# ---------------------------------------------------------------- ask


def test_ask_json_prints_one_answer_object(engine, capsys):
    assert cli.main(["ask", "--json", "-k", "3", "--index", "somewhere", "崂山区独角兽企业奖励多少？"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    obj = json.loads(out)
    assert_answer_object(obj, k=3)
    assert len(obj["results"]) == 3
    assert "最高可奖励300万元" in obj["results"][0]["text"]  # not escaped: ensure_ascii=False
    assert "\\u" not in out
    assert engine.loads == [("somewhere", None)]


def test_ask_reads_stdin_lines_skipping_blank_ones_loading_the_index_once(engine, capsys, stdin):
    stdin("崂山区独角兽企业奖励多少？\n\n   \nrent subsidies for startups?\n")
    assert cli.main(["ask", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    objects = [json.loads(line) for line in lines]
    assert [obj["question"] for obj in objects] == ["崂山区独角兽企业奖励多少？", "rent subsidies for startups?"]
    for obj in objects:
        assert_answer_object(obj, k=5)
    assert len(engine.loads) == 1


def test_ask_stdin_gives_an_error_object_for_a_bad_line_and_goes_on(engine, capsys, stdin):
    stdin("长" * 500 + "\n崂山区独角兽？\n")
    assert cli.main(["ask", "--json"]) == 1
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert set(first) == {"question", "error"} and "too long" in first["error"]
    assert_answer_object(second, k=5)


def test_ask_text_output_is_plain_when_not_a_terminal(engine, capsys):
    assert cli.main(["ask", "崂山区独角兽企业奖励多少？"]) == 0
    out = capsys.readouterr().out
    assert "最高可奖励300万元" in out and "\x1b[" not in out
    assert sample_passages()[0].file in out


def test_ask_text_mode_from_stdin_heads_each_answer_with_its_question(engine, capsys, stdin):
    stdin("崂山区独角兽？\n西海岸新区基金？\n")
    assert cli.main(["ask"]) == 0
    out = capsys.readouterr().out
    assert "? 崂山区独角兽？" in out and "? 西海岸新区基金？" in out


@pytest.mark.parametrize("argv", [["ask", "   "], ["ask", ""], ["ask", "-k", "0", "问题"], ["ask", "--bogus", "问题"], []])
def test_usage_errors_exit_2_with_one_line(engine, capsys, argv):
    assert cli.main(argv) == 2
    one_error_line(capsys.readouterr().err)
    assert engine.loads == []  # refused before loading anything


def test_ask_without_question_on_a_terminal_is_a_usage_error(engine, capsys, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Tty(""))
    assert cli.main(["ask"]) == 2
    assert "QUESTION" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("error", [IndexNotFound("vectors"), IndexMismatch("vectors", "built with 'x'")])
def test_core_errors_exit_1_with_one_line(monkeypatch, capsys, error):
    def load(index_dir, embedder_spec=None):
        raise error

    monkeypatch.setattr(cli, "load_engine", load)
    assert cli.main(["ask", "问题"]) == 1
    assert one_error_line(capsys.readouterr().err) == f"investqa: error: {error}"


def test_keyboard_interrupt_exits_130_quietly(monkeypatch, capsys):
    def load(index_dir, embedder_spec=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_engine", load)
    assert cli.main(["ask", "问题"]) == 130
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_broken_pipe_exits_quietly(engine, monkeypatch, capsys):
    monkeypatch.setattr(cli, "emit", lambda text: (_ for _ in ()).throw(BrokenPipeError()))
    monkeypatch.setattr(cli, "silence_stdout", lambda: None)
    assert cli.main(["ask", "问题"]) == 0
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- passages


def test_passages_json_lines_have_the_result_fields_minus_rank_score_quote(engine, capsys):
    assert cli.main(["passages", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [record["passage_id"] for record in records] == [p.passage_id for p in sample_passages()]
    for record, passage in zip(records, sample_passages()):
        assert set(record) == {"passage_id", "text", "source"}
        assert record["text"] == passage.text
        assert record["source"] == passage.source_dict()


def test_passages_text_listing_shows_ids_sources_and_text(engine, capsys):
    assert cli.main(["passages"]) == 0
    out = capsys.readouterr().out
    for passage in sample_passages():
        assert passage.passage_id in out and passage.text in out


# ---------------------------------------------------------------- eval


@pytest.fixture
def qa_file(tmp_path):
    rows = [
        {"id": "z1", "lang": "zh", "kind": "number", "question": "崂山区独角兽企业奖励多少？", "gold": ["最高可奖励300万元"], "source": "000_test.txt"},
        {"id": "e1", "lang": "en", "kind": "cross", "question": "rent subsidies for startups?", "gold": ["rent subsidies"], "source": "000_test.txt"},
        {"id": "u1", "lang": "en", "kind": "unanswerable", "question": "Mars weather xyzzy?", "gold": [], "source": ""},
    ]
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    return path


def test_eval_json_compares_configs_in_one_run(engine, capsys, monkeypatch, qa_file):
    monkeypatch.setattr(cli, "search_presets", lambda: {"hybrid": "H", "bm25": "B", "dense": "D"})
    assert cli.main(["eval", str(qa_file), "--json", "--config", "bm25", "--config", "hybrid", "-k", "4"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report["configs"]) == ["bm25", "hybrid"]
    assert report["k"] == 4 and report["questions"] == 3 and report["answerable"] == 2
    assert {config for _, _, config in engine.calls} == {"B", "H"}
    hybrid = report["configs"]["hybrid"]
    assert hybrid["overall"]["hit@1"] == 1.0
    assert hybrid["abstention"]["recall"] == 1.0
    assert set(hybrid["by_language"]) == {"zh", "en"}
    assert hybrid["abstention_curve"] and {"threshold", "precision", "recall"} <= set(hybrid["abstention_curve"][0])
    assert len(engine.loads) == 1


def test_eval_table_and_misses(engine, capsys, monkeypatch, qa_file):
    monkeypatch.setattr(cli, "search_presets", lambda: {"hybrid": "H"})
    assert cli.main(["eval", str(qa_file), "--misses"]) == 0
    out = capsys.readouterr().out
    assert "hybrid" in out and "hit@1" in out and "abstention recall" in out
    assert "misses (hybrid):" in out


def test_eval_refuses_unknown_config_and_bad_file(engine, capsys, monkeypatch, qa_file, tmp_path):
    monkeypatch.setattr(cli, "search_presets", lambda: {"hybrid": "H"})
    assert cli.main(["eval", str(qa_file), "--config", "magic"]) == 2
    assert "magic" in one_error_line(capsys.readouterr().err)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(qa_file.read_text(encoding="utf-8") + "\n{oops\n", encoding="utf-8")
    assert cli.main(["eval", str(bad)]) == 1
    assert "line 4" in one_error_line(capsys.readouterr().err)
    assert engine.loads == []


# ---------------------------------------------------------------- optional front-ends


def test_core_commands_never_import_the_optional_front_ends():
    assert not cli.wants_optional_frontends(["ask", "--json", "问题"])
    assert not cli.wants_optional_frontends(["eval", "qa.jsonl"])
    assert cli.wants_optional_frontends(["telegram"])
    assert cli.wants_optional_frontends(["--help"])
    code = (
        "import sys; from bot import cli\n"
        "cli.load_engine = lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt())\n"
        "code = cli.main(['ask', 'question'])\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('telegram', 'numpy', 'faiss', 'torch', 'jieba') or m.startswith('bot.telegram')]\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.strip() == "130 []", done.stderr


def test_a_broken_optional_front_end_gets_a_stub_and_core_commands_still_work(engine, capsys, monkeypatch):
    monkeypatch.setattr(cli, "OPTIONAL_FRONTENDS", {"bot.no_such_module_here": ("ghost",)})
    assert cli.main(["ghost", "--anything"]) == 1
    assert "unavailable" in one_error_line(capsys.readouterr().err)
    assert cli.main(["ask", "问题"]) == 0


# ---------------------------------------------------------------- real CLI, real index


def investqa(*args, stdin_text: str | None = None, env_extra=None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INVESTQA_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin_text, capture_output=True,
        text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=600,
    )


@pytest.mark.integration
def test_done_when_unicorn_reward_question_quotes_the_300_wan_passage_first(built_index):
    done = investqa("ask", "--json", "--index", str(built_index), "崂山区对新认定的独角兽企业最高奖励多少？")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert_answer_object(answer, k=5)
    assert len(answer["results"]) == 5
    assert not answer["abstained"]
    assert "最高可奖励300万元" in answer["results"][0]["text"]
    text = investqa("ask", "--index", str(built_index), "崂山区对新认定的独角兽企业最高奖励多少？")
    assert text.returncode == 0, text.stderr
    top = answer["results"][0]
    quote, span = top["quote"], top["answer"]
    if span is not None:  # the answer inside the quote is marked __ … __
        start, end = span["start"] - top["text"].find(quote), span["end"] - top["text"].find(quote)
        quote = f"{quote[:start]}__{quote[start:end]}__{quote[end:]}"
    assert f"**{quote}**" in text.stdout  # the quote, marked, without colours
    assert answer["results"][0]["source"]["file"] in text.stdout and "\x1b[" not in text.stdout


@pytest.mark.integration
def test_chit_chat_on_the_real_index_is_told_what_the_documents_cover(built_index):
    from bot.terminal_format import message

    done = investqa("ask", "--index", str(built_index), "好的，谢谢你，今天先这样吧，再见！")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == message("zh", "off_topic")  # no passages listed under it
    answer = json.loads(investqa("ask", "--json", "--index", str(built_index), "好的，谢谢你，今天先这样吧，再见！").stdout)
    assert answer["abstained"] and answer["verdict"] == "none" and answer["results"]  # still there for machines


@pytest.mark.integration
def test_ask_stdin_mode_on_the_real_index(built_index):
    questions = "崂山区对新认定的独角兽企业最高奖励多少？\n\nWhat subsidies does Laoshan offer to unicorn companies?\n"
    done = investqa("ask", "--json", "-k", "3", stdin_text=questions, env_extra={"INVESTQA_INDEX": str(built_index)})
    assert done.returncode == 0, done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(objects) == 2
    for obj in objects:
        assert_answer_object(obj, k=3)


@pytest.mark.integration
def test_errors_on_the_real_cli_are_one_line_without_traceback(built_index, tmp_path):
    cases = [
        (["ask", "--index", str(tmp_path / "nothing-here"), "问题"], 1, "no index"),
        (["ask", "--index", str(built_index), "--embedder", "sentence-transformers:other-model", "问题"], 1, "does not match"),
        (["ask", "--index", str(built_index), "  "], 2, "empty"),
        (["index", "--seeds", str(tmp_path / "no-seeds"), "--index", str(tmp_path / "idx")], 1, "seeds folder not found"),
        (["eval", str(tmp_path / "missing.jsonl"), "--index", str(built_index)], 1, "not found"),
    ]
    for args, code, fragment in cases:
        done = investqa(*args)
        assert done.returncode == code, (args, done.stderr)
        assert fragment in one_error_line(done.stderr), args
        assert done.stdout == ""


@pytest.mark.integration
def test_passages_json_lists_every_indexed_passage(built_index):
    from retrieval import Engine

    engine = Engine.load(built_index)
    done = investqa("passages", "--json", "--index", str(built_index))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [record["passage_id"] for record in records] == [p.passage_id for p in engine.passages()]
    assert all(set(record) == {"passage_id", "text", "source"} and set(record["source"]) == SOURCE_KEYS for record in records)


@pytest.mark.integration
def test_passages_piped_into_head_exits_quietly(built_index):
    done = subprocess.run(
        f"{sys.executable} -m bot.cli passages --json --index {built_index} | head -n 1",
        shell=True, capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "Broken" not in done.stderr


@pytest.mark.integration
def test_index_if_stale_does_nothing_on_an_up_to_date_index(copy_index, seeds_dir):
    index_dir = copy_index()
    done = investqa("index", "--if-stale", "--seeds", str(seeds_dir), "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert "index is up to date" in done.stdout


@pytest.mark.integration
@pytest.mark.skipif(not DEV_QA.exists(), reason="shared dev QA set not present")
def test_eval_json_on_the_dev_set_compares_two_configs(built_index):
    done = investqa("eval", str(DEV_QA), "--json", "--config", "hybrid", "--config", "bm25", "--index", str(built_index))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert list(report["configs"]) == ["hybrid", "bm25"]
    for config in report["configs"].values():
        assert config["overall"]["questions"] == report["answerable"]
        assert all(0.0 <= config["overall"][key] <= 1.0 for key in ("hit@1", "hit@3", "hit@5", "mrr@10"))
        assert config["overall"]["hit@1"] <= config["overall"]["hit@3"] <= config["overall"]["hit@5"]
        assert len(config["questions"]) == report["questions"]
        assert config["abstention_curve"]
