"""A small fake of the Telegram Bot API, shared by the in-process request and the HTTP server.

It keeps the updates users "send", answers the Bot API methods PTB calls with canned JSON,
records every call, and checks messages the way Telegram does: HTML parse mode must be
valid (known tags, well nested, `<`, `>`, `&` escaped) and at most 4096 characters after
entity parsing. Failures can be injected (429, 5xx, 403, "message is not modified").
"""
from __future__ import annotations

import html
import itertools
import re
import threading
import time
from dataclasses import dataclass, field

BOT_USER = {
    "id": 900000001,
    "is_bot": True,
    "first_name": "InvestQA",
    "username": "investqa_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
TOKEN = "123456789:AAF-fake-token-for-tests-only_xyz"

_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                 "span", "blockquote", "tg-emoji"}
_TOKEN = re.compile(r"<(/?)([a-zA-Z-]+)(\s[^<>]*)?>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]")


class BadRequest(Exception):
    pass


def parse_html(text: str) -> str:
    """The plain text of a Telegram HTML message; raises BadRequest like Telegram does."""
    stack: list[str] = []
    plain = []
    position = 0
    for match in _TOKEN.finditer(text):
        plain.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if match.group(2):
            name = match.group(2).lower()
            if name not in _ALLOWED_TAGS:
                raise BadRequest(f"Bad Request: can't parse entities: unsupported start tag \"{name}\"")
            if match.group(1):
                if not stack or stack[-1] != name:
                    raise BadRequest(f"Bad Request: can't parse entities: unexpected end tag \"{name}\"")
                stack.pop()
            else:
                stack.append(name)
        elif match.group(4):
            plain.append(html.unescape(token))
        else:
            raise BadRequest(f"Bad Request: can't parse entities: unescaped {token!r} at offset {match.start()}")
    plain.append(text[position:])
    if stack:
        raise BadRequest(f"Bad Request: can't parse entities: can't find end tag corresponding to \"{stack[-1]}\"")
    return "".join(plain)


def utf16_length(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


@dataclass
class Call:
    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)
    status: int | None = None  # the HTTP status answered (None while being handled)


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None = None


