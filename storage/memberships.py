"""Results from the main membership system, per registration: accepted (KPJ, start date) or
rejected (why), and the month paid up to. Written only by an import batch (bot/staff/imports.py).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from . import reminders
from .sql import AsyncConnection, Row

MAX_PROBLEMS = 10_000  # rows listed as not applied, at most


@dataclass(frozen=True)
class Result:
    """One row of the main system's file, already checked for form."""

    line: int  # in the file, for the report (the header is line 1)
    reference: str
    nik: str
    state: str | None  # accepted, rejected, or None: a payment row only
    kpj: str | None
    starts_on: str | None  # YYYY-MM-DD
    reason: str | None
    paid_until: str | None  # YYYY-MM


@dataclass(frozen=True)
class ImportBatch:
    id: int
    created_at: str
    created_by: str
    file_name: str
    sha256: str
    row_count: int
    changed: int
    problems: list[tuple[int, str, str]]  # (line, reference, what is wrong): the first ones
    not_applied: int = 0  # rows not applied, all of them


def _batch(row: Row) -> ImportBatch:
    values = dict(row)
    values["problems"] = [tuple(p) for p in json.loads(values["problems"])]
    return ImportBatch(**values)


async def batch_by_sha(conn: AsyncConnection, sha256: str) -> ImportBatch | None:
    async with conn.execute("SELECT * FROM import_batches WHERE sha256 = ?", (sha256,)) as cur:
        row = await cur.fetchone()
    return _batch(row) if row else None


async def batches(conn: AsyncConnection, limit: int = 100) -> list[ImportBatch]:
    async with conn.execute(
        "SELECT * FROM import_batches ORDER BY id DESC LIMIT ?", (limit,)
    ) as cursor:
        return [_batch(row) for row in await cursor.fetchall()]


