"""Working through the webhook inbox of one channel (storage/webhook_inbox.py): each kept body is
processed in the background, what a restart left is taken up first and in order, and shutdown
waits a little, then leaves the rest for the next start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from storage import Database, webhook_inbox

log = logging.getLogger(__name__)
T = TypeVar("T")
Process = Callable[[int, T, bool], Coroutine[Any, Any, None]]


class InboxTasks:
    def __init__(self, db: Database, channel: str, clock: Callable[[], datetime]) -> None:
        self.db, self.channel, self.clock = db, channel, clock
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def recover(self, read: Callable[[str], T], process: Process[T]) -> None:
        """Start processing what was kept but not finished before the last stop, in the order
        it came, before anything new. A body `read` refuses (ValueError) is set aside, so one
        bad row cannot stop the server from starting."""
        now = self.clock()
        kept = await self.db.run(partial(webhook_inbox.left_over, channel=self.channel))
        for item in kept:
            try:
                body = read(item.body)
            except ValueError as error:  # its message may quote the body: only its kind is kept
                reason = f"unreadable: {type(error).__name__}"
                await self.db.run(
                    partial(webhook_inbox.set_aside, inbox_id=item.id, error=reason, now=now)
                )
                log.error(
                    "%s webhook %d set aside (%s); see bpu-bot inbox", self.channel, item.id, reason
                )
                continue
            self.start(process(item.id, body, True))
        if kept:
            log.info("%s: %d webhook(s) left from before the restart", self.channel, len(kept))

    async def may_try(self, inbox_id: int, message_ids: Sequence[str]) -> bool:
        """Before a left-over body is tried again: False (it is set aside) if trying it has
        killed the process too often already."""
        allowed = await self.db.run(
            partial(
                webhook_inbox.attempt,
                inbox_id=inbox_id,
                channel=self.channel,
                message_ids=message_ids,
                now=self.clock(),
            )
        )
        if not allowed:
            log.error(
                "%s webhook %d set aside: it never finished processing", self.channel, inbox_id
            )
        return allowed

    async def finish(self, inbox_id: int, message_ids: Sequence[str]) -> None:
        """Processed: remove it, unless a reply to one of its messages is still unsent."""
        await self.db.run(
            partial(
                webhook_inbox.finish,
                inbox_id=inbox_id,
                channel=self.channel,
                message_ids=message_ids,
            )
        )

    async def drain(self, grace: float = 10) -> None:
        """On shutdown: let what is being processed finish for `grace` seconds, then stop it;
        what is stopped keeps its inbox row and its unsent replies, for the next start."""
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
