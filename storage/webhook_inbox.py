"""The `webhook_inbox` table: each verified webhook body (Telegram update, WhatsApp
notification) is kept from before it is acknowledged until it has been processed, so a crash in
between loses nothing: what is left is processed at the next start.

A body that cannot be read, or that was being processed when the process died too often, is set
aside (kept, with the reason) instead of blocking the start; staff see it with `bpu-bot inbox`.

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from . import inbound, sql

MAX_ATTEMPTS = 3  # starts that tried a body and died before finishing it


@dataclass(frozen=True)
class Kept:
    id: int
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
    (inbox_id,) = conn.execute(
        "INSERT INTO webhook_inbox (channel, received_at, body) VALUES (?, ?, ?) RETURNING id",
        (channel, now.isoformat(), body),
    ).fetchone()
    return inbox_id


def done(conn: sqlite3.Connection, inbox_id: int) -> None:
    conn.execute("DELETE FROM webhook_inbox WHERE id = ?", (inbox_id,))


def finish(
    conn: sqlite3.Connection, inbox_id: int, channel: str, message_ids: Sequence[str]
) -> bool:
    """Remove a processed body, unless a reply to one of its messages could not be sent yet:
    then it stays, and the next start sends that reply. True if removed."""
    if message_ids and inbound.awaiting_delivery(conn, channel, message_ids):
        return False
    done(conn, inbox_id)
    return True


def attempt(
    conn: sqlite3.Connection,
    inbox_id: int,
    channel: str,
    message_ids: Sequence[str],
    now: datetime,
) -> bool:
    """Before a body left from before a restart is tried again: False (and the body set aside)
    if processing it already killed the process MAX_ATTEMPTS times. A body whose messages were
    all answered (its replies were only waiting for the network) is never counted: a long
    outage with restarts must not set a backlog aside."""
    if message_ids and all(inbound.seen(conn, channel, m) for m in message_ids):
        return True
    row = conn.execute(
        "UPDATE webhook_inbox SET attempts = attempts + 1 WHERE id = ? RETURNING attempts",
        (inbox_id,),
    ).fetchone()
    if row is not None and row[0] <= MAX_ATTEMPTS:
        return True
    set_aside(conn, inbox_id, "processing never finished", now)
    return False


def left_over(conn: sqlite3.Connection, channel: str) -> list[Kept]:
    """Bodies of `channel` not processed before the last stop, oldest first."""
    rows = conn.execute(
        """SELECT id, body FROM webhook_inbox
           WHERE channel = ? AND set_aside_at IS NULL ORDER BY id""",
        (channel,),
    ).fetchall()
    return [Kept(row[0], row[1]) for row in rows]


def set_aside(conn: sqlite3.Connection, inbox_id: int, error: str, now: datetime) -> None:
    """Keep a body that cannot be processed out of the way; `error` must hold no personal data."""
    conn.execute(
        "UPDATE webhook_inbox SET set_aside_at = ?, error = ? WHERE id = ?",
        (now.isoformat(), error[:200], inbox_id),
    )


def listing(engine: sql.Dialect) -> str:
    """What `bpu-bot inbox` lists: a SetAside per row."""
    size = engine.byte_length.format("body")
    return f"""SELECT id, channel, received_at, set_aside_at, error, {size}
               FROM webhook_inbox WHERE set_aside_at IS NOT NULL ORDER BY id"""
