"""Registrations put straight into storage, for export and statistics tests."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import aiosqlite

from conversations import Registration
from storage import Database, campaigns, people, registrations
from storage.sponsors import NewProgram
from tests.conftest import NOW


def registration(i: int, **changes: object) -> Registration:
    base = Registration(
        reference=f"BPU-TEST-{i:04d}",
        nik=f"3372051708{80 + i % 20:02d}{i + 1:04d}",
        full_name=f"Pekerja {i}",
        birth_date=date(1980, 8, 17),
        gender="L",
        phone=f"+62812{i:08d}",
        address=f"Jl. Mawar {i}, Kauman",
        city="Kota Surakarta",
        email=None,
        occupation="pedagang",
        occupation_detail=None,
        income_stated=2_000_000,
        income_declared=2_000_000,
        programs="JKK+JKM",
        period_months=1,
        monthly_premium=13_400,
        period_total=13_400,
        discount="PP 50/2025 50% until 2026-12-31",
        tariff_version="2026-11-21.1",
        campaign=None,
        consent_version="2026-11-21",
        consent_at=NOW,
        review_flags=(),
        assisted_by=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def add(
    db: Database,
    reg: Registration,
    at: datetime = NOW,
    user: str = "seed",
    replaces: str | None = None,
) -> None:
    await db.run(lambda conn: registrations.save(conn, reg, replaces, "test", user, "s", at))


async def campaigner_with_campaign(
    db_path: Path, telegram_id: str | None = None, phone: str | None = None
) -> str:
    """Campaigner Sri (code PRS-0123) and her campaign at Pasar Gede; returns its code."""
    async with await Database.open(db_path) as db, db.transaction() as conn:
        sri = await people.add(
            conn, "campaigner", "Sri", telegram_id, phone, "t", NOW, code="PRS-0123"
        )
        made = await campaigns.create(
            conn,
            name="Pasar Gede",
            place="Pasar Gede, Solo",
            branch="Surakarta",
            campaigner_id=sri,
            starts_on=date(2026, 1, 1),
            ends_on=None,
            actor="t",
            now=NOW,
        )
    return made.code


async def village_campaign(conn: aiosqlite.Connection) -> str:
    """The campaign of a village, Sepaku (branch Balikpapan), where a sponsor pays: its code."""
    made = await campaigns.create(
        conn,
        name="Desa Sepaku",
        place="Sepaku",
        branch="Balikpapan",
        campaigner_id=None,
        starts_on=NOW.date(),
        ends_on=None,
        actor="t",
        now=NOW,
    )
    return made.code


def sponsor_program(**changes: object) -> NewProgram:
    """Pemkab Penajam Paser Utara's program (APBD) for December 2026 to November 2027, 10 seats,
    with `changes`."""
    base = NewProgram(
        code="SPN-PPU-2027",
        sponsor="Pemkab Penajam Paser Utara",
        kind="apbd_kabupaten",
        with_jht=False,
        declared_income=1_000_000,
        seats=10,
        start=date(2026, 12, 1),
        end=date(2027, 11, 1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def everything(db: Database) -> str:
    """Every row the database holds, as text, either engine: nothing of a deleted worker may be
    found in it."""
    if db.dialect.name == "sqlite":
        with sqlite3.connect(db.path) as conn:
            return "\n".join(conn.iterdump())
    tables = await db.fetch_all(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    )
    lines = []
    for (table,) in tables:
        lines += [row[0] for row in await db.fetch_all(f'SELECT t::text FROM "{table}" t')]
    return "\n".join(lines)
