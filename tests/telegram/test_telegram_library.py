"""Document handlers in-process (no index build): who may upload, what is refused before and
after the download, duplicates, and the replace confirmation."""
from __future__ import annotations

from pathlib import Path

import pytest
from fake_telegram import FakeTelegram, parse_html

from bot.telegram.access import AccessPolicy
from bot.telegram.library_handlers import LIBRARY, LibraryState
from bot.telegram.uploads import file_base_url
from retrieval.ingest.library import Library

ALICE = FakeTelegram.user(1001)
ADMIN = FakeTelegram.user(4242)
EXISTING = "即墨区工作报告\n\n即墨区全年完成固定资产投资三百亿元，增长百分之十。"


@pytest.fixture
async def library_bot(make_bot, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "report.txt").write_text(EXISTING, "utf-8")
    bot = await make_bot(policy=AccessPolicy(admins=frozenset({ADMIN["id"]})))
    bot.app.bot_data[LIBRARY] = LibraryState(Library(seeds), seeds, tmp_path / "index")
    bot.seeds = seeds
    return bot


async def upload(bot, user, name, content, **kwargs):
    await bot.send(bot.telegram.document_update(user, name, content, **kwargs))
    await bot.app.bot_data[LIBRARY].jobs.join()


def stored(bot) -> list[str]:
    return sorted(path.name for path in bot.seeds.iterdir() if not path.name.startswith("."))


def test_file_endpoint_follows_the_api_server():
    assert file_base_url("http://host:8081/bot") == "http://host:8081/file/bot"
    assert file_base_url("http://host:8081/bot/") == "http://host:8081/file/bot"
    assert file_base_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_base_url(None) is None


async def test_non_admin_is_refused_and_nothing_is_downloaded(library_bot):
    await upload(library_bot, ALICE, "new.txt", "崂山区新政策\n\n奖励五十万元。".encode())
    assert "管理员" in library_bot.texts_to(ALICE["id"])[0]
    assert not library_bot.telegram.calls_to("getFile") and stored(library_bot) == ["report.txt"]


@pytest.mark.parametrize("name, size, words", [("tool.exe", None, "不支持"), ("big.pdf", 25 * 1024 * 1024, "太大")])
async def test_refused_before_download(library_bot, name, size, words):
    await upload(library_bot, ADMIN, name, b"%PDF-1.4", file_size=size)
    assert words in library_bot.texts_to(ADMIN["id"])[0]
    assert not library_bot.telegram.calls_to("getFile") and stored(library_bot) == ["report.txt"]


@pytest.mark.parametrize("content, words", [(b"   \n  ", "没有可读的文字"), (b"%PDF-1.4 broken", "无法读取")])
async def test_unreadable_upload_gets_one_reason_and_is_not_stored(library_bot, content, words):
    await upload(library_bot, ADMIN, "notice.pdf" if content.startswith(b"%PDF") else "notice.txt", content)
    assert library_bot.telegram.calls_to("getFile")
    assert words in library_bot.telegram.edits_of(ADMIN["id"])[-1]
    assert stored(library_bot) == ["report.txt"]
    assert not list((library_bot.seeds / ".incoming").iterdir())  # the download is cleaned up


async def test_duplicate_is_recognised_without_a_build(library_bot):
    await upload(library_bot, ADMIN, "again.txt", EXISTING.encode())
    final = parse_html(library_bot.telegram.edits_of(ADMIN["id"])[-1])
    assert "已收录" in final and "report.txt" in final
    assert stored(library_bot) == ["report.txt"]


async def test_same_name_new_content_asks_and_cancel_keeps_the_old(library_bot):
    await upload(library_bot, ADMIN, "report.txt", "即墨区工作报告\n\n全年投资四百亿元，增长百分之十二。".encode())
    ask = library_bot.telegram.calls_to("editMessageText")[-1].params
    assert "同名" in ask["text"]
    labels = {b["text"]: b["callback_data"] for row in ask["reply_markup"]["inline_keyboard"] for b in row}
    assert set(labels) == {"替换", "两个都保留", "取消"}
    sent = {"message_id": 1, "date": 0, "chat": {"id": ADMIN["id"], "type": "private"}, "text": "x"}

    await library_bot.send(library_bot.telegram.press(ALICE, sent, labels["替换"]))  # not an admin: nothing
    assert "管理员" in library_bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    await library_bot.send(library_bot.telegram.press(ADMIN, sent, labels["取消"]))
    assert "已取消" in library_bot.telegram.edits_of(ADMIN["id"])[-1]
    assert (library_bot.seeds / "report.txt").read_text("utf-8") == EXISTING
    assert not list((library_bot.seeds / ".incoming").iterdir())
    await library_bot.send(library_bot.telegram.press(ADMIN, sent, labels["替换"]))  # pressed again: expired
    assert "过期" in library_bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]


async def test_remove_is_for_admins(library_bot):
    await library_bot.say(ALICE, "/remove")
    assert "管理员" in library_bot.texts_to(ALICE["id"])[0]
    await library_bot.say(ADMIN, "/remove")
    listing = library_bot.last_message(ADMIN["id"])
    assert [b["text"] for row in listing["reply_markup"]["inline_keyboard"] for b in row] == ["report.txt"]
