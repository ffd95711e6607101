"""The questions of the onboarding form, one class each: how to ask, and how to take an answer.

A step never moves the conversation itself: it calls `turn.goto`, `turn.proceed` or raises
`Invalid`, and the engine does the rest (history, edit mode, re-asking, errors).
"""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar

from . import content
from .content import OCCUPATIONS, quote_for
from .fields import clean_address, clean_email, clean_name, clean_phone, display_phone
from .i18n import N_
from .model import (
    CampaignerActive,
    Household,
    HouseholdOf,
    KnownRegistration,
    Option,
    Progress,
    ProgressOf,
    Registration,
    RegistrationByNik,
    RemindersChoice,
    RemindersOn,
    SaveRegistration,
    Session,
    Sponsorship,
)
from .nik import mask, parse_nik
from .parsing import Invalid, parse_birth_date, simplify
from .reminders import LEAD_DAYS
from .rules import ReviewRules
from .sponsorship import (
    first_month,
    monthly,
    paid_ending,
    paid_for,
    sponsored_quote,
    summary_line,
)
from .turn import Turn
from .understanding.choices import choose
from .understanding.income import IncomeReading, read_income
from .understanding.intents import yes_no
from .understanding.names import read_name
from .understanding.numbers import find_nik, find_phone
from .understanding.occupations import read_occupation
from .understanding.reading import read
from .understanding.regions import (
    Place,
    Region,
    find_region,
    place_in_address,
    region_by_code,
    region_of_nik,
)

# The main questions in order: `proceed` moves along this line (to the summary when editing).
# The payment period is not among them: paying monthly is the rule, and which longer periods
# each payment place takes is not confirmed (bpu-facts.md section 1), so it is one month unless
# the worker changes it from the summary.
FORM = (
    "occupation",
    "benefits",
    "income",
    "quote",
    "nik",
    "birth_confirm",
    "name",
    "phone",
    "address",
    "email",
    "summary",
)
FINISHED = ("done", "ended", "remind")  # registered or stopped: no form is open
NOT_WRITABLE = ("console",)  # the terminal chat: nothing can be sent to it unasked


class Step:
    name: ClassVar[str]
    parent: ClassVar[str | None] = None  # the main question a follow-up question belongs to
    # The answer is words the worker writes (a name, an address): a filler or a question is
    # never taken as one.
    free_text: ClassVar[bool] = False
    # The option a plain yes or no picks ("nggih", "gak jadi").
    yes_no: ClassVar[dict[str, str]] = {}
    # A side question that takes only its own answers: anything else asks it again instead of
    # falling through to the question underneath.
    insists: ClassVar[bool] = False

    def enter(self, turn: Turn) -> None:
        """Arrive at this step: by default just ask."""
        self.ask(turn)

    def ask(self, turn: Turn) -> None:
        raise NotImplementedError

    def options(self, turn: Turn) -> list[Option]:
        return []

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        """Typed words that also pick an option, by option key."""
        return {}

    def on_choice(self, turn: Turn, key: str) -> None:
        raise Invalid("choice.unknown")

    def on_text(self, turn: Turn, text: str) -> None:
        key = self.match(turn, text)
        if key is None:
            raise Invalid("choice.unknown")
        self.on_choice(turn, key)

    def on_contact(self, turn: Turn, phone: str, own: bool) -> None:
        raise Invalid("contact.unexpected")

    def match(self, turn: Turn, text: str) -> str | None:
        words, options = self.words(turn), self.options(turn)
        reading = read(text)
        key = choose(reading, [(o.key, (o.label, *words.get(o.key, ()))) for o in options])
        if key is None and (said := yes_no(reading)):
            key = self.yes_no.get(said)
        return key if key in {o.key for o in options} else None


def remember(turn: Turn, **early: str) -> None:
    """Keep answers given before their question (the dict is replaced: see Answers.early)."""
    turn.answers.early = {**turn.answers.early, **early}


def forget(turn: Turn, *fields: str) -> None:
    turn.answers.early = {k: v for k, v in turn.answers.early.items() if k not in fields}


# --- before registration --------------------------------------------------------------------


class Occupation(Step):
    name = "occupation"

    def options(self, turn: Turn) -> list[Option]:
        return [Option(key, turn.t(label)) for key, label in OCCUPATIONS.items()]

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("What work do you do every day?"), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        set_occupation(turn, key, None)

    def on_text(self, turn: Turn, text: str) -> None:
        if find_nik(text, turn.ctx.today) or find_phone(text):
            raise Invalid("occupation.unknown")  # the engine keeps the number for its question
        guess = read_occupation(read(text))
        if len(guess.keys) == 1:
            set_occupation(turn, guess.keys[0], guess.detail)
        elif guess.keys:  # "jual hasil kebun": trader or farmer? "ojek": which kind?
            remember(turn, occupation=",".join(guess.keys), occupation_detail=guess.detail or "")
            turn.goto("occupation_pick")
        elif re.search(r"[^\W\d_]", text) and not text.startswith("/"):  # some work not known yet
            raise Invalid("occupation.unknown")
        else:  # "", "99": not an answer at all
            raise Invalid("choice.unknown")


def set_occupation(turn: Turn, key: str, detail: str | None) -> None:
    a = turn.answers
    a.occupation = key
    forget(turn, "occupation", "occupation_detail")
    if key == "lainnya" and not detail:
        turn.goto("occupation_other")
        return
    a.occupation_detail = detail
    turn.funnel("occupation_chosen")
    turn.proceed()


class OccupationPick(Step):
    """Between the two kinds of work a worker's words could mean."""

    name = "occupation_pick"
    parent = "occupation"

    def _keys(self, turn: Turn) -> list[str]:
        return [k for k in turn.answers.early.get("occupation", "").split(",") if k in OCCUPATIONS]

    def options(self, turn: Turn) -> list[Option]:
        return [Option(key, turn.t(OCCUPATIONS[key])) for key in self._keys(turn)]

    def ask(self, turn: Turn) -> None:
        if len(self._keys(turn)) < 2:
            turn.goto("occupation", remember=False)
            return
        turn.say(turn.t("Which one fits your work best?"), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        set_occupation(turn, key, turn.answers.early.get("occupation_detail") or None)

    def on_text(self, turn: Turn, text: str) -> None:
        if (key := self.match(turn, text)) is None:
            guess = read_occupation(read(text))
            key = guess.keys[0] if len(guess.keys) == 1 else None
        if key is None:
            raise Invalid("choice.unknown")
        self.on_choice(turn, key)


class OccupationOther(Step):
    name = "occupation_other"
    parent = "occupation"
    free_text = True

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t(
                "Tell me in a few words what work you do. For example: tailor, builder, courier."
            )
        )

    def on_text(self, turn: Turn, text: str) -> None:
        detail = " ".join(text.split())
        if not 3 <= len(detail) <= 60 or sum(ch.isalpha() for ch in detail) < 3:
            raise Invalid("occupation.detail")
        set_occupation(turn, "lainnya", detail)


