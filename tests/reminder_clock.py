"""Payment reminders on a simulated clock: each tick does what the running bot does
(bot/channels/outbox.py run_outbox): queue the reminders due, and in the daytime send what is
due, at the bot's own pace.

    python -m tests.reminder_clock DB PROGRESS END_ISO STEP_HOURS

runs the clock as a process of its own, sending through the real Telegram client to the API at
TELEGRAM_API_URL, and writes each tick it completed to PROGRESS; started again, it goes on from
there, as a restarted bot goes on from the time it is (tests/test_reminders.py kills it).
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.channels.messenger import messenger
from bot.channels.outbox import daytime, send_due
from bot.channels.reminders import plan_reminders
from bot.settings import Settings
from bot.staff.console import Tell
from conversations import Rules, default_rules
from storage import Database

ZONE = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # midnight in Jakarta, 25 November 2026


async def tick(db: Database, tell: Tell, rules: Rules, now: datetime) -> None:
    await plan_reminders(db, rules, now, ZONE)
    if daytime(now, ZONE):
        while await send_due(db, tell, lambda: now):
            pass


async def run(db_path: Path, progress: Path, end: datetime, step: timedelta) -> None:
    now = datetime.fromisoformat(progress.read_text()) + step if progress.exists() else START
    db = await Database.open(db_path)
    settings = Settings(
        telegram_bot_token=os.environ["TELEGRAM_BOT_TOKEN"],
        telegram_api_url=os.environ["TELEGRAM_API_URL"],
    )
    try:
        async with messenger(settings, db, lambda: now) as tell:
            while now < end:
                await tick(db, tell, default_rules(), now)
                progress.with_suffix(".tmp").write_text(now.isoformat())
                progress.with_suffix(".tmp").replace(progress)
                now += step
    finally:
        await db.close()


if __name__ == "__main__":
    db_arg, progress_arg, end_arg, hours = sys.argv[1:5]
    asyncio.run(
        run(
            Path(db_arg),
            Path(progress_arg),
            datetime.fromisoformat(end_arg),
            timedelta(hours=float(hours)),
        )
    )
