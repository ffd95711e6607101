"""The `webhook_inbox` table: each verified webhook body (Telegram update, WhatsApp
notification) is kept from before it is acknowledged until it has been processed, so a crash in
between loses nothing.

It is also the queue several instances on one database share (issue 15). An instance processes
a body only once it has claimed it, for CLAIM; a person's bodies are claimed one at a time in
the order they came (`user_key`), whichever instance received them, so their messages are
answered in order. What a dead instance had claimed is taken over: at once on its own machine
(its pid is gone), else when the claim runs out. What a stop left is claimed at the next start.

A body that cannot be read, or that was being processed when the process died too often, is set
aside (kept, with the reason) instead of blocking the start; staff see it with `bpu-bot inbox`.

Synchronous: called inside `Database.run`, on the database thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import inbound, sql
from .holders import alive, me
from .sql import Connection

MAX_ATTEMPTS = 3  # starts that tried a body and died before finishing it
# Longer than processing one body takes, sending its replies included (the API clients give up
# sooner): a live instance never loses a claim it is working on.
CLAIM = timedelta(seconds=60)


@dataclass(frozen=True)
class Claimed:
    id: int
    body: str
    user_key: str | None
    retried: bool  # claimed before: by an instance that died or stopped before finishing it


@dataclass(frozen=True)
class SetAside:
    id: int
    channel: str
    received_at: str
    set_aside_at: str
    error: str
    size: int  # bytes of the body, which holds personal data and is not shown


def keep(
    conn: Connection, channel: str, body: str, now: datetime, user_key: str | None = None
) -> int:
    """Keep a body; `user_key`: whom it is from (None: no one's, e.g. a delivery status)."""
    (inbox_id,) = conn.execute(
        """INSERT INTO webhook_inbox (channel, received_at, body, user_key) VALUES (?, ?, ?, ?)
           RETURNING id""",
        (channel, now.isoformat(), body, user_key),
    ).fetchone()
    return inbox_id


def claim(
    conn: Connection,
    channel: str,
    now: datetime,
    only: int | None = None,
    user_key: str | None = None,
) -> Claimed | None:
    """Claim the oldest body of `channel` that nobody is working on and that no older body of
    the same person waits before; just body `only`, or only `user_key`'s, if given. None if
    there is none. Runs under the write lock (Database.run), so two instances never both
    claim one body."""
    # what a dead process held is looked for by the sweep, not for every webhook kept
    dead = _dead_holders(conn, now) if only is None and user_key is None else []
    free = "w.claimed_until IS NULL OR w.claimed_until < ?"
    if dead:
        free += f" OR w.claimed_by IN ({', '.join('?' * len(dead))})"
    which, params = "", [channel, now.isoformat(), *dead]
    if only is not None:
        which, params = "AND w.id = ?", [*params, only]
    elif user_key is not None:
        which, params = "AND w.user_key = ?", [*params, user_key]
    row = conn.execute(
        f"""UPDATE webhook_inbox SET claimed_by = ?, claimed_until = ?, claims = claims + 1
            WHERE id = (
                SELECT w.id FROM webhook_inbox w
                WHERE w.channel = ? AND w.set_aside_at IS NULL AND ({free}) {which}
                  AND NOT EXISTS (
                      SELECT 1 FROM webhook_inbox e
                      WHERE e.channel = w.channel AND e.user_key = w.user_key
                        AND e.id < w.id AND e.set_aside_at IS NULL)
                ORDER BY w.id LIMIT 1)
            RETURNING id, body, user_key, claims""",
        (me(), (now + CLAIM).isoformat(), *params),
    ).fetchone()
    return Claimed(row[0], row[1], row[2], row[3] > 1) if row else None


def renew(conn: Connection, inbox_ids: Sequence[int], now: datetime) -> None:
    """Still working on these: keep them claimed for another CLAIM (a slow send must not let
    another instance take a body over and answer it twice)."""
    conn.executemany(
        "UPDATE webhook_inbox SET claimed_until = ? WHERE id = ? AND claimed_by = ?",
        [((now + CLAIM).isoformat(), inbox_id, me()) for inbox_id in inbox_ids],
    )


def _dead_holders(conn: Connection, now: datetime) -> list[str]:
    """Processes holding claims that have not run out, whose pid is gone from this machine."""
    rows = conn.execute(
        "SELECT DISTINCT claimed_by FROM webhook_inbox WHERE claimed_until >= ?",
        (now.isoformat(),),
    ).fetchall()
    return [holder for (holder,) in rows if not alive(holder)]


def unclaim(conn: Connection, inbox_ids: Sequence[int]) -> None:
    """Stopping before these were finished: another instance (or the next start) may take them
    at once."""
    conn.executemany(
        "UPDATE webhook_inbox SET claimed_by = NULL, claimed_until = NULL WHERE id = ?",
        [(inbox_id,) for inbox_id in inbox_ids],
    )


def done(conn: Connection, inbox_id: int) -> None:
    conn.execute("DELETE FROM webhook_inbox WHERE id = ?", (inbox_id,))


def finish(conn: Connection, inbox_id: int, channel: str, message_ids: Sequence[str]) -> bool:
    """Remove a processed body, unless a reply to one of its messages could not be sent yet:
    then it stays, and the next start sends that reply. True if removed."""
    if message_ids and inbound.awaiting_delivery(conn, channel, message_ids):
        return False
    done(conn, inbox_id)
    return True


def attempt(
    conn: Connection,
    inbox_id: int,
    channel: str,
    message_ids: Sequence[str],
    now: datetime,
) -> bool:
    """Before a body left from before a restart is tried again: False (and the body set aside)
    if processing it already killed the process MAX_ATTEMPTS times. A body whose messages were
    all answered (its replies were only waiting for the network) is never counted: a long
    outage with restarts must not set a backlog aside."""
    if message_ids and all(inbound.seen(conn, channel, m) for m in message_ids):
        return True
    row = conn.execute(
        "UPDATE webhook_inbox SET attempts = attempts + 1 WHERE id = ? RETURNING attempts",
        (inbox_id,),
    ).fetchone()
    if row is not None and row[0] <= MAX_ATTEMPTS:
        return True
    set_aside(conn, inbox_id, "processing never finished", now)
    return False


def set_aside(conn: Connection, inbox_id: int, error: str, now: datetime) -> None:
    """Keep a body that cannot be processed out of the way; `error` must hold no personal data."""
    conn.execute(
        "UPDATE webhook_inbox SET set_aside_at = ?, error = ? WHERE id = ?",
        (now.isoformat(), error[:200], inbox_id),
    )


def listing(engine: sql.Dialect) -> str:
    """What `bpu-bot inbox` lists: a SetAside per row."""
    size = engine.byte_length.format("body")
    return f"""SELECT id, channel, received_at, set_aside_at, error, {size}
               FROM webhook_inbox WHERE set_aside_at IS NOT NULL ORDER BY id"""
