"""What the bot says around the numbers: only what the facts support, and not more to read than
a worker will. (Issue 11; the reading measure itself is tests/reading_load.py.)"""

from __future__ import annotations

from datetime import date

import pytest

from tests.flowchat import NIK_SITI, FlowChat, at_step, golden, register
from tests.reading_load import OCCUPATIONS, golden_path


@pytest.mark.parametrize(
    ("occupation", "until"),
    [
        ("pedagang", "Desember 2026"),
        ("petani", "Desember 2026"),
        ("nelayan", "Desember 2026"),
        ("ojek_pangkalan", "Maret 2027"),
        ("ojek_online", "Maret 2027"),
    ],
)
def test_the_benefits_are_short_and_lead_with_todays_price(occupation: str, until: str) -> None:
    chat = FlowChat()
    assert "Mulai Rp8.400 sebulan" in chat.open()[0].text  # the discounted price applies today
    replies = chat.tap(occupation)
    said = chat.text
    assert sum(len(r.text) for r in replies) <= 600
    assert f"Iuran JKK dan JKM mulai Rp8.400 sebulan sampai {until}" in said
    assert "paling sedikit Rp42 juta" in said  # JKM; a death at work pays more (JKK)
    # no figure beyond what the programs pay, no cover for property, JHT not in the price
    assert "Rp79" not in said and "kebakaran" not in said and "Semua ini" not in said


def test_the_full_benefits_are_one_tap_away() -> None:
    chat = FlowChat()
    chat.open()
    chat.tap("nelayan")
    chat.tap("more")
    said = chat.text
    assert "tanpa batas biaya" in said and "48 kali penghasilan bulanan Anda + Rp22 juta" in said
    assert "beasiswa untuk paling banyak 2 anak, seluruhnya sampai Rp174 juta" in said
    assert "Setelah 3 tahun membayar, juga beasiswa" in said and "Tidak ada masa tunggu" in said
    assert "Rp79" not in said and "hasil pengembangan" not in said
    assert chat.option_keys == ["next", "more", "faq"]


@pytest.mark.parametrize("occupation", OCCUPATIONS)
def test_the_first_turns_and_the_ending_stay_within_one_screen(occupation: str) -> None:
    turns = golden_path(occupation)
    # Before issue 11: 843-973 characters after the occupation tap.
    assert turns[1].chars <= 600 and turns[-1].chars <= 600


def test_the_ending_says_what_is_true_and_what_to_do() -> None:
    chat = register(FlowChat())
    ending = chat.text
    assert len(ending) <= 600
    assert ending.startswith("Data Anda sudah kami terima. Nomor referensi Anda: BPU-")
    assert "sudah terdaftar" not in ending  # only staff's export makes it a membership
    # the trader's discount ends in December 2026: the ending says what comes after
    assert "bayar Rp13.400 setiap bulan (mulai Januari 2027: Rp26.800)" in ending
    assert "3 bulan berturut-turut tidak membayar" in ending and "NIK" in ending


def test_a_registration_for_review_is_told_not_to_pay_yet() -> None:
    chat = FlowChat(today=date(2026, 11, 21))
    chat.open()
    # born 1950: over 65, flagged for staff review
    chat.play(golden(**{NIK_SITI: "3372055708500001"}))
    assert chat.registration.review_flags
    assert "Jangan bayar dulu" in chat.text and "setiap bulan" not in chat.text


@pytest.mark.parametrize("typed", ["KTP ketinggalan", "ktp sy ketinggalan di rumah", "lupa nik"])
def test_no_ktp_at_hand_gets_a_way_on_and_nothing_is_lost(typed: str) -> None:
    chat = at_step("nik")
    before = chat.session.answers.model_copy()
    chat.send(typed)
    assert "NIK Anda juga ada di Kartu Keluarga (KK)" in chat.text
    assert "tetap tersimpan" in chat.text and chat.step == "nik"
    assert chat.session.answers == before


def test_worker_messages_avoid_jargon_a_trader_would_not_know() -> None:
    """Every Indonesian sentence the bot can say, read for the words issue 11 names."""
    from babel.messages.pofile import read_po

    from locales import LOCALE_DIR

    with (LOCALE_DIR / "id" / "LC_MESSAGES" / "bpu.po").open("rb") as f:
        said = " ".join(m.string for m in read_po(f, locale="id") if isinstance(m.string, str))
    for jargon in ("PP 50/2025", "UU PDP", "hasil pengembangan", "kepesertaan", "cacat total tetap",
                   "Contact Center", "e-wallet", "Daftar JKK+JKM"):  # fmt: skip
        assert jargon not in said, jargon
