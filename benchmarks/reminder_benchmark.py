"""How fast does the scheduler send payment reminders, and does the chat stay quick meanwhile?

    python benchmarks/reminder_benchmark.py [--members 100000] [--seconds 30] [--workers 50]

Seeds a temporary database with `--members` accepted members who asked for reminders (half on
Telegram, half on WhatsApp outside its 24-hour window, so they get templates), all due one for
December 2026. Then, in one process as `bpu-bot serve` runs them:
- plans the reminders (bot/channels/reminders.py) and prints how long that took;
- workers register through the real service at human pace (0-0.5 s between messages), first for
  `--seconds` alone, then for `--seconds` while the real sending loop (bot/channels/outbox.py)
  sends reminders through the real Telegram and WhatsApp clients to the fake Bot API and Graph
  API, which run in a process of their own on 127.0.0.1;
- prints reminders sent per second, per channel, and the workers' reply latency without and
  during sending.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.export_benchmark import seed  # noqa: E402
from benchmarks.latency import print_latencies, registering  # noqa: E402
from bot.channels import outbox  # noqa: E402
from bot.channels.messenger import messenger  # noqa: E402
from bot.channels.outbox import run_outbox  # noqa: E402
from bot.channels.reminders import plan_reminders  # noqa: E402
from bot.service import ConversationService  # noqa: E402
from bot.settings import Settings  # noqa: E402
from conversations import default_rules  # noqa: E402
from storage import Database  # noqa: E402

ZONE = ZoneInfo("Asia/Jakarta")
PLAN_AT = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # midnight in Jakarta, 28 November
SEND_AT = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta: daytime

FAKES = """
import asyncio, json, sys
from tests.fake_graph import PHONE_NUMBER_ID, TOKEN, FakeGraph
from tests.fake_telegram import FakeTelegram

async def main():
    telegram, graph = FakeTelegram(), FakeGraph()
    await graph.start()
    urls = {"telegram": await telegram.start(), "graph": graph.url, "token": telegram.token,
            "graph_token": TOKEN, "phone": PHONE_NUMBER_ID}
    print(json.dumps(urls), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


def seed_members(db_path: Path, members: int) -> None:
    """Accepted (paid up to November 2026), reminders on; odd ones write from WhatsApp, last
    two days ago."""
    seed(db_path, members)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(
        """INSERT INTO import_batches (id, created_at, created_by, file_name, sha256, row_count,
           changed, problems) VALUES (1, '2026-11-21', 'bench', 'f', 'x', 0, 0, '[]')"""
    )
    conn.execute(
        """INSERT INTO memberships (registration_id, state, kpj, starts_on, paid_until,
           told_state, updated_at, batch_id)
           SELECT id, 'accepted', 'KPJ-' || id, '2026-11-01', '2026-11', 'accepted',
                  '2026-11-21', 1 FROM registrations"""
    )
    conn.execute(
        """INSERT INTO reminders (registration_id, wanted, chosen_at)
           SELECT id, 1, '2026-11-21' FROM registrations"""
    )
    conn.execute(
        "UPDATE registrations SET channel = 'whatsapp', user_key = 'wa' || id WHERE id % 2 = 1"
    )
    conn.execute(
        """INSERT INTO whatsapp_contacts (key, wa_id, last_inbound_at)
           SELECT user_key, '62813' || printf('%08d', id), '2026-11-26T03:00:00+00:00'
           FROM registrations WHERE channel = 'whatsapp'"""
    )
    conn.commit()
    conn.close()


def sent_by_channel(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return dict(
            conn.execute(
                "SELECT channel, count(*) FROM outbox WHERE sent_at IS NOT NULL GROUP BY channel"
            ).fetchall()
        )


async def chat_and_send(db_path: Path, urls: dict, workers: int, seconds: float) -> None:
    settings = Settings(
        _env_file=None,
        db_path=db_path,
        telegram_bot_token=urls["token"],
        telegram_api_url=urls["telegram"],
        whatsapp_access_token=urls["graph_token"],
        whatsapp_phone_number_id=urls["phone"],
        whatsapp_app_secret="s",
        whatsapp_verify_token="v",
        whatsapp_api_url=urls["graph"],
    )
    async with await Database.open(db_path) as db:
        clock = lambda: SEND_AT  # noqa: E731 (the simulated daytime)
        started = time.perf_counter()
        planned = await plan_reminders(db, default_rules(), PLAN_AT, ZONE)
        took = time.perf_counter() - started
        print(f"planned {planned:,} reminders in {took:.2f} s ({planned / took:,.0f} a second)")

        service = ConversationService(db, default_rules(), ZONE, clock=clock)
        async with registering(service, workers, first=10_000_000) as replies:
            alone_from = time.perf_counter()
            await asyncio.sleep(seconds)
            sending_from = time.perf_counter()
            stop_sending = asyncio.Event()
            async with messenger(settings, db, clock) as tell:
                sender = asyncio.create_task(run_outbox(db, tell, clock, ZONE, stop_sending))
                await asyncio.sleep(seconds)
                sending_until = time.perf_counter()
                stop_sending.set()
                await sender
    sent = sent_by_channel(db_path)
    spent = sending_until - sending_from
    total = sum(sent.values())
    per_channel = ", ".join(f"{ch} {n / spent:,.1f}/s" for ch, n in sorted(sent.items()))
    print(
        f"sent {total:,} reminders in {spent:.1f} s: {total / spent:,.1f} a second ({per_channel})"
    )
    if total:
        hours = planned / (total / spent) / 3600
        print(f"  at this pace all {planned:,} go out in {hours:,.1f} hours of daytime")
    alone = replies.between(alone_from, sending_from)
    during = replies.between(sending_from, sending_until)
    print(f"{workers} workers registering:")
    print_latencies([("alone", alone), ("while sending", during)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument(
        "--rate", type=float, help="messages a second per channel instead of outbox.RATES"
    )
    args = parser.parse_args()
    if args.rate:  # the scheduler's own ceiling, above what the platforms allow
        outbox.RATES.update(dict.fromkeys(outbox.RATES, args.rate))
        print(f"paced at {args.rate:,.0f} a second per channel (--rate)")
    fakes = subprocess.Popen(
        [sys.executable, "-c", FAKES], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert fakes.stdout is not None
        urls = json.loads(fakes.stdout.readline())
        with tempfile.TemporaryDirectory() as folder:
            db_path = Path(folder) / "reminders.sqlite3"
            started = time.perf_counter()
            seed_members(db_path, args.members)
            print(f"seeded {args.members:,} members in {time.perf_counter() - started:.1f} s")
            asyncio.run(chat_and_send(db_path, urls, args.workers, args.seconds))
    finally:
        fakes.communicate(b"")


if __name__ == "__main__":
    main()
