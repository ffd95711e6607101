"""The one path every message takes: per-user lock, then one transaction that dedupes, loads the
session, advances the conversation, saves it and applies its effects, all committed together."""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from time import perf_counter
from zoneinfo import ZoneInfo

import aiosqlite

from conversations import (
    Context,
    Funnel,
    Incoming,
    NeedData,
    Outcome,
    RegistrationByNik,
    Reply,
    Rules,
    SaveRegistration,
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
    """A short reference a worker can read out: BPU-XXXX-XXXX (32^8 ≈ 10^12 values).

    32 symbols divide 256 evenly, so each random byte picks one without bias."""
    chars = "".join(_REFERENCE_ALPHABET[b % 32] for b in secrets.token_bytes(8))
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
        result = await self.db.run(partial(self._transaction, incoming, self.clock()))
        if not log.isEnabledFor(logging.INFO):  # skip the pseudonym hashing
            return list(result[1].replies) if result else []
        who = self._who(incoming)
        if result is None:
            log.info("duplicate message ignored (user %s)", who)
            return []
        before, outcome = result
        for effect in outcome.effects:
            if isinstance(effect, SaveRegistration):
                log.info("registration %s saved (user %s)", effect.registration.reference, who)
        log.info(
            "user %s: %s -> %s in %.1f ms",
            who,
            before,
            outcome.session.step,
            (perf_counter() - started) * 1000,
        )
        return list(outcome.replies)

    def _transaction(
        self, incoming: Incoming, now: datetime, conn: sqlite3.Connection
    ) -> tuple[str, Outcome] | None:
        """Everything one message changes, run in one transaction on the database thread.

        None for a message id seen before. Random ids are drawn here, off the event loop."""
        channel, key = incoming.channel, incoming.user_key
        if not inbound.first_time(conn, channel, incoming.message_id, now):
            return None
        session = sessions.load(conn, channel, key)
        ctx = Context(
            now=now,
            today=now.astimezone(self.zone).date(),
            rules=self.rules,
            new_id=secrets.token_hex(16),
            new_reference=new_reference(),
        )
        while True:  # the pure flow, answering the stored facts it asks for
            try:
                outcome = advance(session, incoming, ctx)
                break
            except NeedData as need:
                if need.query in ctx.answers:
                    raise RuntimeError(
                        f"flow asked twice for {type(need.query).__name__}"
                    ) from need
                assert isinstance(need.query, RegistrationByNik)
                ctx.answers[need.query] = registrations.by_nik(conn, need.query.nik)
        sessions.save(conn, channel, key, outcome.session, now)
        for effect in outcome.effects:
            if isinstance(effect, Funnel):
                funnel.record(conn, effect, channel, now)
            elif isinstance(effect, SaveRegistration):
                registrations.save(
                    conn,
                    effect.registration,
                    effect.replaces,
                    channel,
                    key,
                    outcome.session.id,
                    now,
                )
        return (session.step if session else "new"), outcome

    @staticmethod
    def _who(incoming: Incoming) -> str:
        return pseudonym(incoming.channel, incoming.user_key)
