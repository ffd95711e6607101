"""Anything a worker can send, at every step: no exception, a short Indonesian answer within
every channel's limits, the same (or the next) question, and a session that is still valid."""

from __future__ import annotations

import string
import unicodedata
from datetime import UTC, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram import keyboard
from bot.channels.whatsapp import render
from conversations import Context, Incoming, Kind, Session, default_rules
from conversations.engine import current
from conversations.model import MAX_MESSAGE_CHARS
from conversations.steps import FORM, STEPS
from conversations.turn import Turn
from tests.flowchat import NIK_SITI, FlowChat, at_step

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
# Every character Python calls a digit (Arabic-Indic, Devanagari, fullwidth, bold, superscript,
# circled...), and the invisible ones: controls, bidi and zero-width format characters, surrogates.
ALL_DIGITS = [chr(c) for c in range(0x110000) if unicodedata.digit(chr(c), None) is not None]
INVISIBLE = st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp"])
NUMBERS = st.text(
    alphabet=st.one_of(st.sampled_from(ALL_DIGITS), INVISIBLE, st.sampled_from(" .,-+/")),
    max_size=40,
)
TEXT = st.one_of(
    NASTY,
    st.text(max_size=300),
    st.text(alphabet=string.digits + " .,-+/", max_size=40),
    NUMBERS,
    st.text(alphabet=st.characters(exclude_categories=()), max_size=60),  # surrogates too
    st.sampled_from(["²", "³³72055708800001", "9" * 5000, "\ud800"]),
)


DIGITS_BY_VALUE = {
    value: [ch for ch in ALL_DIGITS if unicodedata.digit(ch) == value] for value in range(10)
}
ZERO_WIDTH = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\x07"])


@st.composite
def written_anyhow(draw: st.DrawFn, digits: str, invisible: bool = False) -> str:
    """`digits` with each digit in a script of its own; with `invisible`, zero-width, bidi and
    control characters in between."""
    return "".join(
        draw(st.sampled_from(DIGITS_BY_VALUE[int(d)]))
        + (draw(st.text(ZERO_WIDTH, max_size=1)) if invisible else "")
        for d in digits
    )


def visible(text: str) -> bool:
    """No control (but the line break), format or surrogate character."""
    return all(unicodedata.category(ch) not in ("Cc", "Cf", "Cs") or ch == "\n" for ch in text)


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
    answers = session.answers.model_dump()
    assert all(visible(v) for v in answers.values() if isinstance(v, str))
    assert (answers["nik"] or "0").isascii() and (answers["phone"] or "0").isascii()
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


@SETTINGS
@given(data=st.data())
def test_a_nik_and_a_mobile_in_any_digits_are_read_as_ascii(data: st.DataObject) -> None:
    chat = at_step("nik")
    chat.send(data.draw(written_anyhow(NIK_SITI, invisible=True)))
    check(chat)
    assert (chat.step, chat.session.answers.nik) == ("birth_confirm", NIK_SITI)
    chat = at_step("phone")
    chat.send(data.draw(written_anyhow("081234567890", invisible=True)))
    check(chat)
    assert chat.session.answers.phone == "+6281234567890"


@SETTINGS
@given(step=st.sampled_from(["name", "address", "email"]), junk=st.text(INVISIBLE, min_size=1))
def test_invisible_characters_never_reach_an_answer(step: str, junk: str) -> None:
    chat = at_step(step)
    answer = {"name": "Siti Aminah", "address": "Jl. Mawar 5, Kota Surakarta"}.get(step, "a@b.co")
    chat.send(answer[:3] + junk + answer[3:] + junk)
    check(chat)  # every stored answer is free of invisible characters
