"""Messages per second, and latency, on SQLite and on PostgreSQL with one, two and four instances
(issue 15), in one run on this machine.

    python benchmarks/instances_benchmark.py [--workers 800] [--repeat 3]

Each instance is a process of its own running the real service (bot/service.py) on the shared
database, as `bpu-bot serve` does; all start at the same moment and drive their share of the
workers, closed loop: each worker sends its next message (12 make a registration) as soon as it
has the answer, durable after every one. PostgreSQL is Debian's, started by the benchmark in a
temp folder, with fsync on (every commit on disk, as SQLite's synchronous = FULL). Everything
shares this machine's CPUs: the server, the instances and the workers that load them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.conversation_benchmark import (  # noqa: E402 - after making the project importable
    MESSAGES_PER_WORKER,
    drive,
    percentiles,
    through,
)

CONFIGS = [  # (label, engine, instances)
    ("SQLite, one process", "sqlite", 1),
    ("SQLite, two processes", "sqlite", 2),
    ("PostgreSQL, one instance", "postgresql", 1),
    ("PostgreSQL, two instances", "postgresql", 2),
    ("PostgreSQL, four instances", "postgresql", 4),
]


async def instance(target: str, first: int, count: int, start_at: float) -> dict[str, Any]:
    """One instance: the service on `target`, driving workers first..first+count-1."""
    from zoneinfo import ZoneInfo

    from bot.service import ConversationService
    from conversations import default_rules
    from storage import Database

    async with await Database.open(target) as db:
        service = ConversationService(db, default_rules(), ZoneInfo("Asia/Jakarta"))
        await asyncio.sleep(max(0.0, start_at - time.time()))
        began = time.time()
        _, latencies = await drive(count, through(service), paced=False, first=first)
        ended = time.time()
    return {"began": began, "ended": ended, "latencies": latencies}


def run_config(engine: str, instances: int, workers: int, server: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        target = _new_database(engine, Path(folder), server)
        share = workers // instances
        start_at = time.time() + 2 + instances  # every process has opened the database by then
        children = [
            subprocess.Popen(
                [sys.executable, __file__, "--instance", target, *_share(k, share, start_at)],
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            for k in range(instances)
        ]
        results = []
        for child in children:
            out, _ = child.communicate()
            if child.returncode:
                raise SystemExit(f"an instance failed ({engine} x{instances})")
            results.append(json.loads(out.strip().splitlines()[-1]))
        registered = asyncio.run(_count(target))
    assert registered == share * instances, f"{registered} of {share * instances} registered"
    latencies = [x for r in results for x in r["latencies"]]
    seconds = max(r["ended"] for r in results) - min(r["began"] for r in results)
    return {"rate": len(latencies) / seconds, **percentiles(latencies)}


def _share(k: int, share: int, start_at: float) -> list[str]:
    """Instance k's command line: its first worker, how many, when to start."""
    return [str(k * share), str(share), str(start_at)]


def _new_database(engine: str, folder: Path, server: str | None) -> str:
    if engine == "sqlite":
        target = str(folder / "bench.sqlite3")
    else:
        import psycopg

        assert server is not None
        name = f"bench_{os.getpid()}_{time.monotonic_ns()}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        target = server.rsplit("/", 1)[0] + "/" + name
    asyncio.run(_count(target))  # created and migrated before the instances start together
    return target


async def _count(target: str) -> int:
    from storage import Database

    async with await Database.open(target) as db:
        [(registered,)] = await db.fetch_all("SELECT count(*) FROM registrations")
    return registered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=800)
    parser.add_argument("--repeat", type=int, default=3, help="runs per line; the median shown")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one engine's lines")
    parser.add_argument("--instance", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.instance:
        target, first, count, start_at = args.instance
        result = asyncio.run(instance(target, int(first), int(count), float(start_at)))
        print(json.dumps(result))
        return
    from tests.postgres import postgres_server

    print(
        f"{args.workers} workers x {MESSAGES_PER_WORKER} messages, closed loop, split between "
        f"the instances; {os.cpu_count()} CPUs shared by everything; median of {args.repeat}"
    )
    print(f"{'':30} {'msgs/s':>7} {'(range)':>15} {'p50 ms':>7} {'p99 ms':>7} {'x first':>8}")
    with postgres_server(durable=True) as server:
        firsts: dict[str, float] = {}
        for label, engine, instances in CONFIGS:
            if args.only and engine != args.only:
                continue
            runs = sorted(
                (run_config(engine, instances, args.workers, server) for _ in range(args.repeat)),
                key=lambda r: r["rate"],
            )
            r = runs[len(runs) // 2]
            firsts.setdefault(engine, r["rate"])
            spread = f"({runs[0]['rate']:,.0f}-{runs[-1]['rate']:,.0f})"
            print(
                f"{label:30} {r['rate']:7,.0f} {spread:>15} {r['p50_ms']:7.1f} "
                f"{r['p99_ms']:7.1f} {r['rate'] / firsts[engine]:7.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
