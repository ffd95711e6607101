"""Export batches: which revision of which registration went out in which numbered batch.

A batch goes through three states, so that a process killed at any instant leaves either a
finished batch or none:

- writing: the batch number is reserved and its file is being written to a temporary file
  (listed in export_temp_files); its registrations are still pending.
- committed: one transaction recorded its items and the file's SHA-256; its registrations are
  exported. The file is published (linked to its final name) after this commit.
- done: the file is in place.

A leftover `writing` batch is undone by the next bpu-bot command, a `committed` one finished.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from . import sql
from .sql import AsyncConnection, Connection, Cursor, Row
from .times import day_start

# The stable columns of an export file, documented in the README. Add at the end; never rename
# or reorder. (The one exception: city_code, district and district_code went in right after
# `city`, next to the name they code; a reader that takes columns by position had to follow.)
FILE_COLUMNS = (
    "reference",
    "registered_at",
    "updated_at",
    "channel",
    "nik",
    "full_name",
    "birth_date",
    "gender",
    "phone",
    "email",
    "address",
    "city",
    "city_code",
    "district",
    "district_code",
    "occupation",
    "occupation_detail",
    "declared_income",
    "programs",
    "payment_period_months",
    "monthly_premium",
    "period_total",
    "discount",
    "tariff_version",
    "campaign_code",
    "assisted_by",
    "consent_version",
    "consent_at",
    "review_flags",
    "review_state",
    "revision",
    "erasure_requested_at",  # the worker asked to delete their data: pass it on
    "sponsor_program",  # a sponsored program pays the premium (storage/sponsors.py)
    "sponsor",
    "sponsor_from",
    "sponsor_until",
)
# What each is read from: the registrations column, where its name differs; `campaign_code` is
# the issued campaign's code (joined).
_READ_FROM = {
    "registered_at": "created_at",
    "declared_income": "income_declared",
    "payment_period_months": "period_months",
}
EXPORTED = tuple(_READ_FROM.get(column, column) for column in FILE_COLUMNS)


class DeletedMeanwhile(Exception):
    """A worker deleted their data while the file was written (it holds them): not recorded,
    so the file is never published and the next export goes without them."""


class NothingToExport(Exception):
    """No registration matches: no batch is created and no file written."""


@dataclass(frozen=True)
class Filters:
    include_exported: bool = False  # --all
    since: date | None = None  # registration date, local, inclusive
    until: date | None = None
    campaign: str | None = None
    branch: str | None = None  # the campaigns of one branch office (a branch's staff export)

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
    state: str = "done"
    path: str | None = None


def _where(filters: Filters, zone: ZoneInfo) -> tuple[str, list[object]]:
    clauses, params = [], []
    if not filters.include_exported:  # no export item holds the current revision
        clauses.append(
            """NOT EXISTS (SELECT 1 FROM export_items i
                           WHERE i.registration_id = r.id AND i.revision >= r.revision)"""
        )
    if filters.since:
        clauses.append("r.created_at >= ?")
        params.append(day_start(filters.since, zone))
    if filters.until:
        clauses.append("r.created_at < ?")
        params.append(day_start(filters.until + timedelta(days=1), zone))
    if filters.campaign:
        clauses.append("r.campaign = ?")
        params.append(filters.campaign)
    if filters.branch:
        clauses.append("r.campaign IN (SELECT code FROM campaigns WHERE branch = ?)")
        params.append(filters.branch)
    return " AND ".join(clauses) or "1 = 1", params


# --- on the exporting thread's own sqlite3 connection ------------------------------------------


def pick(conn: Connection, filters: Filters, zone: ZoneInfo) -> int:
    """Inside a read transaction: copy the matching (id, revision) pairs into temp.picked, so
    the file and the batch's items come from the same snapshot. Returns how many."""
    temp = sql.dialect(conn).temp
    conn.execute(f"DROP TABLE IF EXISTS {temp}.picked")
    conn.execute("CREATE TEMP TABLE picked (id INTEGER PRIMARY KEY, revision INTEGER NOT NULL)")
    where, params = _where(filters, zone)
    cursor = conn.execute(
        f"INSERT INTO {temp}.picked SELECT r.id, r.revision FROM registrations r WHERE {where}",
        params,
    )
    return cursor.rowcount


