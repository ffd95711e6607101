"""Anything a worker can send, at every step: no exception, a short Indonesian answer within
every channel's limits, the same (or the next) question, and a session that is still valid."""

from __future__ import annotations

import string
from datetime import UTC, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.telegram import keyboard
from bot.whatsapp import render
from conversations import Context, Incoming, Kind, Session, default_rules
from conversations.engine import current
from conversations.model import MAX_MESSAGE_CHARS
from conversations.steps import FORM, STEPS
from conversations.turn import Turn
from tests.flowchat import FlowChat, at_step

STEPS_TO_TRY = list(FORM)  # every main question of the form

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\n\n\n",
        "\x00\x01\x1b[31m",
        "'; DROP TABLE registrations; --",
        "<script>alert(1)</script>",
        "&lt;b&gt;",
        "مرحبا بالعالم",
        "שלום",
        "\u202eevil\u202c",
        "🙏🏽👍🏿💸",
        "x" * 10_000,
        "1" * 400,
        "9" * 17,
        "-5 juta",
        "1e9",
        "NaN",
        "∞",
        "½ juta",
        "Rp 1.000.000.000.000.000",
        "0,000001",
        "٣ ملايين",
        "०१२",
        "３ジュタ",
        "{}",
        "{nik}",
        "%s%s",
        "batal",
        "kembali",
        "/start",
        "/ekspor",
        "?",
        "tanya?",
        "BPU-AAAA-BBBB",
    ]
)
TEXT = st.one_of(
    NASTY, st.text(max_size=300), st.text(alphabet=string.digits + " .,-+/", max_size=40)
)


def check(chat: FlowChat) -> None:
    """What the worker got, and what is stored, after one message."""
    assert chat.replies, "silence"
    for reply in chat.replies:
        assert reply.text.strip() and len(reply.text) <= MAX_MESSAGE_CHARS
        keyboard(reply)  # within Telegram's limits (raises otherwise)
        for message in render(reply):  # within WhatsApp's limits (pydantic validates)
            assert message.body.strip()
    session = Session.model_validate_json(chat.session.model_dump_json())  # stored, read back
    assert session.step in STEPS
    # The last message asks the question the worker is now at, in Indonesian.
    probe = Turn(session, Incoming("test", "u", "probe", Kind.TEXT), _context(chat))
    current(probe).ask(probe)
    assert chat.replies[-1].text.endswith(probe.replies[-1].text)
    assert session.lang == "id"


def _context(chat: FlowChat) -> Context:
    now = datetime.combine(chat.today, time(3), UTC)
    return Context(
        now=now,
        today=chat.today,
        rules=default_rules(),
        new_id="probe",
        new_reference="BPU-PROB-E000",
    )


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(step=st.sampled_from(STEPS_TO_TRY), text=TEXT)
def test_any_text_at_any_step(step: str, text: str) -> None:
    chat = at_step(step)
    chat.send(text)
    check(chat)


@SETTINGS
@given(step=st.sampled_from(STEPS_TO_TRY), key=st.text(max_size=80))
def test_any_button_at_any_step(step: str, key: str) -> None:
    chat = at_step(step)
    chat.tap_stale(key)  # old, forged or garbled callback data
    check(chat)


@SETTINGS
@given(
    step=st.sampled_from(STEPS_TO_TRY),
    media=st.sampled_from(["sticker", "photo", "voice", "location", "edited", "reaction"]),
    phone=st.one_of(st.none(), st.text(max_size=30)),
)
def test_media_and_contacts_at_any_step(step: str, media: str, phone: str | None) -> None:
    chat = at_step(step)
    chat.media(media)
    check(chat)
    chat.contact(phone or "", own=bool(phone))
    check(chat)


@SETTINGS
@given(texts=st.lists(TEXT, min_size=2, max_size=6))
def test_a_stream_of_nonsense_never_breaks_the_conversation(texts: list[str]) -> None:
    chat = at_step("name")
    for text in texts:
        chat.send(text)
        check(chat)
