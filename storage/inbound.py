"""The `inbound_messages` table: message ids already processed, so a redelivery changes nothing.

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from conversations import Option, Reply

from .sql import Connection

KEEP_FOR = timedelta(days=7)  # platforms redeliver within hours; a week is ample


def seen(conn: Connection, channel: str, message_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM inbound_messages WHERE channel = ? AND message_id = ?",
        (channel, message_id),
    ).fetchone()
    return row is not None


def prune(conn: Connection, now: datetime) -> int:
    cursor = conn.execute(
        "DELETE FROM inbound_messages WHERE received_at < ?", ((now - KEEP_FOR).isoformat(),)
    )
    return cursor.rowcount


def record(
    conn: Connection,
    channel: str,
    message_id: str,
    now: datetime,
    replies: Sequence[Reply] = (),
    refused_choice: bool = False,
) -> bool:
    """Record a processed message id (a second time changes nothing: False), with its replies
    kept until `delivered`: committed with the answer, so a crash before they are sent cannot
    leave the worker without one."""
    kept = None
    if replies:
        kept = json.dumps(
            {
                "refused_choice": refused_choice,
                "replies": [
                    {
                        "text": r.text,
                        "options": [[o.key, o.label] for o in r.options],
                        "contact": r.contact_button,
                        "lang": r.lang,
                    }
                    for r in replies
                    if r.attachment is None  # the conversation sends none; files are on demand
                ],
            },
            ensure_ascii=False,
        )
    cursor = conn.execute(
        """INSERT INTO inbound_messages
               (channel, message_id, received_at, pending_replies)
           VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""",
        (channel, message_id, now.isoformat(), kept),
    )
    return cursor.rowcount == 1


def undelivered(conn: Connection, channel: str, message_id: str) -> tuple[tuple[Reply, ...], bool]:
    """The replies of a message not yet delivered, and whether its pressed button was refused."""
    row = conn.execute(
        "SELECT pending_replies FROM inbound_messages WHERE channel = ? AND message_id = ?",
        (channel, message_id),
    ).fetchone()
    if row is None or row[0] is None:
        return (), False
    kept = json.loads(row[0])
    replies = tuple(
        Reply(
            r["text"],
            tuple(Option(key, label) for key, label in r["options"]),
            r["contact"],
            lang=r["lang"],
        )
        for r in kept["replies"]
    )
    return replies, kept["refused_choice"]


def awaiting_delivery(conn: Connection, channel: str, message_ids: Sequence[str]) -> bool:
    """Whether any of these messages still has replies to send."""
    marks = ", ".join("?" * len(message_ids))
    row = conn.execute(
        f"""SELECT 1 FROM inbound_messages WHERE channel = ? AND message_id IN ({marks})
            AND pending_replies IS NOT NULL LIMIT 1""",
        (channel, *message_ids),
    ).fetchone()
    return row is not None


def delivered(conn: Connection, channel: str, message_id: str) -> None:
    conn.execute(
        "UPDATE inbound_messages SET pending_replies = NULL WHERE channel = ? AND message_id = ?",
        (channel, message_id),
    )
