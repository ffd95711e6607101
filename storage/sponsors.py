"""Sponsored programs (`sponsor_programs`, `sponsor_niks`, `sponsor_campaigns`): a regency, the
state or a company pays the premium of the workers who qualify, up to a number of seats, for a
period. A seat is a registration that records the program (`registrations.sponsor_program`):
it is taken in the registration's own transaction, under the write lock, so seats are never
oversold.

`offer` runs inside the message's transaction (sync); the rest on staff connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from conversations import Sponsorship

from . import sql
from .sql import AsyncConnection, Connection, Row

# A program's row, and its seats taken: by every registration that records it but `holder` (a
# registration being updated keeps its own seat), those the main system rejected and those whose
# worker withdrew consent.
_COLUMNS = """p.code, p.sponsor, p.kind, p.with_jht, p.declared_income, p.seats, p.start_month,
    p.end_month, p.occupations, p.city_codes, p.nik_list,
    (SELECT count(*) FROM registrations r
     WHERE r.sponsor_program = p.code AND r.reference IS DISTINCT FROM :holder
       AND r.erasure_requested_at IS NULL AND NOT EXISTS
         (SELECT 1 FROM memberships m WHERE m.registration_id = r.id AND m.state = 'rejected'))"""


def _month(text: str) -> date:
    return date.fromisoformat(f"{text}-01")


def _sponsorship(row: Row | tuple, listed: bool, held: bool = False) -> Sponsorship:
    code, sponsor, kind, jht, income, seats, start, end, occupations, cities, nik_list, used = row
    return Sponsorship(
        code=code,
        sponsor=sponsor,
        kind=kind,
        with_jht=bool(jht),
        declared_income=income,
        start=_month(start),
        end=_month(end),
        occupations=tuple(occupations.split()),
        city_codes=tuple(cities.split()),
        nik_list=bool(nik_list),
        nik_listed=listed,
        seats=seats,
        seats_left=max(seats - used, 0),
        held=held,
    )


def offers(
    conn: Connection,
    campaign: str | None,
    nik: str | None,
    today: date,
    holder: str | None = None,
) -> tuple[Sponsorship, ...]:
    """The programs that may pay for this worker, best first: the one the registration being
    updated already holds (ended or not: its months were paid), the open ones whose NIK list
    holds them, the one their campaign brings workers to. Which they qualify for is the flow's
    to say."""
    values = {"nik": nik, "campaign": campaign, "month": today.strftime("%Y-%m"), "holder": holder}
    found: list[Sponsorship] = []
    if holder:
        row = conn.execute(
            f"""SELECT {_COLUMNS} FROM sponsor_programs p
                JOIN registrations h ON h.sponsor_program = p.code AND h.reference = :holder""",
            values,
        ).fetchone()
        if row:
            found.append(_sponsorship(row, listed=True, held=True))
    if nik:
        rows = conn.execute(
            f"""SELECT {_COLUMNS} FROM sponsor_programs p
                JOIN sponsor_niks n ON n.program_id = p.id AND n.nik = :nik
                WHERE p.closed_at IS NULL AND p.end_month >= :month ORDER BY p.id""",
            values,
        ).fetchall()
        found += [_sponsorship(row, listed=True) for row in rows]
    if campaign:
        row = conn.execute(
            f"""SELECT {_COLUMNS} FROM sponsor_programs p
                JOIN sponsor_campaigns c ON c.program_id = p.id AND c.campaign = :campaign
                WHERE p.closed_at IS NULL AND p.end_month >= :month""",
            values,
        ).fetchone()
        if row:
            found.append(_sponsorship(row, listed=False))
    codes = [program.code for program in found]
    return tuple(p for i, p in enumerate(found) if p.code not in codes[:i])  # first of each


def seats_left(conn: Connection, code: str) -> int:
    """Checked again when a registration is saved, in its transaction: never oversold."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM sponsor_programs p WHERE p.code = :code",
        {"code": code, "holder": None},
    ).fetchone()
    return _sponsorship(row, listed=False).seats_left if row else 0


# --- for staff ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewProgram:
    code: str
    sponsor: str
    kind: str
    with_jht: bool
    declared_income: int
    seats: int
    start: date
    end: date
    occupations: tuple[str, ...] = ()
    city_codes: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()
    niks: tuple[str, ...] = ()


class ProgramRefused(ValueError):
    """A program that cannot be created as asked (one line for staff)."""


