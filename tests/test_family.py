"""Registering a family member, and what an adversarial review of issue 11 found: the end of a
campaigner's round, thanks mistaken for "register my family", "same address" in other words,
several months across a discount's end, status after a review flag, a courier's price."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conversations import Kind
from tests.fake_telegram import FakeTelegram
from tests.flowchat import NIK_BUDI, NIK_SITI, FlowChat, at_step, golden, register
from tests.seed import campaigner_with_campaign
from tests.telegram_users import TelegramUser, Watched, polling_bot, texts

WIFE = "3372054508850003"  # Kota Surakarta, female, 5 Aug 1985
WIFE_BOYOLALI = "3309014508850003"  # Kabupaten Boyolali, female, 5 Aug 1985


def to_family_phone(chat: FlowChat, trigger: str = "daftarkan istri", nik: str = WIFE) -> FlowChat:
    chat.send(trigger)
    chat.play([("tap", "pedagang"), ("tap", "next"), ("send", "1 juta"), ("tap", "reg")])
    chat.play([("send", nik), ("tap", "yes"), ("send", "Sri Wahyuni")])
    assert chat.step == "phone"
    return chat


# A campaigner's last assisted worker becomes "their family" ------------------------------


def test_after_assisted_registrations_the_campaigner_is_not_in_family_mode_of_a_worker() -> None:
    chat = FlowChat()
    chat.deliver(chat._incoming(Kind.OPEN, assisted_by="PRS-0123"))
    chat.play(golden(**{"0812 3456 7890": "0813 9999 8888"}))  # a worker's registration
    worker_ref = chat.registration.reference
    chat.tap("exit")  # Selesai
    chat.tap("new")  # Mulai lagi: the campaigner's own registration
    assert chat.session.family_of is None
    assert "anggota keluarga" not in chat.text
    chat.play([("tap", "pedagang"), ("tap", "next"), ("send", "1 juta"), ("tap", "reg")])
    chat.play([("send", NIK_BUDI), ("tap", "yes"), ("send", "Budi")])
    assert "0813-9999-8888" not in chat.text  # the worker's number is not offered
    chat.send("status")
    assert worker_ref not in chat.text  # not "your reference number" either


@pytest.fixture
async def bot(fake: FakeTelegram, db_path: Path) -> Watched:
    await campaigner_with_campaign(db_path, telegram_id="800")
    async with polling_bot(fake, db_path, staff_telegram_ids="700") as watched:
        yield watched


async def test_telegram_campaigner_after_finish_is_offered_the_workers_number_and_address(
    fake: FakeTelegram, bot: Watched
) -> None:
    campaigner = TelegramUser(fake, bot, 800)
    await campaigner.send("/daftarkan")
    await campaigner.press("Pedagang")
    await campaigner.press("Lihat iuran saya")
    await campaigner.send("2 juta")
    await campaigner.press("Daftar")
    await campaigner.send(NIK_SITI)
    await campaigner.press("Ya, benar")
    await campaigner.send("Siti Aminah")
    await campaigner.send("0813 9999 8888")
    await campaigner.send("Jl. Kenanga 9, Laweyan, Kota Surakarta")
    await campaigner.press("Tidak punya")
    await campaigner.press("Ya, daftarkan")
    await campaigner.press("Selesai")
    said = texts(await campaigner.press("Mulai lagi"))  # the campaigner's own registration
    await campaigner.press("Pedagang")
    await campaigner.press("Lihat iuran saya")
    await campaigner.send("1 juta")
    await campaigner.press("Daftar")
    await campaigner.send(NIK_BUDI)
    await campaigner.press("Ya, benar")
    phone_question = texts(await campaigner.send("Budi Santoso"))
    assert "0813-9999-8888" not in phone_question, phone_question  # the worker's number
    assert "anggota keluarga" not in said, said


# "makasih bu" after registering starts a family registration; status then says "not finished"


@pytest.mark.parametrize("thanks", ["makasih bu", "terima kasih pak", "makasih kak", "iya bu"])
def test_thanking_after_registering_does_not_start_a_family_registration(thanks: str) -> None:
    chat = register(FlowChat())
    chat.send(thanks)
    assert chat.step == "done" and chat.session.family_of is None


def test_status_during_a_family_registration_shows_the_workers_own_reference() -> None:
    chat = register(FlowChat())
    own = chat.registration.reference
    chat.send("daftarkan istri")
    chat.send("status")
    assert "belum selesai" not in chat.text or own in chat.text


# "sama aja" / "sama dengan suami" stored as the family member's address ---------------


@pytest.mark.parametrize(
    "said", ["sama aja", "alamatnya sama", "sama dengan suami", "iya sama", "sama dgn sy"]
)
def test_same_address_in_other_words_is_never_stored_as_the_address(said: str) -> None:
    chat = to_family_phone(register(FlowChat()))
    chat.tap("sender")
    chat.send(said)
    assert chat.session.answers.address != said


# "Type your family member's NIK": typing it is refused ------------------------------


def test_the_family_members_nik_typed_after_the_own_nik_warning_is_taken() -> None:
    chat = register(FlowChat())
    chat.send("daftarkan istri")
    chat.play([("tap", "pedagang"), ("tap", "next"), ("send", "1 juta"), ("tap", "reg")])
    chat.send(NIK_SITI)
    assert "Ketik NIK anggota keluarga Anda" in chat.text
    chat.send(WIFE)  # as told
    assert chat.step == "birth_confirm"


# "Mulai lagi" button at the end puts a worker into family mode (typed "mulai lagi" does not)


def test_the_start_again_button_and_the_typed_words_start_the_same_thing() -> None:
    typed = register(FlowChat())
    typed.send("mulai lagi")
    typed.send("batal")
    typed.send("mulai lagi")
    pressed = register(FlowChat())
    pressed.send("mulai lagi")
    pressed.send("batal")
    pressed.tap("new")  # the "Mulai lagi" button
    assert typed.session.family_of == pressed.session.family_of


# Paying several months across the end of the discount: the figures do not add up ---------


def test_a_longer_period_summary_says_why_the_total_is_not_months_times_the_monthly() -> None:
    chat = at_step("summary")
    chat.tap("edit")
    chat.tap("period")
    chat.tap("p12")
    r = chat.registration if chat.saved else None
    assert r is None
    text = chat.text
    assert "Rp13.400 sebulan" in text and "12 bulan: Rp294.800" in text
    assert "(2 bulan × Rp13.400 + 10 bulan × Rp26.800)" in text  # the discount ends in December


def test_after_the_first_months_the_monthly_amount_is_said() -> None:
    chat = at_step("summary")
    chat.tap("edit")
    chat.tap("period")
    chat.tap("p3")
    chat.tap("ok")
    assert "bayar Rp53.600 untuk 3 bulan pertama, lalu Rp26.800 tiap bulan" in chat.text


# Family address: the NIK's kabupaten used silently --------------------------------


def test_a_family_member_is_told_when_the_niks_region_is_added_to_the_address() -> None:
    chat = to_family_phone(register(FlowChat()), nik=WIFE_BOYOLALI)
    chat.tap("sender")
    asked = chat.text
    chat.send("Jl. Melati 7 RT 01 RW 02")
    assert chat.step == "city" or "Boyolali" in asked


# Family member's own contact card refused as "someone else's" -------------------------


def test_sharing_the_family_members_contact_is_accepted_in_family_mode() -> None:
    chat = to_family_phone(register(FlowChat(channel="telegram")))
    chat.contact("+6281311112222", own=False)
    assert chat.step == "address"


# Review-flagged: "Don't pay yet", then status says "To pay, say your NIK" (pre-existing) ---


def test_status_after_a_flagged_registration_does_not_say_to_pay() -> None:
    chat = register(FlowChat(), **{NIK_SITI: "3372051701550003"})  # 71 years old: flagged
    assert "Jangan bayar dulu" in chat.text
    chat.send("status")
    assert "Untuk membayar" not in chat.text


# "Other work: kurir" is a transport worker at the quote and on the benefits screen too


def test_the_benefits_price_for_a_courier_is_the_transport_price() -> None:
    chat = FlowChat(today=date(2027, 2, 10))
    chat.open()
    chat.tap("lainnya")
    chat.send("kurir paket")
    benefits = chat.text
    chat.tap("next")
    chat.send("2 juta")
    assert "sampai Maret 2027" in chat.text  # the quote: transport discount
    assert "Rp8.400" in benefits and "Maret 2027" in benefits  # not "mulai Rp16.800 sebulan"


# Someone who is not family ("orang lain") is registered with the family consent


def test_registering_someone_else_is_not_recorded_as_family() -> None:
    chat = register(FlowChat())
    chat.send("orang lain")
    assert "anggota keluarga" not in chat.text