class Cells(Protocol):
    """How each export column is selected: (column index, SQL expression) -> SQL to select;
    then joins() gives the joins those expressions need (after the columns were made)."""

    def __call__(self, index: int, expression: str) -> str: ...

    def joins(self) -> str: ...


# The sponsored program's columns, read from its row ({program}: the registration's code); its
# first month is the worker's own (registrations.sponsored_from), else the program's.
_SPONSOR = {
    "sponsor": "(SELECT sponsor FROM sponsor_programs WHERE code = {program})",
    "sponsor_from": "coalesce({sponsored_from},"
    " (SELECT start_month FROM sponsor_programs WHERE code = {program}))",
    "sponsor_until": "(SELECT end_month FROM sponsor_programs WHERE code = {program})",
}


def _expression(name: str, column: Callable[[str], str]) -> str:
    """How an export column is read; `column` names a registrations column (as it was)."""
    if name == "campaign_code":
        return "k.code"
    if name in _SPONSOR:
        return _SPONSOR[name].format(
            program=column("sponsor_program"), sponsored_from=column("sponsored_from")
        )
    return column(name)


def picked_rows(conn: Connection, cell: Cells) -> Cursor:
    """The picked registrations as export columns, in registration order (same snapshot);
    `cell` wraps each column's expression (format rules done in SQL)."""
    columns = ", ".join(
        cell(i, _expression(c, lambda name: f"r.{name}")) for i, c in enumerate(EXPORTED)
    )
    return sql.stream(
        conn,
        f"""SELECT {columns} FROM {sql.dialect(conn).temp}.picked p
            JOIN registrations r ON r.id = p.id
            LEFT JOIN campaigns k ON k.code = r.campaign
            {cell.joins()}
            ORDER BY p.id""",
    )


def batch_rows(conn: Connection, batch_id: int, cell: Cells) -> Cursor:
    """A batch's registrations as they were when it was made, as export columns, in
    registration order: each item joined to the current row or, if that has been updated
    since, to the revision kept in registration_history."""

    def column(name: str) -> str:
        return f"COALESCE(r.{name}, h.{name})"

    return sql.stream(
        conn,
        f"""SELECT {", ".join(cell(i, _expression(c, column)) for i, c in enumerate(EXPORTED))}
            FROM export_items i
            LEFT JOIN registrations r ON r.id = i.registration_id AND r.revision = i.revision
            LEFT JOIN registration_history h
                   ON h.id = i.registration_id AND h.revision = i.revision
            LEFT JOIN campaigns k ON k.code = COALESCE(r.campaign, h.campaign)
            {cell.joins()}
            WHERE i.batch_id = ?
            ORDER BY i.batch_id, i.registration_id""",
        (batch_id,),
    )


def earliest(conn: Connection) -> str | None:
    """When the first registration was made (an index lookup)."""
    return conn.execute("SELECT min(created_at) FROM registrations").fetchone()[0]


