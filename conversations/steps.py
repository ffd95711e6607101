"""The questions of the onboarding form, one class each: how to ask, and how to take an answer.

A step never moves the conversation itself: it calls `turn.goto`, `turn.proceed` or raises
`Invalid`, and the engine does the rest (history, edit mode, re-asking, errors).
"""

from __future__ import annotations

import re
from typing import ClassVar

from . import content
from .content import OCCUPATIONS, quote_for
from .fields import (
    clean_address,
    clean_city,
    clean_email,
    clean_name,
    clean_phone,
    display_phone,
    find_city,
)
from .i18n import N_
from .model import (
    CampaignerActive,
    KnownRegistration,
    Option,
    Registration,
    RegistrationByNik,
    SaveRegistration,
    Session,
)
from .nik import parse_nik
from .parsing import (
    NO_WORDS,
    YES_WORDS,
    Invalid,
    match_option,
    parse_birth_date,
    parse_money,
    simplify,
)
from .turn import Turn

# The main questions in order: `proceed` moves along this line (to the summary when editing).
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
    "period",
    "summary",
)


class Step:
    name: ClassVar[str]
    parent: ClassVar[str | None] = None  # the main question a follow-up question belongs to

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
        words = self.words(turn)
        return match_option(
            text, [(o.key, (o.label, *words.get(o.key, ()))) for o in self.options(turn)]
        )


YES_NO = {"yes": tuple(YES_WORDS), "no": tuple(NO_WORDS)}


# --- before registration --------------------------------------------------------------------


class Occupation(Step):
    name = "occupation"

    def options(self, turn: Turn) -> list[Option]:
        return [Option(key, turn.t(label)) for key, (label, _) in OCCUPATIONS.items()]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {key: words for key, (_, words) in OCCUPATIONS.items()}

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("What work do you do every day?"), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        turn.answers.occupation = key
        if key == "lainnya":
            turn.goto("occupation_other")
            return
        turn.answers.occupation_detail = None
        turn.funnel("occupation_chosen")
        turn.proceed()


class OccupationOther(Step):
    name = "occupation_other"
    parent = "occupation"

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
        turn.answers.occupation_detail = detail
        turn.funnel("occupation_chosen")
        turn.proceed()


class Benefits(Step):
    name = "benefits"

    def enter(self, turn: Turn) -> None:
        occupation = turn.answers.occupation or "lainnya"
        for message in content.benefit_messages(turn.t, turn.ctx.rules, occupation):
            turn.say(message)
        self.ask(turn)

    def options(self, turn: Turn) -> list[Option]:
        return [Option("next", turn.t("See my premium")), Option("faq", turn.t("Ask a question"))]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {"next": (*YES_WORDS, "hitung", "lanjutkan", "next", "continue")}

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t(
                "All this from {lowest} a month. Shall we work out your premium?",
                lowest=turn.t.money(content.lowest_premium(turn.ctx.rules)),
            ),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "faq":
            turn.side_question = "faq"
            return
        turn.funnel("benefits_read")
        turn.proceed()


class Income(Step):
    name = "income"

    def options(self, turn: Turn) -> list[Option]:
        return [
            Option(f"inc:{amount}", turn.t.juta(amount))
            for amount in turn.ctx.rules.income.quick_choices
        ]

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t(
                "How much do you earn in a month, roughly? Your premium depends on it. "
                "Type the amount (e.g. 1,5 juta) or choose:"
            ),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        self._set(turn, int(key.removeprefix("inc:")))

    def on_text(self, turn: Turn, text: str) -> None:
        self._set(turn, parse_money(text))

    def _set(self, turn: Turn, amount: int) -> None:
        turn.answers.income_stated = amount
        turn.proceed()


