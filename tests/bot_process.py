"""The real `bpu-bot telegram` process, started against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.fake_telegram import FakeTelegram


async def start_bot(fake: FakeTelegram, db: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BPU_", "TELEGRAM_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "BPU_DB_PATH": str(db),
        "BPU_TELEGRAM_RATE_LIMIT": "false",
    }
    polls = sum(method == "getUpdates" for method, _ in fake.calls)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "telegram",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    for _ in range(2000):  # polling has started
        if sum(method == "getUpdates" for method, _ in fake.calls) > polls:
            return process
        if process.returncode is not None:
            raise AssertionError((await process.stderr.read()).decode()[-2000:])  # type: ignore[union-attr]
        await asyncio.sleep(0.01)
    raise AssertionError("the bot did not start polling")
