"""What the running bot does besides answering: every few minutes, queue the payment reminders
due (bot/channels/reminders.py); every RETAIN_EVERY, apply the retention rule to conversations
left unfinished (storage/sessions.py: it reads every old conversation, and counts in days).
Both read on a read-only connection and write in short transactions, so the chat is never held
up, and both are safe to run in several processes at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from bot.channels.reminders import plan_reminders
from bot.service import ConversationService
from bot.settings import Settings
from conversations import Rules
from storage import Database, sessions

CHUNK = 500  # conversations forgotten per write transaction
RETAIN_EVERY = timedelta(hours=1)


@dataclass
class Upkeep:
    db: Database
    rules: Rules
    zone: ZoneInfo
    keep_unfinished: timedelta  # Settings.retention_days
    retained: datetime | None = field(default=None, init=False)  # the rule last applied

    @classmethod
    def of(cls, service: ConversationService, settings: Settings) -> Upkeep:
        return cls(service.db, service.rules, service.zone, timedelta(days=settings.retention_days))

    async def __call__(self, now: datetime) -> None:
        await plan_reminders(self.db, self.rules, now, self.zone)
        if self.retained is None or now - self.retained >= RETAIN_EVERY:
            self.retained = now
            await forget_unfinished(self.db, now - self.keep_unfinished, now)


async def forget_unfinished(db: Database, cutoff: datetime, now: datetime) -> int:
    """The retention rule; how many conversations it forgot."""
    async with db.reading() as conn:
        chats = await sessions.unfinished_before(conn, cutoff)
    forgotten = 0
    for start in range(0, len(chats), CHUNK):
        chunk = chats[start : start + CHUNK]
        forgotten += await db.run(
            partial(sessions.forget_abandoned, chats=chunk, cutoff=cutoff, now=now)
        )
    return forgotten
