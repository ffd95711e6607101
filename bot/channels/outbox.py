"""Sending the messages due to workers outside a conversation (storage/outbox.py: results,
payment reminders), from the running `serve` or `telegram` process: never at night (local time);
per channel at most RATES a second, with a few sends in flight so a slow API does not hold the
pace down, so a backlog after downtime (or a month's reminders) goes out gradually; again later
when a channel cannot take one now, and given up after 48 tries (about two days of daytime).

Claims and results are written in the message path's group commit (Database.run): they share
its fsyncs instead of adding transactions of their own, so the chat stays as quick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time as clocks
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from bot.channels.messenger import Unreachable
from bot.logs import pseudonym
from bot.staff.console import Tell
from storage import Database, outbox, reminders
from storage.outbox import Due
from storage.sql import Connection

log = logging.getLogger(__name__)

DAYTIME = (time(7, 0), time(20, 0))  # local: nobody is woken by a message
# Messages a second per channel, under each platform's limit for one sender: Telegram's
# broadcast limit is about 30 a second; WhatsApp's Cloud API takes 80 a second per number.
RATES = {"telegram": 25.0, "whatsapp": 50.0}
IN_FLIGHT = 4  # sends waiting on one channel's API at once
RETRY = timedelta(minutes=30)
GIVE_UP_AFTER = 48  # tries at RETRY: about two days of daytime
BATCH = 20
UPKEEP_EVERY = timedelta(minutes=10)


def daytime(now: datetime, zone: ZoneInfo) -> bool:
    return DAYTIME[0] <= now.astimezone(zone).time() < DAYTIME[1]


async def send_one(
    db: Database, tell: Tell, clock: Callable[[], datetime], channel: str | None = None
) -> bool:
    """Claim the oldest due message (of `channel`) and send it; False when none is due."""
    message = await db.run(partial(outbox.claim, now=clock(), channel=channel))
    if message is None:
        return False
    await _send(db, tell, clock, message)
    return True


async def send_due(db: Database, tell: Tell, clock: Callable[[], datetime]) -> int:
    """Send what is due, up to BATCH, one after another, unpaced; how many."""
    count = 0
    while count < BATCH and await send_one(db, tell, clock):
        count += 1
    return count


async def _send(db: Database, tell: Tell, clock: Callable[[], datetime], message: Due) -> None:
    try:
        told = await tell(
            message.channel, message.user_key, message.text, message.template, message.params
        )
    except Unreachable as unreachable:  # never again by this channel: recorded, not retried
        await db.run(partial(_unreachable, message=message, why=str(unreachable), now=clock()))
        return
    now = clock()
    if told:
        await db.run(partial(outbox.sent, message_id=message.id, now=now))
    elif message.attempts >= GIVE_UP_AFTER:
        give_up = "not delivered after 48 tries"
        await db.run(partial(outbox.later, message_id=message.id, due_at=now, give_up=give_up))
        who = pseudonym(message.channel, message.user_key)
        log.warning("user %s: a message given up after 48 tries", who)
    else:
        await db.run(partial(outbox.later, message_id=message.id, due_at=now + RETRY))


def _unreachable(conn: Connection, message: Due, why: str, now: datetime) -> None:
    """They blocked the bot: this message is given up, and their payment reminders stopped."""
    outbox.later(conn, message.id, now, give_up=why)
    reminders.choose(conn, message.channel, message.user_key, None, False, now, stopped_by=why)


class Pace:
    """At most `rate` starts a second, shared by the sends of one channel."""

    def __init__(self, rate: float) -> None:
        self.gap, self.next = 1 / rate, clocks.monotonic()

    async def wait(self) -> None:
        now = clocks.monotonic()
        slot = max(now, self.next)
        self.next = slot + self.gap
        await asyncio.sleep(slot - now)


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
    are queued), and what is due is sent in the daytime, each channel at its pace, looked for
    every `poll` seconds when nothing is."""

    async def idle() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll)

    async def sender(channel: str, pace: Pace) -> None:
        while not stop.is_set():
            if not daytime(clock(), zone):
                await idle()
                continue
            await pace.wait()
            try:
                if await send_one(db, tell, clock, channel):
                    continue
            except Exception:  # the database or the channel failing must not end the loop
                log.exception("sending a due message failed; trying again")
            await idle()

    async def upkeeping() -> None:
        assert upkeep is not None
        while not stop.is_set():
            try:
                await upkeep(clock())
            except Exception:  # the next round tries again
                log.exception("planning reminders or applying the retention rule failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), UPKEEP_EVERY.total_seconds())

    tasks = []
    for channel, rate in RATES.items():
        pace = Pace(rate)  # shared by the channel's senders
        tasks += [asyncio.create_task(sender(channel, pace)) for _ in range(IN_FLIGHT)]
    if upkeep:
        tasks.append(asyncio.create_task(upkeeping()))
    try:
        await stop.wait()
    finally:
        await asyncio.gather(*tasks, return_exceptions=True)
