"""Finding registrations for the staff console, within what the reader may see.

A `Scope` is what a person may see: an administrator every registration; a staff member those of
their branch's campaigns and those that came through no campaign (they belong to no branch); a
campaigner those of their own campaigns and those they registered on a worker's behalf.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import sql
from .sql import AsyncConnection, Row

LIMIT = 50  # results on one page: a search is for finding one worker, not for browsing


@dataclass(frozen=True)
class Scope:
    branch: str | None = None  # staff: their branch
    campaigner_id: int | None = None  # a campaigner: their campaigns
    campaigner_code: str | None = None  # ... and their assisted registrations
    everything: bool = False  # an administrator

    def where(self, alias: str = "r") -> tuple[str, tuple[object, ...]]:
        """The SQL condition (on registrations `alias`) and its parameters."""
        if self.everything:
            return "1 = 1", ()
        if self.campaigner_id is not None:
            return (
                f"""({alias}.campaign IN (SELECT code FROM campaigns WHERE campaigner_id = ?)
                    OR {alias}.assisted_by = ?)""",
                (self.campaigner_id, self.campaigner_code),
            )
        return branch_condition(f"{alias}.campaign", self.branch)


def branch_condition(column: str, branch: str | None) -> tuple[str, tuple[object, ...]]:
    """A branch's: through one of its campaigns, or through none (no code, or a code that was
    never issued: a start link typed wrong belongs to no branch, so every branch sees it)."""
    return (
        f"""({column} IS NULL OR {column} NOT IN (SELECT code FROM campaigns)
            OR {column} IN (SELECT code FROM campaigns WHERE branch = ?))""",
        (branch,),
    )


def _query(text: str, like: str = "LIKE") -> tuple[str, tuple[object, ...]]:
    """What was typed, as a condition: a reference, a NIK, a phone number, or part of a name."""
    text = " ".join(text.split())[:100]
    digits = re.sub(r"\D", "", text)
    if re.fullmatch(r"(?i)BPU-[A-Z0-9]{4}-[A-Z0-9]{4}", text):
        return "r.reference = ?", (text.upper(),)
    letters = re.search(r"[A-Za-z]", text)
    if len(digits) == 16 and not letters:
        return "r.nik = ?", (digits,)
    if 9 <= len(digits) <= 15 and not letters:
        national = digits[1:] if digits.startswith("0") else digits.removeprefix("62")
        return "r.phone = ?", (f"+62{national}",)
    words = re.findall(r"[^\W_]+", text)  # no % or _: nothing LIKE would read as a pattern
    if not words:
        return "1 = 0", ()
    # case-insensitive on either engine (SQLite's LIKE is; PostgreSQL's ILIKE)
    return " AND ".join(f"r.full_name {like} ?" for _ in words), tuple(f"%{w}%" for w in words)


async def find(conn: AsyncConnection, text: str, scope: Scope) -> list[Row]:
    """Registrations matching `text` that `scope` may see, newest first."""
    match, params = _query(text, sql.dialect(conn).like)
    allowed, allowed_params = scope.where()
    async with conn.execute(
        f"""SELECT r.reference, r.nik, r.full_name, r.phone, r.occupation, r.created_at,
                   r.campaign, r.review_flags, r.review_state
            FROM registrations r WHERE ({match}) AND {allowed}
            ORDER BY r.id DESC LIMIT {LIMIT}""",
        (*params, *allowed_params),
    ) as cursor:
        return list(await cursor.fetchall())


async def one(conn: AsyncConnection, reference: str, scope: Scope) -> Row | None:
    """One registration with its campaign's branch, if `scope` may see it."""
    allowed, params = scope.where()
    async with conn.execute(
        f"""SELECT r.*, k.branch AS branch, k.name AS campaign_name
            FROM registrations r LEFT JOIN campaigns k ON k.code = r.campaign
            WHERE r.reference = ? AND {allowed}""",
        (reference, *params),
    ) as cursor:
        return await cursor.fetchone()


async def revisions(conn: AsyncConnection, registration_id: int) -> list[Row]:
    """Earlier revisions of a registration, newest first."""
    async with conn.execute(
        """SELECT * FROM registration_history WHERE id = ? ORDER BY revision DESC""",
        (registration_id,),
    ) as cursor:
        return list(await cursor.fetchall())


async def to_review(conn: AsyncConnection, scope: Scope) -> list[Row]:
    """Flagged registrations nobody has decided on yet, oldest first."""
    allowed, params = scope.where()
    async with conn.execute(
        f"""SELECT r.reference, r.full_name, r.birth_date, r.review_flags, r.created_at,
                   r.campaign
            FROM registrations r
            WHERE r.review_flags != '' AND r.review_state IS NULL AND {allowed}
            ORDER BY r.id LIMIT 200""",
        params,
    ) as cursor:
        return list(await cursor.fetchall())
