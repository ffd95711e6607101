"""Sending the messages due to workers outside a conversation (storage/outbox.py), from the
running `serve` or `telegram` process: never at night (local time), at most RATE a second so a
backlog after downtime goes out gradually, again later when a channel cannot take one now, and
given up after 48 tries (about two days of daytime)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.channels.messenger import Unreachable
from bot.logs import pseudonym
from bot.staff.console import Tell
from storage import Database, outbox
from storage.outbox import Due

log = logging.getLogger(__name__)

DAYTIME = (time(7, 0), time(20, 0))  # local: nobody is woken by a message
RATE = 5.0  # messages a second, below both channels' limits for one sender
RETRY = timedelta(minutes=30)
GIVE_UP_AFTER = 48  # tries at RETRY: about two days of daytime
BATCH = 20
UPKEEP_EVERY = timedelta(minutes=10)


def daytime(now: datetime, zone: ZoneInfo) -> bool:
    return DAYTIME[0] <= now.astimezone(zone).time() < DAYTIME[1]


async def send_due(db: Database, tell: Tell, clock: Callable[[], datetime]) -> int:
    """Send what is due, up to BATCH, claiming one message at a time (so a slow send never
    outlasts the claims of the others, which another sender could then take); how many."""
    count = 0
    for _ in range(BATCH):
        async with db.transaction() as conn:
            due = await outbox.claim(conn, clock(), 1)
        if not due:
            break
        count += 1
        await _send(db, tell, clock, due[0])
    return count


async def _send(db: Database, tell: Tell, clock: Callable[[], datetime], message: Due) -> None:
    try:
        told = await tell(
            message.channel, message.user_key, message.text, message.template, message.params
        )
    except Unreachable as unreachable:  # never again by this channel: recorded, not retried
        async with db.transaction() as conn:
            await outbox.later(conn, message.id, clock(), give_up=str(unreachable))
        return
    now = clock()
    async with db.transaction() as conn:
        if told:
            await outbox.sent(conn, message.id, now)
        elif message.attempts >= GIVE_UP_AFTER:
            await outbox.later(conn, message.id, now, give_up="not delivered after 48 tries")
            who = pseudonym(message.channel, message.user_key)
            log.warning("user %s: a message given up after 48 tries", who)
        else:
            await outbox.later(conn, message.id, now + RETRY)
    await asyncio.sleep(1 / RATE)


async def run_outbox(
    db: Database,
    tell: Tell,
    clock: Callable[[], datetime],
    zone: ZoneInfo,
    stop: asyncio.Event,
    upkeep: Callable[[datetime], Awaitable[None]] | None = None,
    poll: float = 2.0,
) -> None:
    """Until `stop`: every UPKEEP_EVERY the `upkeep` (bot/upkeep.py: the payment reminders due
    are queued), and what is due is sent in the daytime, looked for every `poll` seconds."""
    kept: datetime | None = None
    while not stop.is_set():
        claimed = 0
        if upkeep and (kept is None or clock() - kept >= UPKEEP_EVERY):
            kept = clock()
            try:
                await upkeep(kept)
            except Exception:  # the next round tries again
                log.exception("planning reminders or applying the retention rule failed")
        if daytime(clock(), zone):
            try:
                claimed = await send_due(db, tell, clock)
            except Exception:  # the database or a channel failing must not end the loop
                log.exception("sending due messages failed; trying again")
        if not claimed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll)
