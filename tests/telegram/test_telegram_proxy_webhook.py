"""The real `investqa telegram` process reaching an HTTPS fake Bot API through a local HTTP
CONNECT proxy and a local SOCKS5 proxy (both with a password that must never be logged),
and serving updates in webhook mode (secret-token header checked). All on loopback."""
from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import urllib.error
import urllib.request

import pytest
from bot_process import BotProcess, assert_answered_once, assert_clean, ask_each, clean_env, free_port, wait_until_polling
from fake_bot_api import FakeBotApiServer
from fake_telegram import TOKEN, FakeTelegram
from local_proxies import HttpConnectProxy, Socks5Proxy

pytestmark = pytest.mark.integration

QUESTION = "崂山区对新认定的独角兽企业最高奖励多少？"
PROXY_PASSWORD = "pr0xy-Secret-4711"
WEBHOOK_SECRET = "hook-Secret_0815"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> str:
    """A self-signed certificate for 127.0.0.1 (the bot trusts it through SSL_CERT_FILE)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )
    return str(folder / "cert.pem")


def https_server(telegram: FakeTelegram, certificate: str) -> FakeBotApiServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, certificate.replace("cert.pem", "key.pem"))
    return FakeBotApiServer(telegram, ssl_context=context)


@pytest.fixture
def start_bot(copy_index, tmp_path):
    started: list[BotProcess] = []
    index_dir = copy_index()

    def start(*args: str, **env: str) -> BotProcess:
        bot = BotProcess(index_dir, tmp_path / f"bot{len(started)}.log", clean_env(**env), *args)
        started.append(bot)
        return bot

    yield start
    for bot in started:
        bot.close()


@pytest.mark.parametrize("kind", ["http", "socks5"])
def test_a_conversation_through_a_proxy(start_bot, certificate, kind):
    telegram = FakeTelegram()
    proxy_class = HttpConnectProxy if kind == "http" else Socks5Proxy
    asked = [FakeTelegram.user(5500 + i) for i in range(2)]
    with proxy_class("investqa", PROXY_PASSWORD) as proxy, https_server(telegram, certificate) as server:
        variable = {"INVESTQA_PROXY": proxy.url} if kind == "socks5" else {"HTTPS_PROXY": proxy.url}
        bot = start_bot(TELEGRAM_API_BASE_URL=server.base_url, SSL_CERT_FILE=certificate, **variable)
        wait_until_polling(telegram, bot)
        ask_each(telegram, asked, QUESTION)
        assert_answered_once(telegram, asked)
        assert "300万元" in telegram.delivered_to(asked[0]["id"])[0].params["text"]
        assert bot.stop() == 0
        assert proxy.tunnels and set(proxy.tunnels) == {("127.0.0.1", server.port)}
        assert proxy.refused == 0
    output = bot.output()
    assert_clean(output)
    assert PROXY_PASSWORD not in output
    assert f"via proxy {kind}://investqa:***@127.0.0.1:{proxy.port}" in output


def _post(url: str, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_webhook_mode_answers_only_requests_with_the_secret(start_bot):
    telegram = FakeTelegram()
    port = free_port()
    public_url = "https://bot.example.test/investqa/hook"
    local_url = f"http://127.0.0.1:{port}/investqa/hook"
    allowed, intruders = FakeTelegram.user(5600), [FakeTelegram.user(5601), FakeTelegram.user(5602)]
    with FakeBotApiServer(telegram) as server:
        bot = start_bot(
            "--webhook-url", public_url, "--listen", f"127.0.0.1:{port}",
            TELEGRAM_API_BASE_URL=server.base_url, INVESTQA_WEBHOOK_SECRET=WEBHOOK_SECRET,
        )
        hook = telegram.wait_for(lambda call: call.method == "setWebhook", timeout=60)[0].params
        assert hook["url"] == public_url and hook["secret_token"] == WEBHOOK_SECRET
        bot.wait_for_line("Application started")

        # without the header, or with a wrong one: 403 and the update is not processed
        assert _post(local_url, telegram.message_update(intruders[0], QUESTION), None) == 403
        assert _post(local_url, telegram.message_update(intruders[1], QUESTION), "guess") == 403
        assert _post(local_url, telegram.message_update(allowed, QUESTION), WEBHOOK_SECRET) == 200
        assert_answered_once(telegram, [allowed], settle=1.0)
        assert all(telegram.messages_to(user["id"]) == [] for user in intruders)

        assert bot.stop() == 0
        assert telegram.calls_to("deleteWebhook")[-1].at > telegram.calls_to("setWebhook")[-1].at
        assert telegram.calls_to("getUpdates") == []  # no polling in webhook mode
    output = bot.output()
    assert_clean(output)
    assert WEBHOOK_SECRET not in output
    assert "webhook removed" in output


def test_a_file_download_goes_through_the_proxy(certificate, monkeypatch):
    """Downloads use the same request object, hence the same proxy, as API calls."""
    import asyncio

    from bot.telegram.network import Link, Proxy, ResilientRequest, RetryPolicy

    monkeypatch.setenv("SSL_CERT_FILE", certificate)
    telegram = FakeTelegram()
    telegram.files["documents/policy.pdf"] = b"%PDF-1.4 policy"

    async def download(server, proxy) -> bytes:
        link = Link(server.base_url, Proxy(proxy.url, "INVESTQA_PROXY"), RetryPolicy())
        request = ResilientRequest(link)
        await request.initialize()
        try:
            return await request.retrieve(f"https://127.0.0.1:{server.port}/file/bot{TOKEN}/documents/policy.pdf")
        finally:
            await request.shutdown()

    with HttpConnectProxy("investqa", PROXY_PASSWORD) as proxy, https_server(telegram, certificate) as server:
        assert asyncio.run(download(server, proxy)) == b"%PDF-1.4 policy"
        assert proxy.tunnels == [("127.0.0.1", server.port)]
