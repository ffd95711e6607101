"""What flows in and out of the conversation: channel-neutral messages, the session, effects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, overload

from pydantic import BaseModel, Field

from .rules import Rules

MAX_MESSAGE_CHARS = 600  # a bot message longer than this is split (cheap phones, short attention)


class Kind(StrEnum):
    OPEN = "open"  # the chat was opened: /start, a campaign link, the terminal starting
    TEXT = "text"
    CHOICE = "choice"  # a button press carrying an option key
    CONTACT = "contact"  # a shared phone number
    UNSUPPORTED = "unsupported"  # sticker, photo, voice note, location...


@dataclass(frozen=True)
class Incoming:
    channel: str
    user_key: str
    message_id: str
    kind: Kind
    text: str = ""
    choice: str | None = None
    payload: str | None = None  # start payload of a campaign link
    contact_phone: str | None = None
    contact_is_own: bool = True
    media: str | None = None  # what an UNSUPPORTED message was ("sticker", "photo"...)
    lang: str | None = None  # a language asked for explicitly when opening the chat
    assisted_by: str | None = None  # OPEN: a campaigner (role checked) registers a worker
    sender_phone: str | None = None  # E.164 number the person writes from, if the channel knows


@dataclass(frozen=True)
class Option:
    key: str  # short ASCII code, used as callback data
    label: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    kind: Literal["photo", "document"]


@dataclass(frozen=True)
class Reply:
    text: str
    options: tuple[Option, ...] = ()
    contact_button: str | None = None  # label of a "share my number" button, where possible
    attachment: Attachment | None = None  # a picture or file sent after the text
    lang: str = "id"  # for the few words a channel adds itself (e.g. a list's button)


class Answers(BaseModel):
    occupation: str | None = None
    occupation_detail: str | None = None
    income_stated: int | None = None
    with_jht: bool | None = None
    nik: str | None = None
    birth_date: date | None = None
    gender: Literal["L", "P"] | None = None
    birth_corrected: bool = False  # birth date or gender differ from what the NIK encodes
    full_name: str | None = None
    phone: str | None = None
    address: str | None = None
    city: str | None = None  # the official name of the kabupaten/kota ("Kota Surakarta")
    city_code: str | None = None  # its Kemendagri code ("33.72")
    district: str | None = None  # the kecamatan, when the address names one
    district_code: str | None = None  # its code ("33.72.05")
    email: str | None = None
    email_skipped: bool = False
    period: int | None = None
    # Answers recognised in a message sent before their question ("nik", "phone", "income"),
    # offered when that question comes. Replace the dict, never change it in place: a turn
    # works on a shallow copy of the answers.
    early: dict[str, str] = Field(default_factory=dict)


class Session(BaseModel):
    """One conversation with one person; saved after every message."""

    id: str
    flow_version: int
    step: str
    lang: str = "id"
    history: list[str] = Field(default_factory=list)
    editing: bool = False  # answering one question from the summary, then back to it
    pending: str | None = None  # a side question open over the step: cancel, restart, faq, lang
    campaign: str | None = None
    answers: Answers = Field(default_factory=Answers)
    consent_version: str | None = None
    consent_at: datetime | None = None
    update_reference: str | None = None  # re-registering a NIK this user registered before
    shown_quote: tuple[str, int, int] | None = None  # (tariff version, monthly, period total)
    reference: str | None = None  # set once registered: this person's own, whatever follows
    assisted_by: str | None = None
    # Registering a family member: the reference of the worker who does it (theirs stays theirs)
    family_of: str | None = None
    remind_for: str | None = None  # just registered: asking whether to remind about paying
    correcting: str | None = None  # the registration a correction for staff is about
    sponsor: str | None = None  # the sponsored program the worker was told pays for them
    sponsor_told: str | None = None  # the last "sorry" said ("code:why"), not to repeat it

    def forget_form(self) -> None:
        """Drop every answer and what hangs on them: after registering, or when cancelled."""
        self.answers = Answers()
        self.history.clear()
        self.editing = False
        self.pending = self.update_reference = self.shown_quote = None
        self.consent_at = self.consent_version = None
        self.family_of = self.correcting = self.sponsor = None
        self.sponsor_told = None


# --- effects: what the storage layer must do in the same transaction -------------------------

FunnelStage = Literal[
    "started",
    "occupation_chosen",
    "benefits_read",
    "quote_seen",
    "registration_started",
    "registered",
]


@dataclass(frozen=True)
class Funnel:
    session_id: str
    stage: FunnelStage
    occupation: str | None
    campaign: str | None
    assisted_by: str | None


@dataclass(frozen=True)
class Registration:
    reference: str
    nik: str
    full_name: str
    birth_date: date
    gender: str
    phone: str
    address: str
    city: str
    email: str | None
    occupation: str
    occupation_detail: str | None
    income_stated: int
    income_declared: int
    programs: str  # "JKK+JKM" or "JKK+JKM+JHT"
    period_months: int
    monthly_premium: int
    period_total: int
    discount: str | None  # e.g. "PP 50/2025 50% until 2026-12-31"
    tariff_version: str
    campaign: str | None
    consent_version: str
    consent_at: datetime
    review_flags: tuple[str, ...]
    assisted_by: str | None
    city_code: str | None = None  # Kemendagri code of `city`; None only in older registrations
    district: str | None = None  # kecamatan, when recognised in the address
    district_code: str | None = None
    sponsor_program: str | None = None  # the sponsored program that pays its premium (a seat)
    sponsored_from: date | None = None  # the first month it pays, as the worker was told


@dataclass(frozen=True)
class SaveRegistration:
    registration: Registration
    replaces: str | None = None  # reference of the registration this one updates


@dataclass(frozen=True)
class RemindersChoice:
    """Payment reminders wanted or not, for one registration made in this chat, or (None) all."""

    reference: str | None
    wanted: bool


@dataclass(frozen=True)
class EraseData:
    """The worker withdraws consent: their data in this chat is deleted, and a deletion is
    asked of the main system for registrations already sent to it (storage/data_rights.py)."""


@dataclass(frozen=True)
class CorrectionRequest:
    """What the worker says is wrong in a registration the main system has already answered."""

    reference: str
    details: str


Effect = Funnel | SaveRegistration | RemindersChoice | EraseData | CorrectionRequest


# --- queries: facts from storage the flow may need, answered before it runs again ------------


@dataclass(frozen=True)
class RegistrationByNik:
    nik: str


@dataclass(frozen=True)
class KnownRegistration:
    reference: str
    channel: str
    user_key: str


@dataclass(frozen=True)
class CampaignerActive:
    """Whether the campaigner with this code may still register workers on their behalf."""

    code: str


@dataclass(frozen=True)
class HouseholdOf:
    """The address and number of a registration, offered when its worker registers family."""

    reference: str


@dataclass(frozen=True)
class Household:
    phone: str
    address: str
    city: str
    city_code: str | None
    district: str | None
    district_code: str | None


@dataclass(frozen=True)
class ProgressOf:
    """Where a registration stands, for `status` and the end of a registration."""

    reference: str


@dataclass(frozen=True)
class Progress:
    """A registration's way to protection: staff's review, the main system's answer and the
    payments it recorded, and whether its worker wants payment reminders."""

    flags: tuple[str, ...]
    state: str | None  # None: not decided (or nothing to review); "approved", "rejected"
    note: str | None
    # what the main membership system said, once imported (storage/memberships.py)
    member: str | None = None  # "accepted", "rejected"
    kpj: str | None = None
    starts_on: date | None = None
    reason: str | None = None
    paid_until: date | None = None  # the first day of the last month paid for
    reminders: bool | None = None  # payment reminders: None if never asked
    sponsor: str | None = None  # who pays its premium, when a sponsored program does
    sponsored_until: date | None = None  # the first day of the program's last month


@dataclass(frozen=True)
class RemindersOn:
    """How many registrations made in this chat have payment reminders on."""

    channel: str
    user_key: str


@dataclass(frozen=True)
class DataHeld:
    """The registrations made in this chat for the person and their family (not the workers a
    campaigner registered here), for the worker's data rights."""

    channel: str
    user_key: str