class FakeTelegram:
    def __init__(self, bot_user: dict | None = None):
        self.bot_user = dict(bot_user or BOT_USER)
        self.calls: list[Call] = []
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        self._changed = threading.Condition()
        self._failures: list[Failure] = []
        self.outage: Failure | None = None  # while set, every call fails this way
        self.closed = False
        self.files: dict[str, bytes] = {}  # file_path -> content, served at /file/bot<token>/<file_path>
        self._file_paths: dict[str, str] = {}  # file_id -> file_path

    # --- test side: what users do ------------------------------------------------------

    @staticmethod
    def user(user_id: int, language_code: str | None = "zh-hans", first_name: str = "Tester") -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    @staticmethod
    def private_chat(user: dict) -> dict:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    @staticmethod
    def group_chat(chat_id: int = -100123) -> dict:
        return {"id": chat_id, "type": "supergroup", "title": "Test group"}

    def message_update(
        self, user: dict, text: str, chat: dict | None = None, reply_to: dict | None = None
    ) -> dict:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat or self.private_chat(user),
            "from": user,
            "text": text,
        }
        entities = []
        command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
        if command:
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_length(command.group(0))})
        for mention in re.finditer(r"@[A-Za-z0-9_]{5,}", text):
            if command and mention.start() < command.end():
                continue
            offset = utf16_length(text[: mention.start()])
            entities.append({"type": "mention", "offset": offset, "length": utf16_length(mention.group(0))})
        if entities:
            message["entities"] = entities
        if reply_to:
            message["reply_to_message"] = reply_to
        return self._push({"message": message})

    def document_update(self, user: dict, file_name: str, content: bytes, mime_type: str = "application/octet-stream",
                        chat: dict | None = None, file_size: int | None = None) -> dict:
        """A user sends a file; getFile and the file endpoint then serve `content`."""
        number = next(self._message_ids)
        file_id = f"file-{number}"
        with self._changed:
            self._file_paths[file_id] = f"documents/file_{number}"
            self.files[f"documents/file_{number}"] = content
        message = {
            "message_id": number,
            "date": int(time.time()),
            "chat": chat or self.private_chat(user),
            "from": user,
            "document": {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
                         "mime_type": mime_type, "file_size": len(content) if file_size is None else file_size},
        }
        return self._push({"message": message})

    def file_content(self, file_path: str) -> bytes | None:
        with self._changed:
            self.calls.append(Call("downloadFile", {"file_path": file_path}))
            self._changed.notify_all()
            return self.files.get(file_path)

    def press(self, user: dict, message: dict, data: str) -> dict:
        query = {
            "id": str(next(self._query_ids)),
            "from": user,
            "chat_instance": "42",
            "message": message,
            "data": data,
        }
        return self._push({"callback_query": query})

    def inline_query(self, user: dict, query: str) -> dict:
        inline = {"id": f"iq{next(self._query_ids)}", "from": user, "query": query, "offset": ""}
        return self._push({"inline_query": inline})

    def fail_next(self, method: str, status: int, description: str, retry_after: int | None = None) -> None:
        with self._changed:
            self._failures.append(Failure(method, status, description, retry_after))

    def fail_all(self, status: int, description: str) -> None:
        """Every call fails with `status` until `recover()` (a stretch of 5xx, say)."""
        with self._changed:
            self.outage = Failure("*", status, description)

    def recover(self) -> None:
        with self._changed:
            self.outage = None

    def _push(self, update: dict) -> dict:
        with self._changed:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._changed.notify_all()
        return update

    # --- test side: what the bot did ---------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, predicate, timeout: float = 30.0, count: int = 1) -> list[Call]:
        """Calls matching `predicate` once at least `count` of them exist (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matching = [call for call in self.calls if predicate(call)]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(call.method, str(call.params)[:200]) for call in self.calls[-10:]]
                    raise AssertionError(f"timed out waiting for {count} matching calls; last calls: {seen}")
                self._changed.wait(min(remaining, 0.5))

    def messages_to(self, chat_id: int) -> list[Call]:
        return [call for call in self.calls_to("sendMessage") if call.params.get("chat_id") == chat_id]

    def delivered_to(self, chat_id: int) -> list[Call]:
        """The messages to `chat_id` that Telegram accepted (not the failed attempts)."""
        return [call for call in self.messages_to(chat_id) if call.status == 200]

    # --- bot side: the Bot API ---------------------------------------------------------

    def handle(self, method: str, params: dict) -> tuple[int, dict]:
        """(HTTP status, JSON body) for one Bot API call."""
        call = Call(method, params)
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        status, body = self._answer(call)
        with self._changed:
            call.status = status
            self._changed.notify_all()
        return status, body

    def _answer(self, call: Call) -> tuple[int, dict]:
        method, params = call.method, call.params
        with self._changed:
            failure = self.outage or next((f for f in self._failures if f.method == method), None)
            if failure and failure is not self.outage:
                self._failures.remove(failure)
        if failure:
            body = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, body
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        try:
            return 200, {"ok": True, "result": handler(params)}
        except BadRequest as error:
            return 400, {"ok": False, "error_code": 400, "description": str(error)}

    def _api_getMe(self, params):
        return self.bot_user

    def _api_deleteWebhook(self, params):
        return True

    def _api_setWebhook(self, params):
        if not str(params.get("url", "")).startswith("https://"):
            raise BadRequest("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        return True

    def _api_getUpdates(self, params):
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 5.0)  # keep long polls short in tests
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if offset:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or self.closed:
                    return self._updates[:limit]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._changed.wait(remaining)

    def _check_text(self, params, key="text"):
        text = params.get(key, "")
        plain = parse_html(text) if params.get("parse_mode") == "HTML" else text
        if not plain.strip():
            raise BadRequest("Bad Request: message text is empty")
        if utf16_length(plain) > 4096:
            raise BadRequest("Bad Request: message is too long")

    def _api_sendMessage(self, params):
        self._check_text(params)
        chat_id = params["chat_id"]
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if int(chat_id) > 0 else "supergroup", "title": "chat"},
            "from": self.bot_user,
            "text": parse_html(params["text"]) if params.get("parse_mode") == "HTML" else params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _api_editMessageText(self, params):
        self._check_text(params)
        return True

    def _api_getFile(self, params):
        file_path = self._file_paths.get(params.get("file_id"))
        if file_path is None:
            raise BadRequest("Bad Request: invalid file_id")
        return {"file_id": params["file_id"], "file_unique_id": "u" + params["file_id"],
                "file_size": len(self.files[file_path]), "file_path": file_path}

    def edits_of(self, chat_id: int) -> list[str]:
        return [call.params["text"] for call in self.calls_to("editMessageText") if call.params.get("chat_id") == chat_id]

    def _api_answerCallbackQuery(self, params):
        return True

    def _api_sendChatAction(self, params):
        return True

    def _api_setMyCommands(self, params):
        return True

    def _api_getMyCommands(self, params):
        return []

    def _api_answerInlineQuery(self, params):
        results = params.get("results") or []
        if len(results) > 50:
            raise BadRequest("Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            content = result.get("input_message_content") or {}
            if content:
                self._check_text({"text": content.get("message_text", ""), "parse_mode": content.get("parse_mode")})
        return True

    def _api_close(self, params):
        return True

    def _api_logOut(self, params):
        return True
