"""Two ways to put `FakeTelegram` behind python-telegram-bot:

- `FakeRequest`: a `telegram.request.BaseRequest` that calls it in-process (no sockets),
  for fast handler tests;
- `FakeBotApiServer`: a real HTTP server on 127.0.0.1 (random free port, or a given one to
  restart it after an outage; HTTPS with a given SSL context) for the end-to-end tests of the
  `investqa telegram` process (TELEGRAM_API_BASE_URL=server.base_url). `stop()` is an outage:
  the port closes and connections in flight are cut without an answer.
"""
from __future__ import annotations

import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote

from telegram.request import BaseRequest, RequestData

from fake_telegram import TOKEN, FakeTelegram

FILE_PREFIX = f"/file/bot{TOKEN}/"

# String parameters PTB sends as they are; every other value is JSON-encoded.
_PLAIN_STRINGS = {"text", "query", "parse_mode", "action", "callback_query_id", "inline_query_id", "caption",
                  "language_code", "description", "url", "switch_pm_text", "next_offset", "secret_token"}


def decode_parameters(raw: dict[str, str]) -> dict:
    params = {}
    for name, value in raw.items():
        if name in _PLAIN_STRINGS:
            params[name] = value
            continue
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params


def _method_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


class FakeRequest(BaseRequest):
    def __init__(self, telegram: FakeTelegram):
        self.telegram = telegram
        self.urls: list[str] = []

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url, method, request_data: RequestData | None = None, **timeouts):
        self.urls.append(url)
        if FILE_PREFIX in unquote(url):
            content = self.telegram.file_content(unquote(url).split(FILE_PREFIX, 1)[1])
            return (404, b"Not Found") if content is None else (200, content)
        params = decode_parameters(request_data.json_parameters if request_data else {})
        status, body = self.telegram.handle(_method_of(url), params)
        return status, json.dumps(body).encode()


class _Handler(BaseHTTPRequestHandler):
    server: "FakeBotApiServer"

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections.add(self.connection)

    def finish(self):
        with self.server.lock:
            self.server.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        path = unquote(self.path)  # httpx sends the token's ":" as %3A
        if not path.startswith(FILE_PREFIX):
            return self.do_POST()
        content = self.server.telegram.file_content(path[len(FILE_PREFIX):])
        self.server.paths.append(self.path)
        try:
            self.send_response(200 if content is not None else 404)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(content or b"")))
            self.end_headers()
            self.wfile.write(content or b"")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self):  # noqa: N802 - http.server's naming
        if self.server.down:
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            params = json.loads(body or "{}")
        else:
            params = decode_parameters(dict(parse_qsl(body, keep_blank_values=True)))
        self.server.paths.append(self.path)
        status, answer = self.server.telegram.handle(_method_of(self.path), params)
        payload = json.dumps(answer).encode()
        if self.server.down:  # cut during an outage: the answer never leaves
            self.close_connection = True
            return
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the bot went away mid long poll (it was stopped), or the connection was cut

    def log_message(self, format, *args):  # keep test output quiet
        pass


class FakeBotApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, telegram: FakeTelegram, port: int = 0, ssl_context: ssl.SSLContext | None = None):
        super().__init__(("127.0.0.1", port), _Handler)
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True)
        self.scheme = "https" if ssl_context is not None else "http"
        self.telegram = telegram
        self.paths: list[str] = []
        self.down = False
        self.lock = threading.Lock()
        self.connections: set[socket.socket] = set()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/bot"

    def stop(self) -> None:
        """An outage: stop accepting, cut every open connection; the updates stay queued."""
        self.down = True
        self.shutdown()
        self.server_close()
        with self.lock:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=10)

    def handle_error(self, request, client_address):  # a cut connection is expected here, not news
        pass

    def __enter__(self) -> "FakeBotApiServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.down:
            return
        with self.telegram._changed:
            self.telegram.closed = True
            self.telegram._changed.notify_all()
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=10)
