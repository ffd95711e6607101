"""The worker's data rights (conversations/data_rights.py): what is held about a chat's person,
their deletion, and the requests staff handle (`data_requests`).

A registration not yet sent to the main system is deleted with everything hanging on it. One
already sent stays (the main system holds it, and an export batch must stay reproducible), with
`erasure_requested_at` set as a new revision, so the next export carries the request, and a
request is listed for staff. Either way no message is sent about it any more.

`held`, `erase` and `request_correction` run inside the message's transaction (sync).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from conversations import HeldRegistration, Registration

from . import outbox
from .registrations import keep_revision
from .sql import AsyncConnection, Connection, Row

# The registrations made in a chat for the person and their family, not the workers a
# campaigner registered from it (their data is theirs to ask about).
_OWN = "r.channel = ? AND r.user_key = ? AND r.assisted_by IS NULL"
_FIELDS = tuple(Registration.__dataclass_fields__)


def _registration(row: Row | tuple) -> Registration:
    values = dict(zip(_FIELDS, row, strict=True))
    values["birth_date"] = date.fromisoformat(values["birth_date"])
    values["consent_at"] = datetime.fromisoformat(values["consent_at"])
    values["review_flags"] = tuple(values["review_flags"].split())
    if values["sponsored_from"]:
        values["sponsored_from"] = date.fromisoformat(f"{values['sponsored_from']}-01")
    return Registration(**values)


def held(conn: Connection, channel: str, user_key: str) -> tuple[HeldRegistration, ...]:
    columns = ", ".join(f"r.{name}" for name in _FIELDS)
    rows = conn.execute(
        f"""SELECT {columns},
                   EXISTS (SELECT 1 FROM export_items i WHERE i.registration_id = r.id),
                   m.state, r.erasure_requested_at IS NOT NULL
            FROM registrations r LEFT JOIN memberships m ON m.registration_id = r.id
            WHERE {_OWN} ORDER BY r.id""",
        (channel, user_key),
    ).fetchall()
    n = len(_FIELDS)
    return tuple(
        HeldRegistration(_registration(row[:n]), bool(row[n]), row[n + 1], bool(row[n + 2]))
        for row in rows
    )


def erase(conn: Connection, channel: str, user_key: str, now: datetime) -> None:
    """Consent withdrawn: delete what was not sent, ask the main system to delete the rest."""
    rows = conn.execute(
        f"""SELECT r.id, r.reference,
                   EXISTS (SELECT 1 FROM export_items i WHERE i.registration_id = r.id),
                   r.erasure_requested_at IS NOT NULL
            FROM registrations r WHERE {_OWN}""",
        (channel, user_key),
    ).fetchall()
    for registration_id, reference, sent, asked in rows:
        _stop_messages(conn, registration_id, reference)
        if not sent:
            for table in ("memberships", "reminders"):
                conn.execute(f"DELETE FROM {table} WHERE registration_id = ?", (registration_id,))
            conn.execute("DELETE FROM registration_history WHERE id = ?", (registration_id,))
            conn.execute("DELETE FROM registrations WHERE id = ?", (registration_id,))
        elif not asked:
            keep_revision(conn, reference)
            conn.execute(
                """UPDATE registrations SET erasure_requested_at = ?, revision = revision + 1,
                          updated_at = ?
                   WHERE id = ?""",
                (now.isoformat(), now.isoformat(), registration_id),
            )
            conn.execute(
                """INSERT INTO data_requests (reference, kind, created_at)
                   VALUES (?, 'erase', ?)""",
                (reference, now.isoformat()),
            )
    remaining = conn.execute(
        "SELECT 1 FROM registrations WHERE channel = ? AND user_key = ?", (channel, user_key)
    ).fetchone()
    if not remaining:  # nothing left here: the chat goes too (on WhatsApp its key is the number)
        conn.execute("DELETE FROM sessions WHERE channel = ? AND user_key = ?", (channel, user_key))
        if channel == "whatsapp":
            conn.execute("DELETE FROM whatsapp_contacts WHERE key = ?", (user_key,))


def _stop_messages(conn: Connection, registration_id: int, reference: str) -> None:
    """No reminder or result about it is sent any more."""
    conn.execute("UPDATE reminders SET wanted = 0 WHERE registration_id = ?", (registration_id,))
    for kind in ("remind", "result"):
        outbox.give_up_unsent(conn, outbox.about(kind, reference), "consent withdrawn")


def request_correction(
    conn: Connection,
    channel: str,
    user_key: str,
    reference: str,
    details: str,
    now: datetime,
) -> None:
    """A correction for staff, of a registration of this chat's person."""
    if conn.execute(
        f"SELECT 1 FROM registrations r WHERE r.reference = ? AND {_OWN}",
        (reference, channel, user_key),
    ).fetchone():
        conn.execute(
            """INSERT INTO data_requests (reference, kind, details, created_at)
               VALUES (?, 'correct', ?, ?)""",
            (reference, details, now.isoformat()),
        )


# --- for staff ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataRequest:
    id: int
    reference: str
    kind: str  # erase, correct
    details: str | None
    created_at: str
    handled_at: str | None
    handled_by: str | None


async def requests(conn: AsyncConnection, open_only: bool = True) -> list[DataRequest]:
    where = "WHERE handled_at IS NULL" if open_only else ""
    async with conn.execute(
        f"""SELECT id, reference, kind, details, created_at, handled_at, handled_by
            FROM data_requests {where} ORDER BY created_at, id LIMIT 1000"""
    ) as cursor:
        return [DataRequest(*row) for row in await cursor.fetchall()]


async def handled(conn: AsyncConnection, request_id: int, actor: str, now: datetime) -> bool:
    """Staff passed it on (or made the correction): it leaves the open list."""
    cursor = await conn.execute(
        """UPDATE data_requests SET handled_at = ?, handled_by = ?
           WHERE id = ? AND handled_at IS NULL""",
        (now.isoformat(), actor, request_id),
    )
    return cursor.rowcount == 1
