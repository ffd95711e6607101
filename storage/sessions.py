"""The `sessions` table: one conversation state per (channel, user).

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite
from pydantic import ValidationError

from conversations import Session
from conversations.steps import FINISHED

from . import sql


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


async def unfinished_before(conn: aiosqlite.Connection, cutoff: datetime) -> list[tuple[str, str]]:
    """(channel, user_key) of conversations untouched since before `cutoff` that hold what was
    typed in a form, or belong to someone never registered (the chat itself is theirs: on
    WhatsApp its key is their number)."""
    marks = ", ".join("?" * len(FINISHED))
    reference = sql.dialect(conn).json_text("data", "reference")
    async with conn.execute(
        f"""SELECT channel, user_key FROM sessions
            WHERE updated_at < ?
              AND (step NOT IN ({marks}) OR {reference} IS NULL)""",
        (cutoff.isoformat(), *FINISHED),
    ) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]  # type: ignore[misc]


def forget_abandoned(
    conn: sqlite3.Connection, chats: list[tuple[str, str]], cutoff: datetime, now: datetime
) -> int:
    """The retention rule, for chats untouched since before `cutoff`: a conversation of someone
    never registered goes altogether (with the WhatsApp number it came from, unless a
    registration made from it names it); a registered person's keeps only their reference, for
    `status`. Checked again here: a chat that went on meanwhile is left alone. How many were
    forgotten."""
    forgotten = 0
    for channel, user_key in chats:
        row = conn.execute(
            "SELECT data, updated_at FROM sessions WHERE channel = ? AND user_key = ?",
            (channel, user_key),
        ).fetchone()
        if row is None or row[1] >= cutoff.isoformat():
            continue
        session = load(conn, channel, user_key)
        if session is not None and session.reference and session.step in FINISHED:
            continue
        forgotten += 1
        if session is None or session.reference is None:
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
