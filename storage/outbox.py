"""Messages due to workers outside a conversation, kept until sent (bot/channels/outbox.py).

A sender claims due rows with a lease, sends them, and marks each sent; a sender killed between
sending and marking leaves its lease to run out, and the row is sent once more: a crash costs at
most one duplicate of the messages it had claimed (neither Telegram nor WhatsApp takes an
idempotency key for a message).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

LEASE = timedelta(minutes=5)  # longer than one send can take, retries included


@dataclass(frozen=True)
class Due:
    id: int
    channel: str
    user_key: str
    text: str
    attempts: int
    template: str | None = None  # sent as this WhatsApp template outside the 24-hour window
    params: tuple[str, ...] = ()


async def enqueue(
    conn: aiosqlite.Connection,
    dedupe: str,
    channel: str,
    user_key: str,
    text: str,
    due_at: datetime,
    template: str | None = None,
    params: tuple[str, ...] = (),
) -> bool:
    """Queue a message once: False if one about the same thing (`dedupe`) is queued already."""
    cursor = await conn.execute(
        """INSERT OR IGNORE INTO outbox (dedupe, channel, user_key, text, due_at, template, params)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (dedupe, channel, user_key, text, due_at.isoformat(), template, json.dumps(params)),
    )
    return cursor.rowcount == 1


async def claim(conn: aiosqlite.Connection, now: datetime, limit: int) -> list[Due]:
    """Take up to `limit` due messages for LEASE, oldest first (in a write transaction)."""
    cursor = await conn.execute(
        """UPDATE outbox SET claimed_until = ?, attempts = attempts + 1
           WHERE id IN (
               SELECT id FROM outbox
               WHERE sent_at IS NULL AND given_up IS NULL AND due_at <= ?
                 AND (claimed_until IS NULL OR claimed_until <= ?)
               ORDER BY due_at, id LIMIT ?)
           RETURNING id, channel, user_key, text, attempts, template, params""",
        ((now + LEASE).isoformat(), now.isoformat(), now.isoformat(), limit),
    )
    due = [Due(*row[:6], tuple(json.loads(row[6] or "[]"))) for row in await cursor.fetchall()]
    return sorted(due, key=lambda d: d.id)


async def sent(conn: aiosqlite.Connection, message_id: int, now: datetime) -> None:
    """Sent: what it said is not kept (a name, a KPJ, a reason): only that it went."""
    await conn.execute(
        """UPDATE outbox SET sent_at = ?, claimed_until = NULL, text = '', params = NULL
           WHERE id = ?""",
        (now.isoformat(), message_id),
    )


async def supersede(conn: aiosqlite.Connection, prefix: str, keep: str) -> None:
    """Unsent messages about the same thing that newer news replaces (a rejection waiting when
    the acceptance comes) are not sent."""
    await conn.execute(
        """UPDATE outbox SET given_up = 'superseded', text = '', params = NULL
           WHERE dedupe LIKE ? || '%' AND dedupe != ? AND sent_at IS NULL AND given_up IS NULL""",
        (prefix, keep),
    )


async def later(
    conn: aiosqlite.Connection, message_id: int, due_at: datetime, give_up: str | None = None
) -> None:
    """Not sent now: try again at `due_at`, or never (`give_up` says why)."""
    await conn.execute(
        """UPDATE outbox SET due_at = ?, claimed_until = NULL, given_up = ?,
                  text = iif(? IS NULL, text, ''), params = iif(? IS NULL, params, NULL)
           WHERE id = ?""",
        (due_at.isoformat(), give_up, give_up, give_up, message_id),
    )
