"""The `inbound_messages` table: message ids already processed, so a redelivery changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

KEEP_FOR = timedelta(days=7)  # platforms redeliver within hours; a week is ample


async def first_time(
    conn: aiosqlite.Connection, channel: str, message_id: str, now: datetime
) -> bool:
    """Record the message id; False if it was recorded before."""
    cursor = await conn.execute(
        "INSERT OR IGNORE INTO inbound_messages (channel, message_id, received_at)"
        " VALUES (?, ?, ?)",
        (channel, message_id, now.isoformat()),
    )
    return cursor.rowcount == 1


async def prune(conn: aiosqlite.Connection, now: datetime) -> int:
    cursor = await conn.execute(
        "DELETE FROM inbound_messages WHERE received_at < ?", ((now - KEEP_FOR).isoformat(),)
    )
    return cursor.rowcount
