"""`bpu-bot migrate-db --from sqlite:///path --to postgresql://…`: move an SQLite database to
PostgreSQL (storage/transfer.py), verified table by table. Stop the bot first: what it writes
during the copy is not carried over."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from pathlib import Path
from typing import TextIO

import psycopg

from storage import Database
from storage.database import BadDatabase, is_url
from storage.postgres import first_line, psycopg_url, public_url
from storage.transfer import Copied, Mismatch, TargetNotEmpty, copy


def add_command(commands: argparse._SubParsersAction) -> None:
    move = commands.add_parser(
        "migrate-db",
        help="copy an SQLite database into an empty PostgreSQL one, verified table by table",
    )
    move.add_argument(
        "--from",
        dest="source",
        required=True,
        help="the SQLite database: sqlite:///var/lib/bpu-bot/bpu-bot.sqlite3, or its path",
    )
    move.add_argument(
        "--to", dest="target", required=True, help="the PostgreSQL database: postgresql://…"
    )


def sqlite_path(source: str) -> Path:
    """sqlite:///var/lib/x.sqlite3 is /var/lib/x.sqlite3, sqlite://x.sqlite3 is ./x.sqlite3."""
    return Path(source.removeprefix("sqlite://"))


async def run(args: argparse.Namespace, out: TextIO) -> int:
    if not is_url(args.target):
        raise BadDatabase("--to must be a postgresql:// URL")
    source, target = sqlite_path(args.source), psycopg_url(args.target)
    # Both at the current schema first: the same tables, the same columns.
    async with await Database.open(source, create=False):
        pass
    async with await Database.open(target):
        pass
    try:
        copied = await asyncio.to_thread(_copy, source, target, out)
    except TargetNotEmpty as error:
        raise BadDatabase(f"{public_url(target)}: {error}; nothing copied") from None
    except Mismatch as error:
        raise BadDatabase(f"copy not verified, nothing committed: {error}") from None
    except psycopg.Error as error:
        raise BadDatabase(f"copy failed, nothing committed: {first_line(error, target)}") from None
    rows = sum(table.rows for table in copied)
    print(
        f"copied {len(copied)} tables, {rows:,} rows, to {public_url(target)}: "
        "every table's row count and checksum match",
        file=out,
    )
    return 0


def _copy(source: Path, target: str, out: TextIO) -> list[Copied]:
    reading = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        reading.execute("BEGIN")  # one snapshot of the source throughout
        with psycopg.connect(target) as writing:

            def progress(table: Copied) -> None:
                line = f"  {table.table:<24} {table.rows:>12,} rows  ok"
                if table.nul_rows:
                    line += f" ({table.nul_rows:,} with a NUL character, dropped)"
                print(line, file=out, flush=True)

            return copy(reading, writing, progress)
    finally:
        reading.close()