async def _conflict(conn: AsyncConnection, result: Result) -> tuple[int | None, str | None]:
    """The registration a row is about, or what is wrong: it is never guessed."""
    async with conn.execute(
        """SELECT r.id, r.nik, m.state, m.kpj, m.paid_until
           FROM registrations r LEFT JOIN memberships m ON m.registration_id = r.id
           WHERE r.reference = ?""",
        (result.reference,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None, "no registration has this reference"
    reg_id, nik, state, kpj, paid_until = row
    if nik != result.nik:
        return None, "the NIK is not the registration's"
    if result.state == "rejected" and state == "accepted":
        return None, "accepted before: a rejection now is not applied"
    if result.state == "accepted" and kpj and result.kpj != kpj:
        return None, f"accepted before with KPJ {kpj}, now another"
    if result.kpj:
        async with conn.execute(
            "SELECT 1 FROM memberships WHERE kpj = ? AND registration_id != ?",
            (result.kpj, reg_id),
        ) as cursor:
            if await cursor.fetchone():
                return None, "this KPJ is another registration's"
    if result.paid_until:
        if (result.state or state) != "accepted":
            return None, "paid for, but not accepted"
        if paid_until and result.paid_until < paid_until:
            return None, f"paid until {result.paid_until}, earlier than the {paid_until} recorded"
    return reg_id, None


async def open_batch(
    conn: AsyncConnection, *, file_name: str, rows: int, actor: str, now: datetime
) -> int:
    """A batch being applied: its file's digest is set when the last rows are in (`close`), so
    one cut off half-way is applied again in full next time (its rows applied already change
    nothing then)."""
    cursor = await conn.execute(
        # numbered on from the last batch kept, as export batches are (exports.reserve)
        """INSERT INTO import_batches
           (id, created_at, created_by, file_name, sha256, row_count, changed, problems)
           VALUES ((SELECT coalesce(max(id), 0) + 1 FROM import_batches), ?, ?, ?, ?, ?, 0,
                   '[]') RETURNING id""",
        (now.isoformat(), actor, file_name, f"unfinished:{secrets.token_hex(8)}", rows),
    )
    (batch_id,) = await cursor.fetchone()
    return batch_id


async def close_batch(
    conn: AsyncConnection,
    batch_id: int,
    sha256: str,
    changed: int,
    problems: list[tuple[int, str, str]],
) -> ImportBatch:
    kept = sorted(problems)[:MAX_PROBLEMS]  # a wrong file's every row need not be kept
    await conn.execute(
        """UPDATE import_batches SET sha256 = ?, changed = ?, problems = ?, not_applied = ?
           WHERE id = ?""",
        (sha256, changed, json.dumps(kept, ensure_ascii=False), len(problems), batch_id),
    )
    async with conn.execute("SELECT * FROM import_batches WHERE id = ?", (batch_id,)) as cur:
        return _batch(await cur.fetchone())


async def apply(
    conn: AsyncConnection, batch_id: int, results: list[Result], now: datetime
) -> tuple[int, list[tuple[int, str, str]]]:
    """Apply rows of batch `batch_id`: every row that matches a registration and conflicts with
    nothing; the others are returned as problems. How many changed something."""
    problems: list[tuple[int, str, str]] = []
    changed = 0
    for result in results:
        reg_id, problem = await _conflict(conn, result)
        if problem:
            problems.append((result.line, result.reference, problem))
            continue
        cursor = await conn.execute(
            """INSERT INTO memberships AS m
               (registration_id, state, kpj, starts_on, reason, paid_until, updated_at, batch_id)
               VALUES (:id, :state, :kpj, :starts_on, :reason, :paid_until, :now, :batch)
               ON CONFLICT (registration_id) DO UPDATE SET
                   state = coalesce(excluded.state, m.state),
                   kpj = coalesce(excluded.kpj, m.kpj),
                   starts_on = coalesce(excluded.starts_on, m.starts_on),
                   reason = CASE WHEN excluded.state = 'accepted' THEN NULL
                                 ELSE coalesce(excluded.reason, m.reason) END,
                   paid_until = coalesce(excluded.paid_until, m.paid_until),
                   updated_at = excluded.updated_at,
                   batch_id = excluded.batch_id
               WHERE (m.state, m.kpj, m.starts_on, m.reason, m.paid_until) IS DISTINCT FROM
                     (coalesce(excluded.state, m.state), coalesce(excluded.kpj, m.kpj),
                      coalesce(excluded.starts_on, m.starts_on),
                      CASE WHEN excluded.state = 'accepted' THEN NULL
                           ELSE coalesce(excluded.reason, m.reason) END,
                      coalesce(excluded.paid_until, m.paid_until))""",
            {
                "id": reg_id,
                "state": result.state,
                "kpj": result.kpj,
                "starts_on": result.starts_on,
                "reason": result.reason,
                "paid_until": result.paid_until,
                "now": now.isoformat(),
                "batch": batch_id,
            },
        )
        changed += cursor.rowcount
        if cursor.rowcount and result.paid_until:
            await reminders.payment_recorded(conn, reg_id, result.reference)
    return changed, problems


async def untold(conn: AsyncConnection) -> list[tuple[str, Standing]]:
    """Results the worker has not been told of yet: (reference, standing)."""
    async with conn.execute(
        """SELECT r.reference, m.state, m.kpj, m.starts_on, m.reason, m.paid_until
           FROM memberships m JOIN registrations r ON r.id = m.registration_id
           WHERE m.state IS NOT NULL AND m.told_state IS DISTINCT FROM m.state"""
    ) as cursor:
        return [(row[0], Standing(*row[1:])) for row in await cursor.fetchall()]


async def told(conn: AsyncConnection, reference: str, state: str) -> None:
    await conn.execute(
        """UPDATE memberships SET told_state = ?
           WHERE registration_id = (SELECT id FROM registrations WHERE reference = ?)""",
        (state, reference),
    )


@dataclass(frozen=True)
class Standing:
    state: str | None
    kpj: str | None
    starts_on: str | None
    reason: str | None
    paid_until: str | None


async def standing(conn: AsyncConnection, reference: str) -> Standing | None:
    async with conn.execute(
        """SELECT m.state, m.kpj, m.starts_on, m.reason, m.paid_until
           FROM memberships m JOIN registrations r ON r.id = m.registration_id
           WHERE r.reference = ?""",
        (reference,),
    ) as cursor:
        row = await cursor.fetchone()
    return Standing(*row) if row else None
