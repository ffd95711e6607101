"""A sponsored program in the chat (issue 14): a worker brought by its campaign, or whose NIK is
on the sponsor's list, hears that the premium is paid for them, for how long and what comes
after; the quote and the summary show Rp0 for them and what the sponsor pays; the PP 50/2025
discount only where the sponsor's kind gets it. One who does not qualify (work, region, list)
or comes when the seats are taken is told so kindly and registers paying for themselves; the
seats are never oversold, even when many workers confirm at the same moment."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.service import ConversationService
from conversations import SponsorOffer, Sponsorship
from storage import Database, sponsors
from tests.conftest import NOW
from tests.flowchat import NIK_SITI, FlowChat, golden
from tests.seed import sponsor_program, village_campaign
from tests.test_exports import read_csv, run
from tests.test_service import GOLDEN, User

PPU = Sponsorship(
    code="SPN-PPU-2027",
    sponsor="Pemkab Penajam Paser Utara",
    kind="apbd_kabupaten",
    with_jht=False,
    declared_income=1_000_000,
    start=date(2026, 12, 1),
    end=date(2027, 11, 1),
    occupations=(),
    city_codes=(),
    nik_list=False,
    nik_listed=False,
    seats=100,
    seats_left=100,
)


def chat_with(program: Sponsorship | None, by_campaign: bool = True) -> FlowChat:
    """A chat whose storage offers `program` to the campaign "desa-1" (or to NIK_SITI)."""
    chat = FlowChat()

    def offer(query: SponsorOffer) -> Sponsorship | None:
        if by_campaign and query.campaign == "desa-1":
            return program
        if not by_campaign and query.nik == NIK_SITI and program:
            return replace(program, nik_listed=True)
        return None

    chat.sponsors = offer
    chat.open(payload="desa-1")
    return chat


def test_brought_by_its_campaign_the_worker_pays_nothing_and_knows_until_when() -> None:
    chat = chat_with(PPU)
    chat.play(golden()[:3])  # occupation, benefits, income
    assert (
        "Kabar baik: iuran Anda dibayar Pemkab Penajam Paser Utara dari Desember 2026 sampai "
        "November 2027. Anda bayar Rp0 (Pemkab Penajam Paser Utara membayar Rp16.800 sebulan). "
        "Mulai Desember 2027, supaya tetap terlindungi, Anda bayar sendiri Rp16.800 sebulan."
    ) in chat.text  # APBD: no PP 50/2025 discount, though traders have it in December 2026
    assert "reg_jht" not in chat.option_keys  # the sponsor chose the programs
    chat.play(golden()[3:-1])
    assert (
        "JKK + JKM: Rp0 untuk Anda, dibayar Pemkab Penajam Paser Utara (Rp16.800 sebulan) sampai "
        "November 2027"
    ) in chat.text
    chat.tap("ok")
    reg = chat.registration
    assert reg.sponsor_program == "SPN-PPU-2027"
    assert (reg.monthly_premium, reg.income_declared, reg.discount) == (16_800, 1_000_000, None)
    assert reg.income_stated == 2_000_000  # what the worker said stays theirs
    assert (
        "Iuran Anda dibayar Pemkab Penajam Paser Utara sampai November 2027: sampai itu Anda tidak "
        "perlu bayar. Mulai Desember 2027, bayar Rp16.800 tiap bulan"
    ) in chat.text


def test_a_kind_that_gets_the_discount_pays_the_discounted_premium() -> None:
    chat = chat_with(replace(PPU, kind="other", sponsor="Koperasi Tani Makmur"))
    chat.play(golden())
    reg = chat.registration
    assert reg.monthly_premium == 8_400 and reg.discount == "PP 50/2025 50% until 2026-12-31"


def test_on_the_sponsors_list_the_worker_hears_it_once_the_nik_is_known() -> None:
    chat = chat_with(replace(PPU, nik_list=True), by_campaign=False)
    chat.play(golden()[:3])
    assert "Rp0" not in chat.text and "Pemkab" not in chat.text  # the NIK is not known yet
    chat.play(golden()[3:-1])
    assert "Kabar baik: iuran Anda dibayar Pemkab Penajam Paser Utara" in chat.text
    assert "JKK + JKM: Rp0 untuk Anda" in chat.text
    chat.tap("ok")
    assert chat.registration.sponsor_program == "SPN-PPU-2027"


def test_another_region_is_told_kindly_and_pays_for_itself() -> None:
    chat = chat_with(replace(PPU, city_codes=("64.09",)))  # the worker lives in Kota Surakarta
    chat.play(golden()[:-1])
    assert (
        "Maaf, program yang dibayar Pemkab Penajam Paser Utara hanya untuk pekerja yang tinggal "
        "di wilayahnya. Anda tetap bisa ikut dan bayar sendiri:"
    ) in chat.text
    assert "JKK + JKM: Rp13.400 sebulan" in chat.text
    chat.tap("ok")
    assert chat.registration.sponsor_program is None
    assert chat.registration.monthly_premium == 13_400


def test_another_kind_of_work_is_told_at_the_quote() -> None:
    chat = chat_with(replace(PPU, occupations=("petani", "nelayan")))
    chat.play(golden()[:3])
    assert "hanya untuk pekerjaan tertentu. Anda tetap bisa ikut dan bayar sendiri" in chat.text
    assert "Rp13.400 sebulan" in chat.text and "reg_jht" in chat.option_keys


async def program_with_seats(db: Database, seats: int) -> str:
    """A program of `seats` seats, brought by a new campaign: the campaign's code."""
    async with db.transaction() as conn:
        village = await village_campaign(conn)
        program = sponsor_program(seats=seats, campaigns=(village,))
        await sponsors.create(conn, program, "t", NOW)
    return village


