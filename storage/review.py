"""Staff decisions on registrations: approving or rejecting a flagged one, correcting a field.

A correction is a new revision (the one replaced is kept in registration_history, as when a
worker updates their own), so an export batch that holds the old one can still be reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiosqlite

from .search import Scope

Decision = Literal["approved", "rejected"]
CORRECTABLE = ("full_name", "birth_date", "gender", "phone", "address", "email")


@dataclass(frozen=True)
class Worker:
    """Where to tell the worker about a decision: their chat."""

    reference: str
    channel: str
    user_key: str
    lang: str


async def _worker(conn: aiosqlite.Connection, reference: str) -> Worker | None:
    async with conn.execute(
        """SELECT r.reference, r.channel, r.user_key, coalesce(s.lang, 'id')
           FROM registrations r
           LEFT JOIN sessions s ON s.channel = r.channel AND s.user_key = r.user_key
           WHERE r.reference = ?""",
        (reference,),
    ) as cursor:
        row = await cursor.fetchone()
    return Worker(*row) if row else None


async def decide(
    conn: aiosqlite.Connection,
    reference: str,
    decision: Decision,
    note: str,
    actor: str,
    now: datetime,
    scope: Scope,
) -> Worker | None:
    """Record the decision on a flagged registration `scope` may see and nobody decided on
    yet; None when there is no such registration (decided meanwhile, or not theirs)."""
    allowed, params = scope.where("registrations")
    cursor = await conn.execute(
        f"""UPDATE registrations
            SET review_state = ?, review_note = ?, reviewed_by = ?, reviewed_at = ?
            WHERE reference = ? AND review_flags != '' AND review_state IS NULL AND {allowed}""",
        (decision, note or None, actor, now.isoformat(), reference, *params),
    )
    return await _worker(conn, reference) if cursor.rowcount == 1 else None


async def correct(
    conn: aiosqlite.Connection,
    reference: str,
    field: str,
    value: str | None,
    now: datetime,
    scope: Scope,
) -> bool:
    """Set one field of a registration `scope` may see, as a new revision."""
    if field not in CORRECTABLE:
        raise ValueError(f"{field} cannot be corrected here")
    allowed, params = scope.where("registrations")
    async with conn.execute(
        f"SELECT id FROM registrations WHERE reference = ? AND {allowed}", (reference, *params)
    ) as cursor:
        if await cursor.fetchone() is None:
            return False
    await conn.execute(
        "INSERT INTO registration_history SELECT * FROM registrations WHERE reference = ?",
        (reference,),
    )
    await conn.execute(
        f"""UPDATE registrations SET {field} = ?, revision = revision + 1, updated_at = ?
            WHERE reference = ?""",
        (value, now.isoformat(), reference),
    )
    return True
