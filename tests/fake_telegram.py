"""A fake Telegram Bot API server on 127.0.0.1 that enforces Telegram's limits.

It serves what python-telegram-bot calls (getMe, getUpdates, sendMessage, edits, callback
answers, commands, webhooks), records every call, and lets a test play users: send text, press a
button that is really on screen, share a contact, send a sticker. Errors can be injected per
method (429 flood limits, 403 blocked, 5xx).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 7000000001
BOT_USERNAME = "bpu_test_bot"


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class Sent:
    """A message the bot sent, as Telegram keeps it (edits change it in place)."""

    chat_id: int
    message_id: int
    text: str
    reply_markup: dict | None
    history: list[str] = field(default_factory=list)

    @property
    def buttons(self) -> list[dict]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def as_message(self) -> dict:
        message = {
            "message_id": self.message_id,
            "date": int(time.time()),
            "text": self.text,
            "chat": {"id": self.chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "BPU", "username": BOT_USERNAME},
        }
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            message["reply_markup"] = self.reply_markup
        return message


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self.calls: list[tuple[str, dict]] = []
        self.sent: list[Sent] = []
        self.answered_callbacks: list[str] = []
        self.commands: dict[str | None, list[dict]] = {}
        self.chat_commands: dict[int, list[dict]] = {}  # menus set for one chat
        self.webhook: dict | None = None
        self.files: list[dict] = []  # photos and documents the bot sent
        self.failures: dict[str, list[ApiError]] = {}
        self.sending = asyncio.Event()  # cleared: send* calls wait, as on a stalled network
        self.sending.set()
        self._updates: list[dict] = []
        self._new_update = asyncio.Event()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- server -----------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self._new_update.set()
        self.sending.set()  # let held requests finish, or cleanup waits for them
        if self._runner:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        if method.startswith("send"):
            await self.sending.wait()
        params = self._decode(dict(await request.post()))
        self.calls.append((method, params))
        try:
            if self.failures.get(method):
                raise self.failures[method].pop(0)
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
        except ApiError as error:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return web.json_response(body, status=error.code)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _decode(params: dict) -> dict:
        """python-telegram-bot sends nested objects as JSON strings in a form, files as parts."""
        decoded = {}
        for key, value in params.items():
            if isinstance(value, web.FileField):
                decoded[key] = {"filename": value.filename, "data": value.file.read()}
                continue
            try:
                decoded[key] = (
                    json.loads(value)
                    if key in ("reply_markup", "allowed_updates", "commands", "scope")
                    else value
                )
            except (TypeError, ValueError):
                decoded[key] = value
        return decoded

    # --- Bot API methods --------------------------------------------------------------------

    async def api_getMe(self, params: dict) -> dict:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "BPU",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def api_getUpdates(self, params: dict) -> list[dict]:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            wait = min(float(params.get("timeout") or 0), 0.5)  # short, so tests stop quickly
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), wait)
        return list(self._updates)

    async def api_sendMessage(self, params: dict) -> dict:
        chat_id = int(params["chat_id"])
        text = params.get("text", "")
        self._check_text(text)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        sent = Sent(chat_id, next(self._message_ids), text, markup)
        self.sent.append(sent)
        return sent.as_message()

    async def api_sendPhoto(self, params: dict) -> dict:
        return self._file("photo", params)

    async def api_sendDocument(self, params: dict) -> dict:
        return self._file("document", params)

    def _file(self, kind: str, params: dict) -> dict:
        upload = params.get(kind)
        if not isinstance(upload, dict) or not upload["data"]:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        if len(params.get("caption", "")) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        if kind == "photo" and len(upload["data"]) > 10 * 1024 * 1024:
            raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        chat_id = int(params["chat_id"])
        self.files.append({"kind": kind, "chat_id": chat_id, **upload})
        message = Sent(chat_id, next(self._message_ids), "", None).as_message()
        message.pop("text")
        message[kind] = (
            [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
            if kind == "photo"
            else {"file_id": "f", "file_unique_id": "u", "file_name": upload["filename"]}
        )
        return message

    async def api_editMessageText(self, params: dict) -> dict:
        sent = self._find(params)
        text, markup = params.get("text", ""), params.get("reply_markup")
        self._check_text(text)
        self._check_markup(markup)
        if text == sent.text and _inline(markup) == _inline(sent.reply_markup):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current "
                "content and reply markup of the message",
            )
        sent.history.append(sent.text)
        sent.text, sent.reply_markup = text, markup
        return sent.as_message()

    async def api_editMessageReplyMarkup(self, params: dict) -> dict:
        sent = self._find(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if _inline(markup) == _inline(sent.reply_markup):
            raise ApiError(400, "Bad Request: message is not modified")
        sent.reply_markup = markup
        return sent.as_message()

    async def api_answerCallbackQuery(self, params: dict) -> bool:
        if len(params.get("text", "")) > 200:
            raise ApiError(400, "Bad Request: text is too long")
        self.answered_callbacks.append(params["callback_query_id"])
        return True

    async def api_setMyCommands(self, params: dict) -> bool:
        commands = params["commands"]
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = params.get("scope") or {}
        if scope.get("type") == "chat":
            self.chat_commands[int(scope["chat_id"])] = commands
        else:
            self.commands[params.get("language_code")] = commands
        return True

    async def api_setWebhook(self, params: dict) -> bool:
        secret = params.get("secret_token", "")
        if secret and not re.fullmatch(r"[A-Za-z0-9_\-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = params
        return True

    async def api_deleteWebhook(self, params: dict) -> bool:
        self.webhook = None
        return True

    async def api_getWebhookInfo(self, params: dict) -> dict:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    # --- limits -----------------------------------------------------------------------------

    @staticmethod
    def _check_text(text: str) -> None:
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")

    @staticmethod
    def _check_markup(markup: dict | None) -> None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        for row in (markup or {}).get("keyboard", []):
            for button in row:
                if not (button.get("text") if isinstance(button, dict) else button):
                    raise ApiError(400, "Bad Request: keyboard button text is empty")

    def _find(self, params: dict) -> Sent:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        for sent in self.sent:
            if (sent.chat_id, sent.message_id) == (chat_id, message_id):
                return sent
        raise ApiError(400, "Bad Request: message to edit not found")

    # --- playing users ----------------------------------------------------------------------

    def push(self, update: dict) -> dict:
        """Queue an update for getUpdates; returns it (with its update_id)."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_update.set()
        return update

    def make_update(self, **body: Any) -> dict:
        """An update with a fresh id, not queued (for the webhook)."""
        return {"update_id": next(self._update_ids), **body}

    def to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]


def user_dict(user_id: int, first_name: str = "Siti") -> dict:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "id"}


def message_body(user_id: int, chat: dict | None = None, **content: Any) -> dict:
    return {
        "message": {
            "message_id": int(time.time() * 1000) % 10**9,
            "date": int(time.time()),
            "chat": chat or {"id": user_id, "type": "private", "first_name": "Siti"},
            "from": user_dict(user_id),
            **content,
        }
    }


def text_body(user_id: int, text: str, chat: dict | None = None) -> dict:
    entities = []
    if text.startswith("/"):
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return message_body(user_id, chat, text=text, **({"entities": entities} if entities else {}))


def _inline(markup: dict | None) -> list:
    return (markup or {}).get("inline_keyboard", [])
