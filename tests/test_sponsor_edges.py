"""Sponsored programs at their edges (issue 14 review, as workers, staff, a sponsor's finance
office and an attacker would meet them): an accepted sponsored worker is not told to pay; a
rejected one, or one who withdrew consent, takes no seat and is not billed; a full NIK-list
program leaves the campaign's open one; a correction keeps (or starts) the months the chat said;
an ended program frees its campaign and is said when it ends before the confirmation; a "sorry"
is checked again after a correction; what a sponsor decides is not offered to change; a code
that would break a file name or address is refused."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli import main
from bot.service import ConversationService
from conversations import SponsorOffer, Sponsorship, default_rules
from storage import Database, sponsors
from tests.conftest import NOW
from tests.console_app import csrf_of, make_world
from tests.flowchat import NIK_SITI, FlowChat, golden
from tests.seed import add, registration, sponsor_program, village_campaign
from tests.test_exports import run
from tests.test_service import GOLDEN, User
from tests.test_sponsored_chat import PPU, chat_with, program_with_seats
from tests.test_sponsors import PROGRAM, cli, seeded


# --- campaign held by ended program ---
async def test_an_ended_programs_campaign_can_bring_workers_to_the_next(
    tmp_path: Path, capsys
) -> None:
    db_path = tmp_path / "bpu.sqlite3"
    db = await Database.open(db_path)
    async with db.transaction() as conn:
        village = await village_campaign(conn)
    await db.close()
    common = ["--kind", "apbd_kabupaten", "--income", "1000000", "--seats", "100"]
    last_year = ["sponsor", "add", "SPN-PPU-2026", "--sponsor", "Pemkab Penajam Paser Utara"]
    assert (
        await cli(
            db_path,
            *last_year,
            *common,
            "--from",
            "2026-01",
            "--to",
            "2026-06",
            "--campaign",
            village,
        )
        == 0
    )
    capsys.readouterr()
    code = await cli(
        db_path, *PROGRAM, *common, "--from", "2026-12", "--to", "2027-11", "--campaign", village
    )
    assert code == 0, capsys.readouterr().err


# --- code with slash no statement ---
async def test_a_program_created_in_the_console_has_a_statement_to_download(
    tmp_path: Path,
) -> None:
    world = await make_world(tmp_path)
    try:
        admin = await world.client("staff", world.ids["admin"])
        form = {
            "csrf": await csrf_of(admin, "/staff/sponsor"),
            "code": "SPN/PPU/2027",
            "sponsor": "Pemkab Penajam Paser Utara",
            "kind": "apbd_kabupaten",
            "income": "1000000",
            "seats": "10",
            "start": "2026-12",
            "end": "2027-11",
        }
        refused = await admin.post("/staff/sponsor", data=form)
        # it would name a file and a web address: refused with what to write instead
        assert refused.status == 400
        assert "use letters, digits and - only (e.g. SPN-PPU-2027)" in await refused.text()
        created = await admin.post("/staff/sponsor", data=form | {"code": "SPN-PPU-2027"})
        [link] = re.findall(r'href="([^"]*statement\.csv)"', await created.text())
        assert (await admin.get(link)).status == 200
        await admin.close()
    finally:
        await world.server.close()
        await world.db.close()


# --- edit programs contradicts rp0 ---
def test_a_sponsored_summary_offers_no_program_or_period_to_change() -> None:
    """The sponsor chose the programs (and pays month by month): the summary's "Ubah data" does
    not offer them, so no self-paid price is shown after Rp0 and no choice is dropped unsaid."""
    chat = chat_with(PPU)
    chat.play(golden()[:-1])
    assert "Rp0 untuk Anda" in chat.text
    chat.tap("edit")
    assert "programs" not in chat.option_keys and "period" not in chat.option_keys
    assert "name" in chat.option_keys


# --- last month confirm silently self paid ---
async def test_the_worker_hears_why_rp0_became_a_premium(db: Database) -> None:
    clock = [datetime(2026, 11, 30, 16, 50, tzinfo=UTC)]  # 23:50 WIB, the program's last month
    service = ConversationService(
        db, default_rules(), ZoneInfo("Asia/Jakarta"), clock=lambda: clock[0]
    )
    async with db.transaction() as conn:
        village = await village_campaign(conn)
        await sponsors.create(
            conn,
            sponsor_program(
                code="SPN-PPU-2026",
                start=datetime(2026, 6, 1).date(),
                end=datetime(2026, 11, 1).date(),
                campaigns=(village,),
            ),
            "t",
            NOW,
        )
    user = User(service)
    await user.send("open", village)
    summary = await user.run(GOLDEN[:-1])
    assert "Rp0 untuk Anda" in summary
    clock[0] = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)  # 00:05 WIB, 1 December
    after = await user.send("choice", "ok")
    assert "Rp0" not in after  # the summary now shows what she pays herself
    assert "Program yang akan membayar iuran Anda sudah berakhir" in after, after


# --- list refusal unsaid ---
def test_a_campaign_worker_not_on_the_list_is_told_why_they_pay() -> None:
    program = replace(PPU, nik_list=True)
    chat = FlowChat()

    def offer(query: SponsorOffer) -> Sponsorship | None:  # Siti is not on the list
        return program if query.campaign == "desa-1" else None

    chat.sponsors = offer
    chat.open(payload="desa-1")
    said = []
    for action, value in golden()[:-1]:
        chat.play([(action, value)])
        said.append(chat.text)
    assert NIK_SITI and "JKK + JKM: Rp13.400 sebulan" in said[-1]
    assert any("hanya untuk orang yang ada di daftar" in s or "Maaf" in s for s in said), said[-1]


# --- nik on a full list loses open program ---
async def test_the_open_program_of_the_campaign_pays_when_the_listing_one_is_full(
    service: ConversationService, db: Database
) -> None:
    async with db.transaction() as conn:  # the province's list names Siti; its one seat is taken
        await sponsors.create(
            conn,
            sponsor_program(
                code="SPN-KALTIM-2027",
                sponsor="Pemprov Kalimantan Timur",
                kind="apbd_provinsi",
                seats=1,
                niks=(NIK_SITI, registration(0).nik),
            ),
            "t",
            NOW,
        )
    await add(db, replace(registration(0), sponsor_program="SPN-KALTIM-2027"))
    campaign = await program_with_seats(db, 100)  # the regency's program: 100 seats, none taken
    user = User(service)
    await user.send("open", campaign)
    said = [await user.send(kind, value) for kind, value in GOLDEN[:-1]]
    assert "Kabar baik: iuran Anda dibayar Pemkab Penajam Paser Utara" in said[2]  # the quote
    summary = said[-1]  # once the NIK is known
    assert "sudah penuh" not in summary and "Rp0 untuk Anda" in summary, summary


# --- refusal sticks after correction ---
def test_correcting_the_kind_of_work_to_one_the_sponsor_pays_for() -> None:
    chat = chat_with(replace(PPU, occupations=("petani", "nelayan")))
    chat.play(golden()[:3])  # tapped "pedagang": told kindly it is only for some kinds of work
    assert "hanya untuk pekerjaan tertentu" in chat.text
    chat.play(golden()[3:-1])
    chat.tap("edit")
    chat.tap("occupation")
    chat.tap("petani")  # she farms: the program's kind of work
    assert chat.step == "summary", chat.step
    assert "Rp0 untuk Anda" in chat.text, chat.text


def test_correcting_a_mistyped_nik_to_the_one_on_the_sponsors_list() -> None:
    program = replace(PPU, nik_list=True)
    chat = FlowChat()

    def offer(query: SponsorOffer) -> Sponsorship | None:  # the campaign's program, with a list
        if query.campaign == "desa-1":
            return replace(program, nik_listed=query.nik == NIK_SITI)
        return None

    chat.sponsors = offer
    chat.open(payload="desa-1")
    typo = registration(0).nik  # a valid NIK, but not hers
    chat.play([(a, typo if v == NIK_SITI else v) for a, v in golden()[:-1]])
    assert "Rp0 untuk Anda" not in chat.text
    chat.tap("edit")
    chat.tap("nik")
    chat.send(NIK_SITI)  # her NIK, which is on the sponsor's list
    chat.tap("yes")
    assert chat.step == "summary", chat.step
    assert "Rp0 untuk Anda" in chat.text, chat.text


# --- sponsored member told to pay ---
async def test_accepted_sponsored_worker_is_not_told_to_pay(
    service: ConversationService, db: Database, db_target: Path | str, tmp_path: Path
) -> None:
    campaign = await program_with_seats(db, 5)
    user = User(service, "111", channel="telegram")
    await user.send("open", campaign)
    text = await user.run(GOLDEN)
    assert "Rp0" in text or "tidak perlu bayar" in text
    [(reference, nik)] = await db.fetch_all("SELECT reference, nik FROM registrations")
    results = tmp_path / "hasil.csv"
    results.write_text(
        f"reference,nik,result,kpj,start_date\n{reference},{nik},accepted,26010000001,2026-12-01\n"
    )
    assert await asyncio.to_thread(main, ["import", str(results), "--db", str(db_target)]) == 0
    [(notice,)] = await db.fetch_all("SELECT text FROM outbox")
    status = await user.send("text", "status")
    # the chat promised: Pemkab pays until November 2027, Rp0 for the worker until then
    told_to_pay = [
        said
        for said, words in (
            (notice, "Bayar iuran tiap bulan"),
            (status, "bayar dengan menyebut NIK"),
        )
        if words in said
    ]
    assert told_to_pay == [], told_to_pay


# --- statement after consent withdrawn ---
async def test_withdrawn_consent_leaves_the_sponsors_statement(
    service: ConversationService, db: Database, db_target: Path | str, tmp_path: Path, capsys
) -> None:
    campaign = await program_with_seats(db, 1)
    user = User(service)
    await user.send("open", campaign)
    await user.run(GOLDEN)
    await user.send("choice", "no")  # no reminders
    await run(db, tmp_path / "a")  # sent to BPJS Ketenagakerjaan
    await user.send("text", "hapus data saya")
    assert "sudah dihapus" in await user.send("choice", "yes")
    out = tmp_path / "statement.csv"
    capsys.readouterr()
    assert await cli(db_target, "sponsor", "statement", "SPN-PPU-2027", "--out", str(out)) == 0
    text = out.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert await cli(db_target, "sponsor", "list") == 0
    listed = capsys.readouterr().out
    assert NIK_SITI not in text, f"{len(rows) - 2} months billed, NIK and name shown to sponsor"
    assert "seats 0 taken, 1 left of 1" in listed, listed


# --- statement bills rejected ---
async def test_a_worker_bpjs_rejected_is_not_billed_and_frees_the_seat(
    tmp_path: Path, capsys
) -> None:
    db = tmp_path / "bpu.sqlite3"
    program = [*PROGRAM, "--kind", "apbd_kabupaten", "--income", "1000000", "--seats", "2"]
    assert await cli(db, *program, "--from", "2026-12", "--to", "2027-02") == 0
    await seeded(db, "SPN-PPU-2027", 2)
    rejected = registration(1)
    results = tmp_path / "hasil.csv"
    results.write_text(
        "reference,nik,result,reason\n"
        f"{rejected.reference},{rejected.nik},rejected,NIK tidak terdaftar di Dukcapil\n"
    )
    assert await cli(db, "import", str(results)) == 0
    assert "1 changed, 0 not applied" in capsys.readouterr().out  # BPJS's rejection recorded
    out = tmp_path / "statement.csv"
    capsys.readouterr()
    assert await cli(db, "sponsor", "statement", "SPN-PPU-2027", "--out", str(out)) == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    billed = {r[2] for r in rows[1:-1]}
    assert await cli(db, "sponsor", "list") == 0
    listed = capsys.readouterr().out
    assert rejected.reference not in billed, f"billed 3 months for a rejected NIK: {billed}"
    assert "seats 1 taken, 1 left of 2" in listed, listed


# --- update after program erases its months ---
async def test_a_correction_after_the_program_keeps_the_months_it_paid(
    db: Database, db_target: Path | str, tmp_path: Path, capsys
) -> None:
    clock = [NOW]  # 21 November 2026
    service = ConversationService(
        db, default_rules(), ZoneInfo("Asia/Jakarta"), clock=lambda: clock[0]
    )
    async with db.transaction() as conn:
        village = await village_campaign(conn)
        await sponsors.create(
            conn,
            sponsor_program(
                code="SPN-PPU-2026",
                start=NOW.date().replace(day=1),
                end=NOW.date().replace(month=12, day=1),
                campaigns=(village,),
            ),
            "t",
            NOW,
        )
    user = User(service)
    await user.send("open", village)
    assert "Data Anda diterima" in await user.run(GOLDEN)
    await user.send("choice", "no")  # no reminders
    clock[0] = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)  # the program paid Nov and Dec 2026
    await user.send("text", "ubah data")
    await user.send("choice", "edit")
    await user.send("choice", "name")
    await user.send("text", "Siti Aminah Lestari")
    assert "Data Anda diterima" in await user.send("choice", "ok")
    [row] = await db.fetch_all("SELECT full_name, revision, sponsor_program FROM registrations")
    out = tmp_path / "statement.csv"
    capsys.readouterr()
    assert await cli(db_target, "sponsor", "statement", "SPN-PPU-2026", "--out", str(out)) == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    months = [r[6] for r in rows[1:-1]]
    assert tuple(row)[:2] == ("Siti Aminah Lestari", 2)
    assert months == ["2026-11", "2026-12"], (tuple(row), months)


# --- update into program bills earlier month ---
async def test_the_statement_starts_in_the_month_the_chat_said(
    db: Database, db_target: Path | str, tmp_path: Path, capsys
) -> None:
    clock = [datetime(2026, 10, 15, 3, 0, tzinfo=UTC)]
    service = ConversationService(
        db, default_rules(), ZoneInfo("Asia/Jakarta"), clock=lambda: clock[0]
    )
    user = User(service)
    await user.send("open")
    await user.run(GOLDEN)  # October: no program yet, she pays for herself
    await user.send("choice", "no")
    async with db.transaction() as conn:
        await sponsors.create(
            conn,
            sponsor_program(
                code="SPN-SKA-2027",
                sponsor="PT Batik Makmur",
                kind="csr",
                start=date(2026, 11, 1),
                end=date(2027, 10, 1),
                niks=(NIK_SITI,),
            ),
            "t",
            NOW,
        )
    clock[0] = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    told = await user.send("text", "ubah data")
    await user.send("choice", "edit")
    await user.send("choice", "name")
    await user.send("text", "Siti Aminah Lestari")
    assert "dibayar PT Batik Makmur dari Desember 2026 sampai Oktober 2027" in told
    assert "Data Anda diterima" in await user.send("choice", "ok")
    out = tmp_path / "statement.csv"
    assert await cli(db_target, "sponsor", "statement", "SPN-SKA-2027", "--out", str(out)) == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[1][6] == "2026-12", [r[6] for r in rows[1:4]]
