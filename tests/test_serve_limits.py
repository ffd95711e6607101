"""Slow and silent clients against the real `bpu-bot serve`, run with few file descriptors so
that running out of them would show at once: the server keeps answering, cuts the slow ones
after their deadline, and logs the episode in a few lines."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Literal

import aiohttp

from bot.channels.whatsapp import WEBHOOK_PATH
from bot.server import SECRET_HEADER, TELEGRAM_PATH
from tests.fake_telegram import text_body
from tests.serve_process import WEBHOOK_SECRET, ServeProcess, serve_process
from tests.whatsapp_users import WhatsAppUser, texts

Kind = Literal["silent", "headers", "body"]
OPEN_FILES = 256  # the connection limit becomes 64
LIMITS = {"BPU_HEADER_TIMEOUT": "2", "BPU_BODY_TIMEOUT": "2"}
CLOSED_WITHIN = 30.0  # seconds: far beyond the 2 s deadlines
TG_USER = 905


class SlowClient:
    """One connection that sends nothing, or its headers, or its body, a byte at a time."""

    def __init__(self, port: int, kind: Kind) -> None:
        self.port, self.kind = port, kind
        self.connected = self.closed_by_server = False

    def _request(self) -> tuple[bytes, bytes]:
        """What is sent at once, and what is then trickled."""
        if self.kind == "silent":
            return b"", b""
        if self.kind == "headers":
            return b"GET /healthz HTTP/1.1\r\n", b"X-Slow: " + b"a" * 400
        head = (
            f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
        )
        return head.encode(), b"{" + b" " * 4999

    async def run(self) -> None:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.port), 10
            )
        except (OSError, TimeoutError):
            return
        self.connected = True
        first, rest = self._request()
        trickle = asyncio.create_task(self._trickle(writer, first, rest))
        try:
            await asyncio.wait_for(self._until_closed(reader), CLOSED_WITHIN)
            self.closed_by_server = True
        except TimeoutError:
            pass
        finally:
            trickle.cancel()
            writer.close()

    @staticmethod
    async def _trickle(writer: asyncio.StreamWriter, first: bytes, rest: bytes) -> None:
        with contextlib.suppress(OSError):
            writer.write(first)
            for i in range(len(rest)):
                writer.write(rest[i : i + 1])
                await writer.drain()
                await asyncio.sleep(0.25)

    @staticmethod
    async def _until_closed(reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(OSError):
            while await reader.read(4096):
                pass  # an answer (408) may come first


def port_of(server: ServeProcess) -> int:
    return int(server.url.rsplit(":", 1)[1])


async def answered(server: ServeProcess) -> None:
    """/healthz, a Telegram update and a signed WhatsApp message are answered (retrying a
    refused connection), and the bot replies to both."""
    deadline = time.monotonic() + 20
    while True:
        try:
            timeout = aiohttp.ClientTimeout(total=3)
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.get(server.url + "/healthz") as r,
            ):
                assert r.status == 200
                break
        except (aiohttp.ClientError, TimeoutError):
            assert time.monotonic() < deadline, "/healthz never answered"
            await asyncio.sleep(0.2)
    update = server.fake.make_update(**text_body(TG_USER, "/start"))
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
        http.post(
            server.url + TELEGRAM_PATH, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}
        ) as r,
    ):
        assert r.status == 200
    user = WhatsAppUser(server, wa_id="6281355550001")  # type: ignore[arg-type]
    payload = user.payload({"type": "text", "text": {"body": "Halo"}}, timestamp=int(time.time()))
    assert await asyncio.wait_for(server.whatsapp(payload), 10) == 200
    for _ in range(1000):
        if server.fake.to(TG_USER) and "Apa pekerjaan" in texts(user.new()):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot did not reply on both channels")


async def slow_clients(server: ServeProcess, count: int) -> list[SlowClient]:
    """`count` slow clients, connecting 20 at a time: no faster than the server can accept, so
    that each connection the client sees as open is one the server has (the kernel's accept
    queue never overflows)."""
    kinds: list[Kind] = ["silent", "headers", "body"]
    clients = [SlowClient(port_of(server), kinds[i % 3]) for i in range(count)]
    running = []
    for start in range(0, count, 20):
        running += [asyncio.create_task(c.run()) for c in clients[start : start + 20]]
        await asyncio.sleep(0.05)
    await asyncio.gather(*running)
    return clients


async def test_slow_clients_are_cut_off_after_their_deadline(tmp_path: Path) -> None:
    async with serve_process(tmp_path, "INFO", OPEN_FILES, **LIMITS) as server:
        clients = await slow_clients(server, 30)  # fewer than the limit: only deadlines cut them
        assert all(c.connected for c in clients)
        assert [c.kind for c in clients if not c.closed_by_server] == []
        await answered(server)
        log = server.log_text()
        assert "no complete request within 2s" in log
        assert "request body not received within 2s" in log


async def test_a_flood_of_slow_connections_does_not_take_the_server_down(tmp_path: Path) -> None:
    async with serve_process(tmp_path, "INFO", OPEN_FILES, **LIMITS) as server:
        logged_before = server.log.stat().st_size
        flood = asyncio.create_task(slow_clients(server, 300))
        await asyncio.sleep(1)  # the flood is on
        await answered(server)
        clients = await flood
        assert [c.kind for c in clients if c.connected and not c.closed_by_server] == []
        await answered(server)  # and still after it
        assert server.process.returncode is None
        episode = server.log.read_bytes()[logged_before:].decode(errors="replace")
        assert len(episode) < 4000, episode[:4000]
        assert "connection(s) closed" in episode  # the condition is logged, in a few lines


async def bad_request(port: int, request: bytes) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await asyncio.wait_for(reader.read(), 10)  # answered, then closed
    finally:
        writer.close()


async def test_a_flood_of_bad_requests_is_logged_in_a_few_lines(tmp_path: Path) -> None:
    async with serve_process(tmp_path, "INFO") as server:
        logged_before = server.log.stat().st_size
        port = port_of(server)
        too_long = b"GET /healthz HTTP/1.1\r\nX-Long: " + b"a" * 10000 + b"\r\n\r\n"
        forged = (
            f"POST {TELEGRAM_PATH} HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: wrong\r\n"
            "Content-Length: 2\r\nConnection: close\r\n\r\n{}"
        ).encode()
        for request in [too_long] * 60 + [forged] * 60:
            await bad_request(port, request)
        await answered(server)
        episode = server.log.read_bytes()[logged_before:].decode(errors="replace")
    assert 0 < episode.count("Error handling request") <= 10
    assert 0 < episode.count("without the right secret") <= 10
