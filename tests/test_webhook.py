"""`bpu-bot serve`: the Telegram webhook endpoint and the health check, over real HTTP."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot.cli import open_service
from bot.server import SECRET_HEADER, TELEGRAM_PATH, serve
from tests.conftest import NOW
from tests.fake_telegram import FakeTelegram, text_body
from tests.net import free_port
from tests.telegram_users import Watched, telegram_settings

SECRET = "s3cret-for_tests"


@dataclass
class Server:
    url: str
    fake: FakeTelegram
    watched: Watched

    async def post(self, update: dict, secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url + TELEGRAM_PATH, json=update, headers=headers) as response,
        ):
            return response.status


@pytest.fixture
async def server(db_path: Path) -> AsyncIterator[Server]:
    fake = FakeTelegram()
    await fake.start()
    port = free_port()
    settings = telegram_settings(fake, db_path).model_copy(
        update={
            "host": "127.0.0.1",
            "port": port,
            "telegram_webhook_url": "https://bpu.example.org/",
            "telegram_webhook_secret": SecretStr(SECRET),
        }
    )
    stop = asyncio.Event()
    watched = Watched()
    async with open_service(settings, clock=lambda: NOW) as service:
        with watched.watching():
            task = asyncio.create_task(serve(settings, service, stop))
            while fake.webhook is None:  # registered once the server listens
                await asyncio.sleep(0.01)
                if task.done():
                    task.result()
            try:
                yield Server(f"http://127.0.0.1:{port}", fake, watched)
            finally:
                stop.set()
                await asyncio.wait_for(task, 10)
                await fake.stop()


async def test_the_webhook_is_registered_with_its_secret(server: Server) -> None:
    assert server.fake.webhook is not None
    assert server.fake.webhook["url"] == "https://bpu.example.org/telegram/webhook"
    assert server.fake.webhook["secret_token"] == SECRET
    assert set(server.fake.webhook["allowed_updates"]) == {
        "message",
        "edited_message",
        "callback_query",
    }


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_processed(
    server: Server, db_path: Path
) -> None:
    assert await server.post(server.fake.make_update(**text_body(601, "/start")), "wrong") == 403
    assert await server.post(server.fake.make_update(**text_body(601, "/start")), None) == 403
    await asyncio.sleep(0.2)
    assert server.fake.to(601) == []
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM inbound_messages").fetchone() == (0,)


async def test_updates_through_the_webhook_and_a_redelivery(server: Server, db_path: Path) -> None:
    start = server.fake.make_update(**text_body(602, "/start pasar-02"))
    assert await server.post(start) == 200
    await server.watched.wait("602", 1)
    assert "Apa pekerjaan Anda sehari-hari?" in server.fake.to(602)[-1].text
    choice = server.fake.make_update(**text_body(602, "petani"))
    assert await server.post(choice) == 200
    assert await server.post(choice) == 200  # Telegram retries a webhook it thinks failed
    await server.watched.wait("602", 3)
    texts = [s.text for s in server.fake.to(602)]
    assert sum("Perlindungan ini mulai" in t for t in texts) == 1
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT step, campaign FROM sessions").fetchone() == (
            "benefits",
            "pasar-02",
        )


async def test_bad_json_is_a_400(server: Server) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            server.url + TELEGRAM_PATH, data=b"{not json", headers={SECRET_HEADER: SECRET}
        ) as response,
    ):
        assert response.status == 400


async def test_health(server: Server) -> None:
    async with aiohttp.ClientSession() as http, http.get(server.url + "/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b"[]",
        b"42",
        b'"update"',
        b"[" * 100_000 + b"]" * 100_000,  # deeper than any JSON parser recurses
        b'{"update_id": "1"}',
        b'{"update_id": 1, "message": []}',
        b'{"update_id": 1, "callback_query": {"from": 5}}',
        b"\xff\xfe\x00",
    ],
)
async def test_junk_is_a_400_and_nothing_is_kept(
    server: Server, db_path: Path, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(server.url + TELEGRAM_PATH, data=body, headers={SECRET_HEADER: SECRET}) as r,
    ):
        assert r.status == 400
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM webhook_inbox").fetchone() == (0,)
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)
