"""The one path every message takes: per-user lock, then one transaction that dedupes, loads the
session, advances the conversation, saves it and applies its effects, all committed together."""

from __future__ import annotations

import logging
import secrets
import sqlite3
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from time import perf_counter
from zoneinfo import ZoneInfo

import aiosqlite

from conversations import (
    Context,
    Effect,
    Funnel,
    Incoming,
    NeedData,
    Outcome,
    RegistrationByNik,
    Reply,
    Rules,
    SaveRegistration,
    Session,
    advance,
)
from conversations.i18n import translator
from storage import Database, funnel, inbound, registrations, sessions
from storage.registrations import ReferenceTaken

from .locks import KeyedLock
from .logs import pseudonym

log = logging.getLogger(__name__)

Deliver = Callable[[list[Reply]], Awaitable[None]]
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I: read out over a phone
_ATTEMPTS = 3


def new_reference() -> str:
    """A short reference a worker can read out: BPU-XXXX-XXXX (32^8 ≈ 10^12 values)."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"BPU-{chars[:4]}-{chars[4:]}"


class ConversationService:
    def __init__(
        self,
        db: Database,
        rules: Rules,
        zone: ZoneInfo,
        default_lang: str = "id",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.rules = rules
        self.zone = zone
        self.default_lang = default_lang
        self.clock = clock or (lambda: datetime.now(UTC))
        self.locks = KeyedLock()

    async def handle(self, incoming: Incoming, deliver: Deliver | None = None) -> list[Reply]:
        """Process one message; `deliver` sends the replies while this user's lock is held, so
        one user's replies go out in the order of their messages."""
        async with self.locks.hold((incoming.channel, incoming.user_key)):
            replies = await self._process(incoming)
            if deliver and replies:
                await deliver(replies)
            return replies

    async def _process(self, incoming: Incoming) -> list[Reply]:
        for _ in range(_ATTEMPTS):
            try:
                return await self._run(incoming)
            except ReferenceTaken:
                continue
            except (sqlite3.Error, aiosqlite.Error) as error:
                # busy, disk full, I/O error: the transaction rolled back, nothing half-written
                log.error("message not saved (user %s): %s", self._who(incoming), error)
                break
        t = translator(self.default_lang)
        return [
            Reply(
                t(
                    "Sorry, something went wrong on our side and your last message was not "
                    "saved. Please send it again in a moment."
                )
            )
        ]

    async def _run(self, incoming: Incoming) -> list[Reply]:
        started = perf_counter()
        now = self.clock()
        async with self.db.transaction() as conn:
            if not await inbound.first_time(conn, incoming.channel, incoming.message_id, now):
                log.info("duplicate message ignored (user %s)", self._who(incoming))
                return []
            session = await sessions.load(conn, incoming.channel, incoming.user_key)
            ctx = Context(
                now=now,
                today=now.astimezone(self.zone).date(),
                rules=self.rules,
                new_id=uuid.uuid4().hex,
                new_reference=new_reference(),
            )
            outcome = await self._advance(conn, session, incoming, ctx)
            await sessions.save(conn, incoming.channel, incoming.user_key, outcome.session, now)
            for effect in outcome.effects:
                await self._apply(conn, effect, incoming, outcome.session, now)
        log.info(
            "user %s: %s -> %s in %.1f ms",
            self._who(incoming),
            session.step if session else "new",
            outcome.session.step,
            (perf_counter() - started) * 1000,
        )
        return list(outcome.replies)

    async def _advance(
        self, conn: aiosqlite.Connection, session: Session | None, incoming: Incoming, ctx: Context
    ) -> Outcome:
        """Run the pure flow, answering the stored facts it asks for, then running it again."""
        while True:
            try:
                return advance(session, incoming, ctx)
            except NeedData as need:
                if need.query in ctx.answers:
                    raise RuntimeError(
                        f"flow asked twice for {type(need.query).__name__}"
                    ) from need
                assert isinstance(need.query, RegistrationByNik)
                ctx.answers[need.query] = await registrations.by_nik(conn, need.query.nik)

    async def _apply(
        self,
        conn: aiosqlite.Connection,
        effect: Effect,
        incoming: Incoming,
        session: Session,
        now: datetime,
    ) -> None:
        if isinstance(effect, Funnel):
            await funnel.record(conn, effect, incoming.channel, now)
        elif isinstance(effect, SaveRegistration):
            await registrations.save(
                conn,
                effect.registration,
                effect.replaces,
                incoming.channel,
                incoming.user_key,
                session.id,
                now,
            )
            log.info(
                "registration %s saved (user %s)",
                effect.registration.reference,
                self._who(incoming),
            )

    @staticmethod
    def _who(incoming: Incoming) -> str:
        return pseudonym(incoming.channel, incoming.user_key)
