"""A fake WhatsApp Cloud API (Graph API) on 127.0.0.1 that enforces WhatsApp's message limits.

It records every message sent and every media upload, and answers errors the way Meta does
(an `error` object with a code). Errors can be injected per call.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Any

from aiohttp import web

VERSION = "v23.0"
PHONE_NUMBER_ID = "106540352242922"
TOKEN = "EAAG-test-token"


class GraphFailure(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class FakeGraph:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.failures: list[GraphFailure] = []
        # WhatsApp's 24-hour window: to these only a template goes (error 131047 otherwise)
        self.outside_window: set[str] = set()
        # approved templates: (name, language) -> how many body parameters
        self.templates: dict[tuple[str, str], int] = {
            ("bpu_hasil_diterima", "id"): 3,
            ("bpu_hasil_ditolak", "id"): 3,
            ("bpu_hasil_diterima_untuk", "id"): 4,
            ("bpu_hasil_ditolak_untuk", "id"): 4,
            ("bpu_hasil_diterima_sponsor", "id"): 4,
            ("bpu_hasil_diterima_sponsor_untuk", "id"): 5,
            ("bpu_pengingat_iuran", "id"): 3,
            ("bpu_pengingat_terakhir", "id"): 5,
            ("bpu_pengingat_iuran_untuk", "id"): 4,
            ("bpu_pengingat_terakhir_untuk", "id"): 6,
        }
        self.sending = asyncio.Event()  # cleared: sends wait, as on a stalled network
        self.sending.set()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post(f"/{VERSION}/{{phone}}/messages", self._messages)
        app.router.add_post(f"/{VERSION}/{{phone}}/media", self._media)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/{VERSION}"
        return self.url

    async def stop(self) -> None:
        self.sending.set()  # let held requests finish, or cleanup waits for them
        if self._runner:
            await self._runner.cleanup()

    def to(self, address: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if address in (m.get("to"), m.get("recipient"))]

    # --- endpoints ----------------------------------------------------------------------------

    def _check_caller(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise GraphFailure(401, 190, "Invalid OAuth access token")
        if request.match_info["phone"] != PHONE_NUMBER_ID:
            raise GraphFailure(400, 100, "Unsupported post request: unknown phone number id")
        if self.failures:
            raise self.failures.pop(0)

    async def _messages(self, request: web.Request) -> web.Response:
        await self.sending.wait()
        try:
            self._check_caller(request)
            message = await request.json()
            self._validate(message)
        except GraphFailure as failure:
            return _error(failure)
        wamid = f"wamid.OUT{next(self._ids)}"
        self.sent.append(message | {"id": wamid})
        contact = {"input": message.get("to") or message.get("recipient")}
        contact |= (
            {"wa_id": message["to"]} if message.get("to") else {"user_id": message["recipient"]}
        )
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}
        )

    async def _media(self, request: web.Request) -> web.Response:
        try:
            self._check_caller(request)
            form = await request.post()
            upload = form.get("file")
            if form.get("messaging_product") != "whatsapp" or not isinstance(upload, web.FileField):
                raise GraphFailure(400, 100, "Invalid parameter: file")
        except GraphFailure as failure:
            return _error(failure)
        media_id = f"media{next(self._ids)}"
        self.media[media_id] = {
            "type": form.get("type"),
            "filename": upload.filename,
            "data": upload.file.read(),
        }
        return web.json_response({"id": media_id})

    # --- WhatsApp's limits --------------------------------------------------------------------

    def _validate(self, message: dict[str, Any]) -> None:
        def require(condition: bool, what: str) -> None:
            if not condition:
                raise GraphFailure(400, 100, f"(#100) Invalid parameter: {what}")

        require(message.get("messaging_product") == "whatsapp", "messaging_product")
        require(bool(message.get("to") or message.get("recipient")), "to")
        kind = message.get("type")
        if kind == "text":
            body = message["text"]["body"]
            require(0 < len(body) <= 4096, "text.body length")
        elif kind == "interactive":
            interactive = message["interactive"]
            body = interactive["body"]["text"]
            require(0 < len(body) <= 1024, "interactive body length")
            action = interactive["action"]
            if interactive["type"] == "button":
                buttons = [b["reply"] for b in action["buttons"]]
                require(1 <= len(buttons) <= 3, "number of buttons")
                require(all(0 < len(b["title"]) <= 20 for b in buttons), "button title length")
                require(all(0 < len(b["id"]) <= 256 for b in buttons), "button id length")
                require(len({b["id"] for b in buttons}) == len(buttons), "duplicate button id")
                require(
                    len({b["title"] for b in buttons}) == len(buttons), "duplicate button title"
                )
            elif interactive["type"] == "list":
                require(0 < len(action["button"]) <= 20, "list button length")
                rows = [row for section in action["sections"] for row in section["rows"]]
                require(1 <= len(rows) <= 10, "number of rows")
                require(all(0 < len(r["title"]) <= 24 for r in rows), "row title length")
                require(
                    all(len(r.get("description", "")) <= 72 for r in rows), "row description length"
                )
                require(all(0 < len(r["id"]) <= 200 for r in rows), "row id length")
                require(len({r["id"] for r in rows}) == len(rows), "duplicate row id")
            else:
                require(False, "interactive type")
        elif kind in ("image", "document"):
            require(message[kind].get("id") in self.media, f"{kind}.id")
        elif kind == "template":
            template = message["template"]
            known = self.templates.get((template["name"], template["language"]["code"]))
            if known is None:
                raise GraphFailure(404, 132001, "Template name does not exist in the translation")
            [body] = [c for c in template.get("components", []) if c["type"] == "body"] or [{}]
            given = body.get("parameters", [])
            require(len(given) == known, "number of template parameters")
            require(all(p["type"] == "text" and p["text"].strip() for p in given), "parameter")
            # as Meta: no line break, tab or more than four spaces in a row (error 132018)
            for p in given:
                if re.search(r"[\n\t]| {5,}", p["text"]):
                    raise GraphFailure(400, 132018, "Parameter has new-line/tab or 4+ spaces")
        else:
            require(False, "type")
        address = message.get("to") or message.get("recipient")
        if kind != "template" and address in self.outside_window:
            raise GraphFailure(
                400, 131047, "Re-engagement message: more than 24 hours since the last reply"
            )


def _error(failure: GraphFailure) -> web.Response:
    return web.json_response(
        {
            "error": {
                "message": failure.message,
                "type": "OAuthException",
                "code": failure.code,
                "fbtrace_id": "test",
            }
        },
        status=failure.status,
    )
