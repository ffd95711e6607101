"""Working through the webhook inbox of one channel (storage/webhook_inbox.py), alone or as one
of several instances on one database.

A body is processed by the instance that claims it. The one that received it claims it at once,
unless an older body of the same person is still waiting or being worked on: whoever finishes
that one claims the person's next. A sweep every SWEEP claims what is left: bodies a restart
left, and those of an instance that died. Shutdown waits a little, then hands the rest back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Generic, TypeVar

from storage import Database, sql, webhook_inbox
from storage.sql import Connection
from storage.webhook_inbox import Claimed

log = logging.getLogger(__name__)
T = TypeVar("T")
SWEEP = 1.0  # seconds between looks for bodies nobody is working on


class InboxTasks(Generic[T]):
    def __init__(
        self,
        db: Database,
        channel: str,
        clock: Callable[[], datetime],
        read: Callable[[str], T],
        message_ids: Callable[[T], Sequence[str]],
        process: Callable[[T], Coroutine[Any, Any, None]],
    ) -> None:
        """`read` a kept body (ValueError: it cannot be; it is set aside), the `message_ids`
        it carries, and `process` it."""
        self.db, self.channel, self.clock = db, channel, clock
        self.read, self.message_ids, self.process = read, message_ids, process
        self._tasks: dict[asyncio.Task[None], int] = {}
        self._unsent: set[int] = set()  # processed, a reply not sent yet: still claimed
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Claim what was left before anything new comes in, then sweep in the background."""
        await self._sweep_once()
        self._sweeper = asyncio.create_task(self._sweep())

    async def take(self, bodies: Sequence[tuple[str, str | None]]) -> None:
        """Keep (body, whom it is from) pairs, committed when this returns (they may then be
        acknowledged); in the same transaction claim each that is its person's next, and
        process those in the background."""
        claimed = await self.db.run(partial(self._keep_and_claim, bodies, self.clock()))
        for item in claimed:
            self._begin(item)

    def _keep_and_claim(
        self, bodies: Sequence[tuple[str, str | None]], now: datetime, conn: Connection
    ) -> list[Claimed]:
        ids = [webhook_inbox.keep(conn, self.channel, body, now, who) for body, who in bodies]
        claimed = (webhook_inbox.claim(conn, self.channel, now, only=i) for i in ids)
        return [item for item in claimed if item is not None]

    async def _claim(self, user_key: str | None = None) -> bool:
        claimed = await self.db.run(
            partial(webhook_inbox.claim, channel=self.channel, now=self.clock(), user_key=user_key)
        )
        if claimed is None:
            return False
        self._begin(claimed)
        return True

    def _begin(self, claimed: Claimed) -> None:
        task = asyncio.create_task(self._work(claimed))
        self._tasks[task] = claimed.id
        task.add_done_callback(self._tasks.pop)

    async def _sweep_once(self) -> None:
        while await self._claim():
            pass

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP)
            try:
                await self._renew()
                await self._sweep_once()
            except sql.Error as error:  # a busy or unreachable database: next round
                log.warning("%s inbox not swept (%s)", self.channel, error)

    async def _renew(self) -> None:
        """Keep claiming what is being worked on, however long a send takes."""
        working = list(self._tasks.values())
        if working:
            await self.db.run(partial(webhook_inbox.renew, inbox_ids=working, now=self.clock()))

    async def _work(self, claimed: Claimed) -> None:
        try:
            body = self.read(claimed.body)
        except ValueError as error:  # its message may quote the body: only its kind is kept
            reason = f"unreadable: {type(error).__name__}"
            await self.db.run(
                partial(
                    webhook_inbox.set_aside, inbox_id=claimed.id, error=reason, now=self.clock()
                )
            )
            log.error("%s webhook %d set aside (%s); see bpu-bot inbox", *self._of(claimed), reason)
            return await self._next(claimed)
        ids = self.message_ids(body)
        if claimed.retried and not await self._may_try(claimed.id, ids):
            return await self._next(claimed)
        try:
            await self.process(body)
        except Exception:
            log.exception("%s webhook %d could not be processed", *self._of(claimed))
        finished = await self.db.run(
            partial(
                webhook_inbox.finish, inbox_id=claimed.id, channel=self.channel, message_ids=ids
            )
        )
        if finished:
            self._unsent.discard(claimed.id)
            await self._next(claimed)
        else:  # tried again (the reply sent) when the claim runs out, or after a stop
            self._unsent.add(claimed.id)

    async def _next(self, claimed: Claimed) -> None:
        """The same person's next body, if one waits."""
        if claimed.user_key is not None:
            await self._claim(user_key=claimed.user_key)

    async def _may_try(self, inbox_id: int, message_ids: Sequence[str]) -> bool:
        """Before a body claimed before is tried again: False (it is set aside) if trying it
        has killed a process too often already."""
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

    def _of(self, claimed: Claimed) -> tuple[str, int]:
        return self.channel, claimed.id

    async def drain(self, grace: float = 10) -> None:
        """On shutdown: stop sweeping, let what is being processed finish for `grace` seconds,
        then stop it and hand its bodies back (with their unsent replies) to another instance
        or the next start."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        stopped: set[int] = set()
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=grace)
            stopped.update(self._tasks[task] for task in late if task in self._tasks)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        stopped |= self._unsent  # those finished meanwhile included
        if stopped:
            with contextlib.suppress(*sql.Error):
                await self.db.run(partial(webhook_inbox.unclaim, inbox_ids=stopped))
