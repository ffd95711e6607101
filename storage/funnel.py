"""The `funnel_events` table: the first time each session reaches each funnel stage."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from conversations import Funnel


async def record(conn: aiosqlite.Connection, event: Funnel, channel: str, now: datetime) -> None:
    await conn.execute(
        """INSERT OR IGNORE INTO funnel_events
               (session_id, stage, channel, occupation, campaign, assisted_by, at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (
            event.session_id,
            event.stage,
            channel,
            event.occupation,
            event.campaign,
            event.assisted_by,
            now.isoformat(),
        ),
    )
