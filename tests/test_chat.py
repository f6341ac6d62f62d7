"""The terminal chat: session logic and formatting on a fake engine; the real CLI on a real index."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot import terminal_format as fmt
from bot.chat import ChatSession, run_chat
from fakes import FakeEngine, make_passage, sample_passages

ROOT = Path(__file__).resolve().parent.parent
PLAIN = fmt.Style(colour=False)


def session(**kwargs) -> ChatSession:
    return ChatSession(FakeEngine(), PLAIN, **kwargs)


# ---------------------------------------------------------------- session


def test_a_question_shows_the_best_result_with_its_quote_and_source():
    chat = session()
    reply = chat.handle("崂山区独角兽企业奖励多少？")
    best = sample_passages()[0]
    assert "**崂山区发布了楼宇经济政策。**" in reply
    assert "最高可奖励300万元" in reply
    assert f"{best.title} · 日期 {best.date} · {best.file}" in reply  # the date labelled in the question's language
    assert "[1/4]" in reply and ":more" in reply
    assert "西海岸" not in reply  # one result at a time


def test_more_pages_through_the_remaining_results_then_says_so():
    chat = session()
    chat.handle("崂山区独角兽企业奖励多少？")
    second = chat.handle(":more")
    assert "[2/4]" in second and "[3/4]" in second and "[4/4]" not in second
    third = chat.handle(":more")
    assert "[4/4]" in third
    assert chat.handle(":more") == fmt.message("zh", "no_more")


def test_source_shows_the_passage_between_its_neighbours():
    chat = session()
    chat.handle("西海岸新区产业基金规模？")
    reply = chat.handle(":source 1")
    passages = sample_passages()
    assert passages[1].text.split("。")[1] in reply  # the focus passage in full
    assert passages[0].text in reply and passages[2].text in reply  # its neighbours
    assert passages[3].text not in reply  # another document


def test_source_needs_a_valid_result_number_and_a_question_first():
    chat = session()
    assert chat.handle(":source 1") == fmt.message("en", "ask_first")
    chat.handle("崂山区独角兽企业奖励多少？")
    assert chat.handle(":source 9") == fmt.message("zh", "source_usage", count=4)
    assert chat.handle(":source x") == fmt.message("zh", "source_usage", count=4)


def test_abstention_is_said_in_the_questions_language_and_more_still_shows_passages():
    chat = session()
    reply = chat.handle("火星上的天气怎么样？")
    assert fmt.message("zh", "abstained") in reply and ":more" in reply
    assert "[1/" not in reply
    assert "[1/4]" in chat.handle(":more")
    english = chat.handle("Mars weather xyzzy?")
    assert fmt.message("en", "abstained") in english


def test_chat_off_the_documents_subject_is_told_so_without_offering_passages():
    chat = session()
    reply = chat.handle("好的谢谢，今天先到这儿")
    assert fmt.message("zh", "off_topic") in reply
    assert fmt.message("zh", "abstained") not in reply and ":more" not in reply
    assert fmt.message("en", "off_topic") in chat.handle("ok thanks, bye")
    # a question the documents might answer but do not keeps the usual notice and :more
    assert fmt.message("zh", "abstained") in chat.handle("火星上的天气怎么样？")


def test_commands_help_quit_unknown_and_full_width_colon():
    chat = session()
    assert ":source N" in chat.handle(":help")
    assert "Unknown command :frobnicate" in chat.handle(":frobnicate")
    chat.handle("崂山区独角兽企业奖励多少？")
    assert "[2/4]" in chat.handle("：more")
    assert "用中文或英文提问" in chat.handle(":help")  # help follows the last question's language
    assert chat.handle("") == ""
    assert not chat.finished
    chat.handle(":quit")
    assert chat.finished


def test_an_engine_error_is_shown_and_the_session_goes_on():
    chat = session()
    reply = chat.handle("长" * 500)
    assert "too long" in reply
    assert "[1/4]" in chat.handle("崂山区独角兽企业奖励多少？")


def test_run_chat_reads_piped_lines_until_quit():
    stdin = io.StringIO("崂山区独角兽企业奖励多少？\n:more\n:quit\n西海岸新区产业基金规模？\n")
    stdout = io.StringIO()
    assert run_chat(FakeEngine(), "/nonexistent-index", stdin=stdin, stdout=stdout) == 0
    output = stdout.getvalue()
    assert "investqa chat" in output and "[1/4]" in output and "[2/4]" in output
    assert "\x1b[" not in output  # not a terminal: no colours
    assert output.count("[1/4]") == 1  # nothing after :quit


def test_run_chat_ends_at_end_of_input():
    stdout = io.StringIO()
    assert run_chat(FakeEngine(), "/nonexistent-index", stdin=io.StringIO("崂山区独角兽？"), stdout=stdout) == 0
    assert "[1/4]" in stdout.getvalue()


def test_run_chat_switches_to_a_new_build_published_while_chatting(tmp_path):
    (tmp_path / "CURRENT").write_text("new-build\n", encoding="utf-8")
    old, fresh = FakeEngine(), FakeEngine()
    fresh.build_id = "new-build"
    stdout = io.StringIO()
    run_chat(old, tmp_path, stdin=io.StringIO("崂山区独角兽？\n西海岸基金？\n"), stdout=stdout, load_engine=lambda previous: fresh)
    assert stdout.getvalue().count("index updated: build new-build") == 1
    assert old.asked == [] and len(fresh.asked) == 2


# ---------------------------------------------------------------- formatting


def test_short_passages_are_shown_whole_and_long_ones_cut_around_the_quote():
    short = "第一句。第二句。"
    assert fmt.excerpt_span(short, 4, 8) == (0, len(short))
    long_text = "前面的句子很长很长。" * 40 + "答案就在这一句。" + "后面的句子也很长。" * 40
    quote_start = long_text.index("答案")
    quote_end = quote_start + len("答案就在这一句。")
    start, end = fmt.excerpt_span(long_text, quote_start, quote_end)
    assert start <= quote_start and quote_end <= end
    assert end - start < len(long_text) / 2
    assert long_text[start - 1] == "。" and long_text[end - 1] == "。"  # cut at sentence ends
    sentence = len("前面的句子很长很长。")
    # as much context as the window allows, to the nearest sentence boundary inside it
    assert fmt.EXCERPT_CONTEXT - sentence < quote_start - start <= fmt.EXCERPT_CONTEXT
    assert fmt.EXCERPT_CONTEXT - sentence < end - quote_end <= fmt.EXCERPT_CONTEXT
    unbroken = "字" * 400 + "答案" + "字" * 400  # no sentence end near the quote: cut mid-text
    assert fmt.excerpt_span(unbroken, 400, 402) == (400 - fmt.EXCERPT_CONTEXT, 402 + fmt.EXCERPT_CONTEXT)
    shown = fmt.highlight_quote(long_text, quote_start, quote_end, PLAIN)
    assert shown.startswith(fmt.ELLIPSIS) and shown.endswith(fmt.ELLIPSIS)
    assert "**答案就在这一句。**" in shown


def test_colour_only_on_a_terminal_without_no_color():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert fmt.colour_enabled(Tty(), environ={}) is True
    assert fmt.colour_enabled(Tty(), environ={"NO_COLOR": "1"}) is False
    assert fmt.colour_enabled(io.StringIO(), environ={}) is False
    coloured = fmt.highlight_quote("前文。答案。", 3, 6, fmt.Style(colour=True))
    assert "\x1b[" in coloured and "答案。" in coloured and "**" not in coloured


def test_source_line_leaves_out_missing_parts():
    passage = make_passage(1, "文本", title="标题", date=None, file="a.txt", section="一、总则")
    assert fmt.source_line(passage) == "标题 · a.txt"
    assert fmt.source_line(passage, with_section=True) == "标题 · 一、总则 · a.txt"


def test_source_line_shows_the_documents_own_date_and_the_site_date_labelled():
    report = replace(make_passage(1, "文本", title="工作报告", date="2019-01-31", file="003.txt"), posted="2025-07-09")
    assert fmt.source_line(report, language="zh") == "工作报告 · 日期 2019-01-31 · 网站转载 2025-07-09 · 003.txt"
    assert fmt.source_line(report, language="en") == "工作报告 · dated 2019-01-31 · posted 2025-07-09 · 003.txt"
    reposted_only = replace(report, date=None)
    assert fmt.source_line(reposted_only, language="en") == "工作报告 · posted 2025-07-09 · 003.txt"
    same_day = replace(report, posted="2019-01-31")  # said once
    assert fmt.source_line(same_day, language="zh") == "工作报告 · 日期 2019-01-31 · 003.txt"


def test_format_answer_lists_the_closest_passages_after_an_abstention():
    answer = FakeEngine().ask("火星上的天气怎么样？")
    text = fmt.format_answer(answer, PLAIN)
    assert text.splitlines()[0] == fmt.message("zh", "abstained")
    assert fmt.message("zh", "closest") in text
    assert text.count(" — ") == len(answer.results)


def test_format_answer_lists_no_passages_for_a_message_off_the_documents_subject():
    answer = FakeEngine().ask("好的谢谢")
    assert answer.results  # the engine still returns its closest passages (ask --json keeps them)
    assert fmt.format_answer(answer, PLAIN) == fmt.message("zh", "off_topic")


# ---------------------------------------------------------------- real CLI, real index


def run_cli(args, stdin_text: str, env_extra=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin_text, capture_output=True,
        text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=300,
    )


@pytest.mark.integration
def test_chat_subprocess_with_piped_stdin(built_index):
    script = "崂山区对新认定的独角兽企业最高奖励多少？\n:more\n:source 1\n:help\n:quit\nWhat is ignored after quit?\n"
    done = run_cli(["chat", "--index", str(built_index)], script)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert "最高可奖励__300万元__" in out  # the answer marked inside the quote (plain text: underscores)
    assert "[1/5]" in out and "[2/5]" in out  # the best, then :more
    assert ":source N" in out  # :help
    assert "\x1b[" not in out
    assert "What is ignored" not in out


@pytest.mark.integration
def test_chat_subprocess_abstains_in_english_and_offers_more(built_index):
    # a near miss the documents do not answer (no legal representative is named anywhere)
    done = run_cli(["chat", "--index", str(built_index)], "Who is the legal representative of Qingdao Yike?\n:more\n")
    assert done.returncode == 0, done.stderr
    assert fmt.message("en", "abstained") in done.stdout and fmt.message("en", "offer_more") in done.stdout
    assert "[1/5]" in done.stdout


@pytest.mark.integration
def test_chat_subprocess_tells_an_everyday_question_what_the_documents_cover(built_index):
    done = run_cli(["chat", "--index", str(built_index)], "What is the recipe for chocolate cake?\n:more\n")
    assert done.returncode == 0, done.stderr
    assert fmt.message("en", "off_topic") in done.stdout and fmt.message("en", "offer_more") not in done.stdout
    assert "[1/5]" in done.stdout  # :more typed anyway still shows the closest passages


# ---------------------------------------------------------------- tiers and the answer span


def test_the_answer_is_underlined_inside_the_highlighted_quote():
    text = "前文。崂山区奖励300万元给独角兽。后文。"
    quote_start, quote_end = 3, text.index("后文")
    answer = (text.index("300"), text.index("给"))
    plain = fmt.highlight_quote(text, quote_start, quote_end, PLAIN, answer=answer)
    assert plain == "前文。**崂山区奖励__300万元__给独角兽。**后文。"
    coloured = fmt.highlight_quote(text, quote_start, quote_end, fmt.Style(colour=True), answer=answer)
    assert "\x1b[1;33;4m300万元\x1b[0m" in coloured  # bold yellow and underlined
    assert "\x1b[1;33m崂山区奖励\x1b[0m" in coloured and "\x1b[1;33m给独角兽。\x1b[0m" in coloured
    # an answer span at the very edges of the quote leaves no empty highlight behind
    edge = fmt.highlight_quote(text, quote_start, quote_end, PLAIN, answer=(quote_start, quote_end))
    assert edge == "前文。**__崂山区奖励300万元给独角兽。__**后文。"


def test_a_confident_answer_leads_alone_with_its_answer_marked_the_rest_behind_more():
    chat = session()
    reply = chat.handle("西海岸新区产业基金规模？")
    assert "**西海岸新区设立产业基金，规模达到__50亿元__。**" in reply
    assert "[1/4]" in reply and "[2/4]" not in reply and ":more" in reply
    assert fmt.message("zh", "closest_caveat") not in reply
    assert "[2/4]" in chat.handle(":more")
    assert "__50亿元__" in chat.handle(":source 1")


def test_a_middling_answer_shows_the_closest_passage_under_a_caveat_unmarked():
    chat = ChatSession(FakeEngine(verdict="closest"), PLAIN)
    reply = chat.handle("西海岸新区产业基金规模？")
    assert reply.startswith(fmt.message("zh", "closest_caveat"))
    assert "**西海岸新区设立产业基金，规模达到50亿元。**" in reply  # not presented as the answer
    assert "__" not in reply and "[2/4]" not in reply and ":more" in reply
    assert "__" not in chat.handle(":source 1")
    english = chat.handle("What does the district offer to startups?")
    assert english.startswith("I found nothing that answers this exactly; the closest passage is:")


def test_format_answer_follows_the_tiers():
    answered = fmt.format_answer(FakeEngine().ask("西海岸新区产业基金规模？"), PLAIN)
    lines = answered.splitlines()
    assert lines[0] == "[1/4]  score 0.800" and "__50亿元__" in lines[1]
    assert fmt.message("zh", "others") in lines and answered.count(" — ") == 3  # the others, one line each
    closest = fmt.format_answer(FakeEngine(verdict="closest").ask("西海岸新区产业基金规模？"), PLAIN)
    assert closest.splitlines()[0] == fmt.message("zh", "closest_caveat") and "__" not in closest
    assert fmt.message("zh", "abstained") not in closest
    none = fmt.format_answer(FakeEngine(verdict="none").ask("西海岸新区产业基金规模？"), PLAIN)
    assert none.splitlines()[0] == fmt.message("zh", "abstained") and "[1/" not in none
