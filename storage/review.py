"""Staff decisions on registrations: approving or rejecting a flagged one, correcting a field.

A correction is a new revision (the one replaced is kept in registration_history, as when a
worker updates their own), so an export batch that holds the old one can still be reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from .search import Scope
from .sql import AsyncConnection

Decision = Literal["approved", "rejected"]
CORRECTABLE = ("full_name", "birth_date", "gender", "phone", "address", "email")
# What a correction may change with it: the region read from a new address, the flags of a new
# birth date or gender, and the review, which starts again for new details.
REVIEW_COLUMNS = ("review_state", "review_note", "reviewed_by", "reviewed_at")
DERIVED = ("city", "city_code", "district", "district_code", "review_flags", *REVIEW_COLUMNS)


def made_by_family(consent_version: str) -> bool:
    """A registration a family member made, with the consent read to the worker
    (conversations/content.py FAMILY_CONSENT_VERSION): their chat is the family member's."""
    return consent_version.endswith("-family")


@dataclass(frozen=True)
class Worker:
    """Where a decision is told: the chat the registration was made from. That is the worker's
    own, or a campaigner's who registered them (`assisted_by`), or a family member's
    (`consent_version` ending in -family), who then passes it on."""

    reference: str
    channel: str
    user_key: str
    lang: str
    full_name: str
    assisted_by: str | None
    consent_version: str
    erased: bool = False  # the worker withdrew consent: nothing more is sent to them
    sponsor: str | None = None  # a sponsored program pays the premium: who
    sponsored_until: date | None = None  # the first day of its last month

    @property
    def by_family(self) -> bool:
        return made_by_family(self.consent_version)


async def worker(conn: AsyncConnection, reference: str) -> Worker | None:
    """The chat a registration was made from, and who is in it."""
    async with conn.execute(
        """SELECT r.reference, r.channel, r.user_key, coalesce(s.lang, 'id'), r.full_name,
                  r.assisted_by, r.consent_version, r.erasure_requested_at IS NOT NULL,
                  sp.sponsor, sp.end_month
           FROM registrations r
           LEFT JOIN sessions s ON s.channel = r.channel AND s.user_key = r.user_key
           LEFT JOIN sponsor_programs sp ON sp.code = r.sponsor_program
           WHERE r.reference = ?""",
        (reference,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    *chat, erased, sponsor, until = row
    return Worker(
        *chat,
        erased=bool(erased),
        sponsor=sponsor,
        sponsored_until=date.fromisoformat(f"{until}-01") if until else None,
    )


async def _keep_revision(conn: AsyncConnection, reference: str) -> None:
    """The row as it is goes to registration_history: an export batch may hold it."""
    await conn.execute(
        "INSERT INTO registration_history SELECT * FROM registrations WHERE reference = ?",
        (reference,),
    )


async def decide(
    conn: AsyncConnection,
    reference: str,
    decision: Decision,
    note: str,
    actor: str,
    now: datetime,
    scope: Scope,
) -> Worker | None:
    """Record the decision on a flagged registration `scope` may see and nobody decided on
    yet, as a new revision (so the next export carries it to the main system, and the batches
    made before still hold the old one); None when there is no such registration (decided
    meanwhile, or not theirs)."""
    allowed, params = scope.where("registrations")
    async with conn.execute(
        f"""SELECT 1 FROM registrations WHERE reference = ? AND review_flags != ''
            AND review_state IS NULL AND {allowed}""",
        (reference, *params),
    ) as cursor:
        if await cursor.fetchone() is None:
            return None
    await _keep_revision(conn, reference)
    await conn.execute(
        """UPDATE registrations
           SET review_state = ?, review_note = ?, reviewed_by = ?, reviewed_at = ?,
               revision = revision + 1, updated_at = ?
           WHERE reference = ?""",
        (decision, note or None, actor, now.isoformat(), now.isoformat(), reference),
    )
    return await worker(conn, reference)


async def correct(
    conn: AsyncConnection,
    reference: str,
    changes: dict[str, object],
    now: datetime,
    scope: Scope,
) -> bool:
    """Set fields of a registration `scope` may see, as a new revision: a corrected field and
    what follows from it (the region of an address, the flags of a birth date; a review of
    the old details no longer holds, so a flagged one is reviewed again)."""
    if not set(changes) <= {*CORRECTABLE, *DERIVED}:
        raise ValueError(f"{sorted(changes)} cannot be corrected here")
    allowed, params = scope.where("registrations")
    async with conn.execute(
        f"SELECT id FROM registrations WHERE reference = ? AND {allowed}", (reference, *params)
    ) as cursor:
        if await cursor.fetchone() is None:
            return False
    await _keep_revision(conn, reference)
    assignments = ", ".join(f"{name} = ?" for name in changes)
    await conn.execute(
        f"""UPDATE registrations SET {assignments}, revision = revision + 1, updated_at = ?
            WHERE reference = ?""",
        (*changes.values(), now.isoformat(), reference),
    )
    return True