@dataclass(frozen=True)
class HeldRegistration:
    registration: Registration
    sent: bool  # in an export already: the main system has it
    member: str | None  # the main system's answer: "accepted", "rejected"
    erasure_requested: bool


@dataclass(frozen=True)
class SponsorOffer:
    """The sponsored program that may pay for this worker: by their NIK on its list, or the
    campaign that brought them (storage/sponsors.py)."""

    campaign: str | None
    nik: str | None
    holder: str | None = None  # a registration being updated: its own seat counts as free


@dataclass(frozen=True)
class Sponsorship:
    code: str
    sponsor: str  # "Pemkab Penajam Paser Utara"
    kind: str  # a key of rules.toml [[sponsor_kinds]]
    with_jht: bool
    declared_income: int
    start: date  # the first day of the first month it pays
    end: date  # the first day of the last month it pays
    occupations: tuple[str, ...]  # empty: any
    city_codes: tuple[str, ...]  # kabupaten/kota; empty: anywhere
    nik_list: bool  # only the NIKs the sponsor listed
    nik_listed: bool  # this worker's NIK is on it
    seats: int
    seats_left: int
    held: bool = False  # the registration being updated already holds its seat

    def refuses(self, occupation: str | None, city_code: str | None) -> str | None:
        """Why this worker does not qualify ("list", "occupation", "region", "seats"), or None.
        A region not known yet is not held against them (the address comes later)."""
        if self.nik_list and not self.nik_listed:
            return "list"
        if self.occupations and occupation not in self.occupations:
            return "occupation"
        if self.city_codes and city_code and city_code not in self.city_codes:
            return "region"
        if self.seats_left <= 0:
            return "seats"
        return None


Query = (
    RegistrationByNik
    | CampaignerActive
    | HouseholdOf
    | ProgressOf
    | RemindersOn
    | DataHeld
    | SponsorOffer
)


class NeedData(Exception):
    """Raised by the flow when it needs a stored fact; the service answers it and runs it again."""

    def __init__(self, query: Query) -> None:
        super().__init__(query)
        self.query = query


@dataclass
class Context:
    """Everything outside the session that one turn may use; no I/O behind any of it."""

    now: datetime  # aware
    today: date  # in the worker's time zone
    rules: Rules
    new_id: str  # a fresh session id, used only if a new session starts
    new_reference: str  # a fresh candidate reference number, used only if a registration is saved
    answers: dict[Query, object] = field(default_factory=dict)

    @overload
    def lookup(self, query: RegistrationByNik) -> KnownRegistration | None: ...
    @overload
    def lookup(self, query: CampaignerActive) -> bool: ...
    @overload
    def lookup(self, query: HouseholdOf) -> Household | None: ...
    @overload
    def lookup(self, query: ProgressOf) -> Progress | None: ...
    @overload
    def lookup(self, query: RemindersOn) -> int: ...
    @overload
    def lookup(self, query: DataHeld) -> tuple[HeldRegistration, ...]: ...
    @overload
    def lookup(self, query: SponsorOffer) -> tuple[Sponsorship, ...]: ...
    def lookup(self, query: Query) -> object:
        if query not in self.answers:
            raise NeedData(query)
        return self.answers[query]


@dataclass(frozen=True)
class Outcome:
    session: Session
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...]
    refused_choice: bool = False  # a pressed button was not for the current question
