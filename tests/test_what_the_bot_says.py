"""What the bot says around the numbers: only what the facts support, and not more to read than
a worker will. (Issue 11; the reading measure itself is tests/reading_load.py.)"""

from __future__ import annotations

import re
from datetime import date

import pytest

from conversations.content import per_day, premium_change
from conversations.premium import quote
from conversations.rules import default_rules
from tests.flowchat import NIK_SITI, FlowChat, at_step, golden, register
from tests.reading_load import OCCUPATIONS, TURN_BUDGET, WORD_BUDGET, golden_path


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
    assert "mulai Rp8.400 sebulan" in chat.open()[0].text  # the discounted price applies today
    replies = chat.tap(occupation)
    said = chat.text
    assert sum(len(r.text) for r in replies) <= 600
    assert f"Perlindungan ini mulai Rp8.400 sebulan sampai {until}." in said
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


def rupiah(text: str) -> list[int]:
    """Every amount written in rupiah: "Rp13.400", "Rp42 juta", "Rp1,5 miliar"."""
    amounts = []
    for number, scale in re.findall(r"Rp(\d[\d.,]*\d|\d)(?: (juta|miliar))?", text):
        if scale:
            amounts.append(
                round(float(number.replace(",", ".")) * {"juta": 1e6, "miliar": 1e9}[scale])
            )
        else:
            amounts.append(int(number.replace(".", "")))
    return amounts


@pytest.mark.parametrize("occupation", OCCUPATIONS)
def test_the_golden_path_fits_the_reading_budget_and_shows_the_quotes_money(
    occupation: str,
) -> None:
    chat, turns = golden_path(occupation)
    # Before issue 11: 443-459 words, 843-973 characters after the occupation tap.
    assert sum(t.words for t in turns) <= WORD_BUDGET, [(t.after, t.words) for t in turns]
    assert all(t.chars <= TURN_BUDGET for t in turns), [(t.after, t.chars) for t in turns]
    reg, rules = chat.registration, default_rules()
    # Every amount shown after the income is typed is the quote's (priced here on its own).
    sector = rules.sector_of(reg.occupation, reg.occupation_detail)
    later = premium_change(quote(rules, reg.income_stated, sector, False, chat.today, 12))
    jht = quote(rules, reg.income_stated, sector, True, chat.today, 1)
    quoted = {
        reg.income_declared,
        reg.monthly_premium,
        per_day(reg.monthly_premium),
        jht.first.jht,
        later.total if later else reg.monthly_premium,
    }
    after_income = next(t for t in turns if t.after == "2 juta")
    assert set(rupiah(after_income.text)) == quoted
    summary, ending = turns[-2].text, turns[-1].text
    assert set(rupiah(summary)) == {reg.income_declared, reg.monthly_premium}
    assert set(rupiah(ending)) == {reg.monthly_premium, *([later.total] if later else [])}
    # Before it, only today's lowest price and what the programs pay.
    lowest = {8_400, rules.benefits.jkm_total, 1_500_000_000}  # ojol story: bpu-facts.md s6
    assert set(rupiah(" ".join(t.text for t in turns[:2]))) <= lowest


def test_the_ending_says_what_is_true_and_what_to_do() -> None:
    chat = register(FlowChat())
    ending = chat.text
    assert len(ending) <= 600
    assert ending.startswith("Data Anda diterima. Referensi: BPU-")
    assert "sudah terdaftar" not in ending  # only staff's export makes it a membership
    # the trader's discount ends in December 2026: the ending says what comes after
    assert "Setelah terdaftar, bayar Rp13.400 tiap bulan (mulai Januari 2027: Rp26.800)" in ending
    assert "dengan menyebut NIK" in ending and "JMO atau telepon 175" in ending
    assert "Tidak bayar 3 bulan berturut-turut: tidak terlindungi sampai bayar lagi" in ending
    assert "Ahli waris tidak perlu didaftarkan" in ending


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


# --- a family member, registered as such (item 11) ------------------------------------------

WIFE_NIK = "3372054508850003"  # born 5 August 1985, female, Kota Surakarta


def register_family(chat: FlowChat, asked: str = "mau daftarkan istri saya") -> FlowChat:
    chat.send(asked)
    chat.play([("tap", "pedagang"), ("tap", "next"), ("send", "1 juta"), ("tap", "reg")])
    chat.play([("send", WIFE_NIK), ("tap", "yes"), ("send", "Sri Wahyuni")])
    return chat


def test_a_family_member_is_registered_as_such_and_the_status_stays_the_workers() -> None:
    chat = register(FlowChat())
    own = chat.registration.reference
    chat.send("mau daftarkan istri saya")
    assert "Kita daftarkan anggota keluarga Anda" in chat.text and chat.step == "occupation"
    chat.play([("tap", "pedagang"), ("tap", "next"), ("send", "1 juta")])
    # their own consent, read to them
    assert 'Bacakan ini kepada anggota keluarga Anda: "Saya tanya NIK' in chat.text
    chat.play([("tap", "reg"), ("send", WIFE_NIK), ("tap", "yes"), ("send", "Sri Wahyuni")])
    # the worker's number, if she agrees; no "share my contact" (it would be his)
    assert "Kalau setuju, boleh pakai 0812-3456-7890" in chat.text
    assert chat.replies[-1].contact_button is None
    chat.tap("sender")
    assert "Kalau sama dengan Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta, pilih" in chat.text
    chat.play([("tap", "household"), ("tap", "skip")])
    assert "HP 0812-3456-7890\nJl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta" in chat.text
    chat.tap("ok")
    wife = chat.registration
    assert wife.reference != own and f"Referensi: {wife.reference}" in chat.text
    assert f"(Nomor referensi Anda sendiri tetap {own}.)" in chat.text
    assert len(chat.text) <= 600
    assert (wife.full_name, wife.consent_version) == ("Sri Wahyuni", "2026-11-24.2-family")
    assert (wife.phone, wife.city, wife.city_code) == ("+6281234567890", "Kota Surakarta", "33.72")
    his = chat.saved[0].registration
    assert (wife.address, wife.district, wife.district_code) == (
        his.address,
        his.district,
        his.district_code,
    )
    chat.send("status")
    assert f"Nomor referensi Anda: {own}" in chat.text  # still his own


def test_a_family_member_may_give_another_number_and_address() -> None:
    chat = register_family(register(FlowChat()))
    chat.send("0813 1111 2222")
    chat.send("Jl. Melati 7, Laweyan, Kota Surakarta")
    chat.play([("tap", "skip"), ("tap", "ok")])
    wife = chat.registration
    assert (wife.phone, wife.address) == ("+6281311112222", "Jl. Melati 7, Laweyan, Kota Surakarta")


def test_the_workers_own_nik_is_not_taken_as_the_family_members() -> None:
    chat = register(FlowChat())
    chat.send("daftarkan keluarga")
    chat.play([("tap", "pedagang"), ("tap", "next"), ("send", "1 juta"), ("tap", "reg")])
    chat.send(NIK_SITI)
    assert "Itu NIK Anda sendiri" in chat.text and "upd" not in chat.option_keys
    chat.tap("other")
    chat.send(WIFE_NIK)
    assert chat.step == "birth_confirm"
