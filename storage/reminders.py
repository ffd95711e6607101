"""The `reminders` table: whether a worker asked for payment reminders, per registration, and the
last one queued. The scheduler (bot/channels/reminders.py) reads the members due one and queues
each in the outbox, at most once a month and never two within a week, in the same transaction
that records it, so two schedulers or a restart never queue one twice.

`choose` and `queue` are synchronous (run in `Database.run`); `candidates` reads on a read-only
connection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .outbox import TELLABLE, about, give_up_unsent
from .review import made_by_family
from .sql import AsyncConnection, Connection


def choose(
    conn: Connection,
    channel: str,
    user_key: str,
    reference: str | None,
    wanted: bool,
    now: datetime,
    stopped_by: str | None = None,
) -> int:
    """Record a worker's choice for the registration `reference` made in this chat, or (None)
    for every one made in it that has reminders on; `stopped_by` says why when it was not the
    worker's choice (they blocked the bot). Stopping also drops reminders queued and not yet
    sent. How many registrations it changed."""
    if reference is None:
        rows = conn.execute(
            """SELECT r.id, r.reference FROM reminders m JOIN registrations r
                   ON r.id = m.registration_id
               WHERE r.channel = ? AND r.user_key = ? AND m.wanted = 1""",
            (channel, user_key),
        ).fetchall()
    else:
        rows = conn.execute(
            """SELECT id, reference FROM registrations
               WHERE reference = ? AND channel = ? AND user_key = ?""",
            (reference, channel, user_key),
        ).fetchall()
    for registration_id, ref in rows:
        conn.execute(
            """INSERT INTO reminders (registration_id, wanted, chosen_at, stopped_by)
               VALUES (?, ?, ?, ?)
               ON CONFLICT (registration_id) DO UPDATE SET
                   wanted = excluded.wanted, chosen_at = excluded.chosen_at,
                   stopped_by = excluded.stopped_by""",
            (registration_id, int(wanted), now.isoformat(), stopped_by),
        )
        if not wanted:
            give_up_unsent(conn, about("remind", ref), stopped_by or "reminders stopped")
    return len(rows)


async def payment_recorded(conn: AsyncConnection, registration_id: int, reference: str) -> None:
    """A payment came in (an import): reminders queued and not yet sent may be about a month
    now paid, or warn of months no longer unpaid. They are dropped, and the next one planned
    afresh (still not within a week of the last queued)."""
    cursor = await conn.execute(  # deleted, not given up: its month may be queued again
        """DELETE FROM outbox
           WHERE dedupe >= ? AND dedupe < ? AND sent_at IS NULL AND given_up IS NULL""",
        about("remind", reference),
    )
    if cursor.rowcount:
        await conn.execute(
            "UPDATE reminders SET last_month = NULL WHERE registration_id = ?", (registration_id,)
        )


def wanted_in(conn: Connection, channel: str, user_key: str) -> int:
    """How many registrations made in this chat have reminders on."""
    row = conn.execute(
        """SELECT count(*) FROM reminders m JOIN registrations r ON r.id = m.registration_id
           WHERE r.channel = ? AND r.user_key = ? AND m.wanted = 1""",
        (channel, user_key),
    ).fetchone()
    return row[0]


@dataclass(frozen=True)
class Candidate:
    """An accepted member with reminders on, and what a reminder to them needs."""

    registration_id: int
    reference: str
    channel: str
    user_key: str
    lang: str
    full_name: str
    consent_version: str
    occupation: str
    occupation_detail: str | None  # "kurir paket": "lainnya" counted as transport
    income_declared: int
    programs: str
    starts_on: date | None
    paid_until: date | None  # the first day of the last month paid for
    last_month: date | None  # what the last reminder queued was about
    last_at: datetime | None
    sponsored_until: date | None = None  # a sponsor pays up to this month: nothing to remind

    @property
    def by_family(self) -> bool:  # registered by a family member, whose chat this is
        return made_by_family(self.consent_version)


async def candidates(conn: AsyncConnection) -> list[Candidate]:
    """Accepted members with reminders on, in a chat that can be messaged."""
    async with conn.execute(
        f"""SELECT r.id, r.reference, r.channel, r.user_key, coalesce(s.lang, 'id'),
                   r.full_name, r.consent_version, r.occupation, r.occupation_detail,
                   r.income_declared, r.programs, ms.starts_on, ms.paid_until, m.last_month,
                   m.last_at, sp.end_month
            FROM reminders m
            JOIN registrations r ON r.id = m.registration_id
            JOIN memberships ms ON ms.registration_id = r.id
            LEFT JOIN sessions s ON s.channel = r.channel AND s.user_key = r.user_key
            LEFT JOIN sponsor_programs sp ON sp.code = r.sponsor_program
            WHERE m.wanted = 1 AND ms.state = 'accepted'
              AND r.channel IN ({", ".join("?" * len(TELLABLE))})""",
        TELLABLE,
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        Candidate(
            *row[:11],
            date.fromisoformat(row[11]) if row[11] else None,
            date.fromisoformat(f"{row[12]}-01") if row[12] else None,
            date.fromisoformat(f"{row[13]}-01") if row[13] else None,
            datetime.fromisoformat(row[14]) if row[14] else None,
            date.fromisoformat(f"{row[15]}-01") if row[15] else None,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Queued:
    """A reminder to put in the outbox."""

    registration_id: int
    reference: str
    month: date
    channel: str
    user_key: str
    text: str
    template: str
    params: tuple[str, ...]


def queue(conn: Connection, items: list[Queued], now: datetime, week: timedelta) -> int:
    """Queue reminders, each only if the worker still wants them, none was queued for its month
    and none within `week`: checked again here, under the write lock. How many were queued."""
    queued = 0
    for item in items:
        month = item.month.strftime("%Y-%m")
        cursor = conn.execute(
            """UPDATE reminders SET last_month = ?, last_at = ?
               WHERE registration_id = ? AND wanted = 1 AND last_month IS DISTINCT FROM ?
                 AND (last_at IS NULL OR last_at <= ?)""",
            (month, now.isoformat(), item.registration_id, month, (now - week).isoformat()),
        )
        if cursor.rowcount != 1:
            continue
        conn.execute(
            """INSERT INTO outbox (dedupe, channel, user_key, text, due_at, template, params)
               VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            (
                f"remind:{item.reference}:{month}",
                item.channel,
                item.user_key,
                item.text,
                now.isoformat(),
                item.template,
                json.dumps(item.params),
            ),
        )
        queued += 1
    return queued
