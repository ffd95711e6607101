"""The `sessions` table: one conversation state per (channel, user).

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

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
