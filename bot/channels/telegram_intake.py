"""Telegram updates are kept before Telegram is told they arrived, and processed after.

Telegram forgets an update once it is acknowledged: a webhook answered with 200, or a
`getUpdates` offset past it. Each update is therefore written to the webhook inbox first (one
transaction for a whole batch from `getUpdates`), acknowledged, processed in the background and
then removed; what a crash leaves in the inbox is processed at the next start. The service's
message ids make a second processing harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBDeprecationWarning

from bot.channels.inbox_tasks import InboxTasks
from storage import Database, sql

log = logging.getLogger(__name__)

CHANNEL = "telegram"


def read_update(data: object, app: Application) -> Update:
    """An update from decoded JSON, or ValueError if it is not one (junk, another shape)."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise ValueError("not a Telegram update")
    try:
        return Update.de_json(data, app.bot)
    except Exception as error:  # python-telegram-bot raises many kinds on malformed fields
        raise ValueError(f"malformed update: {type(error).__name__}") from None


def sender(update: Update) -> str | None:
    """Whom an update is from, for processing one person's updates in order."""
    who = update.effective_user or update.effective_chat
    return str(who.id) if who else None


class TelegramIntake:
    def __init__(self, app: Application, db: Database, clock: Callable[[], datetime]) -> None:
        self.app, self.db, self.clock = app, db, clock
        self.tasks: InboxTasks[Update] = InboxTasks(
            db,
            CHANNEL,
            clock,
            read=lambda body: read_update(json.loads(body), self.app),
            message_ids=lambda update: [str(update.update_id)],
            process=self.process,
        )

    async def take(self, updates: list[tuple[dict[str, Any], Update]]) -> None:
        """Keep updates (committed when this returns), then process them in the background."""
        await self.tasks.take(
            [(json.dumps(data, ensure_ascii=False), sender(update)) for data, update in updates]
        )

    async def start(self) -> None:
        """Take up what a restart left, before anything new (see InboxTasks.start)."""
        await self.tasks.start()

    async def drain(self) -> None:
        await self.tasks.drain()

    async def process(self, update: Update) -> None:
        # through the update processor, so python-telegram-bot's concurrency limit holds
        await self.app.update_processor.process_update(update, self.app.process_update(update))


async def poll(
    intake: TelegramIntake,
    stop: asyncio.Event,
    allowed_updates: list[str],
    timeout: int = 10,
) -> None:
    """Long polling until `stop` is set. An offset moves past updates only once they are kept:
    that is what tells Telegram it may forget them."""
    bot = intake.app.bot
    await bot.delete_webhook()  # polling and a webhook exclude each other
    offset: int | None = None
    failures = 0
    while not stop.is_set():
        fetch = asyncio.ensure_future(
            bot.get_updates(offset=offset, timeout=timeout, allowed_updates=allowed_updates)
        )
        if not await _unless_stopped(fetch, stop):
            break  # stopped mid-poll: nothing fetched is lost, it comes again
        try:
            updates = fetch.result()
            if updates:
                await intake.take([(u.to_dict(), u) for u in updates])
                offset = updates[-1].update_id + 1
            failures = 0
        except RetryAfter as flood:
            await _sleep(stop, retry_seconds(flood))
        except InvalidToken:
            raise  # a person must act
        except (TelegramError, *sql.Error) as error:
            # network, another process polling (Conflict), a busy database: nothing was taken,
            # so the same updates come again
            failures += 1
            log.warning("Telegram: updates not taken (%s); retrying", error)
            await _sleep(stop, min(30.0, 0.5 * 2**failures))
    if offset is not None:  # tell Telegram what was taken, so it is not sent again
        try:
            await bot.get_updates(offset=offset, timeout=0, limit=1)
        except TelegramError as error:
            log.info("Telegram: last offset not confirmed (%s); kept updates dedupe", error)


async def _unless_stopped(work: asyncio.Future[Any], stop: asyncio.Event) -> bool:
    """Wait for `work` unless `stop` comes first (then `work` is cancelled): True if done."""
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not work.done():
        work.cancel()
        return False
    return True


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def retry_seconds(flood: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int form will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = flood.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
