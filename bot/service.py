"""The one path every message takes: per-user lock, then one transaction that dedupes, loads the
session, advances the conversation, saves it and applies its effects, all committed together."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from time import perf_counter
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.locks import KeyedLock
from bot.logs import pseudonym
from conversations import (
    CampaignerActive,
    Context,
    CorrectionRequest,
    DataHeld,
    EraseData,
    Funnel,
    HouseholdOf,
    Incoming,
    Kind,
    NeedData,
    Outcome,
    ProgressOf,
    Query,
    RegistrationByNik,
    RemindersChoice,
    RemindersOn,
    Reply,
    Rules,
    SaveRegistration,
    SponsorOffer,
    advance,
)
from conversations.i18n import translator
from storage import (
    Database,
    data_rights,
    funnel,
    inbound,
    people,
    registrations,
    reminders,
    sessions,
    sponsors,
    sql,
)
from storage.registrations import ReferenceTaken
from storage.sql import Connection

log = logging.getLogger(__name__)


class Deliver(Protocol):
    """Sends replies to the person; `refused_choice`: a pressed button was not taken (it
    belonged to another question, or the answer could not be saved), so a channel must not show
    it as chosen. Returns False when the replies could not be sent for now (network down,
    shutting down): they are kept and sent again later. Anything else (True, None) means
    settled: sent, or never sendable (the person blocked the bot)."""

    async def __call__(
        self, replies: Sequence[Reply], *, refused_choice: bool = False
    ) -> bool | None: ...


class Changed(Exception):
    """What a message's answer was decided from changed before it was committed."""


@dataclass(frozen=True)
class Decided:
    """A message's outcome, worked out from what was stored (before: the step it was at;
    stored: the session's stored text; the facts the flow asked for, as of `today`)."""

    before: str
    stored: str | None
    outcome: Outcome
    answers: dict[Query, object]
    today: date


