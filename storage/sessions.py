"""The `sessions` table: one conversation state per (channel, user).

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite
from pydantic import ValidationError

from conversations import Session


def load(conn: sqlite3.Connection, channel: str, user_key: str) -> Session | None:
    row = conn.execute(
        "SELECT data FROM sessions WHERE channel = ? AND user_key = ?", (channel, user_key)
    ).fetchone()
    if row is None:
        return None
    try:
        return Session.model_validate_json(row[0])
    except ValidationError:
        return None  # unreadable after a model change: start afresh rather than fail forever


def save(
    conn: sqlite3.Connection, channel: str, user_key: str, session: Session, now: datetime
) -> None:
    stamp = now.isoformat()
    conn.execute(
        """INSERT INTO sessions (channel, user_key, session_id, step, flow_version, lang, campaign,
                                 data, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (channel, user_key) DO UPDATE SET
               session_id = excluded.session_id, step = excluded.step,
               flow_version = excluded.flow_version, lang = excluded.lang,
               campaign = excluded.campaign, data = excluded.data,
               updated_at = excluded.updated_at""",
        (
            channel,
            user_key,
            session.id,
            session.step,
            session.flow_version,
            session.lang,
            session.campaign,
            session.model_dump_json(),
            stamp,
            stamp,
        ),
    )


# Steps at which a conversation holds no form: registered, stopped, or asked about reminders.
FINISHED = ("done", "ended", "remind")


async def unfinished_before(conn: aiosqlite.Connection, cutoff: datetime) -> list[tuple[str, str]]:
    """(channel, user_key) of conversations left with a form open since before `cutoff`."""
    marks = ", ".join("?" * len(FINISHED))
    async with conn.execute(
        f"SELECT channel, user_key FROM sessions WHERE updated_at < ? AND step NOT IN ({marks})",
        (cutoff.isoformat(), *FINISHED),
    ) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]  # type: ignore[misc]


def forget_abandoned(
    conn: sqlite3.Connection, chats: list[tuple[str, str]], cutoff: datetime, now: datetime
) -> int:
    """The retention rule: what was typed in a form left open since before `cutoff` is
    deleted. A conversation of someone never registered goes altogether (with the WhatsApp
    number it came from); a registered person's keeps their reference, for `status`. Checked
    again here: a chat that went on meanwhile is left alone. How many were forgotten."""
    forgotten = 0
    for channel, user_key in chats:
        row = conn.execute(
            "SELECT data, updated_at FROM sessions WHERE channel = ? AND user_key = ?",
            (channel, user_key),
        ).fetchone()
        if row is None or row[1] >= cutoff.isoformat():
            continue
        session = load(conn, channel, user_key)
        if session is None or session.step in FINISHED:
            continue
        forgotten += 1
        if session.reference is None:
            conn.execute(
                "DELETE FROM sessions WHERE channel = ? AND user_key = ?", (channel, user_key)
            )
            if (
                channel == "whatsapp"
                and not conn.execute(
                    "SELECT 1 FROM registrations WHERE channel = ? AND user_key = ?",
                    (channel, user_key),
                ).fetchone()
            ):
                conn.execute("DELETE FROM whatsapp_contacts WHERE key = ?", (user_key,))
            continue
        session.forget_form()
        session.step = "done"
        save(conn, channel, user_key, session, now)
    return forgotten
