"""Replay a conversation through the pure flow, as a worker would type and tap it."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time

from conversations import (
    Context,
    CorrectionRequest,
    DataHeld,
    EraseData,
    Funnel,
    HeldRegistration,
    Household,
    HouseholdOf,
    Incoming,
    Kind,
    KnownRegistration,
    NeedData,
    Progress,
    ProgressOf,
    Query,
    Registration,
    RegistrationByNik,
    RemindersChoice,
    RemindersOn,
    Reply,
    SaveRegistration,
    Session,
    SponsorOffer,
    Sponsorship,
    advance,
    default_rules,
)
from conversations.model import MAX_MESSAGE_CHARS
from conversations.turn import question_of

TODAY = date(2026, 11, 21)

# A valid NIK: Kota Surakarta (33 72), district 05, a woman born 17-08-1980 (day 17 + 40), serial 1.
NIK_SITI = "3372055708800001"
NIK_BUDI = "3372051708800002"  # a man born 17-08-1980


def button(replies: Sequence[Reply], key: str) -> str:
    """What pressing the on-screen button with the flow's `key` sends (its tagged key); `key`
    itself when no such button is on screen (a stale or forged press)."""
    options = replies[-1].options if replies else ()
    return next((o.key for o in options if question_of(o.key)[1] == key), key)


class FlowChat:
    """One user's chat. `registry` is shared between chats to model the registrations table."""

    def __init__(
        self,
        today: date = TODAY,
        user: str = "u1",
        channel: str = "test",
        registry: dict[str, KnownRegistration] | None = None,
        sender: str | None = None,  # the phone number the channel says the worker writes from
    ) -> None:
        self.today = today
        self.sender = sender
        self.user = user
        self.channel = channel
        self.registry = registry if registry is not None else {}
        self.session: Session | None = None
        self.replies: tuple[Reply, ...] = ()
        self.saved: list[SaveRegistration] = []
        self.funnel: list[str] = []
        self.inputs = 0  # messages and taps sent by the worker, not counting opening the chat
        self.removed_campaigners: set[str] = set()  # codes whose role staff took away
        self.reminders: dict[str, bool] = {}  # reference -> payment reminders wanted
        self.rights: list[EraseData | CorrectionRequest] = []  # data rights the worker used
        # the sponsored program storage would offer (tests/test_sponsored_chat.py sets it)
        self.sponsors: Callable[[SponsorOffer], Sponsorship | None] = lambda query: None
        self._ids = itertools.count(1)

    # --- sending ----------------------------------------------------------------------------

    def _incoming(self, kind: Kind, **fields: object) -> Incoming:
        return Incoming(
            self.channel,
            self.user,
            f"m{next(self._ids)}",
            kind,  # type: ignore[arg-type]
            sender_phone=self.sender,
            **fields,
        )

    def deliver(self, incoming: Incoming) -> tuple[Reply, ...]:
        n = next(self._ids)
        ctx = Context(
            now=datetime.combine(self.today, time(3), UTC),
            today=self.today,
            rules=default_rules(),
            new_id=f"session-{n}",
            new_reference=f"BPU-TEST-{n:04d}",
        )
        while True:
            try:
                outcome = advance(self.session, incoming, ctx)
                break
            except NeedData as need:
                ctx.answers[need.query] = self._answer(need.query)
        self.session = outcome.session
        self.replies = outcome.replies
        for effect in outcome.effects:
            if isinstance(effect, Funnel):
                self.funnel.append(effect.stage)
            elif isinstance(effect, EraseData | CorrectionRequest):
                self.rights.append(effect)
            elif isinstance(effect, RemindersChoice):
                refs = [effect.reference] if effect.reference else list(self.reminders)
                self.reminders.update(dict.fromkeys(refs, effect.wanted))
            elif isinstance(effect, SaveRegistration):
                self.saved.append(effect)
                reg = effect.registration
                self.registry[reg.nik] = KnownRegistration(reg.reference, self.channel, self.user)
        for reply in outcome.replies:
            assert reply.text.strip(), "the bot never sends an empty message"
            assert len(reply.text) <= MAX_MESSAGE_CHARS, reply.text
        return outcome.replies

    def _answer(self, query: Query) -> object:
        """What the storage would answer, from what this chat saved."""
        if isinstance(query, RegistrationByNik):
            return self.registry.get(query.nik)
        if isinstance(query, HouseholdOf | ProgressOf):
            saved = [s.registration for s in self.saved]
            r = next((r for r in reversed(saved) if r.reference == query.reference), None)
            if r is None:
                return None
            if isinstance(query, ProgressOf):  # no staff here: nothing is decided
                return Progress(
                    r.review_flags, None, None, reminders=self.reminders.get(r.reference)
                )
            return Household(r.phone, r.address, r.city, r.city_code, r.district, r.district_code)
        if isinstance(query, SponsorOffer):
            offered = self.sponsors(query)
            return (offered,) if offered else ()
        if isinstance(query, DataHeld):
            latest = {s.registration.reference: s.registration for s in self.saved}
            return tuple(HeldRegistration(r, False, None, False) for r in latest.values())
        if isinstance(query, RemindersOn):
            return sum(self.reminders.values())
        return query.code not in self.removed_campaigners

    def open(self, payload: str | None = None, lang: str | None = None) -> tuple[Reply, ...]:
        return self.deliver(self._incoming(Kind.OPEN, payload=payload, lang=lang))

    def send(self, text: str) -> tuple[Reply, ...]:
        self.inputs += 1
        return self.deliver(self._incoming(Kind.TEXT, text=text))

    def tap(self, key: str) -> tuple[Reply, ...]:
        """Press a button of the last question; fails if that button is not on screen."""
        assert key in self.option_keys, f"no button {key!r} in {self.option_keys}"
        self.inputs += 1
        pressed = self.replies[-1].options[self.option_keys.index(key)].key
        return self.deliver(self._incoming(Kind.CHOICE, choice=pressed))

    def tap_stale(self, key: str) -> tuple[Reply, ...]:
        """Press a button left on an older message."""
        return self.deliver(self._incoming(Kind.CHOICE, choice=key))

    def contact(self, phone: str, own: bool = True) -> tuple[Reply, ...]:
        self.inputs += 1
        return self.deliver(self._incoming(Kind.CONTACT, contact_phone=phone, contact_is_own=own))

    def play(self, script: list[tuple[str, str]]) -> None:
        """Run ("tap" | "send", value) pairs in order."""
        for action, value in script:
            getattr(self, action)(value)

    def media(self, what: str = "sticker") -> tuple[Reply, ...]:
        return self.deliver(self._incoming(Kind.UNSUPPORTED, media=what))

    # --- what the worker sees ---------------------------------------------------------------

    @property
    def text(self) -> str:
        return "\n\n".join(r.text for r in self.replies)

    @property
    def option_keys(self) -> list[str]:
        """The flow's keys of the buttons on screen (without the question they are tagged with)."""
        return [question_of(o.key)[1] for o in self.replies[-1].options] if self.replies else []

    @property
    def option_labels(self) -> list[str]:
        return [o.label for o in self.replies[-1].options] if self.replies else []

    @property
    def step(self) -> str:
        assert self.session is not None
        return self.session.step

    @property
    def registration(self) -> Registration:
        return self.saved[-1].registration


