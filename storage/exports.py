"""Export batches: which revision of which registration went out in which numbered batch."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiosqlite

from .times import day_start

# Registration columns read for an export, in table order.
COLUMNS = (
    "id",
    "reference",
    "nik",
    "full_name",
    "birth_date",
    "gender",
    "phone",
    "address",
    "city",
    "email",
    "occupation",
    "occupation_detail",
    "income_stated",
    "income_declared",
    "programs",
    "period_months",
    "monthly_premium",
    "period_total",
    "discount",
    "tariff_version",
    "campaign",
    "assisted_by",
    "consent_version",
    "consent_at",
    "review_flags",
    "channel",
    "revision",
    "created_at",
    "updated_at",
)


class NothingToExport(Exception):
    """No registration matches: no batch is created and no file written."""


@dataclass(frozen=True)
class Filters:
    include_exported: bool = False  # --all
    since: date | None = None  # registration date, local, inclusive
    until: date | None = None
    campaign: str | None = None

    def to_json(self) -> str:
        return json.dumps(
            {k: str(v) if isinstance(v, date) else v for k, v in asdict(self).items()},
            sort_keys=True,
        )


@dataclass(frozen=True)
class Batch:
    id: int
    created_at: str
    created_by: str
    format: str
    filters: str
    row_count: int
    sha256: str | None
    file_name: str | None


def _where(filters: Filters, zone: ZoneInfo) -> tuple[str, list[object]]:
    clauses, params = [], []
    if not filters.include_exported:
        clauses.append("(exported_revision IS NULL OR exported_revision < revision)")
    if filters.since:
        clauses.append("created_at >= ?")
        params.append(day_start(filters.since, zone))
    if filters.until:
        clauses.append("created_at < ?")
        params.append(day_start(filters.until + timedelta(days=1), zone))
    if filters.campaign:
        clauses.append("campaign = ?")
        params.append(filters.campaign)
    return " AND ".join(clauses) or "1", params


async def claim(
    conn: aiosqlite.Connection,
    filters: Filters,
    fmt: str,
    actor: str,
    now: datetime,
    zone: ZoneInfo,
) -> Batch:
    """Create a numbered batch holding the matching registrations, and mark them exported.

    Run inside a transaction; raises NothingToExport (so the caller rolls back) if none match.
    """
    cursor = await conn.execute(
        """INSERT INTO export_batches (created_at, created_by, format, filters, row_count)
           VALUES (?, ?, ?, ?, 0)""",
        (now.isoformat(), actor, fmt, filters.to_json()),
    )
    batch_id = cursor.lastrowid
    where, params = _where(filters, zone)
    cursor = await conn.execute(
        f"""INSERT INTO export_items (batch_id, registration_id, revision)
            SELECT ?, id, revision FROM registrations WHERE {where}""",
        [batch_id, *params],
    )
    if cursor.rowcount == 0:
        raise NothingToExport
    await conn.execute(
        """UPDATE registrations SET exported_revision = revision
           WHERE id IN (SELECT registration_id FROM export_items WHERE batch_id = ?)""",
        (batch_id,),
    )
    await conn.execute(
        "UPDATE export_batches SET row_count = ? WHERE id = ?", (cursor.rowcount, batch_id)
    )
    batch = await get(conn, batch_id)  # type: ignore[arg-type]
    assert batch is not None
    return batch


async def finish(conn: aiosqlite.Connection, batch_id: int, sha256: str, file_name: str) -> None:
    await conn.execute(
        "UPDATE export_batches SET sha256 = ?, file_name = ? WHERE id = ?",
        (sha256, file_name, batch_id),
    )


async def release(conn: aiosqlite.Connection, batch_id: int) -> None:
    """Undo a batch whose file could not be written: its rows count as not exported again."""
    await conn.execute(
        """UPDATE registrations SET exported_revision = NULL
           WHERE id IN (SELECT registration_id FROM export_items WHERE batch_id = ?)""",
        (batch_id,),
    )
    await conn.execute("DELETE FROM export_items WHERE batch_id = ?", (batch_id,))
    await conn.execute("DELETE FROM export_batches WHERE id = ?", (batch_id,))


async def get(conn: aiosqlite.Connection, batch_id: int) -> Batch | None:
    async with conn.execute("SELECT * FROM export_batches WHERE id = ?", (batch_id,)) as cursor:
        row = await cursor.fetchone()
    return Batch(**dict(row)) if row else None


async def latest(conn: aiosqlite.Connection) -> Batch | None:
    async with conn.execute(
        "SELECT * FROM export_batches WHERE sha256 IS NOT NULL ORDER BY id DESC LIMIT 1"
    ) as cursor:
        row = await cursor.fetchone()
    return Batch(**dict(row)) if row else None


async def rows(
    conn: aiosqlite.Connection, batch_id: int, chunk: int = 2000
) -> AsyncIterator[dict[str, object]]:
    """The batch's registrations as they were when it was made, in registration order.

    Each item is joined to the current row or, if that has been updated since, to the revision
    kept in registration_history. Use a connection of its own: this may read a million rows.
    """
    picked = ", ".join(f"COALESCE(r.{c}, h.{c}) AS {c}" for c in COLUMNS)
    sql = f"""SELECT {picked}, k.code AS campaign_code
              FROM export_items i
              LEFT JOIN registrations r ON r.id = i.registration_id AND r.revision = i.revision
              LEFT JOIN registration_history h
                     ON h.id = i.registration_id AND h.revision = i.revision
              LEFT JOIN campaigns k ON k.code = COALESCE(r.campaign, h.campaign)
              WHERE i.batch_id = ?
              ORDER BY i.batch_id, i.registration_id"""
    async with conn.execute(sql, (batch_id,)) as cursor:
        while batch := await cursor.fetchmany(chunk):
            for row in batch:
                yield dict(row)
