"""Results from the main membership system, imported as staff do it (`bpu-bot import FILE`):
what is applied, what is reported and never guessed, the same file twice, and what a worker then
sees with `status` in the chat (issue 13, first part)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl

from bot.service import ConversationService
from conversations import default_rules
from storage import Database
from tests.seed import add, registration
from tests.test_cli import bpu
from tests.test_service import GOLDEN, User

ACCEPTED = registration(1, reference="BPU-ACPT-0001")
REJECTED = registration(2, reference="BPU-REJC-0002")
PAYING = registration(3, reference="BPU-PAYS-0003")
HEADER = "reference,nik,result,kpj,start_date,reason,paid_until\n"


async def seed(db_path: Path) -> None:
    async with await Database.open(db_path) as db:
        for i, reg in enumerate((ACCEPTED, REJECTED, PAYING)):
            await add(db, reg, user=f"u{i}")


def memberships(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            """SELECT r.reference, m.state, m.kpj, m.starts_on, m.reason, m.paid_until
               FROM memberships m JOIN registrations r ON r.id = m.registration_id
               ORDER BY r.reference"""
        ).fetchall()


async def test_a_results_file_is_applied_reported_and_not_applied_twice(tmp_path: Path) -> None:
    db = tmp_path / "bpu.sqlite3"
    await seed(db)
    results = tmp_path / "hasil.csv"
    results.write_text(
        HEADER
        + f"{ACCEPTED.reference},{ACCEPTED.nik},diterima,KPJ-11223344,01-12-2026,,\n"
        + f"{REJECTED.reference},{REJECTED.nik},ditolak,,,Data KTP tidak terbaca,\n"
        + f"{PAYING.reference},{PAYING.nik},accepted,KPJ-55667788,2026-12-01,,2026-12\n"
        + f"BPU-NONE-9999,{ACCEPTED.nik},accepted,KPJ-1,,,\n"  # matches no registration
        + f"{ACCEPTED.reference},3372051708990001,accepted,KPJ-2,,,\n"  # another NIK
        + f"{REJECTED.reference},{REJECTED.nik},accepted,,,,\n"  # accepted without a KPJ
        + f"{PAYING.reference},{PAYING.nik},,,,,2026-13\n"  # not a month
    )
    first = bpu(tmp_path, "--db", str(db), "import", str(results))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "import batch 1: 7 rows, 3 changed, 4 not applied",
        "  line 5 BPU-NONE-9999: no registration has this reference",
        f"  line 6 {ACCEPTED.reference}: the NIK is not the registration's",
        f"  line 7 {REJECTED.reference}: accepted without a KPJ",
        f"  line 8 {PAYING.reference}: paid_until '2026-13' is not a month YYYY-MM since 2015",
    ]
    applied = [
        (ACCEPTED.reference, "accepted", "KPJ-11223344", "2026-12-01", None, None),
        (PAYING.reference, "accepted", "KPJ-55667788", "2026-12-01", None, "2026-12"),
        (REJECTED.reference, "rejected", None, None, "Data KTP tidak terbaca", None),
    ]
    assert memberships(db) == applied
    again = bpu(tmp_path, "--db", str(db), "import", str(results))
    assert (
        again.stdout.startswith("already imported as batch 1") and "nothing changed" in again.stdout
    )
    assert memberships(db) == applied
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM import_batches").fetchone() == (1,)
        # results are not new details: nothing goes out again in the next export
        assert conn.execute("SELECT max(revision) FROM registrations").fetchone() == (1,)


async def test_a_later_file_pays_on_and_a_contradiction_is_reported(tmp_path: Path) -> None:
    db = tmp_path / "bpu.sqlite3"
    await seed(db)
    (tmp_path / "a.csv").write_text(
        HEADER + f"{ACCEPTED.reference},{ACCEPTED.nik},accepted,KPJ-11223344,,,2026-12\n"
    )
    assert bpu(tmp_path, "--db", str(db), "import", "a.csv").returncode == 0
    # an XLSX from the main system, months later: paid on; then a rejection and an older month
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Referensi", "NIK", "Hasil", "No KPJ", "Tanggal Mulai", "Alasan", "Lunas Sampai"])
    sheet.append([ACCEPTED.reference, ACCEPTED.nik, None, None, None, None, "2027-02"])
    sheet.append([ACCEPTED.reference, ACCEPTED.nik, "ditolak", None, None, "Ganda", None])
    sheet.append([ACCEPTED.reference, ACCEPTED.nik, None, None, None, None, "2026-11"])
    book.save(tmp_path / "b.xlsx")
    later = bpu(tmp_path, "--db", str(db), "import", "b.xlsx")
    assert later.stdout.splitlines() == [
        "import batch 2: 3 rows, 1 changed, 2 not applied",
        f"  line 3 {ACCEPTED.reference}: accepted before: a rejection now is not applied",
        f"  line 4 {ACCEPTED.reference}: paid until 2026-11, earlier than the 2027-02 recorded",
    ]
    assert memberships(db)[0][1:] == ("accepted", "KPJ-11223344", None, None, "2027-02")


async def test_a_file_without_the_columns_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "bpu.sqlite3"
    await seed(db)
    (tmp_path / "x.csv").write_text("nama,alamat\nSiti,Solo\n")
    refused = bpu(tmp_path, "--db", str(db), "import", "x.csv")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip() == (
        "the first row must name the columns: reference and nik at least"
    )
    assert memberships(db) == []


async def test_status_says_what_the_main_system_said(
    db: Database, db_target: Path | str, tmp_path: Path
) -> None:
    when = {"now": datetime(2026, 11, 21, 3, 0, tzinfo=UTC)}
    service = ConversationService(
        db, default_rules(), ZoneInfo("Asia/Jakarta"), clock=lambda: when["now"]
    )
    user = User(service)
    await user.send("open")
    await user.run(GOLDEN)
    [(reference, nik)] = await db.fetch_all("SELECT reference, nik FROM registrations")
    results = tmp_path / "hasil.csv"
    results.write_text(HEADER + f"{reference},{nik},accepted,KPJ-90001234,2026-12-01,,\n")
    assert bpu(tmp_path, "--db", str(db_target), "import", "hasil.csv").returncode == 0
    said = await user.send("text", "status")
    assert "Nomor peserta (KPJ): KPJ-90001234. Terlindungi sejak 1 Desember 2026." in said
    assert "Belum ada pembayaran tercatat" in said
    (tmp_path / "paid.csv").write_text(HEADER + f"{reference},{nik},,,,,2026-12\n")
    bpu(tmp_path, "--db", str(db_target), "import", "paid.csv")
    assert "Iuran sudah dibayar sampai Desember 2026." in await user.send("text", "status")
    when["now"] = datetime(2027, 3, 5, 3, 0, tzinfo=UTC)  # January, February unpaid: still in
    assert "Iuran sudah dibayar sampai Desember 2026." in await user.send("text", "status")
    when["now"] = datetime(2027, 4, 5, 3, 0, tzinfo=UTC)  # January to March unpaid: non-active
    said = await user.send("text", "status")
    assert "3 bulan belum dibayar, jadi Anda sekarang tidak terlindungi" in said
