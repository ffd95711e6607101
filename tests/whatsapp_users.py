"""Workers on WhatsApp: signed webhook posts shaped like Meta's, against the real server."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.channels.inbox_tasks import InboxTasks
from bot.channels.whatsapp import CHANNEL, SIGNATURE_HEADER, WEBHOOK_PATH, by_message
from bot.cli import open_service
from bot.server import serve
from bot.settings import Settings
from tests.completions import Completions
from tests.conftest import NOW
from tests.fake_graph import PHONE_NUMBER_ID, TOKEN, FakeGraph
from tests.net import free_port

APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-me"
_wamids = itertools.count(1)


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook(value: dict[str, Any]) -> dict[str, Any]:
    """Meta's envelope around one `messages` change."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100001111", "phone_number_id": PHONE_NUMBER_ID},
    } | value
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }


class Processed(Completions):
    """Webhook bodies the WhatsApp channel has finished with (all counted under "")."""

    def __init__(self) -> None:
        super().__init__(
            InboxTasks, "_work", lambda tasks, claimed: "" if tasks.channel == CHANNEL else "other"
        )


def whatsapp_settings(graph: FakeGraph, db_path: Path, port: int) -> Settings:
    return Settings(
        _env_file=None,
        db_path=db_path,
        host="127.0.0.1",
        port=port,
        whatsapp_access_token=SecretStr(TOKEN),
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_app_secret=SecretStr(APP_SECRET),
        whatsapp_verify_token=SecretStr(VERIFY_TOKEN),
        whatsapp_api_url=graph.url,
        whatsapp_number="6281100001111",
    )


class Server:
    def __init__(self, url: str, graph: FakeGraph, processed: Processed) -> None:
        self.url, self.graph, self.processed = url, graph, processed
        self.posted = 0

    async def post(
        self, payload: dict[str, Any], signature: str | None = "sign", wait: bool = True
    ) -> int:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers[SIGNATURE_HEADER] = sign(body)
        elif signature is not None:
            headers[SIGNATURE_HEADER] = signature
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url + WEBHOOK_PATH, data=body, headers=headers) as response,
        ):
            status = response.status
        if status == 200:
            self.posted += len(by_message(payload))  # kept as one body per message
            if wait:
                await self.processed.wait("", self.posted)
        return status


@contextlib.asynccontextmanager
async def whatsapp_server(
    db_path: Path, graph: FakeGraph | None = None, **more: object
) -> AsyncIterator[Server]:
    """`serve` with only WhatsApp set up, against a fake Graph API."""
    graph = graph or FakeGraph()
    if not graph.url:
        await graph.start()
    port = free_port()
    settings = whatsapp_settings(graph, db_path, port).model_copy(update=more)
    processed = Processed()
    stop = asyncio.Event()
    async with open_service(settings, clock=lambda: NOW) as service:
        with processed.watching():
            task = asyncio.create_task(serve(settings, service, stop))
            url = f"http://127.0.0.1:{port}"
            for _ in range(500):
                with contextlib.suppress(aiohttp.ClientError):
                    async with aiohttp.ClientSession() as http, http.get(url + "/healthz") as r:
                        if r.status == 200:
                            break
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
            try:
                yield Server(url, graph, processed)
            finally:
                stop.set()
                await asyncio.wait_for(task, 10)


class WhatsAppUser:
    """A worker writing from `wa_id` (digits, no +), optionally with a business-scoped id."""

    def __init__(
        self,
        server: Server,
        wa_id: str | None = "6281234567890",
        user_id: str | None = None,
        name: str = "Siti",
    ) -> None:
        self.server, self.wa_id, self.user_id, self.name = server, wa_id, user_id, name
        self.read = 0

    @property
    def address(self) -> str:
        assert self.wa_id or self.user_id
        return self.wa_id or self.user_id  # type: ignore[return-value]

    def payload(
        self, message: dict[str, Any], timestamp: int | None = None, wamid: str | None = None
    ) -> dict[str, Any]:
        contact: dict[str, Any] = {"profile": {"name": self.name}}
        if self.wa_id:
            contact["wa_id"] = self.wa_id
        if self.user_id:
            contact["user_id"] = self.user_id
        message = {
            "id": wamid or f"wamid.IN{next(_wamids)}",
            "timestamp": str(timestamp or int(NOW.timestamp())),
        } | message
        if self.wa_id:
            message["from"] = self.wa_id
        if self.user_id:
            message["from_user_id"] = self.user_id
        return webhook({"contacts": [contact], "messages": [message]})

    async def _turn(self, message: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
        assert await self.server.post(self.payload(message, **kwargs)) == 200
        return self.new()

    def new(self) -> list[dict[str, Any]]:
        sent = self.server.graph.to(self.address)
        fresh = sent[self.read :]
        self.read = len(sent)
        return fresh

    async def send(self, text: str, **kwargs: Any) -> list[dict[str, Any]]:
        return await self._turn({"type": "text", "text": {"body": text}}, **kwargs)

    def on_screen(self) -> dict[str, Any]:
        """The latest interactive message to this worker."""
        interactive = [m for m in self.server.graph.to(self.address) if m["type"] == "interactive"]
        assert interactive, "no buttons or list on screen"
        return interactive[-1]["interactive"]

    async def press(self, title: str) -> list[dict[str, Any]]:
        """Tap a reply button or pick a list row by its title, as shown."""
        shown = self.on_screen()
        if shown["type"] == "button":
            choices = [b["reply"] for b in shown["action"]["buttons"]]
            kind = "button_reply"
        else:
            choices = [r for s in shown["action"]["sections"] for r in s["rows"]]
            kind = "list_reply"
        chosen = next((c for c in choices if c["title"] == title), None)
        assert chosen, f"no {title!r} in {[c['title'] for c in choices]}"
        return await self._turn(
            {
                "type": "interactive",
                "interactive": {"type": kind, kind: {"id": chosen["id"], "title": chosen["title"]}},
            }
        )

    async def media(self, kind: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        return await self._turn({"type": kind, kind: body})


def texts(sent: list[dict[str, Any]]) -> str:
    """What the worker reads in these messages."""
    out = []
    for message in sent:
        if message["type"] == "text":
            out.append(message["text"]["body"])
        elif message["type"] == "interactive":
            out.append(message["interactive"]["body"]["text"])
    return "\n\n".join(out)