ALL_STAGES = [
    "started",
    "occupation_chosen",
    "benefits_read",
    "quote_seen",
    "registration_started",
    "registered",
]

# The golden path after opening the chat: every answer right the first time.
GOLDEN: list[tuple[str, str]] = [
    ("tap", "pedagang"),
    ("tap", "next"),
    ("send", "2 juta"),
    ("tap", "reg"),
    ("send", NIK_SITI),
    ("tap", "yes"),
    ("send", "Siti Aminah"),
    ("send", "0812 3456 7890"),
    ("send", "Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta"),
    ("tap", "skip"),
    ("tap", "ok"),
]


def golden(**changes: str) -> list[tuple[str, str]]:
    """The golden path with some answers replaced, e.g. golden(pedagang="petani")."""
    return [(action, changes.get(value, value)) for action, value in GOLDEN]


def as_pressed(script: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The script with each tap as the channel sends it: the key tagged with its question."""
    chat, pressed = FlowChat(), []
    chat.open()
    for action, value in script:
        pressed.append((action, button(chat.replies, value) if action == "tap" else value))
        chat.play([(action, value)])
    return pressed


def register(chat: FlowChat, **changes: str) -> FlowChat:
    chat.open()
    chat.play(golden(**changes))
    return chat


def at_step(step: str, chat: FlowChat | None = None, **changes: str) -> FlowChat:
    """A chat that has answered everything before `step` on the (changed) golden path."""
    chat = chat or FlowChat()
    chat.open()
    for action, value in golden(**changes):
        if chat.step == step:
            break
        chat.play([(action, value)])
    assert chat.step == step
    return chat
