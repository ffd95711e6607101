"""`advance`: one incoming message in, the new session, replies and effects out. Pure: no I/O.

Order of handling: opening the chat; media the bot cannot read; words that work at every step
(help, back, cancel, restart, questions, language, status); an open side question (cancel?,
restart?, which question?, which language?); and finally the current step's own answer.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import ClassVar

from . import content
from .content import FAQ_MENU, FAQ_TOPICS, faq_answer
from .data_rights import STEPS_MODAL as DATA_RIGHTS
from .data_rights import start_correction
from .fields import display_phone
from .i18n import DEFAULT_LANGUAGE, LANGUAGES
from .model import Answers, Context, Incoming, Kind, Option, Outcome, Session
from .nik import mask
from .parsing import Invalid
from .steps import (
    FINISHED,
    FORM,
    STEPS,
    Step,
    first_unanswered,
    form_position,
    income_said_early,
    remember,
    remember_income,
    reminders_on,
    start_reminders,
    stop_reminders,
)
from .text_input import clean_incoming
from .turn import Turn, mark_question, question_of
from .understanding.choices import choose
from .understanding.intents import command, filler, is_question, topic
from .understanding.numbers import find_nik, find_phone
from .understanding.reading import Reading, read

FLOW_VERSION = 1
_MAX_MOVES = 10  # steps entered in one turn; more would be a loop in the flow
_EARLY_CHARS = 300  # an answer to a later question comes in a short message, not a paragraph

# The commands a button may give ("g:back"); the words for them are in locales/words/commands.toml.
COMMANDS = (
    "help",
    "back",
    "cancel",
    "restart",
    "faq",
    "lang",
    "status",
    "remind",
    "stop_reminders",
    "stop",
    "mydata",  # the worker's data rights: conversations/data_rights.py
    "correct",
    "erase",
)


def advance(session: Session | None, incoming: Incoming, ctx: Context) -> Outcome:
    """Run one message through the conversation.

    `session` is not modified. Raises `NeedData` when a stored fact is needed; the caller
    answers it in `ctx.answers` and calls again.
    """
    incoming = clean_incoming(incoming)  # ASCII digits, no control or invisible characters
    if session is None:
        new = _new_session(ctx, incoming.lang, _payload(incoming), incoming.assisted_by)
        turn = Turn(new, incoming, ctx)
        _welcome(turn)
    else:
        turn = Turn(_private_copy(session), incoming, ctx)
        _repair(turn.session)
        _dispatch(turn)
    _settle(turn)
    turn.flush()
    replies = mark_question(turn.replies, current(turn).name)
    return Outcome(turn.session, replies, tuple(turn.effects), turn.refused_choice)


# --- sessions -------------------------------------------------------------------------------


def _private_copy(session: Session) -> Session:
    """A copy the turn may change. Only `answers` and `history` are mutable; every other field
    holds an immutable value, so a shallow copy of those two is enough (and ten times faster
    than a deep copy, on every message)."""
    return session.model_copy(
        update={"answers": session.answers.model_copy(), "history": list(session.history)}
    )


def _new_session(
    ctx: Context, lang: str | None, campaign: str | None, assisted_by: str | None = None
) -> Session:
    return Session(
        id=ctx.new_id,
        flow_version=FLOW_VERSION,
        step=FORM[0],
        lang=lang if lang in LANGUAGES else DEFAULT_LANGUAGE,
        campaign=campaign,
        assisted_by=assisted_by,
    )


def _payload(incoming: Incoming) -> str | None:
    """A campaign code from a start link, kept as given (cleaned) even if unknown."""
    if not incoming.payload:
        return None
    code = re.sub(r"[^A-Za-z0-9_\-]", "", incoming.payload)[:64]
    return code or None


def _welcome(turn: Turn) -> None:
    turn.funnel("started")
    t, s = turn.t, turn.session
    if s.assisted_by:  # someone else types: each question is read out to the worker
        welcome = t(
            "Assisted registration: read each question to the worker and type their answer. "
            "The words help, back and cancel work as usual."
        )
    elif s.family_of:
        welcome = t(
            "Let's register your family member, if they work for themselves. Read each "
            "question to them and type their answer."
        )
    else:
        welcome = t(
            # no "type help": "bingung", "tolong", "gak ngerti" are help too (commands.toml)
            "Hello! I help you join BPJS Ketenagakerjaan: protection at work from {lowest} a "
            "month.",
            lowest=t.money(
                content.lowest_premium_today(turn.ctx.rules, turn.ctx.today, None).monthly_total
            ),
        )
    turn.say(welcome)
    STEPS[FORM[0]].ask(turn)


def _repair(session: Session) -> None:
    """A session saved by an older version of the flow resumes at a sensible step."""
    if session.step not in STEPS:
        session.step = first_unanswered(session)
    session.history = [step for step in session.history if step in STEPS]
    if session.pending not in MODALS:
        session.pending = None
    session.flow_version = FLOW_VERSION


def _start_over(turn: Turn) -> None:
    old = turn.session
    turn.session = _new_session(turn.ctx, old.lang, old.campaign)
    turn.session.assisted_by = old.assisted_by
    if not old.assisted_by:  # a campaigner's last worker is not theirs
        turn.session.reference = old.reference  # the person's own, for status
        turn.session.family_of = old.family_of
    _welcome(turn)


def _end(turn: Turn) -> None:
    """Stop the form and forget its answers."""
    updating = turn.session.update_reference
    turn.session.forget_form()
    turn.session.step = "ended"
    if updating:
        turn.note(turn.t("Stopped. Your registration stays as it was."))
    else:
        turn.note(turn.t("Stopped. What you typed has been deleted."))
    STEPS["ended"].ask(turn)


# --- moving between steps -------------------------------------------------------------------


def current(turn: Turn) -> Step:
    return MODALS[turn.session.pending] if turn.session.pending else STEPS[turn.session.step]


def _next_step(session: Session) -> str:
    if session.editing:
        return "summary"
    return FORM[min(form_position(session.step) + 1, len(FORM) - 1)]


def _settle(turn: Turn) -> None:
    """Carry out what the handlers asked for: a new session, an end, the next step."""
    for _ in range(_MAX_MOVES):
        if turn.start_over:
            turn.start_over = False
            _start_over(turn)
        elif turn.ending:
            turn.ending = False
            _end(turn)
        elif turn.proceeding or turn.target:
            target = _next_step(turn.session) if turn.proceeding else turn.target
            assert target is not None
            if turn.remember:
                turn.push_history(turn.session.step)
            turn.session.step = target
            turn.target, turn.proceeding, turn.remember = None, False, True
            STEPS[target].enter(turn)
        elif turn.side_question:
            turn.session.pending, turn.side_question = turn.side_question, None
            current(turn).ask(turn)
        else:
            return
    raise RuntimeError(f"the flow did not settle at step {turn.session.step}")


def _ask_again(turn: Turn) -> None:
    current(turn).ask(turn)


# --- dispatch -------------------------------------------------------------------------------


def _dispatch(turn: Turn) -> None:
    incoming = turn.incoming
    if incoming.kind is Kind.CHOICE:
        turn.pressed_on, key = question_of(incoming.choice or "")
        incoming = turn.incoming = replace(incoming, choice=key)
    if incoming.kind is Kind.OPEN:
        _on_open(turn)
        return
    if incoming.kind is Kind.UNSUPPORTED:
        if incoming.media == "edited":
            turn.note(turn.t("I don't read changed messages. Please send the answer again."))
        else:
            turn.note(turn.t("Sorry, I can only read text and buttons."))
        _ask_again(turn)
        return
    if turn.session.pending and _answer(turn, current(turn)):
        return
    if turn.session.pending and current(turn).insists:
        turn.note(content.error_text(turn.t, "choice.unknown"))
        _ask_again(turn)
        return
    turn.session.pending = None
    if command := _command(incoming):
        _run_command(turn, command)
        return
    _answer(turn, STEPS[turn.session.step], fallback=True)


def _command(incoming: Incoming) -> str | None:
    if incoming.kind is Kind.CHOICE and incoming.choice and incoming.choice.startswith("g:"):
        return incoming.choice[2:] if incoming.choice[2:] in COMMANDS else None
    if incoming.kind is Kind.TEXT:
        if incoming.text.strip() == "?":
            return "help"
        return command(read(incoming.text))
    return None


def _answer(turn: Turn, step: Step, fallback: bool = False) -> bool:
    """Give the input to `step`. Returns False when a side question does not take it."""
    incoming = turn.incoming
    try:
        if incoming.kind is Kind.CHOICE:
            # A button counts only for the question it was shown with: keys repeat across
            # questions ("no" declines the consent and also corrects the birth date).
            shown_here = turn.pressed_on == step.name
            if not shown_here or incoming.choice not in {o.key for o in step.options(turn)}:
                if not fallback:
                    return False
                turn.refused_choice = True
                turn.note(content.error_text(turn.t, "choice.stale"))
                _ask_again(turn)
                return True
            step.on_choice(turn, incoming.choice)
        elif incoming.kind is Kind.CONTACT:
            step.on_contact(turn, incoming.contact_phone or "", incoming.contact_is_own)
        elif not (fallback and _before_the_answer(turn, step, read(incoming.text))):
            step.on_text(turn, incoming.text)
    except Invalid as invalid:
        if not fallback:
            return False
        if incoming.kind is not Kind.TEXT or not _besides_the_answer(turn, incoming.text):
            turn.note(content.error_text(turn.t, invalid.code))
            _ask_again(turn)
    return True


def _before_the_answer(turn: Turn, step: Step, reading: Reading) -> bool:
    """A question about a known topic is answered at any step; at a step that takes free text, a
    question or a filler is never taken as the answer ("brp iurannya" is not a name)."""
    asked = is_question(reading)
    if asked and (about := topic(reading)):
        _answer_question(turn, about)
    elif step.free_text and asked:
        _answer_question(turn, None)
    elif step.free_text and (kind := filler(reading)):
        _acknowledge(turn, kind)
    else:
        return False
    return True


def _besides_the_answer(turn: Turn, text: str) -> bool:
    """What a message the step could not take does instead: an answer to a later question, a
    question, a filler. False when it is none of these (then it is a mistake to point out)."""
    reading = read(text)
    if _remember_early(turn, text):
        return True
    if (about := topic(reading)) or is_question(reading):
        _answer_question(turn, about)
    elif kind := filler(reading):
        _acknowledge(turn, kind)
    else:
        return False
    return True


def _answer_question(turn: Turn, about: str | None) -> None:
    """Answer a common question (or say it can't be answered) and ask the current step again."""
    turn.session.pending = None
    if about is None:
        turn.say(
            turn.t(
                "Sorry, I can't answer that yet. Call Contact Center {cc} to talk to a person.",
                cc=turn.ctx.rules.payment.contact_center,
            )
        )
    else:
        turn.say(_faq(turn, about))
    _ask_again(turn)


def _acknowledge(turn: Turn, kind: str) -> None:
    turn.note(content.filler_reply(turn.t, kind))
    _ask_again(turn)


def _remember_early(turn: Turn, text: str) -> bool:
    """A NIK, phone number or income sent before its question: kept to offer when it comes."""
    position, t = form_position(turn.session.step), turn.t
    if len(text) > _EARLY_CHARS:
        return False
    if position < FORM.index("nik") and (nik := find_nik(text, turn.ctx.today)):
        remember(turn, nik=nik)
        turn.note(t("I'll use your NIK {nik} when we get to it.", nik=mask(nik)))
    elif position < FORM.index("phone") and (phone := find_phone(text)):
        remember(turn, phone=phone)
        turn.note(t("I'll use the number {phone} when we get to it.", phone=display_phone(phone)))
    elif position < FORM.index("income") and (income := income_said_early(turn, text)):
        remember_income(turn, text, income)
        turn.note(t("I'll use your income of {amount} a month.", amount=t.money(income.monthly)))
    else:
        return False
    _ask_again(turn)
    return True


def _on_open(turn: Turn) -> None:
    s, assisting = turn.session, turn.incoming.assisted_by
    if assisting and not (
        s.assisted_by == assisting and s.step not in FINISHED and _has_answers(s)
    ):
        # A campaigner starts registering a worker; a form of their own is set aside.
        s.assisted_by, s.campaign = assisting, _payload(turn.incoming)
        turn.start_over = True
        return
    s.campaign = s.campaign or _payload(turn.incoming)
    s.pending = None
    if turn.incoming.lang in LANGUAGES:
        s.lang = turn.incoming.lang
    if s.step not in FINISHED:
        turn.note(turn.t("Welcome back! Let's continue where we stopped."))
    _ask_again(turn)


def _has_answers(session: Session) -> bool:
    return session.answers != Answers()


def _run_command(turn: Turn, command: str) -> None:
    s, t = turn.session, turn.t
    if s.step == "remind":
        if command in ("remind", "stop_reminders", "stop", "cancel"):
            STEPS["remind"].on_choice(turn, "yes" if command == "remind" else "stop")
            return
        s.step, s.remind_for = "done", None  # asked once: let go for whatever else was asked
    finished = s.step in FINISHED
    if command == "stop":  # what every reminder says to reply: a form being filled in stays
        command = "stop_reminders" if reminders_on(turn) else "cancel"
    if command == "remind":
        start_reminders(turn)
        _ask_again(turn)
    elif command == "stop_reminders":
        stop_reminders(turn)
        _ask_again(turn)
    elif command == "help":
        turn.say(
            t(
                "Answer with the buttons or by typing. Words that work at any time:\n"
                "back: the previous question\nfaq: common questions\n"
                "cancel: stop\nrestart: start again\nlanguage: change language\n"
                "my data: see, correct or delete your data\n"
                "A person can help at Contact Center {cc}.",
                cc=turn.ctx.rules.payment.contact_center,
            )
        )
        _ask_again(turn)
    elif command == "back":
        _back(turn)
    elif command in ("cancel", "restart") and finished:
        turn.start_over = command == "restart"
        if not turn.start_over:
            _ask_again(turn)
    elif command in ("cancel", "restart"):
        if not _has_answers(s):
            turn.ending, turn.start_over = command == "cancel", command == "restart"
        else:
            turn.side_question = command
    elif command in ("faq", "lang", "mydata", "erase"):
        turn.side_question = command
    elif command == "correct":
        start_correction(turn)
    else:  # status
        if not finished and s.reference:  # registered already: a family member's form, or anew
            turn.note(
                t(
                    "Your own registration is received (reference {ref}). This one is not "
                    "finished yet. This is where we are:",
                    ref=s.reference,
                )
            )
        elif not finished:
            turn.note(t("Your registration is not finished yet. This is where we are:"))
        _ask_again(turn)


def _faq(turn: Turn, topic: str) -> str:
    """The answer to a common question, for this worker's work when it is known."""
    a = turn.answers
    return faq_answer(
        turn.t, turn.ctx.rules, topic, turn.ctx.today, a.occupation, a.occupation_detail
    )


def _back(turn: Turn) -> None:
    s = turn.session
    if not s.history or s.step in FINISHED:
        if s.step not in FINISHED:
            turn.note(turn.t("This is the first question."))
        _ask_again(turn)
        return
    s.step = s.history.pop()
    STEPS[s.step].enter(turn)


# --- side questions -------------------------------------------------------------------------


class ConfirmCancel(Step):
    name = "cancel"
    # Deleting what was typed needs a clear yes or no; anything else is never taken as the
    # answer to the question underneath ("yaudah hapus" is no address).
    insists = True

    yes_no: ClassVar[dict[str, str]] = {"yes": "yes", "no": "no"}

    def options(self, turn: Turn) -> list[Option]:
        return [Option("yes", turn.t("Yes, stop")), Option("no", turn.t("No, continue"))]

    def words(self, turn: Turn) -> dict[str, tuple[str, ...]]:
        # Here "batal" agrees and "lanjut" declines: the reverse of a plain yes or no.
        return {
            "yes": (
                "iya",
                "oke",
                "siap",
                "batal",
                "hapus",
                "berhenti",
                "stop",
                "ulang",
                "mulai lagi",
            ),
            "no": ("lanjut", "lanjutkan", "terus", "jangan", "jangan dihapus", "lanjut daftar"),
        }

    def ask(self, turn: Turn) -> None:
        if turn.session.update_reference:  # changing a registration: it stays as it is
            text = turn.t("Stop changing? Your registration stays as it was.")
        else:
            text = turn.t("Stop and delete what you have typed so far?")
        turn.say(text, self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        turn.session.pending = None
        if key == "yes":
            turn.ending = True
        else:
            _ask_again(turn)


class ConfirmRestart(ConfirmCancel):
    name = "restart"

    def options(self, turn: Turn) -> list[Option]:
        return [Option("yes", turn.t("Yes, start again")), Option("no", turn.t("No, continue"))]

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t("Start again from the beginning? What you have typed will be deleted."),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        turn.session.pending = None
        if key == "yes":
            turn.start_over = True
        else:
            _ask_again(turn)


class Questions(Step):
    name = "faq"

    def options(self, turn: Turn) -> list[Option]:
        return [
            *(Option(f"faq:{key}", turn.t(FAQ_TOPICS[key])) for key in FAQ_MENU),
            Option("faq:back", turn.t("Back to my question")),
        ]

    def ask(self, turn: Turn) -> None:
        turn.say(
            turn.t("What would you like to know? Choose, or type your question."),
            self.options(turn),
        )

    def on_choice(self, turn: Turn, key: str) -> None:
        turn.session.pending = None
        topic = key.removeprefix("faq:")
        if topic in FAQ_TOPICS:
            turn.say(_faq(turn, topic))
        _ask_again(turn)

    def on_text(self, turn: Turn, text: str) -> None:
        about = topic(read(text)) or self.match(turn, text)
        if about is None:
            raise Invalid("choice.unknown")
        self.on_choice(turn, about if about.startswith("faq:") else f"faq:{about}")


class Language(Step):
    name = "lang"
    LABELS: ClassVar[dict[str, str]] = {"id": "Bahasa Indonesia", "en": "English"}

    def options(self, turn: Turn) -> list[Option]:
        return [Option(f"lang:{code}", self.LABELS[code]) for code in LANGUAGES]

    def ask(self, turn: Turn) -> None:
        turn.say(turn.t("Choose a language."), self.options(turn))

    def on_choice(self, turn: Turn, key: str) -> None:
        turn.session.pending = None
        turn.session.lang = key.removeprefix("lang:")
        _ask_again(turn)

    def on_text(self, turn: Turn, text: str) -> None:
        key = choose(
            read(text),
            [
                ("lang:id", ("indonesia", "bahasa indonesia", "indo", "id")),
                ("lang:en", ("english", "inggris", "en")),
            ],
        )
        if key is None:
            raise Invalid("choice.unknown")
        self.on_choice(turn, key)


MODALS: dict[str, Step] = {
    **{m.name: m for m in (ConfirmCancel(), ConfirmRestart(), Questions(), Language())},
    **DATA_RIGHTS,
}
