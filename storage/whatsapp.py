"""WhatsApp bookkeeping: one stable key per person, the 24-hour window, and the webhook inbox.

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Contact:
    key: str
    wa_id: str | None
    user_id: str | None
    last_inbound_at: datetime


def identify(
    conn: sqlite3.Connection, wa_id: str | None, user_id: str | None, message_time: datetime
) -> Contact:
    """The person behind a message, keyed stably: by whichever id was seen first.

    Meta sends the phone number (wa_id), the business-scoped user id (user_id), or both; a
    person known by one keeps their key when the other appears or the phone is withheld.
    """
    if not (wa_id or user_id):
        raise ValueError("a WhatsApp message without a sender")
    rows = conn.execute(
        "SELECT * FROM whatsapp_contacts WHERE wa_id = ? OR user_id = ? ORDER BY key",
        (wa_id, user_id),
    ).fetchall()
    if not rows:
        key = user_id or wa_id
        conn.execute(
            """INSERT INTO whatsapp_contacts (key, wa_id, user_id, last_inbound_at)
               VALUES (?, ?, ?, ?)""",
            (key, wa_id, user_id, message_time.isoformat()),
        )
        return Contact(key, wa_id, user_id, message_time)  # type: ignore[arg-type]
    row = rows[0]
    if len(rows) > 1:  # the two ids already name two people (a changed number): don't merge
        wa_id, user_id = row["wa_id"], row["user_id"]
    wa_id, user_id = wa_id or row["wa_id"], user_id or row["user_id"]
    last = max(datetime.fromisoformat(row["last_inbound_at"]), message_time)
    conn.execute(
        """UPDATE whatsapp_contacts SET wa_id = ?, user_id = ?, last_inbound_at = ?
           WHERE key = ?""",
        (wa_id, user_id, last.isoformat(), row["key"]),
    )
    return Contact(row["key"], wa_id, user_id, last)


def contact(conn: sqlite3.Connection, key: str) -> Contact | None:
    row = conn.execute("SELECT * FROM whatsapp_contacts WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    return Contact(
        row["key"], row["wa_id"], row["user_id"], datetime.fromisoformat(row["last_inbound_at"])
    )


def keep(conn: sqlite3.Connection, body: str, now: datetime) -> int:
    cursor = conn.execute(
        "INSERT INTO whatsapp_inbox (received_at, body) VALUES (?, ?)", (now.isoformat(), body)
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def done(conn: sqlite3.Connection, inbox_id: int) -> None:
    conn.execute("DELETE FROM whatsapp_inbox WHERE id = ?", (inbox_id,))


def waiting(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    return [
        (row[0], row[1])
        for row in conn.execute("SELECT id, body FROM whatsapp_inbox ORDER BY id").fetchall()
    ]
