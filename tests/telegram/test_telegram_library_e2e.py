"""End to end: admins add and remove documents through the real `investqa telegram` process
(real engine, model and index build) against the fake Bot API server: a generated DOCX and a
generated scanned PDF become answerable; a non-admin's file is refused and not stored; the
same file again is recognised; a removed document leaves the answers."""
from __future__ import annotations

import shutil
import time

import pytest
from document_factory import docx_bytes, scanned_pdf_bytes, wrap
from fake_bot_api import FakeBotApiServer
from fake_telegram import TOKEN, FakeTelegram, parse_html
from bot_process import BotProcess, clean_env, wait_until_polling
from test_telegram_e2e import ask, button

pytestmark = pytest.mark.integration

ADMIN = FakeTelegram.user(4242)
ALICE = FakeTelegram.user(1001)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PARK_TITLE = "胶州湾新材料产业园入驻扶持办法"
PARK_FACT = "胶州湾新材料产业园租金补贴标准：对新入驻的新材料企业，按实际租用面积给予每平方米每月15元的租金补贴，最长补贴3年。"
PARK_QUESTION = "胶州湾新材料产业园的租金补贴标准是多少？"
OCEAN_TITLE = "西海岸新区海洋装备研发奖励办法"
OCEAN_BODY = "对年度研发投入超过两千万元的海洋装备企业，给予一次性研发奖励六百万元。对新建海洋装备重点实验室的，再给予建设补助二百万元。"
OCEAN_QUESTION = "西海岸新区海洋装备企业的研发奖励是多少？"


@pytest.fixture
def library_bot(copy_index, seeds_dir, tmp_path):
    index_dir = copy_index()
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    telegram = FakeTelegram()
    with FakeBotApiServer(telegram) as server:
        env = clean_env(TELEGRAM_API_BASE_URL=server.base_url, INVESTQA_ADMINS=str(ADMIN["id"]), NO_PROXY="127.0.0.1,localhost")
        bot = BotProcess(index_dir, tmp_path / "bot.log", env, "--seeds", str(seeds), "--reload-interval", "1")
        try:
            wait_until_polling(telegram, bot, timeout=300)
            yield telegram, bot.process, seeds, bot.log_path
        finally:
            bot.close()


def wait_for_edit(telegram: FakeTelegram, chat_id: int, words: str, count: int = 1, timeout: float = 240) -> str:
    """The status message's text once it has been edited to say `words` (the `count`-th time)."""
    calls = telegram.wait_for(
        lambda c: c.method == "editMessageText" and c.params.get("chat_id") == chat_id and words in c.params["text"],
        timeout, count)
    return parse_html(calls[count - 1].params["text"]) if calls[count - 1].params.get("parse_mode") else calls[count - 1].params["text"]


def test_admin_adds_and_removes_documents_from_the_chat(library_bot):
    telegram, process, seeds, log_path = library_bot
    stored_before = sorted(path.name for path in seeds.iterdir())
    park = docx_bytes(PARK_TITLE, [PARK_FACT, "产业园还为入驻企业提供人才公寓和专项贷款贴息。"])
    ocean = scanned_pdf_bytes([OCEAN_TITLE, ""] + wrap(OCEAN_BODY, 26))

    # a user who is not an admin: a polite refusal, nothing downloaded or stored
    telegram.document_update(ALICE, "park.docx", park, DOCX_MIME)
    refusal = telegram.wait_for(lambda c: c.method == "sendMessage" and c.params.get("chat_id") == ALICE["id"], 60)
    assert "管理员" in refusal[0].params["text"]
    assert not telegram.calls_to("getFile") and sorted(p.name for p in seeds.iterdir()) == stored_before

    # the admin sends a DOCX and a scanned PDF; each gets one status message ending "live"
    started = time.monotonic()
    telegram.document_update(ADMIN, "../园区/park.docx", park, DOCX_MIME)
    telegram.document_update(ADMIN, "海洋 奖励.pdf", ocean, "application/pdf")
    wait_for_edit(telegram, ADMIN["id"], "已上线", count=2)
    done = [parse_html(text) for text in telegram.edits_of(ADMIN["id"]) if "已上线" in text]
    park_done = next(text for text in done if "park.docx" in text)
    ocean_done = next(text for text in done if "海洋 奖励.pdf" in text)
    assert PARK_TITLE in park_done and "新增段落：1" in park_done and "OCR" not in park_done
    assert OCEAN_TITLE in ocean_done and "OCR" in ocean_done
    print(f"two uploads live after {time.monotonic() - started:.1f} s")
    statuses = [c for c in telegram.messages_to(ADMIN["id"]) if "已收到" in c.params["text"] or "正在读取" in c.params["text"]]
    assert len(statuses) == 2  # one status message per upload, edited in place
    assert {"park.docx", "海洋 奖励.pdf"} <= {p.name for p in seeds.iterdir()}  # no path from the user's name
    assert not (seeds.parent / "园区").exists()

    # both are answered with quotes from them; the scan's source line says OCR
    park_answer = parse_html(ask(telegram, ALICE, PARK_QUESTION)["text"])
    assert "每平方米每月15元" in park_answer and PARK_TITLE in park_answer
    ocean_answer = parse_html(ask(telegram, ALICE, OCEAN_QUESTION)["text"])
    assert "一次性研发奖励六百万元" in ocean_answer and "OCR" in ocean_answer
    sources = parse_html(ask(telegram, ALICE, "/sources")["text"])
    assert OCEAN_TITLE in sources and "OCR" in sources.split(OCEAN_TITLE, 1)[1].splitlines()[0]

    # the same file again (under another name) is recognised, not stored twice
    telegram.document_update(ADMIN, "copy.docx", park, DOCX_MIME)
    duplicate = wait_for_edit(telegram, ADMIN["id"], "已收录")
    assert "park.docx" in duplicate and not (seeds / "copy.docx").exists()

    # /remove: a button per document, a confirmation, then the document leaves the answers
    listing = ask(telegram, ADMIN, "/remove")
    sent = {"message_id": 1, "date": 0, "chat": {"id": ADMIN["id"], "type": "private"}, "text": "x"}
    before = len(telegram.messages_to(ADMIN["id"]))
    telegram.press(ADMIN, sent, button(listing, "park.docx"))
    telegram.wait_for(lambda c: c.method == "sendMessage" and c.params.get("chat_id") == ADMIN["id"], 60, before + 1)
    confirm = telegram.messages_to(ADMIN["id"])[before].params
    assert "park.docx" in confirm["text"]
    telegram.press(ADMIN, sent, button(confirm, "删除"))
    wait_for_edit(telegram, ADMIN["id"], "已删除")
    assert not (seeds / "park.docx").exists()
    after = parse_html(ask(telegram, ALICE, PARK_QUESTION)["text"])
    assert "每平方米每月15元" not in after

    output = log_path.read_text("utf-8", errors="replace")
    assert "Traceback" not in output and TOKEN.split(":")[1] not in output