class Benefits(Step):
    name = "benefits"
    yes_no: ClassVar[dict[str, str]] = {"yes": "next"}

    def enter(self, turn: Turn) -> None:
        occupation = turn.answers.occupation or "lainnya"
        turn.note(content.benefit_summary(turn.t, turn.ctx.rules, occupation))
        self.ask(turn)

    def options(self, turn: Turn) -> list[Option]:
        return [
            Option("next", turn.t("See my premium")),
            Option("more", turn.t("All benefits")),
            Option("faq", turn.t("Ask a question")),
        ]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {"next": ("hitung", "lanjutkan", "next", "continue", "hitung iuran")}

    def ask(self, turn: Turn) -> None:
        a = turn.answers
        cheapest = content.lowest_premium_today(
            turn.ctx.rules, turn.ctx.today, a.occupation, a.occupation_detail
        )
        turn.say(
            turn.t(
                "This protection from {price}.",
                price=content.price_today(turn.t, cheapest),
            ),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "faq":
            turn.side_question = "faq"
            return
        if key == "more":
            for message in content.full_benefits(turn.t, turn.ctx.rules):
                turn.say(message)
            self.ask(turn)
            return
        turn.funnel("benefits_read")
        turn.proceed()

    def on_text(self, turn: Turn, text: str) -> None:
        if (key := self.match(turn, text)) is not None:
            self.on_choice(turn, key)
        elif income := income_said_early(turn, text):
            remember_income(turn, text, income)  # "2 juta": the answer to the next question
            turn.funnel("benefits_read")
            turn.goto("income_check")
        else:
            raise Invalid("choice.unknown")


# The income figures below this a month are more likely a day's takings typed without "sehari".
_LOW_MONTHLY = 500_000
# A figure said with another span of time ("6jt/3bln", "per panen", "kalau musim") is shown back
# as a month's income to be confirmed, never taken as one silently.
_OTHER_SPAN = re.compile(
    r"[0-9]\s*(?:bulan|bln|minggu|mgg|pekan)|\b(?:panen|musim|sekali|per\s*[0-9])", re.IGNORECASE
)
_EARLY_INCOME_CHARS = 200


def income_said_early(turn: Turn, text: str) -> IncomeReading | None:
    """An income plainly said before its question: a month's amount with its unit ("2 juta",
    "Rp1.500.000"), never a bare number ("99" at the occupation question is not an income)."""
    if len(text) > _EARLY_INCOME_CHARS:
        return None
    income = read_income(text)
    plausible = _LOW_MONTHLY <= (income.monthly or 0) <= turn.ctx.rules.income.maximum
    said_as_money = re.search(r"[^\W\d_]", text) is not None  # a unit or "Rp", not digits only
    return income if income.how == "month" and plausible and said_as_money else None


def remember_income(turn: Turn, text: str, income: IncomeReading) -> None:
    """Keep an income to be confirmed: what was typed (to show the arithmetic again) and what it
    comes to in a month."""
    remember(turn, income=str(income.monthly), income_said=text[:_EARLY_INCOME_CHARS])


class Income(Step):
    name = "income"

    def options(self, turn: Turn) -> list[Option]:
        amounts = list(turn.ctx.rules.income.quick_choices)
        if said := turn.answers.early.get("income"):  # typed earlier: offered first
            amounts = [int(said), *(a for a in amounts if a != int(said))]
        return [Option(f"inc:{amount}", turn.t.juta(amount)) for amount in amounts]

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t("Your income a month, roughly?"),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        set_income(turn, int(key.removeprefix("inc:")))

    def on_text(self, turn: Turn, text: str) -> None:
        income = read_income(text)
        if income.how in ("nik", "phone"):
            raise Invalid(f"income.{income.how}")  # kept for its own question by the engine
        if income.how in ("unsure", "minimum_wage", "turnover"):
            turn.note(content.income_help_note(turn.t, income.how))
            turn.goto("income_help")
            return
        if income.monthly is None:
            raise Invalid("money.format")
        plain = income.how == "month" and not _OTHER_SPAN.search(text)
        if plain and _LOW_MONTHLY <= income.monthly <= turn.ctx.rules.income.maximum:
            set_income(turn, income.monthly)
            return
        remember_income(turn, text, income)
        turn.goto("income_check")


def set_income(turn: Turn, amount: int) -> None:
    turn.answers.income_stated = amount
    forget(turn, "income", "income_said")
    turn.proceed()


class IncomeCheck(Step):
    """An income worked out from what the worker said (a day's takings, a year, a range), shown
    with its arithmetic to be confirmed before any premium is computed from it."""

    name = "income_check"
    parent = "income"
    yes_no: ClassVar[dict[str, str]] = {"yes": "yes", "no": "no"}

    def options(self, turn: Turn) -> list[Option]:
        return [Option("yes", turn.t("Yes, right")), Option("no", turn.t("No, change it"))]

    def ask(self, turn: Turn) -> None:
        early = turn.answers.early
        if "income" not in early:
            turn.goto("income", remember=False)
            return
        income = read_income(early.get("income_said", ""))
        if income.monthly != int(early["income"]):  # a session from before a change in reading
            income = IncomeReading("month", int(early["income"]))
        turn.say(content.income_check(turn.t, income), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "yes" and "income" in turn.answers.early:
            set_income(turn, int(turn.answers.early["income"]))
            return
        forget(turn, "income", "income_said")
        turn.goto("income", remember=False)

    def on_text(self, turn: Turn, text: str) -> None:
        if (key := self.match(turn, text)) is not None:
            self.on_choice(turn, key)
        else:  # another figure: read it as the answer to the income question
            STEPS["income"].on_text(turn, text)


class IncomeHelp(Step):
    """For a worker whose income is "tidak tentu" or "UMR": estimate it from a usual day."""

    name = "income_help"
    parent = "income"
    DAILY: ClassVar[tuple[int, ...]] = (50_000, 100_000, 150_000, 200_000)

    def options(self, turn: Turn) -> list[Option]:
        return [
            Option(f"day:{amount}", turn.t("{amount} a day", amount=turn.t.money(amount)))
            for amount in self.DAILY
        ]

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t(
                "On a usual day, how much do you take home? Choose, or type it, e.g. 100 ribu "
                "sehari or 2 juta sebulan."
            ),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        STEPS["income"].on_text(turn, f"{key.removeprefix('day:')} sehari")

    def on_text(self, turn: Turn, text: str) -> None:
        income = read_income(text)
        if income.how == "month" and all(f.per is None for f in income.figures):
            text = f"{text} sehari"  # the question asked for a usual day: "100rb" is a day's
        STEPS["income"].on_text(turn, text)


class Quote(Step):
    name = "quote"

    def enter(self, turn: Turn) -> None:
        turn.funnel("quote_seen")
        if paid_for(turn):  # a sponsor pays: that is the quote (said in a note), then consent
            self.ask(turn)
            return
        basic = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today, with_jht=False, months=1)
        jht = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today, with_jht=True, months=1)
        if note := content.income_note(turn.t, basic):
            turn.note(note)
        year = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today, with_jht=False, months=12)
        turn.say(content.quote_message(turn.t, basic, jht, year))
        self.ask(turn)

    def options(self, turn: Turn) -> list[Option]:
        t = turn.t
        jht = [] if turn.session.sponsor else [Option("reg_jht", t("Register + JHT savings"))]
        return [
            Option("reg", t("Register")),
            *jht,  # a sponsor pays for the programs it chose
            Option("faq", t("Ask a question")),
            Option("no", t("Not now")),
        ]

    yes_no: ClassVar[dict[str, str]] = {"yes": "reg", "no": "no"}

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {
            "reg": ("daftar", "register", "jkk jkm", "daftar sekarang", "mau daftar"),
            "reg_jht": ("jht", "daftar jht", "dengan jht", "pakai jht", "tambah jht", "sama jht"),
            "no": ("nanti saja", "tidak sekarang", "gak dulu", "lain kali"),
        }

    def ask(self, turn: Turn) -> None:
        s = turn.session
        consent = (
            content.ASSISTED_CONSENT
            if s.assisted_by
            else content.FAMILY_CONSENT
            if s.family_of
            else content.CONSENT
        )
        turn.say(turn.t(consent), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "faq":
            turn.side_question = "faq"
        elif key == "no":
            turn.note(
                turn.t("No problem, nothing about you has been saved. Kerja Keras Bebas Cemas!")
            )
            turn.goto("ended", remember=False)
        else:
            turn.answers.with_jht = key == "reg_jht"
            s = turn.session
            s.consent_version = (
                content.ASSISTED_CONSENT_VERSION
                if s.assisted_by
                else content.FAMILY_CONSENT_VERSION
                if s.family_of
                else content.CONSENT_VERSION
            )
            turn.session.consent_at = turn.ctx.now
            turn.funnel("registration_started")
            turn.proceed()


class Programs(Step):
    """Changing the programs from the summary."""

    name = "programs"
    parent = "quote"

    def options(self, turn: Turn) -> list[Option]:
        return [
            Option("basic", content.programs_label(turn.t, False)),
            Option("jht", content.programs_label(turn.t, True)),
        ]

    def ask(self, turn: Turn) -> None:
        basic = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today, with_jht=False, months=1)
        jht = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today, with_jht=True, months=1)
        year = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today, with_jht=False, months=12)
        turn.say(content.quote_message(turn.t, basic, jht, year))
        turn.say(turn.t("Which programs do you want?"), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        turn.answers.with_jht = key == "jht"
        turn.proceed()


# --- registration ---------------------------------------------------------------------------


def known_elsewhere(turn: Turn, nik: str) -> KnownRegistration | None:
    """The registration holding this NIK, unless it is the one being updated now."""
    known = turn.ctx.lookup(RegistrationByNik(nik))
    if known is None or known.reference == turn.session.update_reference:
        return None
    return known


class Nik(Step):
    name = "nik"
    yes_no: ClassVar[dict[str, str]] = {"yes": "early"}

    def options(self, turn: Turn) -> list[Option]:
        if "nik" not in turn.answers.early:
            return []
        return [Option("early", turn.t("Yes, use it"))]

    def ask(self, turn: Turn) -> None:
        if early := turn.answers.early.get("nik"):
            turn.say(
                turn.t(
                    "Use the NIK you sent earlier, {nik}? Or type your NIK: the 16 digits at the "
                    "top of your KTP.",
                    nik=mask(early),
                ),
                self.options(turn),
            )
            return
        turn.say(turn.t("Your NIK (the 16 digits on your KTP)?"))

    def on_choice(self, turn: Turn, key: str) -> None:
        self.on_text(turn, turn.answers.early.get("nik", ""))

    def on_text(self, turn: Turn, text: str) -> None:
        if (key := self.match(turn, text)) is not None:
            self.on_choice(turn, key)
            return
        nik = parse_nik(find_nik(text, turn.ctx.today) or text, turn.ctx.today)  # "NIK 3372..."
        forget(turn, "nik")
        known = known_elsewhere(turn, nik.value)
        a, s = turn.answers, turn.session
        if a.nik != nik.value and not s.correcting:  # a NIK mistyped is corrected in place
            s.update_reference = None
        a.nik, a.birth_date, a.gender, a.birth_corrected = (
            nik.value,
            nik.birth_date,
            nik.gender,
            False,
        )
        turn.goto("nik_exists" if known else "birth_confirm")


class NikExists(Step):
    name = "nik_exists"
    parent = "nik"

    def _known(self, turn: Turn) -> tuple[KnownRegistration | None, bool]:
        """The registration holding the NIK, and whether it may be updated from here: made in
        this chat, and not the worker's own while they register a family member."""
        known = known_elsewhere(turn, turn.answers.nik) if turn.answers.nik else None
        own = bool(
            known
            and known.channel == turn.incoming.channel
            and known.user_key == turn.incoming.user_key
            and known.reference != turn.session.family_of
        )
        return known, own

    def options(self, turn: Turn) -> list[Option]:
        _, own = self._known(turn)
        update = [Option("upd", turn.t("Update my data"))] if own else []
        return [*update, Option("other", turn.t("Use another NIK")), Option("stop", turn.t("Stop"))]

    def ask(self, turn: Turn) -> None:
        known, own = self._known(turn)
        if known is None or turn.answers.nik is None:
            turn.goto("nik" if turn.answers.nik is None else "birth_confirm", remember=False)
            return
        if known.reference == turn.session.family_of:
            message = turn.t(
                "That is your own NIK (reference {ref}). Type your family member's NIK.",
                ref=known.reference,
            )
        else:
            message = content.nik_taken_message(
                turn.t, turn.ctx.rules, turn.answers.nik, known.reference, own
            )
        turn.say(message, self.options(turn))

    def on_text(self, turn: Turn, text: str) -> None:
        """Another NIK typed here, as the message asks, is read as the NIK question reads it."""
        if (key := self.match(turn, text)) is not None:
            self.on_choice(turn, key)
        elif find_nik(text, turn.ctx.today):
            a = turn.answers
            a.nik = a.birth_date = a.gender = None
            turn.session.step = "nik"
            STEPS["nik"].on_text(turn, text)
        else:
            raise Invalid("choice.unknown")

    def on_choice(self, turn: Turn, key: str) -> None:
        known, own = self._known(turn)
        if key == "upd" and known and own:
            turn.session.update_reference = known.reference
            turn.goto("birth_confirm")
        elif key == "stop":
            turn.ending = True
        else:
            a = turn.answers
            a.nik = a.birth_date = a.gender = None
            turn.goto("nik", remember=False)


class BirthConfirm(Step):
    name = "birth_confirm"

    yes_no: ClassVar[dict[str, str]] = {"yes": "yes", "no": "no"}

    def options(self, turn: Turn) -> list[Option]:
        return [Option("yes", turn.t("Yes, right")), Option("no", turn.t("No, change it"))]

    def ask(self, turn: Turn) -> None:
        a = turn.answers
        assert a.birth_date is not None
        turn.say(
            turn.t(
                "From your NIK: born {date}, {gender}. Right?",
                date=turn.t.date(a.birth_date),
                gender=content.gender_label(turn.t, a.gender),
            ),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "yes":
            turn.proceed()
        else:
            turn.goto("birth_date")


def _differs_from_nik(turn: Turn) -> bool:
    a = turn.answers
    assert a.nik is not None
    nik = parse_nik(a.nik, turn.ctx.today)
    return (a.birth_date, a.gender) != (nik.birth_date, nik.gender)


class BirthDate(Step):
    name = "birth_date"
    parent = "birth_confirm"

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("Type your date of birth as on your KTP, e.g. 17-08-1980."))

    def on_text(self, turn: Turn, text: str) -> None:
        turn.answers.birth_date = parse_birth_date(text, turn.ctx.today)
        turn.goto("gender")


class Gender(Step):
    name = "gender"
    parent = "birth_confirm"

    def options(self, turn: Turn) -> list[Option]:
        return [Option("L", turn.t("Male")), Option("P", turn.t("Female"))]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {
            "L": ("laki laki", "laki", "pria", "cowok", "lk", "male", "man"),
            "P": ("perempuan", "wanita", "cewek", "pr", "female", "woman"),
        }

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("Are you male or female?"), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        turn.answers.gender = "P" if key == "P" else "L"
        turn.answers.birth_corrected = _differs_from_nik(turn)
        turn.proceed()


class Name(Step):
    name = "name"
    free_text = True

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("Your full name as on your KTP?"))

    def on_text(self, turn: Turn, text: str) -> None:
        turn.answers.full_name = clean_name(read_name(text))  # "Nama saya Budi" is Budi
        turn.proceed()


