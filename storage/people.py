"""Staff and campaigners: who may use the staff tools and the campaigner commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from . import console
from .sql import AsyncConnection, Connection, Row

Role = Literal["staff", "campaigner"]
TABLES: dict[Role, str] = {"staff": "staff", "campaigner": "campaigners"}


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    telegram_id: str | None
    phone: str | None
    active: bool
    code: str | None = None  # campaigners only
    admin: bool = False  # staff only: every branch
    branch: str | None = None  # staff only: the branch office they see


def _person(row: Row) -> Person:
    keys = row.keys()
    return Person(
        row["id"],
        row["name"],
        row["telegram_id"],
        row["phone"],
        bool(row["active"]),
        row["code"] if "code" in keys else None,
        "role" in keys and row["role"] == "admin",
        row["branch"] if "branch" in keys else None,
    )


async def add(
    conn: AsyncConnection,
    role: Role,
    name: str,
    telegram_id: str | None,
    phone: str | None,
    actor: str,
    now: datetime,
    code: str | None = None,
    branch: str | None = None,
) -> int:
    """Add a person; staff with a `branch` see that branch, staff without one every branch."""
    if role == "campaigner":
        cursor = await conn.execute(
            """INSERT INTO campaigners (code, name, telegram_id, phone, created_at, created_by)
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
            (code, name, telegram_id, phone, now.isoformat(), actor),
        )
    else:
        cursor = await conn.execute(
            """INSERT INTO staff (name, telegram_id, phone, created_at, created_by, role, branch)
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (
                name,
                telegram_id,
                phone,
                now.isoformat(),
                actor,
                "staff" if branch else "admin",
                branch,
            ),
        )
    (person_id,) = await cursor.fetchone()
    return person_id


def _role_of(branch: str | None) -> tuple[str, str | None]:
    """Staff with a branch see that branch; staff without one are administrators."""
    return ("staff", branch) if branch else ("admin", None)


async def deactivate(conn: AsyncConnection, role: Role, person_id: int) -> bool:
    """Take the role away; their console sessions and sign-in links end with it."""
    cursor = await conn.execute(f"UPDATE {TABLES[role]} SET active = 0 WHERE id = ?", (person_id,))
    await console.close_sessions_of(conn, role, person_id)
    return cursor.rowcount == 1


async def listing(conn: AsyncConnection, role: Role) -> list[Person]:
    async with conn.execute(f"SELECT * FROM {TABLES[role]} ORDER BY active DESC, name") as cursor:
        return [_person(row) for row in await cursor.fetchall()]


async def find(
    conn: AsyncConnection,
    role: Role,
    *,
    telegram_id: str | None = None,
    phone: str | None = None,
    whatsapp_id: str | None = None,
) -> Person | None:
    """The active person with this Telegram id or phone number, if they hold the role.

    On WhatsApp the role is bound to the business-scoped id (`whatsapp_id`) first seen with the
    number; Meta gives a new one with a new owner, so a recycled number gets no role. Run in a
    write transaction: the first use records the binding."""
    if telegram_id is None and phone is None:
        return None
    async with conn.execute(
        f"""SELECT * FROM {TABLES[role]}
            WHERE active = 1 AND (telegram_id = ? OR phone = ?)""",
        (telegram_id, phone),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    if whatsapp_id and phone is not None and row["phone"] == phone:
        bound = row["whatsapp_user_id"]
        if bound is None:
            await conn.execute(
                f"UPDATE {TABLES[role]} SET whatsapp_user_id = ? WHERE id = ?",
                (whatsapp_id, row["id"]),
            )
        elif bound != whatsapp_id:
            return None  # the number has a new owner
    return _person(row)


async def get(conn: AsyncConnection, role: Role, person_id: int) -> Person | None:
    async with conn.execute(f"SELECT * FROM {TABLES[role]} WHERE id = ?", (person_id,)) as cursor:
        row = await cursor.fetchone()
    return _person(row) if row else None


async def campaigner_by_code(conn: AsyncConnection, code: str) -> Person | None:
    async with conn.execute("SELECT * FROM campaigners WHERE code = ?", (code,)) as cursor:
        row = await cursor.fetchone()
    return _person(row) if row else None


def campaigner_active(conn: Connection, code: str) -> bool:
    """Whether an active campaigner has this code (on the database thread, in the caller's
    transaction: the role is checked when an assisted registration is saved)."""
    row = conn.execute(
        "SELECT 1 FROM campaigners WHERE code = ? AND active = 1", (code,)
    ).fetchone()
    return row is not None
