"""The staff console's sign-in: one-time links and sessions, kept only as SHA-256 hashes.

A link is asked for in the chat (`/masuk`) or printed by `bpu-bot staff login-link`; using it
opens a session. Both expire; a session also ends when its person is removed (people.py).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from .sql import AsyncConnection

Kind = Literal["staff", "campaigner"]
LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)  # a working day at the desk


@dataclass(frozen=True)
class ConsoleSession:
    kind: Kind
    person_id: int
    csrf: str
    expires_at: datetime


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def new_link(conn: AsyncConnection, kind: Kind, person_id: int, now: datetime) -> str:
    """A sign-in token for this person, valid for LINK_LIFETIME and for one use."""
    token = secrets.token_urlsafe(32)
    await conn.execute(
        """INSERT INTO console_links (token_hash, kind, person_id, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?)""",
        (_hash(token), kind, person_id, now.isoformat(), (now + LINK_LIFETIME).isoformat()),
    )
    return token


async def use_link(conn: AsyncConnection, token: str, now: datetime) -> tuple[Kind, int] | None:
    """Who the token signs in, once: a used, expired or unknown token gives None."""
    cursor = await conn.execute(
        """UPDATE console_links SET used_at = ?
           WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
           RETURNING kind, person_id""",
        (now.isoformat(), _hash(token), now.isoformat()),
    )
    row = await cursor.fetchone()
    return (row[0], row[1]) if row else None


async def open_session(
    conn: AsyncConnection, kind: Kind, person_id: int, now: datetime
) -> tuple[str, ConsoleSession]:
    """A new session: its secret id (for the cookie) and what it holds."""
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    await conn.execute(
        """INSERT INTO console_sessions (id_hash, kind, person_id, csrf, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (_hash(session_id), kind, person_id, csrf, now.isoformat(), expires.isoformat()),
    )
    # what expired is of no use to anyone: cleared as new sessions open
    await conn.execute("DELETE FROM console_sessions WHERE expires_at <= ?", (now.isoformat(),))
    await conn.execute("DELETE FROM console_links WHERE expires_at <= ?", (now.isoformat(),))
    return session_id, ConsoleSession(kind, person_id, csrf, expires)


async def find_session(
    conn: AsyncConnection, session_id: str, now: datetime
) -> ConsoleSession | None:
    async with conn.execute(
        """SELECT kind, person_id, csrf, expires_at FROM console_sessions
           WHERE id_hash = ? AND expires_at > ?""",
        (_hash(session_id), now.isoformat()),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    return ConsoleSession(row[0], row[1], row[2], datetime.fromisoformat(row[3]))


async def close_session(conn: AsyncConnection, session_id: str) -> None:
    await conn.execute("DELETE FROM console_sessions WHERE id_hash = ?", (_hash(session_id),))


async def close_sessions_of(conn: AsyncConnection, kind: Kind, person_id: int) -> None:
    """Every session of a person: when they are removed, their sessions end at once."""
    await conn.execute(
        "DELETE FROM console_sessions WHERE kind = ? AND person_id = ?", (kind, person_id)
    )
    await conn.execute(
        "DELETE FROM console_links WHERE kind = ? AND person_id = ?", (kind, person_id)
    )
