"""The `funnel_events` table: the first time each session reaches each funnel stage."""

from __future__ import annotations

from datetime import datetime

import aiosqlite


async def record(
    conn: aiosqlite.Connection,
    session_id: str,
    stage: str,
    channel: str,
    occupation: str | None,
    campaign: str | None,
    now: datetime,
) -> None:
    await conn.execute(
        """INSERT OR IGNORE INTO funnel_events
               (session_id, stage, channel, occupation, campaign, at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (session_id, stage, channel, occupation, campaign, now.isoformat()),
    )
