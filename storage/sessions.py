"""The `sessions` table: one conversation state per (channel, user).

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from conversations import Session
from conversations.steps import FINISHED

from . import sql
from .sql import AsyncConnection, Connection


def load_stored(conn: Connection, channel: str, user_key: str) -> tuple[Session | None, str | None]:
    """The session, and its stored text (to save over only if it is still that: save)."""
    row = conn.execute(
        "SELECT data FROM sessions WHERE channel = ? AND user_key = ?", (channel, user_key)
    ).fetchone()
    return (None, None) if row is None else (_parsed(row[0]), row[0])


def _parsed(stored: str) -> Session | None:
    try:
        return Session.model_validate_json(stored)
    except ValidationError:
        return None  # unreadable after a model change: start afresh rather than fail forever


def save_over(
    conn: Connection,
    channel: str,
    user_key: str,
    session: Session,
    now: datetime,
    stored: str | None,
) -> bool:
    """Save the session only if what is stored is still `stored` (None: nothing): False if it
    changed since it was read, and nothing is written."""
    values = {
        "channel": channel,
        "user_key": user_key,
        "session_id": session.id,
        "step": session.step,
        "flow_version": session.flow_version,
        "lang": session.lang,
        "campaign": session.campaign,
        "data": session.model_dump_json(),
        "now": now.isoformat(),
        "stored": stored,
    }
    if stored is None:
        cursor = conn.execute(
            """INSERT INTO sessions (channel, user_key, session_id, step, flow_version, lang,
                                     campaign, data, created_at, updated_at)
               VALUES (:channel, :user_key, :session_id, :step, :flow_version, :lang, :campaign,
                       :data, :now, :now)
               ON CONFLICT (channel, user_key) DO NOTHING""",
            values,
        )
    else:
        cursor = conn.execute(
            """UPDATE sessions SET session_id = :session_id, step = :step,
                   flow_version = :flow_version, lang = :lang, campaign = :campaign,
                   data = :data, updated_at = :now
               WHERE channel = :channel AND user_key = :user_key AND data = :stored""",
            values,
        )
    return cursor.rowcount == 1


async def unfinished_before(conn: AsyncConnection, cutoff: datetime) -> list[tuple[str, str]]:
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
    conn: Connection, chats: list[tuple[str, str]], cutoff: datetime, now: datetime
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
        session = _parsed(row[0])
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
        save_over(conn, channel, user_key, session, now, stored=row[0])
    return forgotten
