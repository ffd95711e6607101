"""The `inbound_messages` table: message ids already processed, so a redelivery changes nothing.

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

KEEP_FOR = timedelta(days=7)  # platforms redeliver within hours; a week is ample


def first_time(conn: sqlite3.Connection, channel: str, message_id: str, now: datetime) -> bool:
    """Record the message id; False if it was recorded before."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO inbound_messages (channel, message_id, received_at)"
        " VALUES (?, ?, ?)",
        (channel, message_id, now.isoformat()),
    )
    return cursor.rowcount == 1


def prune(conn: sqlite3.Connection, now: datetime) -> int:
    cursor = conn.execute(
        "DELETE FROM inbound_messages WHERE received_at < ?", ((now - KEEP_FOR).isoformat(),)
    )
    return cursor.rowcount
