"""Two small asyncio proxies on 127.0.0.1 for the proxy tests, each on its own thread:

- `HttpConnectProxy`: HTTP CONNECT tunnels (what clients use for https:// targets), with
  optional Basic authentication (407 without it);
- `Socks5Proxy`: SOCKS5 (RFC 1928) CONNECT with username/password auth (RFC 1929).

Both record the targets they opened tunnels to and refuse anything that is not loopback.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import socket
import struct
import threading


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _splice(client_r, client_w, upstream_r, upstream_w) -> None:
    await asyncio.gather(_pipe(client_r, upstream_w), _pipe(upstream_r, client_w))


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class _ThreadedProxy:
    def __init__(self, username: str | None = None, password: str | None = None):
        self.username = username
        self.password = password
        self.tunnels: list[tuple[str, int]] = []
        self.refused = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    def __enter__(self):
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(timeout=10)
        return self

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def __exit__(self, *exc) -> None:
        async def stop():
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _serve(self, reader, writer) -> None:
        try:
            await self.handle(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, OSError, ValueError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()


class HttpConnectProxy(_ThreadedProxy):
    @property
    def url(self) -> str:
        credentials = f"{self.username}:{self.password}@" if self.username else ""
        return f"http://{credentials}127.0.0.1:{self.port}"

    async def handle(self, reader, writer) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *header_lines = head.split("\r\n")
        verb, target, _ = request_line.split(" ", 2)
        headers = {name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in header_lines if h)}
        if self.username:
            expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            if headers.get("proxy-authorization") != f"Basic {expected}":
                self.refused += 1
                writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                return
        host, _, port = target.rpartition(":")
        if verb != "CONNECT" or not _loopback(host.strip("[]")):
            self.refused += 1
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return
        upstream_r, upstream_w = await asyncio.open_connection(host.strip("[]"), int(port))
        self.tunnels.append((host, int(port)))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await _splice(reader, writer, upstream_r, upstream_w)


class Socks5Proxy(_ThreadedProxy):
    @property
    def url(self) -> str:
        return f"socks5://{self.username}:{self.password}@127.0.0.1:{self.port}"

    async def handle(self, reader, writer) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        if version != 5 or 2 not in methods:  # we insist on username/password
            writer.write(b"\x05\xff")
            self.refused += 1
            return
        writer.write(b"\x05\x02")
        await writer.drain()
        _, user_length = await reader.readexactly(2)
        username = (await reader.readexactly(user_length)).decode()
        (password_length,) = await reader.readexactly(1)
        password = (await reader.readexactly(password_length)).decode()
        if (username, password) != (self.username, self.password):
            writer.write(b"\x01\x01")
            self.refused += 1
            return
        writer.write(b"\x01\x00")
        await writer.drain()
        _, command, _, address_type = await reader.readexactly(4)
        if address_type == 1:
            host = socket.inet_ntoa(await reader.readexactly(4))
        elif address_type == 3:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode()
        else:
            host = socket.inet_ntop(socket.AF_INET6, await reader.readexactly(16))
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != 1 or not _loopback(host):
            writer.write(b"\x05\x02\x00\x01" + bytes(6))  # connection not allowed by ruleset
            self.refused += 1
            return
        try:
            upstream_r, upstream_w = await asyncio.open_connection(host, port)
        except OSError:
            writer.write(b"\x05\x05\x00\x01" + bytes(6))  # connection refused
            return
        self.tunnels.append((host, port))
        writer.write(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack("!H", port))
        await writer.drain()
        await _splice(reader, writer, upstream_r, upstream_w)