class Phone(Step):
    name = "phone"

    def _offered(self, turn: Turn) -> str | None:
        """The number to offer: registering family, the worker's own (if the family member
        agrees, as the question says); else the number the worker writes from, if the channel
        knows it, never in assisted mode, where it is the campaigner's."""
        if home := household(turn):
            return home.phone
        return None if turn.session.assisted_by else turn.incoming.sender_phone

    def options(self, turn: Turn) -> list[Option]:
        sender, early = self._offered(turn), turn.answers.early.get("phone")
        offered = [("early", early if early != sender else None), ("sender", sender)]
        return [
            Option(key, turn.t("Use {number}", number=display_phone(number)))
            for key, number in offered
            if number
        ]

    def ask(self, turn: Turn) -> None:
        # the campaigner's or the family's number is no answer to share as a contact
        someone_else = turn.session.assisted_by or turn.session.family_of
        offered = self._offered(turn)
        if (home := household(turn)) and offered:
            question = turn.t(
                "Your mobile number? If you agree, {number} can be used.",
                number=display_phone(home.phone),
            )
        elif self.options(turn):
            question = turn.t(
                "What is your mobile number? Use this WhatsApp number, or type another."
            )
        else:
            question = turn.t("Your mobile number?")
        turn.say(
            question,
            self.options(turn),
            contact_button=None if someone_else or offered else turn.t("Use my number"),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        number = turn.answers.early.get("phone") if key == "early" else self._offered(turn)
        self.on_text(turn, number or "")

    def on_text(self, turn: Turn, text: str) -> None:
        turn.answers.phone = clean_phone(find_phone(text) or text)  # "no hp sy 0812..."
        forget(turn, "phone")
        turn.proceed()

    def on_contact(self, turn: Turn, phone: str, own: bool) -> None:
        if not own and not turn.session.family_of:  # a family member's card is theirs to give
            raise Invalid("phone.not_own")
        self.on_text(turn, phone)


def nik_region(turn: Turn) -> Region | None:
    """Where the NIK was issued: a good first guess for the address, never a certainty."""
    return region_of_nik(turn.answers.nik) if turn.answers.nik else None


def set_region(turn: Turn, region: Region, place: Place | None = None) -> None:
    a = turn.answers
    a.city, a.city_code = region.name, region.code
    district = place.district if place else None
    same = district is not None and district.region == region
    a.district = district.name if same and district else None
    a.district_code = district.code if same and district else None
    forget(turn, "cities")


def household(turn: Turn) -> Household | None:
    """Registering a family member: where the worker who registers them lives, and their
    number, to offer instead of typing them again."""
    family_of = turn.session.family_of
    return turn.ctx.lookup(HouseholdOf(family_of)) if family_of else None


_ADDRESS_WORDS = {"jl", "jln", "jalan", "gg", "gang", "rt", "rw", "dusun", "dsn", "desa", "kel"}


def says_same(text: str) -> bool:
    """'sama aja', 'alamatnya sama', 'sama dengan suami': the same address, in a few words and
    without anything an address has (a number, a street, an RT)."""
    words = read(text).words
    return (
        "sama" in words
        and len(words) <= 6
        and not any(ch.isdigit() for ch in text)
        and not _ADDRESS_WORDS & set(words)
    )


class Address(Step):
    name = "address"
    free_text = True

    def ask(self, turn: Turn) -> None:
        if turn.answers.city and turn.answers.address is None:
            turn.say(turn.t("Now type the street, RT/RW and village, as on your KTP."))
            return
        if home := household(turn):
            region = nik_region(turn)
            turn.say(
                turn.t(
                    "Your address as on your KTP? If it is {address}, choose Same address. Your "
                    "NIK is from {region}; if you live elsewhere, add the kabupaten or kota.",
                    address=content.full_address(home.address, home.city),
                    region=region.name if region else "-",
                ),
                self.options(turn),
            )
            return
        if region := nik_region(turn):
            turn.say(
                turn.t(
                    "Your address as on your KTP (street, RT/RW, village, kecamatan)? Your NIK is "
                    "from {region}; if different, add the kabupaten or kota.",
                    region=region.name,
                )
            )
            return
        turn.say(
            turn.t(
                "Type your address as on your KTP, with the kabupaten or kota. E.g. "
                "Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta."
            )
        )

    def options(self, turn: Turn) -> list[Option]:
        return [Option("household", turn.t("Same address"))] if household(turn) else []

    def on_choice(self, turn: Turn, key: str) -> None:
        home, a = household(turn), turn.answers
        assert home is not None  # the option is offered only then
        a.address, a.city, a.city_code = home.address, home.city, home.city_code
        a.district, a.district_code = home.district, home.district_code
        turn.proceed()

    def on_text(self, turn: Turn, text: str) -> None:
        if household(turn) and says_same(text):
            self.on_choice(turn, "household")
            return
        a, hint = turn.answers, nik_region(turn)
        try:
            address = clean_address(text)
        except Invalid:
            if not self._region_alone(turn, text):
                raise
            return
        # "Solo" typed first, then the street: the region already chosen stays
        kept = region_by_code(a.city_code) if a.address is None and a.city_code else None
        fallback = kept or hint  # when the address names none: the NIK's, as the question said
        a.address = address
        place = place_in_address(address, hint)
        if place.region:
            set_region(turn, place.region, place)
        elif not place.regions and fallback:
            set_region(turn, fallback, place)
        else:  # "Bogor": the kota or the kabupaten? Or nothing known at all
            a.city = a.city_code = a.district = a.district_code = None
            remember(turn, cities=",".join(r.code for r in place.regions))
            turn.goto("city")
            return
        turn.proceed()

    def _region_alone(self, turn: Turn, text: str) -> bool:
        """Only the kabupaten/kota typed ("Solo", "Bogor"): kept, and the street asked for."""
        place = find_region(text, nik_region(turn))
        if place.region:
            set_region(turn, place.region)
            turn.note(turn.t("{region}, noted.", region=place.region.name))
            turn.goto("address", remember=False)
        elif place.regions:
            remember(turn, cities=",".join(r.code for r in place.regions))
            turn.goto("city")
        else:
            return False
        return True


class City(Step):
    name = "city"
    parent = "address"
    free_text = True

    def _offered(self, turn: Turn) -> list[Region]:
        codes = turn.answers.early.get("cities", "").split(",")
        regions = [r for r in map(region_by_code, codes) if r]
        if not regions and (hint := nik_region(turn)):
            regions = [hint]  # nothing named: where the NIK was issued, as a first guess
        return regions[:4]

    def options(self, turn: Turn) -> list[Option]:
        return [Option(f"city:{r.code}", r.name) for r in self._offered(turn)]

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t(
                "Which kabupaten or kota is that in? E.g. Kota Surakarta or Kabupaten Sukoharjo."
            ),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        region = region_by_code(key.removeprefix("city:"))
        if region is None:
            raise Invalid("choice.unknown")
        self._set(turn, region)

    def on_text(self, turn: Turn, text: str) -> None:
        if (key := self.match(turn, text)) is not None:
            self.on_choice(turn, key)
            return
        place = find_region(text, nik_region(turn))
        if place.region:
            self._set(turn, place.region)
        elif place.regions:
            remember(turn, cities=",".join(r.code for r in place.regions))
            turn.goto("city", remember=False)
        else:
            raise Invalid("city.format")

    def _set(self, turn: Turn, region: Region) -> None:
        # the kecamatan named in the address counts only if it lies in the chosen region
        place = place_in_address(turn.answers.address or "", region)
        set_region(turn, region, place)
        if turn.answers.address is None:  # only the region was typed so far
            turn.goto("address", remember=False)
        else:
            turn.proceed()


class Email(Step):
    name = "email"
    # Words that mean "no e-mail", alone or in a sentence ("saya tidak punya email").
    _SKIP = (
        "lewati",
        "lewat",
        "skip",
        "tidak",
        "tdk",
        "gak",
        "ga",
        "nggak",
        "ngga",
        "belum",
        "kosong",
        "none",
        "no",
    )

    def options(self, turn: Turn) -> list[Option]:
        return [Option("skip", turn.t("I have none"))]

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t("Do you have email? Type it here."),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        turn.answers.email, turn.answers.email_skipped = None, True
        turn.proceed()

    def on_text(self, turn: Turn, text: str) -> None:
        if "@" not in text and (
            text.strip() == "-" or set(simplify(text).split()) & set(self._SKIP)
        ):
            self.on_choice(turn, "skip")
            return
        turn.answers.email, turn.answers.email_skipped = clean_email(text), False
        turn.proceed()


class Period(Step):
    name = "period"
    parent = "summary"  # asked only when the worker changes it there

    def options(self, turn: Turn) -> list[Option]:
        rules, today = turn.ctx.rules, turn.ctx.today
        return [
            Option(
                f"p{n}",
                content.period_label(turn.t, quote_for(rules, turn.answers, today, months=n)),
            )
            for n in rules.payment.periods
        ]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        spoken = {1: ("sebulan", "satu bulan", "bulanan"), 3: ("tiga bulan",), 6: ("enam bulan",)}
        spoken[12] = ("setahun", "dua belas bulan", "satu tahun", "tahunan")
        return {f"p{n}": (f"{n} bulan", *spoken.get(n, ())) for n in turn.ctx.rules.payment.periods}

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t(
                "How many months do you want to pay for the first time? One month is enough; some "
                "places also take several months at once."
            ),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        turn.answers.period = int(key.removeprefix("p"))
        turn.proceed()

    def on_text(self, turn: Turn, text: str) -> None:
        number = re.fullmatch(r"\s*([0-9]{1,2})\s*(bulan|bln|months?)?\s*", text.lower())
        if number and int(number[1]) in turn.ctx.rules.payment.periods:
            self.on_choice(turn, f"p{int(number[1])}")
            return
        if (key := self.match(turn, text)) is None:
            raise Invalid("period.unknown")
        self.on_choice(turn, key)


# --- summary, edits and the end -------------------------------------------------------------


class Summary(Step):
    name = "summary"

    def enter(self, turn: Turn) -> None:
        turn.session.editing = False
        program = paid_for(turn)  # the NIK and the region are known now
        turn.session.shown_quote = shown_quote(turn, program)
        q = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today)
        reopened = turn.session.correcting is not None  # "ubah data": masked, as "data saya"
        line = summary_line(turn, program) if program else None
        turn.say(content.summary_message(turn.t, turn.answers, q, reopened, line))
        self.ask(turn)

    def options(self, turn: Turn) -> list[Option]:
        t = turn.t
        return [  # an update saves the registration there is: no second one
            Option(
                "ok", t("Yes, save") if turn.session.update_reference else t("Yes, register me")
            ),
            Option("edit", t("Change something")),
            Option("cancel", t("Cancel")),
        ]

    yes_no: ClassVar[dict[str, str]] = {"yes": "ok", "no": "edit"}

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {
            "ok": ("daftar", "kirim", "simpan", "daftarkan", "sudah benar semua"),
            "edit": ("ubah", "ganti", "edit", "koreksi", "perbaiki", "salah", "ada yang salah"),
            "cancel": ("gak jadi", "tidak jadi", "batal daftar", "gak jadi daftar"),
        }

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("Is everything right?"), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "edit":
            turn.goto("edit")
        elif key == "cancel":
            turn.side_question = "cancel"
        else:
            confirm(turn)


