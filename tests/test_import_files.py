"""Results files as the main system really sends them (issue 13 review): Excel's dates and
numbers, files that are not CSV or XLSX, a reason on two lines for a WhatsApp template, a
reinstated template."""

from __future__ import annotations

import asyncio
import contextlib
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from bot.staff.imports import ImportFailed, import_file, read
from conversations import default_rules
from storage import Database, registrations, whatsapp_templates
from storage import whatsapp as book
from tests.conftest import NOW
from tests.seed import registration
from tests.test_cli import bpu
from tests.test_imports import ACCEPTED, PAYING, REJECTED, seed
from tests.test_outbox import WA_ID, graph, send_with, whatsapp_worker  # noqa: F401


def test_a_month_excel_turned_into_a_date_is_still_the_month(tmp_path: Path) -> None:
    """Typing 2026-12 into Excel makes it a date cell (1 Dec 2026): the payment row is lost."""
    wb = openpyxl.Workbook()
    wb.active.append(["reference", "nik", "result", "kpj", "paid_until"])
    wb.active.append([PAYING.reference, PAYING.nik, "accepted", "KPJ-5", datetime(2026, 12, 1)])
    wb.save(tmp_path / "hasil.xlsx")
    results, problems = read(tmp_path / "hasil.xlsx")
    assert problems == [] and results[0].paid_until == "2026-12"


def test_a_number_excel_wrote_in_e_notation_is_not_stored_with_dot_zero(tmp_path: Path) -> None:
    """openpyxl reads '1.2345678901E10' as a float: str() gives '12345678901.0' as the KPJ
    (imports._text was written for this and is never called)."""
    wb = openpyxl.Workbook()
    wb.active.append(["reference", "nik", "result", "kpj"])
    wb.active.append([ACCEPTED.reference, ACCEPTED.nik, "accepted", 12345678901])
    wb.save(tmp_path / "a.xlsx")
    with (
        zipfile.ZipFile(tmp_path / "a.xlsx") as zin,
        zipfile.ZipFile(tmp_path / "b.xlsx", "w") as zout,
    ):
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>12345678901</v>", b"<v>1.2345678901E10</v>")
            zout.writestr(item, data)
    [result], _ = read(tmp_path / "b.xlsx")
    assert result.kpj == "12345678901"


def test_an_xlsx_that_is_not_one_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "hasil.xlsx").write_bytes(b"reference,nik\n")  # a CSV renamed
    with pytest.raises(ImportFailed):
        read(tmp_path / "hasil.xlsx")


def test_a_csv_with_a_huge_field_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "hasil.csv").write_text(
        "reference,nik,result,reason\n"
        f'{REJECTED.reference},{REJECTED.nik},rejected,"{"x" * 200_000}"\n'
    )
    with pytest.raises(ImportFailed):
        read(tmp_path / "hasil.csv")


async def test_cli_import_of_a_broken_xlsx_fails_without_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "bpu.sqlite3"
    await seed(db)
    (tmp_path / "hasil.xlsx").write_bytes(b"not a zip")
    done = bpu(tmp_path, "--db", str(db), "import", str(tmp_path / "hasil.xlsx"))
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr


async def test_a_rejection_reason_on_two_lines_still_reaches_the_worker_outside_the_window(
    tmp_path: Path,
    graph,  # noqa: F811
) -> None:
    """Meta refuses template parameters with a newline, a tab or more than 4 spaces in a row
    (error 132018): the reason must be made one line before it is a parameter."""
    graph.outside_window.add(WA_ID)
    async with await Database.open(tmp_path / "bpu.sqlite3") as db:
        contact = await db.run(lambda c: book.identify(c, WA_ID, None, NOW - timedelta(days=3)))
        reg = registration(4, reference="BPU-WHAT-0004")
        await db.run(lambda c: registrations.save(c, reg, None, "whatsapp", contact.key, "s", NOW))
        path = tmp_path / "hasil.csv"
        path.write_text(
            "reference,nik,result,reason\n"
            f'{reg.reference},{reg.nik},rejected,"Foto KTP buram.\nKirim ulang:\tKTP     asli"\n'
        )
        await import_file(db, path, "t", NOW, default_rules())
        assert await send_with(db, graph, NOW) == 1
    [sent] = graph.to(WA_ID)
    for p in sent["template"]["components"][0]["parameters"]:
        assert "\n" not in p["text"] and "\t" not in p["text"] and "     " not in p["text"]


async def test_a_reinstated_template_is_usable_again(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "bpu.sqlite3") as db, db.transaction() as conn:
        await whatsapp_templates.record(conn, "bpu_hasil_diterima", "id", NOW, "PAUSED")
        await whatsapp_templates.record(conn, "bpu_hasil_diterima", "id", NOW, "REINSTATED")
        assert await whatsapp_templates.usable(conn, "bpu_hasil_diterima", "id")


async def test_a_big_results_file_never_locks_the_running_bot_out(tmp_path: Path) -> None:
    """The import writes a chunk at a time: the bot's own writes wait at most one chunk (here
    with a 2-second busy timeout; one transaction for the whole file held the lock longer)."""
    path = tmp_path / "hasil.csv"
    with path.open("w") as f:
        f.write("reference,nik,result,kpj\n")
        for i in range(20_000):
            f.write(f"BPU-{i % 10000:04d}-ABCD,3372051708810002,accepted,K{i}\n")
    importer = await Database.open(tmp_path / "bpu.sqlite3")
    bot = await Database.open(tmp_path / "bpu.sqlite3", busy_timeout_ms=2000)
    try:
        running = asyncio.create_task(import_file(importer, path, "t", NOW, default_rules()))
        for _ in range(20):  # writes like the bot's, all through the import
            async with bot.transaction() as conn:
                await conn.execute(
                    "INSERT INTO audit_log (at, actor, action, detail) VALUES ('', 'b', 'x', '{}')"
                )
            await asyncio.sleep(0.1)
        batch, _ = await running
        assert (batch.row_count, batch.not_applied) == (20_000, 20_000)  # no such references
        assert len(batch.problems) == 10_000  # the first ones listed
    finally:
        running.cancel()  # when a write above failed: the import must not outlive its database
        with contextlib.suppress(BaseException):
            await running
        await importer.close()
        await bot.close()
