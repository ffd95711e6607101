"""The worker's data rights in the chat (UU PDP No. 27/2022): see the data held about them
(masked where sensitive), correct it, and withdraw consent, which deletes it.

"data saya" shows it with buttons to correct or delete. A correction of a registration the main
system has not answered yet is made by the worker in the registration's own summary, saved as a
new revision that the next export carries; after the main system's answer it is a request staff
pass on. Deletion removes the form being filled in and every registration not yet sent; for one
already sent it records a request that the next export carries and the staff console lists
(storage/data_rights.py).
"""

from __future__ import annotations

from typing import ClassVar

from .content import full_address, occupation_label, programs_label
from .fields import masked_email, masked_phone
from .model import (
    Answers,
    CorrectionRequest,
    DataHeld,
    EraseData,
    HeldRegistration,
    Option,
    Registration,
)
from .nik import mask
from .parsing import Invalid
from .steps import FINISHED, STEPS, Step
from .turn import Turn
from .understanding.intents import command, filler, yes_no
from .understanding.reading import read

_DETAILS_MAX = 500  # characters of a correction kept for staff


def held(turn: Turn) -> tuple[HeldRegistration, ...]:
    incoming = turn.incoming
    return turn.ctx.lookup(DataHeld(incoming.channel, incoming.user_key))


def _back_to_the_question(turn: Turn) -> None:
    turn.session.pending = None
    STEPS[turn.session.step].ask(turn)


def _describe(turn: Turn, held_reg: HeldRegistration) -> str:
    t, r = turn.t, held_reg.registration
    answers = Answers(occupation=r.occupation, occupation_detail=r.occupation_detail)
    lines = [
        r.reference,
        t(
            "{name}, NIK {nik}, born {date}",
            name=r.full_name,
            nik=mask(r.nik),
            date=t.date(r.birth_date),
        ),
        t("Mobile {phone}", phone=masked_phone(r.phone)),
        full_address(r.address, r.city),
    ]
    if r.email:
        lines.append(t("Email {email}", email=masked_email(r.email)))
    lines.append(
        t(
            "{occupation}, income {income} a month, {programs}",
            occupation=occupation_label(t, answers),
            income=t.money(r.income_declared),
            programs=programs_label(t, "JHT" in r.programs),
        )
    )
    if held_reg.erasure_requested:
        lines.append(t("Deletion asked of BPJS Ketenagakerjaan."))
    elif held_reg.sent:
        lines.append(t("Sent to BPJS Ketenagakerjaan."))
    return "\n".join(lines)


def _in_progress(turn: Turn) -> str | None:
    """What the form being filled in holds, masked, or None when it holds nothing."""
    a, t = turn.answers, turn.t
    parts = []
    if a.occupation:
        parts.append(occupation_label(t, a))
    if a.income_stated:
        parts.append(t("income {income}", income=t.money(a.income_stated)))
    if a.nik:
        parts.append(t("NIK {nik}", nik=mask(a.nik)))
    if a.full_name:
        parts.append(a.full_name)
    if a.phone:
        parts.append(masked_phone(a.phone))
    if a.address:
        parts.append(t("an address"))
    if a.email:
        parts.append(masked_email(a.email))
    if not parts:
        return None
    return t("Being filled in, not registered yet: {parts}.", parts=", ".join(parts))