def review_flags(turn: Turn) -> tuple[str, ...]:
    a = turn.answers
    assert a.birth_date is not None
    return flags_for(a.birth_date, a.birth_corrected, turn.ctx.today, turn.ctx.rules.review)


def flags_for(born: date, unlike_nik: bool, today: date, review: ReviewRules) -> tuple[str, ...]:
    """Why staff must look at a registration: an age outside the usual, or a birth date or
    gender other than the NIK's (the bot's, and the staff console's after a correction)."""
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    flags = []
    if age > review.flag_over_age:
        flags.append(f"age_over_{review.flag_over_age}")
    if age < review.flag_under_age:
        flags.append(f"age_under_{review.flag_under_age}")
    if unlike_nik:
        flags.append("birth_differs_from_nik")
    return tuple(flags)


def confirm(turn: Turn) -> None:
    """Save the registration, unless the premium changed since the summary or the NIK is taken."""
    s, a, ctx = turn.session, turn.answers, turn.ctx
    if (missing := first_unanswered(s)) != "summary":
        turn.goto(missing, remember=False)
        return
    assert a.nik and a.full_name and a.birth_date and a.gender and a.phone and a.address
    assert a.city and a.occupation and s.consent_at and s.consent_version
    q = quote_for(ctx.rules, a, ctx.today)
    told_paid = s.sponsor
    program = paid_for(turn)  # seats and qualifying checked again, in the saving transaction
    if s.shown_quote != shown_quote(turn, program):
        if not (told_paid and program is None):  # else the sponsor's "sorry" says it
            t = turn.t
            turn.note(t("The premium has changed since I showed it to you. Please check again."))
        turn.goto("summary", remember=False)
        return
    if known_elsewhere(turn, a.nik):
        turn.goto("nik_exists")
        return
    if s.update_reference and _answered(turn, s.update_reference):
        # the main system answered while this was being changed: staff pass corrections on
        reference = s.update_reference
        turn.note(turn.t("BPJS Ketenagakerjaan has answered this registration meanwhile."))
        s.forget_form()
        s.correcting = reference
        turn.goto("done", remember=False)
        turn.side_question = "correct"
        return
    if s.assisted_by and not ctx.lookup(CampaignerActive(s.assisted_by)):
        # the role is checked when each assisted registration is saved, not only at /daftarkan
        turn.note(
            turn.t(
                "You can no longer register workers: your campaigner role has ended. This "
                "registration was not saved. The worker can register from their own phone."
            )
        )
        s.assisted_by = None
        turn.ending = True
        return
    rule = q.discount_rule if q.first.discount else None
    if program:  # what the sponsor pays, on its income, for its programs
        q = sponsored_quote(turn, program)
        rule = q.discount_rule if q.first.discount else None
    registration = Registration(
        reference=s.update_reference or ctx.new_reference,
        nik=a.nik,
        full_name=a.full_name,
        birth_date=a.birth_date,
        gender=a.gender,
        phone=a.phone,
        address=a.address,
        city=a.city,
        city_code=a.city_code,
        district=a.district,
        district_code=a.district_code,
        email=a.email,
        occupation=a.occupation,
        occupation_detail=a.occupation_detail,
        income_stated=a.income_stated if program else q.income.stated,
        income_declared=q.income.declared,
        programs="JKK+JKM+JHT" if q.with_jht else "JKK+JKM",
        period_months=q.period_months,
        monthly_premium=q.monthly_total,
        period_total=q.period_total,
        discount=f"{rule.name} {rule.percent}% until {rule.end.isoformat()}" if rule else None,
        tariff_version=q.tariff_version,
        campaign=s.campaign,
        consent_version=s.consent_version,
        consent_at=s.consent_at,
        review_flags=review_flags(turn),
        assisted_by=s.assisted_by,
        sponsor_program=program.code if program else None,
        sponsored_from=first_month(program, ctx.today) if program else None,
    )
    turn.effects.append(SaveRegistration(registration, replaces=s.update_reference))
    if not s.update_reference:  # an update is the same registration, not one more
        turn.funnel("registered")
    s.reference = s.family_of or registration.reference  # status stays the worker's own
    ask_reminders = (
        not s.assisted_by
        and turn.incoming.channel not in NOT_WRITABLE
        and not (s.update_reference and _reminders_chosen(turn, s.update_reference))
    )
    ending = done_message(turn, registration, program)
    s.forget_form()  # personal data now lives only in the registration
    if ask_reminders:  # asked once, in the worker's (or their family's) own chat
        s.remind_for = registration.reference
        turn.say(ending)
        turn.goto("remind", remember=False)
    else:
        turn.say(ending, STEPS["done"].options(turn))
        turn.goto("done", remember=False)