@dataclass(frozen=True)
class Handled:
    replies: tuple[Reply, ...]
    refused_choice: bool = False
    kept: bool = False  # the replies are stored until delivered (see inbound.record)


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
            return await self.handle_locked(incoming, deliver)

    async def handle_locked(
        self, incoming: Incoming, deliver: Deliver | None = None
    ) -> list[Reply]:
        """`handle`, for a caller already holding this user's lock (see StaffChat.route).

        With `deliver`, the replies are committed with the message and kept until they have
        been sent: a message delivered again after a crash that cut them off gets them again
        (at least once), where an ordinary redelivery changes nothing."""
        handled = await self._process(incoming, keep=deliver is not None)
        if deliver and handled.replies:
            settled = await deliver(handled.replies, refused_choice=handled.refused_choice)
            if handled.kept and settled is not False:
                self._delivered(incoming)
        return list(handled.replies)

    def _delivered(self, incoming: Incoming) -> None:
        """Mark the replies sent, in the next group's transaction: the worker does not wait for
        it (if the process dies first, they are sent once more at the next start)."""

        def logged(done: asyncio.Future[None]) -> None:
            if not done.cancelled() and done.exception() is not None:
                who = self._who(incoming)
                log.warning("delivery not recorded (user %s): %s", who, done.exception())

        self.db.submit(
            partial(inbound.delivered, channel=incoming.channel, message_id=incoming.message_id)
        ).add_done_callback(logged)

    async def _process(self, incoming: Incoming, keep: bool) -> Handled:
        for _ in range(_ATTEMPTS):
            try:
                return await self._run(incoming, keep)
            except ReferenceTaken:
                continue
            except sql.Error as error:
                # busy, disk full, I/O error: the transaction rolled back, nothing half-written
                log.error("message not saved (user %s): %s", self._who(incoming), error)
                break
        t = translator(self.default_lang)
        sorry = t(
            "Sorry, something went wrong on our side and your last message was not saved. "
            "Please send it again in a moment."
        )
        return Handled((Reply(sorry),), refused_choice=incoming.kind is Kind.CHOICE)

    async def _run(self, incoming: Incoming, keep: bool) -> Handled:
        started, now = perf_counter(), self.clock()
        result = await self._decided_and_committed(incoming, now, keep)
        if isinstance(result, Handled):  # a message seen before
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "duplicate message (user %s): %d undelivered repl(ies) sent again",
                    self._who(incoming),
                    len(result.replies),
                )
            return result
        before, outcome = result
        handled = Handled(outcome.replies, outcome.refused_choice, keep and bool(outcome.replies))
        if not log.isEnabledFor(logging.INFO):  # skip the pseudonym hashing
            return handled
        who = self._who(incoming)
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
        return handled

    async def _decided_and_committed(
        self, incoming: Incoming, now: datetime, keep: bool
    ) -> tuple[str, Outcome] | Handled:
        """The answer is worked out from what is stored, outside the write lock (the CPU work of
        a message: other processes commit meanwhile); the commit then checks, under the lock,
        that all it was decided from is unchanged, and writes. If anything changed meanwhile
        (a duplicate of it came through another instance, a NIK was taken), it is decided again
        under the lock: the same result as if every message had run alone. On a database one
        process writes alone (SQLite) it is all done under the lock at once, as then."""
        if not self.db.decides_apart:
            return await self.db.run(partial(self._transaction, incoming, now, keep))
        decided = await self.db.read(partial(self._decide, incoming, now))
        if isinstance(decided, Handled):
            return decided
        try:
            return await self.db.run(partial(self._commit, decided, incoming, now, keep))
        except Changed:
            return await self.db.run(partial(self._transaction, incoming, now, keep))

    def _transaction(
        self, incoming: Incoming, now: datetime, keep: bool, conn: Connection
    ) -> tuple[str, Outcome] | Handled:
        """Everything one message changes, decided and written in one write transaction."""
        decided = self._decide(incoming, now, conn)
        if isinstance(decided, Handled):
            return decided
        return self._write(decided, incoming, now, keep, conn)

    def _decide(self, incoming: Incoming, now: datetime, conn: Connection) -> Decided | Handled:
        """The message's outcome, from what is stored; it writes nothing. For a message id seen
        before: its replies not yet delivered, if any. Random ids are drawn here, off the event
        loop."""
        channel, key = incoming.channel, incoming.user_key
        if inbound.seen(conn, channel, incoming.message_id):
            undelivered, refused = inbound.undelivered(conn, channel, incoming.message_id)
            return Handled(undelivered, refused, kept=bool(undelivered))
        session, stored = sessions.load_stored(conn, channel, key)
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
                ctx.answers[need.query] = self._answer(conn, need.query, ctx.today)
        return Decided(session.step if session else "new", stored, outcome, ctx.answers, ctx.today)

    def _commit(
        self,
        decided: Decided,
        incoming: Incoming,
        now: datetime,
        keep: bool,
        conn: Connection,
    ) -> tuple[str, Outcome]:
        """Under the write lock: the stored facts the flow asked for are still the same, then
        the writes (which check the session and the message id themselves); Changed if not."""
        for query, answer in decided.answers.items():
            if self._answer(conn, query, decided.today) != answer:
                raise Changed
        return self._write(decided, incoming, now, keep, conn)

    def _write(
        self,
        decided: Decided,
        incoming: Incoming,
        now: datetime,
        keep: bool,
        conn: Connection,
    ) -> tuple[str, Outcome]:
        channel, key, outcome = incoming.channel, incoming.user_key, decided.outcome
        replies = outcome.replies if keep else ()
        if not inbound.record(
            conn, channel, incoming.message_id, now, replies, outcome.refused_choice
        ) or not sessions.save_over(conn, channel, key, outcome.session, now, decided.stored):
            raise Changed  # a duplicate, or another message of theirs, was committed meanwhile
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
            elif isinstance(effect, RemindersChoice):
                reminders.choose(conn, channel, key, effect.reference, effect.wanted, now)
            elif isinstance(effect, EraseData):
                data_rights.erase(conn, channel, key, now)
            elif isinstance(effect, CorrectionRequest):
                data_rights.request_correction(
                    conn, channel, key, effect.reference, effect.details, now
                )
        return decided.before, outcome

    @staticmethod
    def _answer(conn: Connection, query: Query, today: date) -> object:
        """A stored fact the flow asked for, read in the flow's own transaction."""
        if isinstance(query, RegistrationByNik):
            return registrations.by_nik(conn, query.nik)
        if isinstance(query, CampaignerActive):
            return people.campaigner_active(conn, query.code)
        if isinstance(query, HouseholdOf):
            return registrations.household(conn, query.reference)
        if isinstance(query, ProgressOf):
            return registrations.progress_of(conn, query.reference)
        if isinstance(query, SponsorOffer):
            return sponsors.offers(conn, query.campaign, query.nik, today, query.holder)
        if isinstance(query, DataHeld):
            return data_rights.held(conn, query.channel, query.user_key)
        if isinstance(query, RemindersOn):
            return reminders.wanted_in(conn, query.channel, query.user_key)
        raise TypeError(f"no answer for {type(query).__name__}")

    @staticmethod
    def _who(incoming: Incoming) -> str:
        return pseudonym(incoming.channel, incoming.user_key)
