"""The `telegram_pollers` table: the one process that polls a Telegram bot for updates. Two
pollers would take each other's updates away (Telegram answers the older one 409 Conflict), so a
second `bpu-bot telegram` on the same database is refused while the first holds its lease; the
lease of a process that died is taken over at once on its own machine (its pid is gone), else
when it runs out."""

from __future__ import annotations

from datetime import datetime, timedelta

from .holders import alive, me
from .sql import AsyncConnection

LEASE = timedelta(seconds=30)  # renewed every RENEW: a live poller never loses it
RENEW = timedelta(seconds=10)


async def take(conn: AsyncConnection, bot: str, now: datetime) -> tuple[str, str] | None:
    """Hold the lease for `bot`; or (holder, since) of the live process that holds it."""
    async with conn.execute(
        "SELECT holder, since, until FROM telegram_pollers WHERE bot = ?", (bot,)
    ) as cursor:
        row = await cursor.fetchone()
    if row and row[0] != me() and row[2] > now.isoformat() and alive(row[0]):
        return row[0], row[1]
    await conn.execute(
        """INSERT INTO telegram_pollers (bot, holder, since, until) VALUES (?, ?, ?, ?)
           ON CONFLICT (bot) DO UPDATE SET
               holder = excluded.holder, since = excluded.since, until = excluded.until""",
        (bot, me(), now.isoformat(), (now + LEASE).isoformat()),
    )
    return None


async def renew(conn: AsyncConnection, bot: str, now: datetime) -> bool:
    """Still ours (False: another process took it over after ours ran out)."""
    cursor = await conn.execute(
        "UPDATE telegram_pollers SET until = ? WHERE bot = ? AND holder = ?",
        ((now + LEASE).isoformat(), bot, me()),
    )
    return cursor.rowcount == 1


async def release(conn: AsyncConnection, bot: str) -> None:
    await conn.execute("DELETE FROM telegram_pollers WHERE bot = ? AND holder = ?", (bot, me()))