def shown_quote(turn: Turn, program: Sponsorship | None) -> tuple[str, int, int]:
    """What the summary showed, to compare at confirming: the premium, or the sponsor's."""
    if program:
        return (f"sponsor:{program.code}", monthly(turn, program), program.declared_income)
    q = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today)
    return (q.tariff_version, q.monthly_total, q.period_total)


def _answered(turn: Turn, reference: str) -> bool:
    progress = turn.ctx.lookup(ProgressOf(reference))
    return progress is not None and progress.member is not None


def _reminders_chosen(turn: Turn, reference: str) -> bool:
    progress = turn.ctx.lookup(ProgressOf(reference))
    return progress is not None and progress.reminders is not None


def done_message(turn: Turn, reg: Registration, program: Sponsorship | None = None) -> str:
    """The ending a worker keeps: what is true now (the data is received, not yet a membership),
    what happens next, how to pay and keep paying, and where to ask. One message."""
    t, pay = turn.t, turn.ctx.rules.payment
    received = t(
        "Your data is received. Reference: {ref}\n"
        "Our staff send it to BPJS Ketenagakerjaan. Check your status with your NIK in JMO or "
        "by phone at {cc}.",
        ref=reg.reference,
        cc=pay.contact_center,
    )
    if reg.review_flags:  # no payment before staff have looked at it
        next_step = t("Our staff will check your details first and contact you. Don't pay yet.")
    elif program:
        next_step = paid_ending(turn, program)
    else:
        year = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today, months=12)
        later = content.premium_change(year)
        changes = (
            t(" (from {month}: {amount})", month=t.month(later.month), amount=t.money(later.total))
            if later
            else ""
        )
        after = year.months[min(reg.period_months, len(year.months) - 1)].total
        first = (
            t("Once registered, pay {amount} every month", amount=t.money(reg.monthly_premium))
            + changes
            if reg.period_months == 1
            else t(
                "Once registered, pay {amount} for the first {n} months, then {monthly} every "
                "month",
                amount=t.money(reg.period_total),
                n=reg.period_months,
                monthly=t.money(after),
            )
        )
        next_step = first + t(
            " by saying your NIK at {channels}. Not paying {months} months in a row: no "
            "protection until you pay again.",
            channels=", ".join(pay.channels[:3]),
            months=pay.inactive_after_unpaid_months,
        )
    family = t("Your heirs need not be registered.")
    text = f"{received}\n\n{next_step} {family}"
    if reg.assisted_by:
        text += "\n\n" + t("Give the worker this reference number and tell them how to pay.")
    elif own := turn.session.family_of:
        text += "\n\n" + t("(Your own reference stays {ref}.)", ref=own)
    return text