class MyData(Step):
    """ "data saya": what the bot holds about the person, masked, and what they can do."""

    name = "mydata"

    def options(self, turn: Turn) -> list[Option]:
        t = turn.t
        back = Option("back", t("Back"))
        if not held(turn) and _in_progress(turn) is None:
            return [back]  # nothing to correct or delete
        return [Option("correct", t("Correct my data")), Option("erase", t("Delete my data")), back]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {
            "correct": ("ubah", "ganti", "koreksi", "perbaiki", "salah"),
            "erase": ("hapus", "hapus data", "tarik persetujuan", "cabut persetujuan"),
            "back": ("kembali", "lanjut", "tidak", "gak", "batal", "gak jadi", "tidak jadi"),
        }

    def ask(self, turn: Turn) -> None:
        t = turn.t
        blocks = [_describe(turn, h) for h in held(turn) if not h.erasure_requested or h.sent]
        if now := _in_progress(turn):
            blocks.append(now)
        head = (
            t("The data this chat holds about you:")
            if blocks
            else t("This chat holds no data about you.")
        )
        turn.say("\n\n".join([head, *blocks]), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "correct":
            turn.session.pending = None
            start_correction(turn)
        elif key == "erase":
            turn.session.pending = "erase"
            STEPS_MODAL["erase"].ask(turn)
        else:
            _back_to_the_question(turn)


class ConfirmErase(Step):
    """Deleting needs a clear yes or no."""

    name = "erase"
    insists = True
    yes_no: ClassVar[dict[str, str]] = {"yes": "yes", "no": "no"}

    def options(self, turn: Turn) -> list[Option]:
        t = turn.t
        return [Option("yes", t("Yes, delete")), Option("no", t("No, keep it"))]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        return {"yes": ("hapus", "hapus saja", "iya hapus"), "no": ("jangan", "batal", "simpan")}

    def ask(self, turn: Turn) -> None:
        t = turn.t
        names = [h.registration.full_name for h in held(turn) if not h.erasure_requested]
        if turn.answers.full_name:
            names.append(turn.answers.full_name)
        text = t(
            "Delete the data and stop agreeing to its use? Registrations not yet sent are "
            "deleted; for those already sent to BPJS Ketenagakerjaan we pass on the request to "
            "delete."
        )
        if names:
            text = t("This deletes the data of: {names}.", names=", ".join(names)) + " " + text
        turn.say(text, self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        if key == "no":
            _back_to_the_question(turn)
            return
        erase(turn)


def erase(turn: Turn) -> None:
    """Withdraw consent: the form, the person's reference and every registration made in this
    chat are deleted here; those sent already, deletion is asked of the main system."""
    t, s = turn.t, turn.session
    sent = [h.registration.reference for h in held(turn) if h.sent]
    turn.effects.append(EraseData())
    s.forget_form()
    s.pending = s.reference = s.remind_for = s.campaign = None
    s.assisted_by = None
    text = t("Done: your data is deleted from this chat and your consent withdrawn.")
    if sent:
        text += " " + t(
            "{refs} had been sent to BPJS Ketenagakerjaan: our staff pass on your request to "
            "delete. Questions? Call {cc}.",
            refs=", ".join(sent),
            cc=turn.ctx.rules.payment.contact_center,
        )
    turn.note(text)
    s.step = "ended"
    STEPS["ended"].ask(turn)


def start_correction(turn: Turn) -> None:
    """A registration made in this chat, to correct (which one, when there are several)."""
    t, s = turn.t, turn.session
    if s.step == "summary":  # "ubah data" before registering: the summary's own "change"
        turn.goto("edit")
        return
    if s.step not in FINISHED:
        turn.note(t("You can change every answer in the summary before you register."))
        STEPS[s.step].ask(turn)
        return
    mine = correctable(turn)
    if not mine:
        turn.note(t("You have no registration in this chat yet."))
        STEPS[s.step].ask(turn)
    elif len(mine) == 1:
        correct(turn, mine[0])
    else:
        s.pending = "correct_which"
        STEPS_MODAL["correct_which"].ask(turn)


def correctable(turn: Turn) -> list[HeldRegistration]:
    return [h for h in held(turn) if not h.erasure_requested]


def correct(turn: Turn, chosen: HeldRegistration) -> None:
    """In its summary while the main system has not answered (saved as a new revision), else
    as a request for staff."""
    s = turn.session
    s.pending = None
    if chosen.member is None:
        _reopen(turn, chosen.registration)
    else:
        s.pending, s.correcting = "correct", chosen.registration.reference
        STEPS_MODAL["correct"].ask(turn)


class CorrectWhich(Step):
    """Several registrations made here (the worker's and their family's): which to correct."""

    name = "correct_which"

    def options(self, turn: Turn) -> list[Option]:
        mine = correctable(turn)[:3]  # WhatsApp shows 3 buttons; a family is rarely more
        return [
            *(Option(h.registration.reference, h.registration.full_name) for h in mine),
            Option("back", turn.t("Back")),
        ]

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("Whose data do you want to correct?"), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        chosen = next((h for h in correctable(turn) if h.registration.reference == key), None)
        if chosen is None:
            _back_to_the_question(turn)
        else:
            correct(turn, chosen)


def _reopen(turn: Turn, r: Registration) -> None:
    """The registration back in the form, at its summary: changed and confirmed, it is saved
    as a new revision of the same registration."""
    s = turn.session
    s.answers = Answers(
        occupation=r.occupation,
        occupation_detail=r.occupation_detail,
        income_stated=r.income_stated,
        with_jht="JHT" in r.programs,
        nik=r.nik,
        birth_date=r.birth_date,
        gender=r.gender,  # type: ignore[arg-type]
        birth_corrected="birth_differs_from_nik" in r.review_flags,
        full_name=r.full_name,
        phone=r.phone,
        address=r.address,
        city=r.city,
        city_code=r.city_code,
        district=r.district,
        district_code=r.district_code,
        email=r.email,
        email_skipped=r.email is None,
        period=r.period_months,
    )
    s.consent_version, s.consent_at = r.consent_version, r.consent_at
    s.update_reference, s.campaign, s.history = r.reference, r.campaign, []
    s.correcting = r.reference  # its NIK too may be corrected: still this registration
    turn.note(turn.t("Your registration: choose Change something, then Yes, save."))
    turn.goto("summary", remember=False)


class CorrectionNote(Step):
    """After the main system's answer: what is wrong, in the worker's words, for staff."""

    name = "correct"
    free_text = True

    def options(self, turn: Turn) -> list[Option]:
        return [Option("back", turn.t("Back"))]

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t(
                "BPJS Ketenagakerjaan already has your data. Write what is wrong and what is "
                "right; our staff pass it on."
            ),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        turn.session.correcting = None
        _back_to_the_question(turn)

    def on_text(self, turn: Turn, text: str) -> None:
        """What is wrong, in the worker's words. "batal", "makasih", "ok", a lone yes or no say
        nothing to correct: not taken (the engine reads them as it would anywhere)."""
        reading = read(text)
        if command(reading) or filler(reading) or yes_no(reading) or len(reading.words) < 2:
            raise Invalid("choice.unknown")
        s = turn.session
        reference = s.correcting or s.reference
        assert reference is not None
        turn.effects.append(CorrectionRequest(reference, " ".join(text.split())[:_DETAILS_MAX]))
        s.correcting = None
        turn.note(turn.t("Thank you: our staff pass it on to BPJS Ketenagakerjaan."))
        _back_to_the_question(turn)


STEPS_MODAL: dict[str, Step] = {
    step.name: step for step in (MyData(), ConfirmErase(), CorrectWhich(), CorrectionNote())
}
