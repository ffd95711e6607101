"""The `webhook_inbox` table: each verified webhook body (Telegram update, WhatsApp
notification) is kept from before it is acknowledged until it has been processed, so a crash in
between loses nothing: what is left is processed at the next start.

A body that cannot be read, or that was being processed when the process died too often, is set
aside (kept, with the reason) instead of blocking the start; staff see it with `bpu-bot inbox`.

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

MAX_ATTEMPTS = 3  # starts that tried a body and died before finishing it


@dataclass(frozen=True)
class Kept:
    id: int
    channel: str
    body: str


@dataclass(frozen=True)
class SetAside:
    id: int
    channel: str
    received_at: str
    set_aside_at: str
    error: str
    size: int  # bytes of the body, which holds personal data and is not shown


def keep(conn: sqlite3.Connection, channel: str, body: str, now: datetime) -> int:
    cursor = conn.execute(
        "INSERT INTO webhook_inbox (channel, received_at, body) VALUES (?, ?, ?)",
        (channel, now.isoformat(), body),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def done(conn: sqlite3.Connection, inbox_id: int) -> None:
    conn.execute("DELETE FROM webhook_inbox WHERE id = ?", (inbox_id,))


def left_over(conn: sqlite3.Connection, channel: str, now: datetime) -> list[Kept]:
    """Bodies of `channel` not processed before the last stop, oldest first; each is counted as
    one more attempt, and one tried MAX_ATTEMPTS times already is set aside instead."""
    conn.execute(
        """UPDATE webhook_inbox SET set_aside_at = ?, error = 'processing never finished'
           WHERE channel = ? AND set_aside_at IS NULL AND attempts >= ?""",
        (now.isoformat(), channel, MAX_ATTEMPTS),
    )
    conn.execute(
        """UPDATE webhook_inbox SET attempts = attempts + 1
           WHERE channel = ? AND set_aside_at IS NULL""",
        (channel,),
    )
    rows = conn.execute(
        """SELECT id, channel, body FROM webhook_inbox
           WHERE channel = ? AND set_aside_at IS NULL ORDER BY id""",
        (channel,),
    ).fetchall()
    return [Kept(row[0], row[1], row[2]) for row in rows]


def set_aside(conn: sqlite3.Connection, inbox_id: int, error: str, now: datetime) -> None:
    """Keep a body that cannot be processed out of the way; `error` must hold no personal data."""
    conn.execute(
        "UPDATE webhook_inbox SET set_aside_at = ?, error = ? WHERE id = ?",
        (now.isoformat(), error[:200], inbox_id),
    )


LISTING = """SELECT id, channel, received_at, set_aside_at, error, length(CAST(body AS BLOB))
             FROM webhook_inbox WHERE set_aside_at IS NOT NULL ORDER BY id"""


def listing(conn: sqlite3.Connection) -> list[SetAside]:
    return [SetAside(*row) for row in conn.execute(LISTING).fetchall()]
