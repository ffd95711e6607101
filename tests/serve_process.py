"""The real `bpu-bot serve` process with Telegram (webhook) and WhatsApp set up, against the
fake Bot API and the fake Graph API, its log written to a file the test can read."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot.channels.whatsapp import SIGNATURE_HEADER, WEBHOOK_PATH
from bot.server import SECRET_HEADER, TELEGRAM_PATH
from tests.fake_graph import PHONE_NUMBER_ID, TOKEN, FakeGraph
from tests.fake_telegram import FakeTelegram
from tests.net import free_port
from tests.whatsapp_users import sign

WEBHOOK_SECRET = "tgHookSecret-8c1f0e77d2"
APP_SECRET = "meta-app-secret-5b9a3c"
VERIFY_TOKEN = "wa-verify-token-4d7e21"


@dataclass
class ServeProcess:
    url: str
    process: asyncio.subprocess.Process
    log: Path
    fake: FakeTelegram
    graph: FakeGraph

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    async def telegram(self, update: dict, secret: str = WEBHOOK_SECRET) -> int:
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url + TELEGRAM_PATH, json=update, headers={SECRET_HEADER: secret}) as r,
        ):
            return r.status

    async def whatsapp(self, payload: dict[str, Any]) -> int:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, APP_SECRET)}
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url + WEBHOOK_PATH, data=body, headers=headers) as r,
        ):
            return r.status


def _limit_files(count: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child, before exec
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, count))

    return apply


async def _ready(url: str, fake: FakeTelegram, process: asyncio.subprocess.Process) -> None:
    for _ in range(1500):
        if process.returncode is not None:
            raise AssertionError(f"serve exited with {process.returncode}")
        with contextlib.suppress(aiohttp.ClientError):
            async with aiohttp.ClientSession() as http, http.get(url + "/healthz") as r:
                if r.status == 200 and fake.webhook is not None:
                    return
        await asyncio.sleep(0.02)
    raise AssertionError("serve did not start")


@contextlib.asynccontextmanager
async def serve_process(
    tmp_path: Path,
    level: str = "INFO",
    open_files: int | None = None,
    stalled: bool = False,
    **env: str,
) -> AsyncIterator[ServeProcess]:
    """`python -m bot serve` at this log level, optionally with at most `open_files` files, or
    with Telegram taking no message from the start (`stalled`)."""
    fake, graph = FakeTelegram(), FakeGraph()
    await fake.start()
    await graph.start()
    if stalled:
        fake.sending.clear()
    try:
        env = {"BPU_DB_PATH": str(tmp_path / "serve.sqlite3"), **env}
        async with serving(tmp_path, fake, graph, level, open_files, **env) as server:
            yield server
    finally:
        await fake.stop()
        await graph.stop()


@contextlib.asynccontextmanager
async def serving(
    folder: Path,
    fake: FakeTelegram,
    graph: FakeGraph,
    level: str = "INFO",
    open_files: int | None = None,
    **env: str,
) -> AsyncIterator[ServeProcess]:
    """One `python -m bot serve` in `folder` (its log: serve.log there), on fakes that several
    such processes may share; `env` adds settings (the database: BPU_DB_PATH or
    BPU_DATABASE_URL)."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BPU_", "TELEGRAM_"))}
    clean = {k: v for k, v in clean.items() if not k.startswith("WHATSAPP_")}
    settings = {
        "BPU_HOST": "127.0.0.1",
        "BPU_PORT": str(port),
        "BPU_LOG_LEVEL": level,
        "BPU_TELEGRAM_RATE_LIMIT": "false",
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "TELEGRAM_WEBHOOK_URL": "https://bpu.example.org",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_API_URL": graph.url,
    }
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "serve.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            env=clean | settings | env,
            cwd=folder,  # no .env file from the checkout
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=_limit_files(open_files) if open_files else None,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        await _ready(url, fake, process)
        yield ServeProcess(url, process, log, fake, graph)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
