"""Messages due to workers outside a conversation, kept until sent (bot/channels/outbox.py).

A sender claims a due row with a lease, sends it, and marks it sent (`claim`, `sent` and `later`
run in the message path's group commit, Database.run; `enqueue` and `supersede` in an import's
transaction); a sender killed between
sending and marking leaves its lease to run out, and the row is sent once more: a crash costs at
most one duplicate of the messages it had claimed (neither Telegram nor WhatsApp takes an
idempotency key for a message).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from .sql import AsyncConnection, Connection

TELLABLE = ("telegram", "whatsapp")  # the channels a message can be sent to unasked
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
    conn: AsyncConnection,
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
        """INSERT INTO outbox (dedupe, channel, user_key, text, due_at, template, params)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
        (dedupe, channel, user_key, text, due_at.isoformat(), template, json.dumps(params)),
    )
    return cursor.rowcount == 1


def claim(conn: Connection, now: datetime, channel: str | None = None) -> Due | None:
    """Take the oldest due message (of `channel`, if given) for LEASE, in the message path's
    group commit (Database.run): one claimed at a time, so a slow send never outlasts the
    claims of others, which another sender could then take."""
    where = "AND channel = ?" if channel else ""
    row = conn.execute(
        f"""UPDATE outbox SET claimed_until = ?, attempts = attempts + 1
            WHERE id = (
                SELECT id FROM outbox
                WHERE sent_at IS NULL AND given_up IS NULL AND due_at <= ?
                  AND (claimed_until IS NULL OR claimed_until <= ?) {where}
                ORDER BY due_at, id LIMIT 1)
            RETURNING id, channel, user_key, text, attempts, template, params""",
        (
            (now + LEASE).isoformat(),
            now.isoformat(),
            now.isoformat(),
            *([channel] if channel else []),
        ),
    ).fetchone()
    return Due(*row[:6], tuple(json.loads(row[6] or "[]"))) if row else None


def sent(conn: Connection, message_id: int, now: datetime) -> None:
    """Sent: what it said is not kept (a name, a KPJ, a reason): only that it went."""
    conn.execute(
        """UPDATE outbox SET sent_at = ?, claimed_until = NULL, text = '', params = NULL
           WHERE id = ?""",
        (now.isoformat(), message_id),
    )


def about(kind: str, reference: str) -> tuple[str, str]:
    """The dedupe keys of one registration's messages of a kind ("remind", "result"), as an
    index range: "remind:REF:" up to "remind:REF;" (';' follows ':')."""
    return f"{kind}:{reference}:", f"{kind}:{reference};"


def give_up_unsent(conn: Connection, keys: tuple[str, str], why: str) -> None:
    """Messages queued in the `keys` range (`about`) and not yet sent are not sent: why."""
    conn.execute(
        """UPDATE outbox SET given_up = ?, text = '', params = NULL
           WHERE dedupe >= ? AND dedupe < ? AND sent_at IS NULL AND given_up IS NULL""",
        (why, *keys),
    )


async def supersede(conn: AsyncConnection, prefix: str, keep: str) -> None:
    """Unsent messages about the same thing that newer news replaces (a rejection waiting when
    the acceptance comes) are not sent."""
    await conn.execute(
        """UPDATE outbox SET given_up = 'superseded', text = '', params = NULL
           WHERE dedupe LIKE ? || '%' AND dedupe != ? AND sent_at IS NULL AND given_up IS NULL""",
        (prefix, keep),
    )


def later(conn: Connection, message_id: int, due_at: datetime, give_up: str | None = None) -> None:
    """Not sent now: try again at `due_at`, or never (`give_up` says why)."""
    # a message given up keeps no text: it may hold personal data
    forget = ", text = '', params = NULL" if give_up else ""
    conn.execute(
        f"UPDATE outbox SET due_at = ?, claimed_until = NULL, given_up = ?{forget} WHERE id = ?",
        (due_at.isoformat(), give_up, message_id),
    )
