"""Statistics only read: `bpu-bot stats` answers while a worker's transaction holds the write
lock, so it can never hold up the workers' writes. And the per-conversation summary the report
reads agrees with the funnel events, also for a database that had events before it existed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from storage.migrations import MIGRATIONS
from storage.sql import SQLITE, migration_sql
from tests.test_export_safety import ROOT


def stats(db_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db_path), "stats"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def events(conn: sqlite3.Connection) -> None:
    stages = ("started", "occupation_chosen", "benefits_read", "quote_seen")
    rows = [
        (f"s{i}", stage, "telegram", "petani", None, "2026-11-21T03:00:00+00:00")
        for i in range(4)
        for stage in stages[: i + 1]
    ]
    conn.executemany(
        """INSERT INTO funnel_events (session_id, stage, channel, occupation, campaign, at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        rows,
    )


def schema(db_path: Path, version: int) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for number, statements in enumerate(MIGRATIONS[:version], start=1):
        for statement in statements:
            conn.execute(migration_sql(statement, SQLITE))
        conn.execute(f"PRAGMA user_version = {number}")
    return conn


def test_stats_answer_while_a_worker_holds_the_write_lock(tmp_path: Path) -> None:
    db_path = tmp_path / "bpu.sqlite3"
    conn = schema(db_path, len(MIGRATIONS))
    events(conn)
    conn.execute("BEGIN IMMEDIATE")  # a worker's transaction, not yet committed
    conn.execute(
        """INSERT INTO funnel_events (session_id, stage, channel, at)
           VALUES ('late', 'started', 'telegram', '2026-11-21T04:00:00+00:00')"""
    )
    try:
        result = stats(db_path)
    finally:
        conn.execute("COMMIT")
        conn.close()
    assert result.returncode == 0, result.stderr
    assert ["started", "4"] in [line.split() for line in result.stdout.splitlines()]


def test_the_summary_is_built_from_events_recorded_before_it_existed(tmp_path: Path) -> None:
    db_path = tmp_path / "bpu.sqlite3"
    conn = schema(db_path, 4)  # the schema before the summary
    events(conn)
    conn.close()
    result = stats(db_path)  # migrates, then reports
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert ["started", "4"] in lines
    assert ["occupation", "chosen", "3", "75%", "1"] in lines
    assert ["quote", "seen", "1", "50%", "1"] in lines
