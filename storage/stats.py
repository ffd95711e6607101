"""Funnel statistics: how many conversations reached each stage.

Read from funnel_sessions, one row per conversation kept by a trigger on funnel_events, so a
report reads each conversation once. Pass a read-only connection (`Database.reading()`): under
WAL a reader never holds up the workers' writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import get_args

from conversations.model import FunnelStage
from storage.search import branch_condition
from storage.sql import dialect as sql_dialect

from .sql import AsyncConnection

STAGES: tuple[str, ...] = get_args(FunnelStage)  # in funnel order
DIMENSIONS = ("occupation", "channel", "campaign", "campaigner", "branch")
NONE = ""  # the group of conversations without a value (no occupation chosen, no campaign...)


@dataclass
class Funnel:
    """Counts per stage overall and per group of each dimension."""

    total: list[int] = field(default_factory=lambda: [0] * len(STAGES))
    by: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: {d: defaultdict(lambda: [0] * len(STAGES)) for d in DIMENSIONS}
    )


async def funnel(
    conn: AsyncConnection,
    since_utc: str | None,
    until_utc: str | None,
    campaign: str | None = None,
    branch: str | None = None,
) -> Funnel:
    """Conversations that started in [since, until), followed through the stages.

    A conversation counts under the campaign of its start link only if that code was issued
    (unknown codes are unattributed), and under the campaigner of that campaign or, for an
    assisted registration, under the campaigner who assisted."""
    clauses, params = ["started_at IS NOT NULL"], []
    if since_utc:
        clauses.append("started_at >= ?")
        params.append(since_utc)
    if until_utc:
        clauses.append("started_at < ?")
        params.append(until_utc)
    if campaign:
        clauses.append("campaign = ?")
        params.append(campaign)
    if branch:  # a branch's staff: its campaigns' conversations and those through none
        condition, values = branch_condition("campaign", branch)
        clauses.append(condition)
        params.extend(values)
    # Group the conversations first, then name the few groups' campaigns and campaigners.
    sql = f"""
        SELECT g.stages,
               COALESCE(g.occupation, '') AS occupation,
               g.channel AS channel,
               COALESCE(k.code, '') AS campaign,
               COALESCE(p.code, g.assisted_by, '') AS campaigner,
               COALESCE(k.branch, '') AS branch,
               g.n AS n
        FROM (SELECT stages, occupation, channel, campaign, assisted_by, count(*) AS n
              FROM funnel_sessions {sql_dialect(conn).indexed_by("funnel_sessions_groups")}
              WHERE {" AND ".join(clauses)}
              GROUP BY 1, 2, 3, 4, 5) g
        LEFT JOIN campaigns k ON k.code = g.campaign
        LEFT JOIN campaigners p ON p.id = k.campaigner_id"""
    result = Funnel()
    reached = [(index, 1 << index) for index in range(len(STAGES))]
    async with conn.execute(sql, params) as cursor:
        async for row in cursor:
            groups = [result.total] + [result.by[d][row[d]] for d in DIMENSIONS]
            for stage, bit in reached:
                if row["stages"] & bit:
                    for counts in groups:
                        counts[stage] += row["n"]
    return result


@dataclass(frozen=True)
class Tally:
    today: int
    week: int
    total: int


async def campaigner_tally(
    conn: AsyncConnection, campaigner_id: int, code: str, today_start: str, week_start: str
) -> Tally:
    """Registrations from the campaigner's campaigns or assisted by them."""
    async with conn.execute(
        """SELECT count(*) FILTER (WHERE created_at >= ?),
                  count(*) FILTER (WHERE created_at >= ?),
                  count(*)
           FROM registrations
           WHERE assisted_by = ?
              OR campaign IN (SELECT code FROM campaigns WHERE campaigner_id = ?)""",
        (today_start, week_start, code, campaigner_id),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return Tally(row[0], row[1], row[2])
