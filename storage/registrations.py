"""The `registrations` table: confirmed sign-ups, one per NIK, for export to the main system.

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from conversations import Household, KnownRegistration, Progress, Registration

from . import sponsors, sql
from .sql import Connection


class SeatsTaken(Exception):
    """A sponsored program's last seat went to another registration first."""


class ReferenceTaken(Exception):
    """The random reference number collided with an existing one; retry with another."""


def by_nik(conn: Connection, nik: str) -> KnownRegistration | None:
    row = conn.execute(
        "SELECT reference, channel, user_key FROM registrations WHERE nik = ?", (nik,)
    ).fetchone()
    return KnownRegistration(*row) if row else None


def household(conn: Connection, reference: str) -> Household | None:
    row = conn.execute(
        "SELECT phone, address, city, city_code, district, district_code FROM registrations"
        " WHERE reference = ?",
        (reference,),
    ).fetchone()
    return Household(*row) if row else None


def progress_of(conn: Connection, reference: str) -> Progress | None:
    """Where a registration stands: staff's review, and the main system's result if imported."""
    row = conn.execute(
        """SELECT r.review_flags, r.review_state, r.review_note, m.state, m.kpj, m.starts_on,
                  m.reason, m.paid_until, rm.wanted, sp.sponsor, sp.end_month
           FROM registrations r LEFT JOIN memberships m ON m.registration_id = r.id
           LEFT JOIN reminders rm ON rm.registration_id = r.id
           LEFT JOIN sponsor_programs sp ON sp.code = r.sponsor_program
           WHERE r.reference = ?""",
        (reference,),
    ).fetchone()
    if row is None:
        return None
    flags, state, note, member, kpj, starts, reason, paid, reminders, sponsor, until = row
    return Progress(
        tuple(flags.split()),
        state,
        note,
        member,
        kpj,
        date.fromisoformat(starts) if starts else None,
        reason,
        date.fromisoformat(f"{paid}-01") if paid else None,
        None if reminders is None else bool(reminders),
        sponsor,
        date.fromisoformat(f"{until}-01") if until else None,
    )


def keep_revision(conn: Connection, reference: str) -> None:
    """The row as it is goes to registration_history before it changes: an export batch may
    hold it."""
    conn.execute(
        "INSERT INTO registration_history SELECT * FROM registrations WHERE reference = ?",
        (reference,),
    )


def _columns(reg: Registration) -> dict[str, object]:
    values = asdict(reg)
    values["birth_date"] = reg.birth_date.isoformat()
    values["consent_at"] = reg.consent_at.isoformat()
    values["review_flags"] = " ".join(reg.review_flags)
    values["sponsored_from"] = reg.sponsored_from.strftime("%Y-%m") if reg.sponsored_from else None
    return values


def save(
    conn: Connection,
    reg: Registration,
    replaces: str | None,
    channel: str,
    user_key: str,
    session_id: str,
    now: datetime,
) -> None:
    """Insert a new registration, or replace the details of the one `replaces` names, which
    must belong to the same user."""
    values = _columns(reg) | {
        "channel": channel,
        "user_key": user_key,
        "session_id": session_id,
        "updated_at": now.isoformat(),
    }
    if replaces:
        keep_revision(conn, replaces)
        assignments = ", ".join(
            f"{name} = :{name}"
            for name in values
            if name not in ("reference", "channel", "user_key", "sponsored_from")
        )
        # an update under the same program keeps the months it was paid from
        assignments += """, sponsored_from = CASE
            WHEN sponsor_program IS NOT DISTINCT FROM :sponsor_program
            AND sponsored_from IS NOT NULL THEN sponsored_from ELSE :sponsored_from END"""
        cursor = conn.execute(  # new details: a review of the old ones no longer holds; a
            # worker who registers again after asking for deletion wants to be registered
            f"""UPDATE registrations SET {assignments}, revision = revision + 1,
                       review_state = NULL, review_note = NULL, reviewed_by = NULL,
                       reviewed_at = NULL, erasure_requested_at = NULL
                WHERE reference = :reference AND channel = :channel AND user_key = :user_key""",
            values,
        )
        if cursor.rowcount != 1:
            raise LookupError("the registration to update is not this user's")
        conn.execute(
            """UPDATE data_requests SET handled_at = ?, handled_by = 'registered again'
               WHERE reference = ? AND kind = 'erase' AND handled_at IS NULL""",
            (values["updated_at"], replaces),
        )
        return
    if reg.sponsor_program and sponsors.seats_left(conn, reg.sponsor_program) <= 0:
        # the flow checked it in this same transaction; a guard, never expected to fire
        raise SeatsTaken(reg.sponsor_program)
    values["created_at"] = values["updated_at"]
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    try:
        conn.execute(f"INSERT INTO registrations ({names}) VALUES ({marks})", values)
    except sql.IntegrityError as error:
        if sql.violates(error, "registrations", "reference"):
            raise ReferenceTaken from None
        raise
