"""How fast, and in how much memory, does `bpu-bot export` write a million registrations? And
how much does an export in the bot's process slow down the workers chatting meanwhile?

    python benchmarks/export_benchmark.py [--rows 1000000] [--formats csv,xlsx,jsonl]
                                          [--latency-rows 100000] [--workers 50]

Seeds a temporary database with realistic registrations, then runs each export in a child
process (the same code path as `bpu-bot export --all`) and prints wall time, rows per second,
file size and the child's peak memory (max RSS), for a tenth of the rows and for all of them,
so you can see that memory does not grow with the number of rows. Each size starts with the
floor: a plain sqlite3 cursor straight into csv.writer over the same rows and columns, the least
any CSV export can cost; every export is shown as a multiple of it.

Then the latency section: workers register through the real service (a few messages a second
each) while staff send /ekspor for `--latency-rows` registrations in the same process; it prints
the workers' reply latency without and during the export.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.latency import print_latencies, registering  # noqa: E402 - after making the project importable
from storage import Database  # noqa: E402

SEED_CHUNK = 20_000
# The registration columns that make the export's columns, in the export's order.
FLOOR_COLUMNS = (
    "reference, created_at, updated_at, channel, nik, full_name, birth_date, gender, phone, "
    "email, address, city, occupation, occupation_detail, income_declared, programs, "
    "period_months, monthly_premium, period_total, discount, tariff_version, campaign, "
    "assisted_by, consent_version, consent_at, review_flags, revision"
)


def seed(db_path: Path, rows: int) -> float:
    """Create the schema and insert `rows` registrations; returns seconds taken."""
    started = time.perf_counter()

    async def schema() -> None:
        async with await Database.open(db_path):
            pass

    asyncio.run(schema())
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous = OFF")
    sql = """INSERT INTO registrations (reference, nik, full_name, birth_date, gender, phone,
             address, city, email, occupation, occupation_detail, income_stated,
             income_declared, programs, period_months, monthly_premium, period_total, discount,
             tariff_version, campaign, assisted_by, consent_version, consent_at, review_flags,
             channel, user_key, session_id, revision, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                     ?, ?, ?, ?)"""
    occupations = ("pedagang", "ojek_online", "ojek_pangkalan", "petani", "nelayan")
    for start in range(0, rows, SEED_CHUNK):
        batch = []
        for i in range(start, min(start + SEED_CHUNK, rows)):
            stamp = f"2026-11-{1 + i % 20:02d}T0{i % 10}:{i % 60:02d}:00+00:00"
            batch.append(
                (
                    f"BPU-{i:08d}",
                    f"33720517{80 + i % 20:02d}{i % 1_000_000:06d}",
                    f"Pekerja Nomor {i}",
                    "1980-08-17",
                    "LP"[i % 2],
                    f"+62812{i:08d}",
                    f"Jl. Mawar {i % 500} RT {i % 20:02d}/RW {i % 9:02d}, Kauman, Pasar Kliwon",
                    "Kota Surakarta",
                    f"pekerja{i}@gmail.com" if i % 7 == 0 else None,
                    occupations[i % 5],
                    None,
                    2_000_000,
                    2_000_000,
                    "JKK+JKM+JHT" if i % 4 == 0 else "JKK+JKM",
                    1 + i % 3,
                    13_400,
                    13_400,
                    "PP 50/2025 50% until 2026-12-31",
                    "2026-11-21.1",
                    None,
                    None,
                    "2026-11-21",
                    stamp,
                    "",
                    "telegram",
                    str(i),
                    "s",
                    1,
                    stamp,
                    stamp,
                )
            )
        conn.executemany(sql, batch)
        conn.commit()
    conn.close()
    return time.perf_counter() - started


def floor(db_path: str, out: str) -> int:
    """The least a CSV export can cost: a plain cursor straight into csv.writer."""
    Path(out).mkdir()
    conn = sqlite3.connect(db_path)
    with open(Path(out) / "floor.csv", "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow(FLOOR_COLUMNS.split(", "))
        writer.writerows(conn.execute(f"SELECT {FLOOR_COLUMNS} FROM registrations ORDER BY id"))
    conn.close()
    return 0


def child(fmt: str, db_path: str, out: str) -> None:
    """Run one export like the CLI does and report figures as JSON on stdout."""
    from bot.cli import main

    started = time.perf_counter()
    if fmt == "floor":
        code = floor(db_path, out)
    else:
        code = main(["--db", db_path, "export", "--all", "--format", fmt, "--out", out])
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"code": code, "seconds": seconds, "peak_mb": peak_mb}))


def measure(fmt: str, db_path: Path, folder: Path) -> dict:
    out = folder / fmt
    result = subprocess.run(
        [sys.executable, __file__, "--child", fmt, str(db_path), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    [written] = list(out.iterdir())
    figures["size_mb"] = written.stat().st_size / 1e6
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,xlsx,jsonl")
    parser.add_argument("--latency-rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"machine: {sys.platform}, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    if args.rows:
        exports(args.rows, args.formats.split(","))
    if args.latency_rows:
        print(f"\nworker replies while /ekspor writes {args.latency_rows:,} rows (same process)")
        with tempfile.TemporaryDirectory() as folder:
            db_path = Path(folder) / "latency.sqlite3"
            seed(db_path, args.latency_rows)
            asyncio.run(latency(db_path, args.workers))


def exports(rows: int, formats: list[str]) -> None:
    print(
        f"{'rows':>10}  {'format':6}  {'seconds':>8}  {'rows/s':>9}  {'file MB':>8}  {'peak MB':>8}"
        f"  {'x floor':>7}"
    )
    for size in (rows // 10, rows):
        with tempfile.TemporaryDirectory() as folder:
            db_path = Path(folder) / "bench.sqlite3"
            seeded = seed(db_path, size)
            print(f"{size:>10,}  seeded in {seeded:.1f} s")
            base = None
            for fmt in ("floor", *formats):
                f = measure(fmt, db_path, Path(folder))
                base = base or f["seconds"]
                print(
                    f"{size:>10,}  {fmt:6}  {f['seconds']:>8.1f}  {size / f['seconds']:>9,.0f}"
                    f"  {f['size_mb']:>8.1f}  {f['peak_mb']:>8.1f}  {f['seconds'] / base:>7.2f}"
                )


async def latency(db_path: Path, workers: int, idle_seconds: float = 5.0) -> None:
    """Workers register at a few messages a second each, first alone, then while /ekspor runs."""
    from zoneinfo import ZoneInfo

    from bot.service import ConversationService
    from bot.settings import Settings
    from bot.staff.chat import StaffChat
    from conversations import Incoming, Kind, Reply, default_rules

    settings = Settings(_env_file=None, db_path=db_path, staff_telegram_ids="1")
    async with await Database.open(db_path) as db:
        service = ConversationService(db, default_rules(), ZoneInfo("Asia/Jakarta"))
        staff = StaffChat(service, settings)

        async def no_delivery(replies: list[Reply]) -> None:
            pass

        async with registering(service, workers) as replies:
            idle_from = time.perf_counter()
            await asyncio.sleep(idle_seconds)
            export_from = time.perf_counter()
            command = Incoming("telegram", "1", "ekspor-1", Kind.TEXT, text="/ekspor")
            await staff.route(command, no_delivery, telegram_id="1")
            export_until = time.perf_counter()
    print(f"/ekspor took {export_until - export_from:.1f} s; {workers} workers")
    idle, during = (
        replies.between(idle_from, export_from),
        replies.between(export_from, export_until),
    )
    print_latencies([("no export", idle), ("during export", during)])


if __name__ == "__main__":
    main()
