"""The `funnel_events` table: the first time each session reaches each funnel stage.

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

from datetime import datetime

from conversations import Funnel

from .sql import Connection


def record(conn: Connection, event: Funnel, channel: str, now: datetime) -> None:
    conn.execute(
        """INSERT INTO funnel_events
               (session_id, stage, channel, occupation, campaign, assisted_by, at)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
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