async def create(conn: AsyncConnection, new: NewProgram, actor: str, now: datetime) -> None:
    """A new program; a campaign of an ended or closed one is brought to it."""
    for campaign in new.campaigns:
        async with conn.execute(
            """SELECT p.code FROM sponsor_campaigns c JOIN sponsor_programs p
                   ON p.id = c.program_id
               WHERE c.campaign = ? AND p.closed_at IS NULL AND p.end_month >= ?""",
            (campaign, now.strftime("%Y-%m")),
        ) as cursor:
            if taken := await cursor.fetchone():
                raise ProgramRefused(f"campaign {campaign} already brings workers to {taken[0]}")
        async with conn.execute("SELECT 1 FROM campaigns WHERE code = ?", (campaign,)) as cursor:
            if not await cursor.fetchone():
                raise ProgramRefused(f"there is no campaign {campaign}")
    try:
        cursor = await conn.execute(
            """INSERT INTO sponsor_programs (code, sponsor, kind, with_jht, declared_income, seats,
                   start_month, end_month, occupations, city_codes, nik_list, created_at,
                   created_by)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (
                new.code,
                new.sponsor,
                new.kind,
                int(new.with_jht),
                new.declared_income,
                new.seats,
                new.start.strftime("%Y-%m"),
                new.end.strftime("%Y-%m"),
                " ".join(new.occupations),
                " ".join(new.city_codes),
                int(bool(new.niks)),
                now.isoformat(),
                actor,
            ),
        )
        (program_id,) = await cursor.fetchone()
    except sql.IntegrityError:
        raise ProgramRefused(f"a program {new.code} exists already") from None
    await conn.executemany(
        """INSERT INTO sponsor_campaigns (campaign, program_id) VALUES (?, ?)
           ON CONFLICT (campaign) DO UPDATE SET program_id = excluded.program_id""",
        [(campaign, program_id) for campaign in new.campaigns],
    )
    await conn.executemany(
        "INSERT INTO sponsor_niks (program_id, nik) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(program_id, nik) for nik in new.niks],
    )


async def close(conn: AsyncConnection, code: str, now: datetime) -> bool:
    """No longer offered to anyone (seats taken stay taken, and billed); False if none open."""
    cursor = await conn.execute(
        "UPDATE sponsor_programs SET closed_at = ? WHERE code = ? AND closed_at IS NULL",
        (now.isoformat(), code),
    )
    return cursor.rowcount == 1


async def program(conn: AsyncConnection, code: str) -> Sponsorship | None:
    """One program, open or closed (a closed one's statement is still wanted)."""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM sponsor_programs p WHERE p.code = :code",
        {"code": code, "holder": None},
    ) as cursor:
        row = await cursor.fetchone()
    return _sponsorship(row, listed=False) if row else None


async def programs(conn: AsyncConnection) -> list[Sponsorship]:
    """The open programs."""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM sponsor_programs p WHERE p.closed_at IS NULL ORDER BY p.id",
        {"holder": None},
    ) as cursor:
        return [_sponsorship(row, listed=False) for row in await cursor.fetchall()]


async def seats_by_campaign(conn: AsyncConnection, code: str) -> list[tuple[str, int]]:
    """Seats taken per campaign (or "-" for none: a worker on the sponsor's list)."""
    async with conn.execute(
        """SELECT coalesce(campaign, '-'), count(*) FROM registrations r
           WHERE sponsor_program = ? AND erasure_requested_at IS NULL AND NOT EXISTS
               (SELECT 1 FROM memberships m WHERE m.registration_id = r.id
                AND m.state = 'rejected')
           GROUP BY 1 ORDER BY 2 DESC""",
        (code,),
    ) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]  # type: ignore[misc]


@dataclass(frozen=True)
class Covered:
    """A registration the program pays for, for the sponsor's statement."""

    reference: str
    nik: str
    full_name: str
    city: str
    registered_at: datetime  # aware: the month it falls in is local (the statement's zone)
    sponsored_from: date | None  # the first month paid, as the chat told the worker
    occupation: str
    occupation_detail: str | None


async def covered(conn: AsyncConnection, code: str) -> list[Covered]:
    """The registrations it pays for: not those the main system rejected, nor those whose
    worker withdrew consent (their data goes to no sponsor)."""
    async with conn.execute(
        """SELECT reference, nik, full_name, city, created_at, sponsored_from, occupation,
                  occupation_detail
           FROM registrations r WHERE sponsor_program = ? AND erasure_requested_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.registration_id = r.id
                             AND m.state = 'rejected')
           ORDER BY id""",
        (code,),
    ) as cursor:
        return [
            Covered(
                *r[:4],
                datetime.fromisoformat(r[4]),
                date.fromisoformat(f"{r[5]}-01") if r[5] else None,
                *r[6:],
            )
            for r in await cursor.fetchall()
        ]
