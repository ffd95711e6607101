"""Whole conversations typed the way workers write, through the pure flow, the terminal, Telegram
and WhatsApp: what the worker sees and what is stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.fake_telegram import FakeTelegram
from tests.flowchat import NIK_SITI, FlowChat, at_step, golden
from tests.telegram_users import TelegramUser, polling_bot
from tests.telegram_users import texts as telegram_texts
from tests.test_console import chat as terminal_chat
from tests.whatsapp_users import WhatsAppUser, whatsapp_server
from tests.whatsapp_users import texts as whatsapp_texts

# A trader who types every answer, as she would say it, and never taps a button.
TYPED = [
    ("kulo sadean gorengan wonten peken", "Perlindungan ini mulai"),
    ("lanjut kak", "Penghasilan sebulan kira-kira"),
    ("sehari dpt 100rb", "Rp100.000 sehari × 25 hari = Rp2.500.000 sebulan. Benar?"),
    ("iya bener", "Daftar sekarang?"),
    ("ok daftar", "NIK Anda (16 angka"),
    ("nik sy 3372 0557 0880 0001", "lahir 17 Agustus 1980, perempuan. Benar?"),
    ("nggih leres", "Nama lengkap Anda"),
    ("nama saya siti aminah", "Nomor HP Anda?"),
    ("hp sy 0812-3456-7890", "NIK Anda dari Kota Surakarta"),
    ("jl mawar 5 rt 2 rw 3 kauman pasar kliwon", "Punya email?"),
    ("gak punya email", "Benar semua?"),
    ("udah bener semua", "Data Anda diterima"),
]
STORED = {
    "occupation": "pedagang",
    "occupation_detail": "sadean gorengan wonten peken",
    "income_stated": 2_500_000,
    "nik": NIK_SITI,
    "full_name": "Siti Aminah",
    "phone": "+6281234567890",
    "city": "Kota Surakarta",
    "city_code": "33.72",
    "district": "Pasar Kliwon",
    "period_months": 1,
}


def test_typed_like_people_talk_registers_the_right_data() -> None:
    chat = FlowChat()
    chat.open()
    for typed, seen in TYPED:
        chat.send(typed)
        assert seen in chat.text, (typed, chat.text)
    reg = chat.registration
    assert {field: getattr(reg, field) for field in STORED} == STORED


def stored(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        [row] = conn.execute("SELECT * FROM registrations").fetchall()
    return {field: row[field] for field in STORED}


def test_typed_like_people_talk_in_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "bpu.db"
    done = terminal_chat(db, [typed for typed, _ in TYPED])
    assert done.returncode == 0, done.stderr
    for _, seen in TYPED:
        assert seen in done.stdout
    assert stored(db) == STORED


async def test_typed_like_people_talk_on_telegram(fake: FakeTelegram, db_path: Path) -> None:
    async with polling_bot(fake, db_path) as watched:
        user = TelegramUser(fake, watched, 601)
        await user.send("/start")
        for typed, seen in TYPED:
            assert seen in telegram_texts(await user.send(typed)), typed
    assert stored(db_path) == STORED


async def test_typed_like_people_talk_on_whatsapp(db_path: Path) -> None:
    async with whatsapp_server(db_path) as server:
        user = WhatsAppUser(server)
        await user.send("Halo")
        for typed, seen in TYPED:
            assert seen in whatsapp_texts(await user.send(typed)), typed
        await server.graph.stop()
    assert stored(db_path) == STORED


# --- the golden path stays short when the address names no kabupaten/kota --------------------


def test_an_address_without_kota_takes_the_region_of_the_nik_in_eleven_inputs() -> None:
    chat = FlowChat()
    chat.open()
    chat.play(golden(**{"Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta": "Jl Mawar 5 RT 2/3"}))
    assert chat.inputs == 11 and chat.step == "remind"
    reg = chat.registration
    assert (reg.city, reg.city_code, reg.address) == (
        "Kota Surakarta",
        "33.72",
        "Jl Mawar 5 RT 2/3",
    )


def test_an_address_in_another_region_is_stored_with_that_region() -> None:
    chat = at_step("address")
    assert "NIK Anda dari Kota Surakarta" in chat.text
    chat.send("Jl. Kota Baru 7, Kota Jambi")
    assert (chat.session.answers.city, chat.session.answers.city_code) == ("Kota Jambi", "15.71")


def test_bogor_alone_asks_which_bogor() -> None:
    chat = at_step("address")
    chat.send("Jl Pajajaran 10, Bogor")
    assert chat.step == "city" and chat.session.answers.city is None
    assert {"Kota Bogor", "Kabupaten Bogor"} <= set(chat.option_labels)
    chat.tap("city:32.71")
    assert (chat.session.answers.city, chat.session.answers.city_code) == ("Kota Bogor", "32.71")


# --- what the worker means, asked back when it matters ---------------------------------------


def test_ojek_alone_asks_which_ojek() -> None:
    chat = FlowChat()
    chat.open()
    chat.send("ojek")
    assert chat.option_keys == ["ojek_pangkalan", "ojek_online"]
    assert chat.session.answers.occupation is None
    chat.send("yg online")
    assert chat.session.answers.occupation == "ojek_online" and chat.step == "benefits"


def test_an_income_a_year_is_confirmed_with_the_arithmetic_and_never_clamped() -> None:
    chat = at_step("income")
    chat.send("setahun 30 juta")
    assert "Rp30.000.000 setahun ÷ 12 bulan = Rp2.500.000 sebulan. Benar?" in chat.text
    assert chat.session.answers.income_stated is None
    chat.tap("no")
    assert chat.step == "income" and chat.session.answers.income_stated is None
    chat.send("dua juta setengah")
    assert chat.session.answers.income_stated == 2_500_000 and chat.step == "quote"


@pytest.mark.parametrize(
    ("typed", "help_word"), [("tidak tentu", "kira-kira"), ("UMR", "UMR"), ("omzet 8jt", "Omzet")]
)
def test_an_income_that_is_not_a_figure_gets_help_to_estimate(typed: str, help_word: str) -> None:
    chat = at_step("income")
    chat.send(typed)
    assert help_word in chat.text and "sehari" in chat.text
    chat.tap("day:100000")
    assert "Rp2.500.000 sebulan. Benar?" in chat.text
    chat.tap("yes")
    assert chat.session.answers.income_stated == 2_500_000


def test_a_nik_typed_at_the_income_question_is_not_an_income_and_is_kept() -> None:
    chat = at_step("income")
    chat.send(NIK_SITI)
    assert chat.session.answers.income_stated is None and chat.step == "income"
    assert "3372••••••••0001" in chat.text
    chat.send("2 juta")
    chat.send("ok")
    assert "Pakai NIK yang tadi Anda kirim, 3372••••••••0001?" in chat.text
    chat.tap("early")
    assert chat.session.answers.nik == NIK_SITI and chat.step == "birth_confirm"


def test_an_income_typed_at_the_benefits_is_confirmed_not_asked_again() -> None:
    chat = at_step("benefits")
    chat.send("2 juta")
    assert "Rp2.000.000 sebulan. Benar?" in chat.text
    chat.send("iya")
    assert chat.session.answers.income_stated == 2_000_000 and chat.step == "quote"


def test_a_phone_typed_at_the_name_question_is_offered_at_the_phone_question() -> None:
    chat = at_step("name")
    chat.send("Siti Aminah 081234567890")
    assert chat.step == "name" and chat.session.answers.full_name is None
    chat.send("Siti Aminah")
    assert chat.option_keys == ["early"] and "0812-3456-7890" in chat.option_labels[0]
    chat.tap("early")
    assert chat.session.answers.phone == "+6281234567890"


# --- never store a non-answer ------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["ok", "tunggu bentar", "nanti dulu", "brp iurannya", "makasih"])
@pytest.mark.parametrize("step", ["name", "address"])
def test_a_non_answer_is_never_stored(step: str, typed: str) -> None:
    chat = at_step(step)
    before = chat.session.answers.model_copy()
    chat.send(typed)
    assert chat.step == step and chat.session.answers == before


def test_a_question_at_the_name_is_answered_then_the_name_asked_again() -> None:
    chat = at_step("name")
    chat.send("misal sy meninggal ahli waris dpt brp")
    assert "Rp42 juta (JKM)" in chat.text and "Nama lengkap Anda" in chat.text
    assert chat.session.answers.full_name is None
    chat.send("Bu Sri")
    assert chat.session.answers.full_name == "Sri"


def test_a_long_message_is_never_read_as_an_occupation() -> None:
    chat = FlowChat()
    chat.open()
    chat.send(
        "kemarin hujan deras sekali dan jalan ke pasar banjir jadi saya tidak bisa keluar rumah "
        "sampai sore hari"
    )
    assert chat.step == "occupation" and chat.session.answers.occupation is None


# --- found in review: each stored or did something the worker did not mean ---------------------


@pytest.mark.parametrize(
    ("step", "typed"),
    [
        ("birth_confirm", "saya cowok"),  # one letter from "cocok", a yes
        ("quote", "pass"),  # "pas" is no consent
        ("quote", "susah"),  # one letter from "sudah"
        ("summary", "pass"),
    ],
)
def test_a_word_one_letter_from_yes_is_not_a_yes(step: str, typed: str) -> None:
    chat = at_step(step)
    chat.send(typed)
    assert chat.step not in ("name", "nik", "done") and not chat.saved


def test_an_unclear_reply_to_stop_and_delete_is_never_taken_as_the_address() -> None:
    chat = at_step("address")
    chat.send("batal")
    chat.send("hmm gimana ya")
    assert chat.session.answers.address is None and chat.session.pending == "cancel"


@pytest.mark.parametrize("typed", ["6jt/3bln", "tiap 3 bulan 6 juta", "10 juta per panen"])
def test_an_income_over_another_span_is_confirmed_not_stored(typed: str) -> None:
    chat = at_step("income")
    chat.send(typed)
    assert chat.step == "income_check" and chat.session.answers.income_stated is None


def test_a_bare_figure_at_the_usual_day_question_is_a_days() -> None:
    chat = at_step("income")
    chat.send("tidak tentu")
    chat.send("100rb")
    assert "Rp100.000 sehari × 25 hari = Rp2.500.000 sebulan. Benar?" in chat.text


@pytest.mark.parametrize(
    ("step", "typed"),
    [
        ("name", "maaf kak"),
        ("name", "saya lagi nyetir"),
        ("name", "balik sik tgl lahire salah"),
        ("address", "lagi nyari ktp"),
        ("address", "di rumah"),
    ],
)
def test_more_non_answers_are_never_stored(step: str, typed: str) -> None:
    chat = at_step(step)
    before = chat.session.answers.model_copy()
    chat.send(typed)
    assert chat.session.answers == before


def test_a_trader_who_delivers_is_not_given_the_transport_discount() -> None:
    chat = FlowChat()
    chat.open()
    chat.send("jualan sayur, antar ke pelanggan")
    chat.tap("next")
    chat.send("2 juta")
    assert "Desember 2026" in chat.text and "Maret 2027" not in chat.text


def test_a_nik_in_the_occupation_answer_is_kept_for_its_question_not_in_the_detail() -> None:
    chat = FlowChat()
    chat.open()
    chat.send(f"pedagang NIK {NIK_SITI}")
    assert chat.session.answers.occupation_detail is None
    assert chat.session.answers.early["nik"] == NIK_SITI


def test_death_from_illness_is_answered_as_death_not_as_illness() -> None:
    chat = at_step("name")
    chat.send("kalau meninggal karena sakit dapat apa?")
    assert "Rp42 juta (JKM)" in chat.text and "tidak ditanggung" not in chat.text


def test_a_range_per_day_shows_each_step_to_a_month() -> None:
    chat = at_step("income")
    chat.send("50-100rb sehari")
    assert "rata-rata Rp75.000 sehari × 25 hari = Rp1.875.000 sebulan. Benar?" in chat.text


def test_a_number_typed_early_that_is_the_senders_is_offered_once() -> None:
    chat = at_step("name", FlowChat(sender="+6281234567890"))
    chat.send("Siti Aminah 081234567890")
    chat.send("Siti Aminah")
    assert chat.option_keys == ["sender"]
