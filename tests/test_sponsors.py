"""Sponsored programs, the staff side (issue 14, first part): `bpu-bot sponsor add|list|
statement`. A program is checked when created; its seats are counted from the registrations it
pays for; the statement lists who, which months and how much, with the PP 50/2025 discount only
where the sponsor's kind gets it, and its total row equals the sum of its lines."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from conversations import default_rules
from storage import Database, registrations, sponsors
from tests.conftest import NOW
from tests.console_app import csrf_of, make_world
from tests.seed import registration, village_campaign

PROGRAM = ["sponsor", "add", "SPN-PPU-2027", "--sponsor", "Pemkab Penajam Paser Utara"]


async def cli(db: Path | str, *args: str) -> int:
    """The command as staff run it (in a thread: it runs its own event loop)."""
    return await asyncio.to_thread(main, [*args, "--db", str(db)])


async def seeded(db_path: Path, program: str | None, n: int, **changes: object) -> None:
    db = await Database.open(db_path)
    try:
        for i in range(n):
            reg = replace(registration(i), sponsor_program=program, **changes)
            user = f"w{i}"
            await db.run(
                lambda c, r=reg, u=user: registrations.save(c, r, None, "test", u, "s", NOW)
            )
    finally:
        await db.close()


async def test_a_program_is_checked_when_it_is_created(tmp_path: Path, capsys) -> None:
    db = tmp_path / "bpu.sqlite3"
    base = [*PROGRAM, "--kind", "apbd_kabupaten", "--income", "1000000", "--seats", "2"]
    months = ["--from", "2026-12", "--to", "2027-02"]
    assert (
        await cli(db, *base[:-4], "--kind", "apbd", "--income", "1000000", "--seats", "2", *months)
        == 2
    )
    assert "unknown kind apbd: one of apbd_kabupaten, apbd_provinsi, apbn, csr, other" in (
        capsys.readouterr().err
    )
    assert await cli(db, *base, "--from", "2027-02", "--to", "2026-12") == 2
    assert "ends (2026-12) before it starts" in capsys.readouterr().err
    assert await cli(db, *base, *months, "--city", "99.99") == 2
    assert "no kabupaten/kota has the code 99.99" in capsys.readouterr().err
    assert await cli(db, *base, *months, "--occupation", "guru") == 2
    assert "unknown occupation guru" in capsys.readouterr().err
    assert await cli(db, *base, *months, "--campaign", "nope-1") == 2
    assert "there is no campaign nope-1" in capsys.readouterr().err
    niks = tmp_path / "niks.txt"
    niks.write_text("6409014107850001\n12345\n")
    assert await cli(db, *base, *months, "--niks", str(niks)) == 2
    assert "line 2 is not a NIK" in capsys.readouterr().err
    assert await cli(db, *base, *months, "--city", "64.09", "--occupation", "petani") == 0
    assert await cli(db, *base, *months) == 2
    assert "a program SPN-PPU-2027 exists already" in capsys.readouterr().err


async def test_seats_taken_and_left_per_campaign(tmp_path: Path, capsys) -> None:
    db_path = tmp_path / "bpu.sqlite3"
    db = await Database.open(db_path)
    async with db.transaction() as conn:
        village = await village_campaign(conn)
    await db.close()
    program = [*PROGRAM, "--kind", "apbd_kabupaten", "--income", "1000000", "--seats", "5"]
    assert (
        await cli(db_path, *program, "--from", "2026-12", "--to", "2027-11", "--campaign", village)
        == 0
    )
    await seeded(db_path, "SPN-PPU-2027", 3, campaign=village)
    capsys.readouterr()
    assert await cli(db_path, "sponsor", "list") == 0
    listed = capsys.readouterr().out
    assert "SPN-PPU-2027  Pemkab Penajam Paser Utara (APBD kabupaten/kota)" in listed
    assert "seats 3 taken, 2 left of 5" in listed
    assert f"    {village}: 3" in listed


@pytest.mark.parametrize(
    ("kind", "per_worker"),
    [
        # APBD: no PP 50/2025 discount (bpu-facts.md section 1): 3 x Rp16.800
        ("apbd_kabupaten", [16_800, 16_800, 16_800]),
        # "other": the traders' discount runs to December 2026: Rp8.400, then Rp16.800
        ("other", [8_400, 16_800, 16_800]),
    ],
)
async def test_the_statement_totals_equal_the_sum_of_the_registrations(
    tmp_path: Path, capsys, kind: str, per_worker: list[int]
) -> None:
    db_path = tmp_path / "bpu.sqlite3"
    program = [*PROGRAM, "--kind", kind, "--income", "1000000", "--seats", "10"]
    assert await cli(db_path, *program, "--from", "2026-12", "--to", "2027-02") == 0
    await seeded(db_path, "SPN-PPU-2027", 4)  # registered in November: paid for from December
    await seeded(db_path, None, 0)
    out = tmp_path / "statement.csv"
    capsys.readouterr()
    assert await cli(db_path, "sponsor", "statement", "SPN-PPU-2027", "--out", str(out)) == 0
    total = 4 * sum(per_worker)
    assert f"4 workers, 12 months, total Rp{total:,}" in capsys.readouterr().out
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and out.stat().st_mode & 0o777 == 0o600
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, lines, footer = rows[0], rows[1:-1], rows[-1]
    assert header[:7] == ["program", "sponsor", "reference", "nik", "full_name", "city", "month"]
    assert [r[6] for r in lines[:3]] == ["2026-12", "2027-01", "2027-02"]
    assert [int(r[11]) for r in lines[:3]] == per_worker
    assert lines[0][3].startswith('="') and len(lines[0][3]) == 19  # the NIK kept as text
    assert footer[2] == "TOTAL" and int(footer[11]) == sum(int(r[11]) for r in lines) == total
    # the same as XLSX
    xlsx = tmp_path / "statement.xlsx"
    args = ["sponsor", "statement", "SPN-PPU-2027", "--format", "xlsx", "--out", str(xlsx)]
    assert await cli(db_path, *args) == 0
    sheet = list(openpyxl.load_workbook(xlsx, read_only=True).active.iter_rows(values_only=True))
    assert sheet[-1][2] == "TOTAL" and sheet[-1][11] == total
    assert await cli(db_path, *args) == 1  # never overwritten
    assert default_rules().sponsor_kind(kind) is not None


async def test_the_console_creates_a_program_shows_its_seats_and_gives_its_statement(
    tmp_path: Path,
) -> None:
    world = await make_world(tmp_path)
    try:
        admin = await world.client("staff", world.ids["admin"])
        solo = await world.client("staff", world.ids["solo"])
        assert (await solo.get("/staff/sponsor")).status == 403  # a program spans branches
        form = {
            "csrf": await csrf_of(admin, "/staff/sponsor"),
            "code": "spn-solo-2027",
            "sponsor": "PT Batik Makmur",
            "kind": "csr",
            "income": "1000000",
            "seats": "10",
            "start": "2026-12",
            "end": "2027-01",
            "campaigns": world.ids["k_solo"],
        }
        wrong = await admin.post("/staff/sponsor", data=form | {"end": "2026-01"})
        assert wrong.status == 400 and "before it starts" in await wrong.text()
        page = await (await admin.post("/staff/sponsor", data=form)).text()
        assert "PT Batik Makmur" in page and "Kursi: 0 terpakai, 10 tersisa dari 10" in page
        await world.db.run(
            lambda c: c.execute(
                "UPDATE registrations SET sponsor_program = 'SPN-SOLO-2027' WHERE campaign = ?",
                (world.ids["k_solo"],),
            )
        )
        page = await (await admin.get("/staff/sponsor")).text()
        assert "Kursi: 2 terpakai, 8 tersisa dari 10" in page
        response = await admin.get("/staff/sponsor/SPN-SOLO-2027/statement.csv")
        body = (await response.read()).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        # CSR: no PP 50/2025 discount (bpu-facts.md section 5): 2 workers x 2 months x Rp16.800
        assert rows[-1][2] == "TOTAL" and rows[-1][11] == str(4 * 16_800)
        await admin.close()
        await solo.close()
    finally:
        await world.server.close()
        await world.db.close()


async def test_a_closed_program_is_offered_to_nobody_and_still_has_its_statement(
    tmp_path: Path, capsys
) -> None:
    db_path = tmp_path / "bpu.sqlite3"
    program = [*PROGRAM, "--kind", "apbn", "--income", "1000000", "--seats", "10"]
    assert await cli(db_path, *program, "--from", "2026-12", "--to", "2027-01") == 0
    await seeded(db_path, "SPN-PPU-2027", 1)
    assert await cli(db_path, "sponsor", "close", "SPN-PPU-2027") == 0
    assert await cli(db_path, "sponsor", "close", "SPN-PPU-2027") == 1  # closed already
    capsys.readouterr()
    assert await cli(db_path, "sponsor", "list") == 0
    assert "SPN-PPU-2027" not in capsys.readouterr().out
    out = tmp_path / "s.csv"
    assert await cli(db_path, "sponsor", "statement", "SPN-PPU-2027", "--out", str(out)) == 0
    assert "1 workers, 2 months, total Rp33,600" in capsys.readouterr().out
    db = await Database.open(db_path)
    try:
        offered = await db.run(lambda c: sponsors.offers(c, None, registration(0).nik, NOW.date()))
    finally:
        await db.close()
    assert offered == ()