class Edit(Step):
    name = "edit"
    parent = "summary"
    FIELDS: ClassVar[dict[str, str]] = {  # option key = the step that asks it
        "occupation": N_("Work"),
        "income": N_("Income"),
        "programs": N_("Programs"),
        "nik": N_("NIK"),
        "name": N_("Name"),
        "phone": N_("Mobile number"),
        "address": N_("Address"),
        "email": N_("E-mail"),
        "period": N_("Months to pay"),
    }

    # What a sponsor decides for the worker: not to be changed from the summary.
    SPONSORED: ClassVar[tuple[str, ...]] = ("programs", "period")

    def options(self, turn: Turn) -> list[Option]:
        fixed = self.SPONSORED if turn.session.sponsor else ()
        return [
            *(Option(key, turn.t(label)) for key, label in self.FIELDS.items() if key not in fixed),
            Option("summary", turn.t("Back to summary")),
        ]

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("What do you want to change?"), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "summary":
            turn.goto("summary", remember=False)
            return
        turn.session.editing = True
        turn.goto(key)


class Done(Step):
    name = "done"

    def options(self, turn: Turn) -> list[Option]:
        if turn.session.assisted_by:
            return [Option("new", turn.t("Next worker")), Option("exit", turn.t("Finish"))]
        options = [
            Option("new", turn.t("Register my family")),
            Option("faq", turn.t("Ask a question")),
        ]
        if reminders_on(turn):
            options.append(Option("stop", turn.t("Stop reminders")))
        return options

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        # "mau daftarkan istri saya": a family member, registered as such. Not "bu", "pak",
        # "kak" alone: "makasih bu" is thanks.
        family = ("istri", "suami", "anak", "orang tua", "keluarga", "anggota keluarga")
        return {"new": (*family, *(f"daftarkan {who}" for who in family))}

    def enter(self, turn: Turn) -> None:
        """Arriving here, the confirmation has just been said."""

    def ask(self, turn: Turn) -> None:
        turn.say(registered_status(turn), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "faq":
            turn.side_question = "faq"
        elif key == "stop":
            stop_reminders(turn)
            self.ask(turn)
        elif key == "exit":  # a campaigner ends a round of assisted registrations
            turn.session.assisted_by = None
            turn.session.reference = None  # that was the last worker's, not theirs
            turn.goto("ended", remember=False)
        else:
            if not turn.session.assisted_by:  # the worker registers a family member
                turn.session.family_of = turn.session.reference
            turn.start_over = True

    def on_text(self, turn: Turn, text: str) -> None:
        if (key := self.match(turn, text)) is not None:
            self.on_choice(turn, key)
            return
        if wants_correction(text) and not turn.session.assisted_by:
            from .data_rights import start_correction

            start_correction(turn)
            return
        if "orang lain" in simplify(text) and not turn.session.assisted_by:
            turn.note(
                turn.t(
                    "Someone outside your family registers from their own phone: send them "
                    "the link to this chat."
                )
            )
        self.ask(turn)


def reminders_on(turn: Turn) -> bool:
    """Whether payment reminders are on in this chat, after what this turn chose."""
    chosen = [e for e in turn.effects if isinstance(e, RemindersChoice)]
    if chosen:
        return chosen[-1].wanted
    incoming = turn.incoming
    return turn.ctx.lookup(RemindersOn(incoming.channel, incoming.user_key)) > 0


def stop_reminders(turn: Turn) -> None:
    """ "berhenti", or the button: no more payment reminders in this chat; a form being filled
    in is kept. The caller asks its question again."""
    t = turn.t
    if reminders_on(turn):
        turn.effects.append(RemindersChoice(None, wanted=False))
        turn.note(
            t("Payment reminders in this chat are stopped. Want them again? Type: remind me.")
        )
        if turn.session.step not in FINISHED:
            turn.note(t("The form you are filling in stays. To stop it too, type cancel."))
    else:
        turn.note(t("No payment reminders are on in this chat."))


def _stopped(turn: Turn) -> str:
    return turn.t("Payment reminders in this chat are stopped. Want them again? Type: remind me.")


def start_reminders(turn: Turn) -> None:
    """ "ingatkan saya": reminders on again for the person's own registration."""
    s, t = turn.session, turn.t
    if s.reference and not s.assisted_by:
        turn.effects.append(RemindersChoice(s.reference, wanted=True))
        turn.note(reminders_promise(turn))
    else:
        turn.note(t("Payment reminders start once you are registered."))


def reminders_promise(turn: Turn) -> str:
    return turn.t(
        "Good: once BPJS Ketenagakerjaan has accepted the registration, I will remind you here "
        "{days} days before each month starts, never at night. Type STOP to end it.",
        days=LEAD_DAYS,
    )


# "salah alamat", "ubah nama", "ganti nomor hp": the worker wants to correct what they registered
_CORRECTING = ("salah", "ubah", "ganti", "perbaiki", "koreksi", "benarkan", "keliru")


def wants_correction(text: str) -> bool:
    return read(text).has(frozenset((word,) for word in _CORRECTING)) is not None


class Remind(Step):
    """Asked once, right after registering: payment reminders in this chat, or not."""

    name = "remind"
    yes_no: ClassVar[dict[str, str]] = {"yes": "yes", "no": "no"}

    def options(self, turn: Turn) -> list[Option]:
        return [Option("yes", turn.t("Yes, remind me")), Option("no", turn.t("No, thanks"))]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {
            "yes": ("ingatkan", "ingatkan ya", "iya ingatkan", "ingatkan aja", "mau", "boleh"),
            "no": ("gak usah", "tidak usah", "gak usah diingatkan", "tidak perlu"),
        }

    def ask(self, turn: Turn) -> None:
        t, family = turn.t, turn.session.family_of
        if family:  # the reminders would be about the family member's premium
            turn.say(t("Shall I remind you each month of their premium?"), self.options(turn))
        else:
            turn.say(t("Shall I remind you here to pay each month?"), self.options(turn))

    def on_text(self, turn: Turn, text: str) -> None:
        """Not an answer ("daftarkan istri", "makasih", "salah alamat"): the question is let
        go, as if it were never asked, and the message does what it does after registering."""
        if not wants_correction(text) and (key := self.match(turn, text)) is not None:
            self.on_choice(turn, key)
            return
        turn.session.remind_for = None
        turn.session.step = "done"
        STEPS["done"].on_text(turn, text)

    def on_choice(self, turn: Turn, key: str) -> None:
        """yes, no, or (typed "berhenti") stop: no reminders for this one nor any other."""
        s, wanted, t = turn.session, key == "yes", turn.t
        others_on = key == "stop" and reminders_on(turn)
        turn.effects.append(RemindersChoice(s.remind_for or s.reference, wanted))
        s.remind_for = None
        if others_on:
            turn.effects.append(RemindersChoice(None, wanted=False))
            said = t(
                "Payment reminders in this chat are stopped. Want them again? Type: remind me."
            )
        else:
            said = reminders_promise(turn) if wanted else t("All right, no reminders.")
        turn.say(said, STEPS["done"].options(turn))
        turn.goto("done", remember=False)


def member_status(turn: Turn, progress: Progress) -> str:
    """What the main membership system said: accepted (the KPJ, from when, paid up to when, or
    non-active after unpaid months) or rejected (why, and whom to call)."""
    t, pay, today = turn.t, turn.ctx.rules.payment, turn.ctx.today
    cc = pay.contact_center
    if progress.member == "rejected":
        return t(
            "BPJS Ketenagakerjaan did not accept your registration: {reason}. Don't pay. Call "
            "{cc} to ask what to do.",
            reason=progress.reason or "-",
            cc=cc,
        )
    text = t(
        "You are a member of BPJS Ketenagakerjaan. Membership number (KPJ): {kpj}.",
        kpj=progress.kpj,
    )
    if progress.starts_on:
        text += " " + t("Protected from {day}.", day=t.date(progress.starts_on))
    until = progress.sponsored_until
    if progress.sponsor and until and (today.year, today.month) <= (until.year, until.month):
        return (
            text
            + " "
            + t(
                "{sponsor} pays your premium until {end}.",
                sponsor=progress.sponsor,
                end=t.month(until),
            )
        )
    if progress.paid_until is None:
        return text + " " + t("No payment recorded yet: pay by saying your NIK.")
    # whole months gone by since the last one paid; the month running now is not yet counted
    # (when in the month a premium is due is not confirmed: bpu-facts.md section 1)
    months = (today.year - progress.paid_until.year) * 12 + today.month - progress.paid_until.month
    unpaid = months - 1
    if unpaid >= pay.inactive_after_unpaid_months:
        return (
            text
            + " "
            + t(
                "Paid up to {month}: {n} months unpaid, so you are not protected now. Pay again "
                "with your NIK to be protected again.",
                month=t.month(progress.paid_until),
                n=unpaid,
            )
        )
    return text + " " + t("Paid up to {month}.", month=t.month(progress.paid_until))


def registered_status(turn: Turn) -> str:
    """Where the person's own registration stands: received, waiting for staff review (then
    they must not pay yet), or not accepted."""
    t, ref = turn.t, turn.session.reference
    progress = turn.ctx.lookup(ProgressOf(ref)) if ref else None
    if progress and progress.member:
        return member_status(turn, progress)
    if progress and progress.state == "rejected":
        return t(
            "Your registration {ref} was not accepted: {reason}. Don't pay. Questions? Call {cc}.",
            ref=ref,
            reason=progress.note or "-",
            cc=turn.ctx.rules.payment.contact_center,
        )
    if progress and progress.flags and progress.state is None:
        return t(
            "Your data is received. Your reference number: {ref}. Our staff check your details "
            "first: don't pay yet.",
            ref=ref,
        )
    if progress and progress.sponsor and progress.sponsored_until:
        return t(
            "Your data is received. Your reference number: {ref}. {sponsor} pays your premium "
            "until {end}.",
            ref=ref,
            sponsor=progress.sponsor,
            end=t.month(progress.sponsored_until),
        )
    return t("Your data is received. Your reference number: {ref}. To pay, say your NIK.", ref=ref)


class Ended(Done):
    name = "ended"

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "faq":
            turn.side_question = "faq"
        else:  # a new form of one's own, as typing "mulai lagi" starts
            turn.start_over = True

    def options(self, turn: Turn) -> list[Option]:
        return [Option("new", turn.t("Start again")), Option("faq", turn.t("Ask a question"))]

    yes_no: ClassVar[dict[str, str]] = {"yes": "new"}

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {"new": ("mulai", "daftar", "mulai lagi")}

    def enter(self, turn: Turn) -> None:
        self.ask(turn)

    def ask(self, turn: Turn) -> None:
        again = turn.t("Whenever you want, choose Start again.")
        own = registered_status(turn) + "\n\n" if turn.session.reference else ""
        turn.say(own + again, self.options(turn))


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Occupation(),
        OccupationPick(),
        OccupationOther(),
        Benefits(),
        Income(),
        IncomeCheck(),
        IncomeHelp(),
        Quote(),
        Programs(),
        Nik(),
        NikExists(),
        BirthConfirm(),
        BirthDate(),
        Gender(),
        Name(),
        Phone(),
        Address(),
        City(),
        Email(),
        Period(),
        Summary(),
        Edit(),
        Remind(),
        Done(),
        Ended(),
    )
}


def form_position(step: str) -> int:
    """Where a step (or the main question it belongs to) stands in the form."""
    while step not in FORM:
        parent = STEPS[step].parent
        if parent is None:
            return len(FORM) - 1
        step = parent
    return FORM.index(step)


def first_unanswered(session: Session) -> str:
    """The first question still unanswered, or "summary": where an older session resumes, and
    what confirming checks so no registration is saved incomplete or without consent."""
    a = session.answers
    checks = (
        ("occupation", a.occupation),
        ("income", a.income_stated),
        ("quote", session.consent_at if a.with_jht is not None else None),
        ("nik", a.nik),
        ("birth_confirm", a.birth_date and a.gender),
        ("name", a.full_name),
        ("phone", a.phone),
        ("address", a.address),
        ("city", a.city_code),
        ("email", a.email or a.email_skipped or None),
    )
    return next((step for step, value in checks if not value), "summary")
