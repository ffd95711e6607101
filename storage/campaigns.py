"""Campaigns: issued codes for links and QR codes, with where, who and when."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from .sql import AsyncConnection, Row

_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # lower case: codes are typed into chats too


@dataclass(frozen=True)
class Campaign:
    code: str
    name: str
    place: str
    branch: str
    campaigner_id: int | None
    starts_on: date
    ends_on: date | None
    closed_at: str | None

    def active_on(self, day: date) -> bool:
        return (
            self.closed_at is None
            and self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
        )


def _campaign(row: Row) -> Campaign:
    return Campaign(
        row["code"],
        row["name"],
        row["place"],
        row["branch"],
        row["campaigner_id"],
        date.fromisoformat(row["starts_on"]),
        date.fromisoformat(row["ends_on"]) if row["ends_on"] else None,
        row["closed_at"],
    )


def issue_code(name: str) -> str:
    """A readable, unguessable code: a slug of the name and six random characters.

    Valid as a Telegram start payload ([A-Za-z0-9_-], at most 64)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24].strip("-") or "kampanye"
    return f"{slug}-{''.join(secrets.choice(_CODE_ALPHABET) for _ in range(6))}"


async def create(
    conn: AsyncConnection,
    *,
    name: str,
    place: str,
    branch: str,
    campaigner_id: int | None,
    starts_on: date,
    ends_on: date | None,
    actor: str,
    now: datetime,
) -> Campaign:
    code = issue_code(name)
    await conn.execute(
        """INSERT INTO campaigns (code, name, place, branch, campaigner_id, starts_on, ends_on,
                                  created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            code,
            name,
            place,
            branch,
            campaigner_id,
            starts_on.isoformat(),
            ends_on.isoformat() if ends_on else None,
            now.isoformat(),
            actor,
        ),
    )
    found = await get(conn, code)
    assert found is not None
    return found


async def get(conn: AsyncConnection, code: str) -> Campaign | None:
    async with conn.execute("SELECT * FROM campaigns WHERE code = ?", (code,)) as cursor:
        row = await cursor.fetchone()
    return _campaign(row) if row else None


async def listing(conn: AsyncConnection, campaigner_id: int | None = None) -> list[Campaign]:
    sql, params = "SELECT * FROM campaigns", ()
    if campaigner_id is not None:
        sql, params = sql + " WHERE campaigner_id = ?", (campaigner_id,)
    async with conn.execute(sql + " ORDER BY starts_on DESC, code", params) as cursor:
        return [_campaign(row) for row in await cursor.fetchall()]


async def close(conn: AsyncConnection, code: str, now: datetime) -> bool:
    cursor = await conn.execute(
        "UPDATE campaigns SET closed_at = ? WHERE code = ? AND closed_at IS NULL",
        (now.isoformat(), code),
    )
    return cursor.rowcount == 1
