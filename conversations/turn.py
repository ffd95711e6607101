"""One turn of the conversation: the session being changed, and what the bot says and does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .i18n import Translator, translator
from .model import (
    MAX_MESSAGE_CHARS,
    Answers,
    Context,
    Effect,
    Funnel,
    FunnelStage,
    Incoming,
    Option,
    Reply,
    Session,
)

HISTORY_LIMIT = 30
QUESTION_MARK = "|"  # between the question a button belongs to and its option key


def mark_question(replies: Sequence[Reply], question: str) -> tuple[Reply, ...]:
    """Tag every button with the question the conversation is at, so a press on a button left
    on an older message can be told from an answer to this one (a channel sends the key back
    as it was given: Telegram's callback data, WhatsApp's button id)."""
    return tuple(
        replace(
            r,
            options=tuple(Option(f"{question}{QUESTION_MARK}{o.key}", o.label) for o in r.options),
        )
        if r.options
        else r
        for r in replies
    )


def question_of(choice: str) -> tuple[str | None, str]:
    """(question, option key) of a pressed button; no question for keys not made here."""
    question, mark, key = choice.partition(QUESTION_MARK)
    return (question, key) if mark else (None, choice)


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split at paragraph, then line, then word boundaries so no part exceeds `limit`."""
    if len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        parts, current = [], ""
        for piece in text.split(separator):
            candidate = f"{current}{separator}{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                parts.append(current)
            current = piece
        parts.append(current)
        if all(len(p) <= limit for p in parts):
            return parts
    return [text[i : i + limit] for i in range(0, len(text), limit)]


class Turn:
    def __init__(self, session: Session, incoming: Incoming, ctx: Context) -> None:
        self.session = session
        self.incoming = incoming
        self.ctx = ctx
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self.target: str | None = None  # the step to move to once the current handler returns
        self.remember = True  # whether leaving the current step is recorded for "back"
        self.proceeding = False  # move to the next question of the form
        self.start_over = False  # begin a new session (restart, register someone else)
        self.ending = False  # stop and discard the form (cancel)
        self.side_question: str | None = None  # open a side question (faq, cancel...) and ask it
        self.pressed_on: str | None = None  # the question a pressed button was shown with
        self.refused_choice = False  # a pressed button did not belong to the current question
        self._note: list[str] = []

    @property
    def t(self) -> Translator:
        return translator(self.session.lang)

    @property
    def answers(self) -> Answers:
        return self.session.answers

    def goto(self, step: str, remember: bool = True) -> None:
        self.target, self.remember = step, remember

    def proceed(self) -> None:
        self.proceeding = True

    def note(self, text: str) -> None:
        """Say `text` at the start of the next message instead of in a message of its own."""
        self._note.append(text)

    def say(
        self, text: str, options: Sequence[Option] = (), contact_button: str | None = None
    ) -> None:
        if self._note:
            text = "\n\n".join([*self._note, text])
            self._note.clear()
        parts, lang = split_message(text), self.session.lang
        for part in parts[:-1]:
            self.replies.append(Reply(part, lang=lang))
        self.replies.append(Reply(parts[-1], tuple(options), contact_button, lang=lang))

    def flush(self) -> None:
        """Send any note still waiting for a message to join."""
        if self._note:
            self.say(self._note.pop())

    def funnel(self, stage: FunnelStage) -> None:
        s = self.session
        self.effects.append(Funnel(s.id, stage, s.answers.occupation, s.campaign, s.assisted_by))

    def push_history(self, step: str) -> None:
        history = self.session.history
        if not history or history[-1] != step:
            history.append(step)
        del history[:-HISTORY_LIMIT]
