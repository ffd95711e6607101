"""WhatsApp bookkeeping: one stable key per person, and the 24-hour window.

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .sql import Connection, Row


@dataclass(frozen=True)
class Contact:
    key: str
    wa_id: str | None
    user_id: str | None
    last_inbound_at: datetime


def identify(
    conn: Connection, wa_id: str | None, user_id: str | None, message_time: datetime
) -> Contact:
    """The person behind a message, keyed stably: by whichever id was seen first.

    Meta sends the phone number (wa_id), the business-scoped user id (user_id), or both; a
    person known by one keeps their key when the other appears or the phone is withheld. Meta
    gives a new user id with a new phone number, so a known number arriving with a different
    user id is a recycled number: a new person, who must not see the previous owner's form.
    """
    if not (wa_id or user_id):
        raise ValueError("a WhatsApp message without a sender")
    by_user = _row(conn, "user_id", user_id)
    by_phone = _row(conn, "wa_id", wa_id)
    person = by_user
    if person is None and by_phone is not None and (user_id is None or by_phone["user_id"] is None):
        person = by_phone  # known by the number; Meta may now add the user id
    if by_phone is not None and (person is None or by_phone["key"] != person["key"]):
        # the number was someone else's: it no longer leads to their form
        conn.execute("UPDATE whatsapp_contacts SET wa_id = NULL WHERE key = ?", (by_phone["key"],))
    if person is None:
        key = _free_key(conn, user_id or wa_id)  # type: ignore[arg-type]
        conn.execute(
            """INSERT INTO whatsapp_contacts (key, wa_id, user_id, last_inbound_at)
               VALUES (?, ?, ?, ?)""",
            (key, wa_id, user_id, message_time.isoformat()),
        )
        return Contact(key, wa_id, user_id, message_time)  # type: ignore[arg-type]
    wa_id, user_id = wa_id or person["wa_id"], user_id or person["user_id"]
    last = max(datetime.fromisoformat(person["last_inbound_at"]), message_time)
    conn.execute(
        """UPDATE whatsapp_contacts SET wa_id = ?, user_id = ?, last_inbound_at = ?
           WHERE key = ?""",
        (wa_id, user_id, last.isoformat(), person["key"]),
    )
    return Contact(person["key"], wa_id, user_id, last)


def _free_key(conn: Connection, wanted: str) -> str:
    """`wanted`, or a variant of it if a former holder of this number still has it as key."""
    key, n = wanted, 1
    while conn.execute("SELECT 1 FROM whatsapp_contacts WHERE key = ?", (key,)).fetchone():
        n += 1
        key = f"{wanted}~{n}"
    return key


def _row(conn: Connection, column: str, value: str | None) -> Row | None:
    if value is None:
        return None
    return conn.execute(f"SELECT * FROM whatsapp_contacts WHERE {column} = ?", (value,)).fetchone()


def contact(conn: Connection, key: str) -> Contact | None:
    row = conn.execute("SELECT * FROM whatsapp_contacts WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    return Contact(
        row["key"], row["wa_id"], row["user_id"], datetime.fromisoformat(row["last_inbound_at"])
    )