class Quote(Step):
    name = "quote"

    def enter(self, turn: Turn) -> None:
        turn.funnel("quote_seen")
        basic = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today, with_jht=False, months=1)
        jht = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today, with_jht=True, months=1)
        if note := content.income_note(turn.t, basic):
            turn.note(note)
        turn.say(content.quote_message(turn.t, basic, jht))
        self.ask(turn)

    def options(self, turn: Turn) -> list[Option]:
        t = turn.t
        return [
            Option("reg", t("Register JKK+JKM")),
            Option("reg_jht", t("Register with JHT")),
            Option("faq", t("Ask a question")),
            Option("no", t("Not now")),
        ]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {
            "reg": ("daftar", "ya", "iya", "mau", "register", "jkk jkm", "setuju"),
            "reg_jht": ("jht", "daftar jht", "dengan jht", "pakai jht", "tambah jht"),
            "no": (*NO_WORDS, "nanti saja", "tidak sekarang"),
        }

    def ask(self, turn: Turn) -> None:
        consent = content.ASSISTED_CONSENT if turn.session.assisted_by else content.CONSENT
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
            turn.session.consent_version = (
                content.ASSISTED_CONSENT_VERSION
                if turn.session.assisted_by
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
        turn.say(content.quote_message(turn.t, basic, jht))
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

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("Please type your NIK: the 16 digits at the top of your KTP."))

    def on_text(self, turn: Turn, text: str) -> None:
        nik = parse_nik(text, turn.ctx.today)
        known = known_elsewhere(turn, nik.value)
        a = turn.answers
        if a.nik != nik.value:
            turn.session.update_reference = None
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
        known = known_elsewhere(turn, turn.answers.nik) if turn.answers.nik else None
        own = bool(
            known
            and known.channel == turn.incoming.channel
            and known.user_key == turn.incoming.user_key
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
        turn.say(
            content.nik_taken_message(
                turn.t, turn.ctx.rules, turn.answers.nik, known.reference, own
            ),
            self.options(turn),
        )

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

    def options(self, turn: Turn) -> list[Option]:
        return [Option("yes", turn.t("Yes, right")), Option("no", turn.t("No, change it"))]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return YES_NO

    def ask(self, turn: Turn) -> None:
        a = turn.answers
        assert a.birth_date is not None
        turn.say(
            turn.t(
                "From your NIK: born {date}, {gender}. Is that right?",
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

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("Type your full name as on your KTP."))

    def on_text(self, turn: Turn, text: str) -> None:
        turn.answers.full_name = clean_name(text)
        turn.proceed()


class Phone(Step):
    name = "phone"

    def _offered(self, turn: Turn) -> str | None:
        """The number the worker writes from, if the channel knows it; never in assisted
        mode, where it is the campaigner's."""
        return None if turn.session.assisted_by else turn.incoming.sender_phone

    def options(self, turn: Turn) -> list[Option]:
        number = self._offered(turn)
        if number is None:
            return []
        return [Option("sender", turn.t("Use {number}", number=display_phone(number)))]

    def ask(self, turn: Turn) -> None:
        assisted = turn.session.assisted_by  # the campaigner's own number is no answer
        offered = self._offered(turn)
        turn.say(
            turn.t("What is your mobile number? E.g. 0812 3456 7890.")
            if offered is None
            else turn.t("What is your mobile number? Use this WhatsApp number, or type another."),
            self.options(turn),
            contact_button=None if assisted or offered else turn.t("Use my number"),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        self.on_text(turn, self._offered(turn) or "")

    def on_text(self, turn: Turn, text: str) -> None:
        turn.answers.phone = clean_phone(text)
        turn.proceed()

    def on_contact(self, turn: Turn, phone: str, own: bool) -> None:
        if not own:
            raise Invalid("phone.not_own")
        self.on_text(turn, phone)


class Address(Step):
    name = "address"

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t(
                "Type your address as on your KTP, with the kabupaten or kota. E.g. "
                "Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta."
            )
        )

    def on_text(self, turn: Turn, text: str) -> None:
        a = turn.answers
        a.address = clean_address(text)
        a.city = find_city(a.address)
        if a.city:
            turn.proceed()
        else:
            turn.goto("city")


class City(Step):
    name = "city"
    parent = "address"

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t(
                "Which kabupaten or kota is that in? E.g. Kota Surakarta or Kabupaten Sukoharjo."
            )
        )

    def on_text(self, turn: Turn, text: str) -> None:
        turn.answers.city = clean_city(text)
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
        return [Option("skip", turn.t("Skip"))]

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t("Your e-mail address, if you have one. No e-mail? Choose Skip."),
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

    def options(self, turn: Turn) -> list[Option]:
        rules, today = turn.ctx.rules, turn.ctx.today
        return [
            Option(
                f"p{n}",
                content.period_label(turn.t, quote_for(rules, turn.answers, today, months=n)),
            )
            for n in rules.payment.periods
        ]

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("For how many months do you want to pay at once?"), self.options(turn))

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
        q = quote_for(turn.ctx.rules, turn.answers, turn.ctx.today)
        turn.session.shown_quote = (q.tariff_version, q.monthly_total, q.period_total)
        for message in content.summary_messages(turn.t, turn.answers, q):
            turn.say(message)
        self.ask(turn)

    def options(self, turn: Turn) -> list[Option]:
        t = turn.t
        return [
            Option("ok", t("Yes, register me")),
            Option("edit", t("Change something")),
            Option("cancel", t("Cancel")),
        ]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {
            "ok": (*YES_WORDS, "daftar", "kirim", "simpan"),
            "edit": ("ubah", "ganti", "edit", "koreksi", "perbaiki", "salah"),
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
    a, review, today = turn.answers, turn.ctx.rules.review, turn.ctx.today
    assert a.birth_date is not None
    age = (
        today.year
        - a.birth_date.year
        - ((today.month, today.day) < (a.birth_date.month, a.birth_date.day))
    )
    flags = []
    if age > review.flag_over_age:
        flags.append(f"age_over_{review.flag_over_age}")
    if age < review.flag_under_age:
        flags.append(f"age_under_{review.flag_under_age}")
    if a.birth_corrected:
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
    if s.shown_quote != (q.tariff_version, q.monthly_total, q.period_total):
        turn.note(turn.t("The premium has changed since I showed it to you. Please check again."))
        turn.goto("summary", remember=False)
        return
    if known_elsewhere(turn, a.nik):
        turn.goto("nik_exists")
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
    registration = Registration(
        reference=s.update_reference or ctx.new_reference,
        nik=a.nik,
        full_name=a.full_name,
        birth_date=a.birth_date,
        gender=a.gender,
        phone=a.phone,
        address=a.address,
        city=a.city,
        email=a.email,
        occupation=a.occupation,
        occupation_detail=a.occupation_detail,
        income_stated=q.income.stated,
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
    )
    turn.effects.append(SaveRegistration(registration, replaces=s.update_reference))
    if not s.update_reference:  # an update is the same registration, not one more
        turn.funnel("registered")
    s.reference = registration.reference
    turn.say(done_message(turn, registration), STEPS["done"].options(turn))
    s.forget_form()  # personal data now lives only in the registration
    turn.goto("done", remember=False)


def done_message(turn: Turn, reg: Registration) -> str:
    t, pay = turn.t, turn.ctx.rules.payment
    text = t(
        "Done, you are registered! Your reference number: {ref}\n\n"
        "Next: pay {total} with your NIK at {channels}. Your membership card comes at most {days} "
        "days after you pay. Questions? Call Contact Center {cc}.",
        ref=reg.reference,
        total=t.money(reg.period_total),
        channels=", ".join(pay.channels[:4]),
        days=pay.card_days_after_payment,
        cc=pay.contact_center,
    )
    if reg.review_flags:
        text += "\n\n" + t(
            "Our staff will check your details and contact you if anything is missing."
        )
    if reg.assisted_by:
        text += "\n\n" + t("Give the worker this reference number and tell them how to pay.")
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

    def options(self, turn: Turn) -> list[Option]:
        return [
            *(Option(key, turn.t(label)) for key, label in self.FIELDS.items()),
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
        return [
            Option("new", turn.t("Register someone else")),
            Option("faq", turn.t("Ask a question")),
        ]

    def enter(self, turn: Turn) -> None:
        """Arriving here, the confirmation has just been said."""

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t(
                "You are registered. Your reference number: {ref}. To pay, use your NIK.",
                ref=turn.session.reference,
            ),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "faq":
            turn.side_question = "faq"
        elif key == "exit":  # a campaigner ends a round of assisted registrations
            turn.session.assisted_by = None
            turn.goto("ended", remember=False)
        else:
            turn.start_over = True

    def on_text(self, turn: Turn, text: str) -> None:
        if (key := self.match(turn, text)) is not None:
            self.on_choice(turn, key)
        else:
            self.ask(turn)


class Ended(Done):
    name = "ended"

    def options(self, turn: Turn) -> list[Option]:
        return [Option("new", turn.t("Start again")), Option("faq", turn.t("Ask a question"))]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {"new": ("mulai", "daftar", "ya", "mau")}

    def enter(self, turn: Turn) -> None:
        self.ask(turn)

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("Whenever you want, choose Start again."), self.options(turn))


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Occupation(),
        OccupationOther(),
        Benefits(),
        Income(),
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
        ("city", a.city),
        ("email", a.email or a.email_skipped or None),
        ("period", a.period),
    )
    return next((step for step, value in checks if not value), "summary")
