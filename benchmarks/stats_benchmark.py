"""How long do `bpu-bot stats` and a campaigner's /rekap take on a million registrations?

    python benchmarks/stats_benchmark.py [--registrations 1000000] [--repeat 3]

Seeds a temporary database with the registrations and, for each, a whole conversation's funnel
events (six stages), plus half as many conversations that stopped earlier; then times the funnel
for all time and for the last 30 days, and one campaigner's tally, each through a read-only
connection as the commands use it (median of `--repeat` runs), and the `bpu-bot stats` command
as a whole (a child process, Python's start-up included).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import get_args

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.export_benchmark import seed as seed_registrations  # noqa: E402
from conversations.model import FunnelStage  # noqa: E402
from storage import Database  # noqa: E402
from storage.stats import campaigner_tally, funnel  # noqa: E402

STAGES = get_args(FunnelStage)  # in funnel order
OCCUPATIONS = ("pedagang", "ojek_online", "ojek_pangkalan", "petani", "nelayan")


def seed_funnel(db_path: Path, registered: int) -> None:
    """Funnel events: `registered` whole conversations and half as many cut short, spread over
    20 days, a tenth of them from one of 50 campaigns."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MB: seeding millions of events
    conn.execute(
        """INSERT INTO campaigners (code, name, telegram_id, created_at, created_by)
           VALUES ('PRS-1', 'Sri', '11', '2026-11-01', 'bench')"""
    )
    conn.executemany(
        """INSERT INTO campaigns (code, name, place, branch, campaigner_id, starts_on,
           created_at, created_by) VALUES (?, 'c', 'p', 'b', 1, '2026-11-01', '2026-11-01', 'b')""",
        [(f"K{i:03d}",) for i in range(50)],
    )
    sessions = registered + registered // 2
    for start in range(0, sessions, 50_000):
        rows = []
        for i in range(start, min(start + 50_000, sessions)):
            reached = 6 if i < registered else 1 + i % 5
            at = f"2026-11-{1 + i % 20:02d}T0{i % 10}:{i % 60:02d}:00+00:00"
            campaign = f"K{i % 50:03d}" if i % 10 == 0 else None
            for stage in STAGES[:reached]:
                rows.append((f"s{i:08d}", stage, "telegram", OCCUPATIONS[i % 5], campaign, at))
        conn.executemany(
            """INSERT INTO funnel_events (session_id, stage, channel, occupation, campaign, at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            rows,
        )
        conn.commit()
    conn.close()


def median_seconds(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        asyncio.run(work())
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "stats.sqlite3"
        started = time.perf_counter()
        seed_registrations(db_path, args.registrations)
        seed_funnel(db_path, args.registrations)
        print(
            f"{args.registrations:,} registrations seeded in {time.perf_counter() - started:.0f} s"
        )

        async def whole() -> None:
            async with await Database.open(db_path) as db, db.reading() as conn:
                await funnel(conn, None, None)

        async def month() -> None:
            async with await Database.open(db_path) as db, db.reading() as conn:
                await funnel(conn, "2026-11-10T17:00:00+00:00", None)

        async def tally() -> None:
            async with await Database.open(db_path) as db, db.reading() as conn:
                await campaigner_tally(conn, 1, "PRS-1", "2026-11-20", "2026-11-16")

        print(f"{'measurement':36}{'seconds':>8}")
        for name, work in (
            ("funnel, all time", whole),
            ("funnel, since a day (half the rows)", month),
            ("campaigner tally (/rekap)", tally),
        ):
            print(f"{name:36}{median_seconds(args.repeat, work):>8.2f}")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "--db", str(db_path), "stats"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        print(f"{'bpu-bot stats, whole command':36}{time.perf_counter() - started:>8.2f}")


if __name__ == "__main__":
    main()