async def test_correcting_a_sponsored_registration_keeps_its_seat_when_all_are_taken(
    service: ConversationService, db: Database
) -> None:
    campaign = await program_with_seats(db, 1)
    user = User(service, "w1")
    await user.send("open", campaign)
    await user.run(GOLDEN)
    await user.send("choice", "no")  # no reminders
    await user.send("text", "ubah data")
    await user.send("choice", "edit")
    await user.send("choice", "name")
    await user.send("text", "Siti Aminah Lestari")
    assert "Rp0 untuk Anda" in user.replies[0].text and "penuh" not in user.replies[0].text
    assert "Data Anda diterima" in await user.send("choice", "ok")
    [row] = await db.fetch_all("SELECT full_name, revision, sponsor_program FROM registrations")
    assert tuple(row) == ("Siti Aminah Lestari", 2, "SPN-PPU-2027")


async def test_seats_are_never_oversold_when_many_confirm_at_once(
    service: ConversationService, db: Database, tmp_path: Path
) -> None:
    campaign = await program_with_seats(db, 3)
    workers = [User(service, f"w{i}") for i in range(6)]
    for i, user in enumerate(workers):
        await user.send("open", campaign)
        nik = f"33720517088{i + 1:05d}"
        await user.run([(k, nik if v == NIK_SITI else v) for k, v in GOLDEN[:-1]])
        assert "Rp0 untuk Anda" in user.replies[0].text  # every one was told it is paid
    answers = await asyncio.gather(*(user.send("choice", "ok") for user in workers))
    sponsored = await db.fetch_all(
        "SELECT count(*) FROM registrations WHERE sponsor_program = 'SPN-PPU-2027'"
    )
    assert sponsored[0][0] == 3  # exactly the seats
    told_full = [a for a in answers if "sudah penuh: semua tempatnya sudah terisi" in a]
    assert len(told_full) == 3 and all("Rp13.400 sebulan" in a for a in told_full)
    for user, answer in zip(workers, answers, strict=True):
        if answer in told_full:
            assert "Data Anda diterima" in await user.send("choice", "ok")  # pays for themselves
        else:  # `status` says who pays, not "to pay, say your NIK"
            status = await user.send("text", "status")
            assert "Iuran Anda dibayar Pemkab Penajam Paser Utara sampai November 2027." in status
    rows = await db.fetch_all(
        "SELECT coalesce(sponsor_program, '-'), monthly_premium FROM registrations"
    )
    assert sorted(tuple(r) for r in rows) == [
        ("-", 13_400),
        ("-", 13_400),
        ("-", 13_400),
        ("SPN-PPU-2027", 16_800),
        ("SPN-PPU-2027", 16_800),
        ("SPN-PPU-2027", 16_800),
    ]
    # the export marks who a sponsor pays for, with the program's months
    exported = read_csv((await run(db, tmp_path)).path)
    marked = [r for r in exported if r["sponsor_program"]]
    assert len(marked) == 3 and len(exported) == 6
    assert {(r["sponsor"], r["sponsor_from"], r["sponsor_until"]) for r in marked} == {
        ("Pemkab Penajam Paser Utara", "2026-12", "2027-11")
    }
