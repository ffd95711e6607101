"""One process polls a Telegram bot at a time (issue 15): two would take each other's updates
(Telegram answers the older one 409 Conflict). A second `bpu-bot telegram` on the same database
is refused with a clear message, and the first goes on; one that died is replaced at once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.bot_process import start_bot
from tests.fake_telegram import FakeTelegram, text_body


async def second_bot(fake: FakeTelegram, db: Path) -> tuple[int, str]:
    """Another `bpu-bot telegram` on the same bot and database: its exit status and stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BPU_", "TELEGRAM_"))}
    env |= {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url, "BPU_DB_PATH": str(db)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "telegram", env=env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, err.decode()


async def test_a_second_poller_is_refused_and_a_dead_ones_place_is_taken(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db = tmp_path / "bpu.sqlite3"
    first = await start_bot(fake, db)
    try:
        status, err = await second_bot(fake, db)
        assert status == 1, err
        assert "bpu-bot: another bpu-bot already polls this Telegram bot" in err
        assert "Traceback" not in err
        fake.push(text_body(501, "/start"))  # the first still answers
        for _ in range(500):
            if fake.to(501):
                break
            await asyncio.sleep(0.01)
        assert fake.to(501), "the first poller stopped"
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    replacement = await start_bot(fake, db)  # its pid is gone: taken over at once
    replacement.send_signal(signal.SIGTERM)
    assert await replacement.wait() == 0


def test_without_a_token_polling_says_what_is_missing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BPU_", "TELEGRAM_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "telegram", "--db", str(tmp_path / "bpu.sqlite3")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