def commit_batch(conn: Connection, batch_id: int, sha256: str, audit: str) -> int:
    """In one write transaction: the picked rows become batch `batch_id`'s items (so they are
    exported), with the file's digest; the batch is then `committed`. Returns its rows."""
    engine = sql.dialect(conn)
    conn.execute(engine.begin_write)
    try:
        state = conn.execute("SELECT state FROM export_batches WHERE id = ?", (batch_id,))
        if state.fetchone() != ("writing",):
            raise RuntimeError(f"export batch {batch_id} is no longer being written")
        if conn.execute(
            f"""SELECT 1 FROM {engine.temp}.picked p
               WHERE NOT EXISTS (SELECT 1 FROM registrations r WHERE r.id = p.id)"""
        ).fetchone():
            raise DeletedMeanwhile
        count = conn.execute(
            f"""INSERT INTO export_items (batch_id, registration_id, revision)
               SELECT ?, id, revision FROM {engine.temp}.picked ORDER BY id""",
            (batch_id,),
        ).rowcount
        conn.execute(
            """UPDATE export_batches SET state = 'committed', row_count = ?, sha256 = ?
               WHERE id = ?""",
            (count, sha256, batch_id),
        )
        at, actor, detail = json.loads(audit)
        conn.execute(
            "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, 'export', ?)",
            (at, actor, json.dumps(detail | {"rows": count}, ensure_ascii=False, sort_keys=True)),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return count


# --- short transactions on the main connection --------------------------------------------------


async def reserve(
    conn: AsyncConnection, filters: Filters, fmt: str, actor: str, now: datetime
) -> Batch:
    """A new batch number, in state `writing`: nothing is exported yet."""
    cursor = await conn.execute(
        # numbered on from the last batch kept (one undone leaves no gap), as SQLite numbers a
        # rowid, on PostgreSQL too: staff read the numbers in the files' names
        """INSERT INTO export_batches
               (id, created_at, created_by, format, filters, row_count, state)
           VALUES ((SELECT coalesce(max(id), 0) + 1 FROM export_batches), ?, ?, ?, ?, 0,
                   'writing') RETURNING id""",
        (now.isoformat(), actor, fmt, filters.to_json()),
    )
    (batch_id,) = await cursor.fetchone()
    batch = await get(conn, batch_id, "writing")
    assert batch is not None
    return batch


async def set_target(
    conn: AsyncConnection, batch_id: int, path: str, file_name: str, temp: str, now: datetime
) -> None:
    """Where the batch's file will be published, and the temporary file it is written to."""
    await conn.execute(
        "UPDATE export_batches SET path = ?, file_name = ? WHERE id = ?",
        (path, file_name, batch_id),
    )
    await add_temp(conn, temp, batch_id, now)


async def add_temp(conn: AsyncConnection, path: str, batch_id: int | None, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO export_temp_files (path, batch_id, created_at) VALUES (?, ?, ?)",
        (path, batch_id, now.isoformat()),
    )


async def drop_temp(conn: AsyncConnection, path: str) -> None:
    await conn.execute("DELETE FROM export_temp_files WHERE path = ?", (path,))


async def finish(conn: AsyncConnection, batch_id: int, temp: str) -> None:
    """The file is published: the batch is done."""
    await conn.execute("UPDATE export_batches SET state = 'done' WHERE id = ?", (batch_id,))
    await drop_temp(conn, temp)


async def release(conn: AsyncConnection, batch_id: int) -> None:
    """Undo a batch whose file was never published: its rows count as not exported again."""
    await conn.execute("DELETE FROM export_items WHERE batch_id = ?", (batch_id,))
    await conn.execute("DELETE FROM export_temp_files WHERE batch_id = ?", (batch_id,))
    await conn.execute("DELETE FROM export_batches WHERE id = ?", (batch_id,))


async def leftovers(conn: AsyncConnection) -> tuple[list[tuple[Batch, str | None]], list[str]]:
    """What killed exports left: batches not done, each with its temporary file, and the
    temporary files of no such batch."""
    async with conn.execute(
        """SELECT b.*, t.path AS temp FROM export_batches b
           LEFT JOIN export_temp_files t ON t.batch_id = b.id
           WHERE b.state != 'done' ORDER BY b.id"""
    ) as cursor:
        batches = [_unfinished(row) for row in await cursor.fetchall()]
    async with conn.execute(
        """SELECT path FROM export_temp_files
           WHERE batch_id IS NULL
              OR batch_id NOT IN (SELECT id FROM export_batches WHERE state != 'done')"""
    ) as cursor:
        files = [row[0] for row in await cursor.fetchall()]
    return batches, files


def _unfinished(row: Row) -> tuple[Batch, str | None]:
    values = dict(row)
    temp = values.pop("temp")
    return Batch(**values), temp


async def get(conn: AsyncConnection, batch_id: int, state: str = "done") -> Batch | None:
    async with conn.execute(
        "SELECT * FROM export_batches WHERE id = ? AND state = ?", (batch_id, state)
    ) as cursor:
        row = await cursor.fetchone()
    return Batch(**dict(row)) if row else None


async def listing(conn: AsyncConnection, limit: int = 100) -> list[Batch]:
    """The finished batches, newest first."""
    async with conn.execute(
        "SELECT * FROM export_batches WHERE state = 'done' ORDER BY id DESC LIMIT ?", (limit,)
    ) as cursor:
        return [Batch(**dict(row)) for row in await cursor.fetchall()]


async def latest(conn: AsyncConnection) -> Batch | None:
    async with conn.execute(
        "SELECT * FROM export_batches WHERE state = 'done' ORDER BY id DESC LIMIT 1"
    ) as cursor:
        row = await cursor.fetchone()
    return Batch(**dict(row)) if row else None
