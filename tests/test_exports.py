"""Exports for the main system: read back with real readers, batches, filters, failures."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

import bot.staff.exports
from bot.staff.admin import _progress_bar
from bot.staff.export_files import COLUMNS
from bot.staff.exports import Filters, NothingToExport, export
from storage import Database, campaigns
from storage.migrations import MIGRATIONS
from storage.sql import SQLITE, migration_sql
from tests.seed import NOW, add, registration

ZONE = ZoneInfo("Asia/Jakarta")


async def run(db: Database, folder: Path, fmt: str | None = "csv", **options: object):
    """Export into `folder`/out, which holds nothing else."""
    out = folder / "out"
    out.mkdir(parents=True, exist_ok=True)
    return await export(db, fmt=fmt, actor="test", now=NOW, zone=ZONE, out=out, **options)


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # BOM and CRLF, for Excel
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def read_xlsx(path: Path) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    # openpyxl's read-only reader ends a row at its last cell: empty trailing cells are missing
    width = len(rows[0])
    return [dict(zip(rows[0], row + (None,) * (width - len(row)), strict=True)) for row in rows[1:]]


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


async def seeded(db: Database, n: int = 3) -> None:
    for i in range(n):
        await add(db, registration(i), at=NOW + timedelta(minutes=i))


async def test_csv_reads_back_equal_to_the_database(db: Database, tmp_path: Path) -> None:
    await seeded(db)
    await add(
        db,
        registration(
            9,
            address='=HYPERLINK("http://x")',
            email="+x@y.co",
            review_flags=("age_over_65",),
            assisted_by="PRS-1",
        ),
        at=NOW + timedelta(hours=1),
    )
    result = await run(db, tmp_path)
    rows = read_csv(result.path)
    assert list(rows[0]) == list(COLUMNS)
    assert [r["reference"] for r in rows] == [
        "BPU-TEST-0000",
        "BPU-TEST-0001",
        "BPU-TEST-0002",
        "BPU-TEST-0009",
    ]
    first = rows[0]
    assert first["nik"] == '="3372051708800001"' and first["phone"] == '="+6281200000000"'
    assert first["registered_at"] == "2026-11-21T10:00:00+07:00"
    assert (first["declared_income"], first["monthly_premium"], first["programs"]) == (
        "2000000",
        "13400",
        "JKK+JKM",
    )
    last = rows[-1]
    assert last["address"] == '\'=HYPERLINK("http://x")'  # never run as a formula in Excel
    assert last["email"] == "'+x@y.co"
    assert (last["review_flags"], last["assisted_by"]) == ("age_over_65", "PRS-1")
    assert result.rows == 4 and result.batch.id == 1


async def test_the_official_region_goes_out_right_after_the_city(
    db: Database, tmp_path: Path
) -> None:
    """Its Kemendagri code and the kecamatan, as stored; codes stay text in every format (Excel
    would read "32.10" as a number and drop its 0); registrations made before they were recorded
    have empty cells."""
    await add(
        db,
        registration(1, city_code="33.72", district="Pasar Kliwon", district_code="33.72.03"),
    )
    await add(db, registration(2, city="Kabupaten Sukoharjo", city_code="33.11"))
    await add(db, registration(3))  # before the region's code was recorded
    at = COLUMNS.index("city")
    assert COLUMNS[at : at + 4] == ("city", "city_code", "district", "district_code")
    cells = ("city", "city_code", "district", "district_code")
    csv_rows = read_csv((await run(db, tmp_path)).path)
    assert [tuple(row[c] for c in cells) for row in csv_rows] == [
        ("Kota Surakarta", '="33.72"', "Pasar Kliwon", '="33.72.03"'),
        ("Kabupaten Sukoharjo", '="33.11"', "", ""),
        ("Kota Surakarta", "", "", ""),
    ]
    for rows in (
        read_xlsx((await run(db, tmp_path, "xlsx", filters=Filters(True))).path),
        read_jsonl((await run(db, tmp_path, "jsonl", filters=Filters(True))).path),
    ):
        assert [tuple(row[c] for c in cells) for row in rows] == [
            ("Kota Surakarta", "33.72", "Pasar Kliwon", "33.72.03"),
            ("Kabupaten Sukoharjo", "33.11", None, None),
            ("Kota Surakarta", None, None, None),
        ]


async def test_an_old_batch_keeps_the_region_it_went_out_with(db: Database, tmp_path: Path) -> None:
    """A worker who moved updates the registration: the next batch has the new region, the
    first one written again still has the old (kept in registration_history)."""
    solo = registration(1, city_code="33.72", district="Laweyan", district_code="33.72.01")
    await add(db, solo)
    first = await run(db, tmp_path, "jsonl")
    moved = replace(
        solo, city="Kabupaten Klaten", city_code="33.10", district=None, district_code=None
    )
    await add(db, moved, at=NOW + timedelta(days=1), replaces=solo.reference)
    [line] = read_jsonl((await run(db, tmp_path, "jsonl")).path)
    assert (line["city"], line["city_code"], line["district"], line["revision"]) == (
        "Kabupaten Klaten",
        "33.10",
        None,
        2,
    )
    again = await run(db, tmp_path / "again", None, batch_id=first.batch.id)
    assert again.matches is True
    [old] = read_jsonl(again.path)
    assert (old["city_code"], old["district"], old["district_code"]) == (
        "33.72",
        "Laweyan",
        "33.72.01",
    )


async def test_registrations_from_before_the_region_codes_survive_the_upgrade(
    tmp_path: Path,
) -> None:
    """A database of the previous schema: its registrations are kept, with no codes, and one
    updated afterwards keeps its old revision for the batch it went out in."""
    db_path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(db_path, isolation_level=None)
    for number, statements in enumerate(MIGRATIONS[:6], start=1):
        for statement in statements:
            conn.execute(migration_sql(statement, SQLITE))
        conn.execute(f"PRAGMA user_version = {number}")
    old = registration(1)
    stamp = NOW.isoformat()
    conn.execute(
        """INSERT INTO registrations (reference, nik, full_name, birth_date, gender, phone,
           address, city, occupation, income_stated, income_declared, programs, period_months,
           monthly_premium, period_total, tariff_version, consent_version, consent_at, channel,
           user_key, session_id, created_at, updated_at)
           VALUES (?, ?, ?, '1980-08-17', 'L', ?, ?, 'Solo', 'pedagang', 2000000, 2000000,
                   'JKK+JKM', 1, 13400, 13400, 't', 'c', ?, 'test', 'seed', 's', ?, ?)""",
        (old.reference, old.nik, old.full_name, old.phone, old.address, stamp, stamp, stamp),
    )
    conn.close()
    async with await Database.open(db_path) as db:
        first = await run(db, tmp_path, "jsonl")
        [line] = read_jsonl(first.path)
        assert (line["city"], line["city_code"], line["district_code"]) == ("Solo", None, None)
        await add(db, replace(old, city_code="33.72"), replaces=old.reference)
        [line] = read_jsonl((await run(db, tmp_path, "jsonl")).path)
        assert (line["city"], line["city_code"], line["revision"]) == ("Kota Surakarta", "33.72", 2)
        again = await run(db, tmp_path / "again", None, batch_id=first.batch.id)
        assert again.matches is True


async def test_csv_defuses_every_column_people_type(db: Database, tmp_path: Path) -> None:
    """Workers' answers, staff codes and the operator's rules text: a leading =, +, -, @, tab
    or CR gets a '; the columns bpu-bot makes itself are written as stored."""
    typed = {
        "full_name": "-Budi",
        "city": "+Kota",
        "district": "=Laweyan",
        "occupation_detail": "@jual",
        "address": "\tJl. Mawar",
        "email": "=a@b.co",
        "discount": "-50%",
        "tariff_version": "=1",
        "consent_version": "+2",
        "assisted_by": "@PRS-1",
    }
    await add(db, registration(1, **typed, review_flags=("age_over_65",)))
    [row] = read_csv((await run(db, tmp_path)).path)
    assert {name: row[name] for name in typed} == {k: "'" + v for k, v in typed.items()}
    assert (row["full_name"], row["reference"], row["occupation"]) == (
        "'-Budi",
        "BPU-TEST-0001",
        "pedagang",
    )
    assert (row["programs"], row["review_flags"], row["birth_date"]) == (
        "JKK+JKM",
        "age_over_65",
        "1980-08-17",
    )


async def test_xlsx_and_jsonl_read_back_equal_to_the_database(db: Database, tmp_path: Path) -> None:
    await seeded(db)
    xlsx = read_xlsx((await run(db, tmp_path, "xlsx", filters=Filters(True))).path)
    jsonl = read_jsonl((await run(db, tmp_path, "jsonl", filters=Filters(True))).path)
    stored = await db.fetch_all("SELECT * FROM registrations ORDER BY id")
    assert len(xlsx) == len(jsonl) == len(stored) == 3
    for row, line, db_row in zip(xlsx, jsonl, stored, strict=True):
        assert row["nik"] == line["nik"] == db_row["nik"]  # text, all 16 digits
        assert row["phone"] == line["phone"] == db_row["phone"]
        assert row["monthly_premium"] == line["monthly_premium"] == db_row["monthly_premium"]
        assert (
            isinstance(row["declared_income"], int | float) and line["declared_income"] == 2_000_000
        )
        assert row["full_name"] == line["full_name"] == db_row["full_name"]
        assert line["registered_at"] == datetime.fromisoformat(db_row["created_at"]).astimezone(
            ZONE
        ).isoformat(timespec="seconds")
        assert list(line) == list(COLUMNS)


async def test_formula_text_stays_text_in_xlsx(db: Database, tmp_path: Path) -> None:
    await add(db, registration(1, address="=1+1", full_name="@SUM(A1)"))
    path = (await run(db, tmp_path, "xlsx")).path
    sheet = openpyxl.load_workbook(path).active
    assert sheet["K2"].value == "=1+1" and sheet["K2"].data_type == "s"


async def test_batches_are_incremental(db: Database, tmp_path: Path) -> None:
    await seeded(db, 2)
    first = await run(db, tmp_path)
    with pytest.raises(NothingToExport):
        await run(db, tmp_path)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [first.path.name]
    await add(db, registration(5))
    second = await run(db, tmp_path)
    assert (first.batch.id, first.rows, second.batch.id, second.rows) == (1, 2, 2, 1)
    assert [r["reference"] for r in read_csv(second.path)] == ["BPU-TEST-0005"]
    batches = await db.fetch_all("SELECT id, row_count, sha256, created_by FROM export_batches")
    assert [(b["id"], b["row_count"], b["created_by"]) for b in batches] == [
        (1, 2, "test"),
        (2, 1, "test"),
    ]
    assert batches[0]["sha256"] == first.sha256
    audit = await db.fetch_all("SELECT actor, action FROM audit_log")
    assert [tuple(a) for a in audit] == [("test", "export"), ("test", "export")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
async def test_a_batch_is_written_again_exactly(db: Database, tmp_path: Path, fmt: str) -> None:
    await seeded(db)
    first = await run(db, tmp_path, fmt)
    again = await run(db, tmp_path / "again", None, batch_id=first.batch.id)
    assert again.matches is True and again.sha256 == first.sha256 and not again.new
    assert again.path.read_bytes() == first.path.read_bytes()


async def test_an_updated_registration_goes_out_again_and_old_batches_stay_exact(
    db: Database, tmp_path: Path
) -> None:
    await seeded(db, 2)
    first = await run(db, tmp_path)
    reg = registration(1, phone="+6281399990000")
    await add(db, reg, at=NOW + timedelta(days=1), replaces=reg.reference)
    second = await run(db, tmp_path)
    [updated] = read_csv(second.path)
    assert (updated["reference"], updated["phone"], updated["revision"]) == (
        "BPU-TEST-0001",
        '="+6281399990000"',
        "2",
    )
    again = await run(db, tmp_path / "again", None, batch_id=first.batch.id)
    assert again.matches is True  # batch 1 still holds revision 1 of the updated registration


async def test_filters(db: Database, tmp_path: Path) -> None:
    async with db.transaction() as conn:
        made = await campaigns.create(
            conn,
            name="Pasar Gede",
            place="Pasar Gede, Solo",
            branch="Surakarta",
            campaigner_id=None,
            starts_on=date(2026, 11, 1),
            ends_on=None,
            actor="t",
            now=NOW,
        )
    await add(db, registration(1, campaign=made.code), at=datetime(2026, 11, 1, 17, 30, tzinfo=UTC))
    await add(
        db, registration(2, campaign="made-up-code"), at=datetime(2026, 11, 10, 3, tzinfo=UTC)
    )
    await add(db, registration(3), at=datetime(2026, 11, 20, 3, tzinfo=UTC))
    # 2026-11-01 17:30 UTC is 2 November in WIB
    since = await run(
        db, tmp_path, filters=Filters(since=date(2026, 11, 2), until=date(2026, 11, 10))
    )
    assert [r["reference"] for r in read_csv(since.path)] == ["BPU-TEST-0001", "BPU-TEST-0002"]
    assert [r["campaign_code"] for r in read_csv(since.path)] == [made.code, ""]  # unknown: none
    by_campaign = await run(db, tmp_path, filters=Filters(True, campaign=made.code))
    assert [r["reference"] for r in read_csv(by_campaign.path)] == ["BPU-TEST-0001"]
    everything = await run(db, tmp_path, filters=Filters(include_exported=True))
    assert everything.rows == 3


async def test_a_failed_write_leaves_the_rows_unexported(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seeded(db, 2)

    def disk_full(*args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bot.staff.exports, "write_file", disk_full)
    with pytest.raises(bot.staff.exports.ExportFailed, match="No space left on device"):
        await run(db, tmp_path)
    assert list((tmp_path / "out").iterdir()) == []  # no partial file or work folder left
    assert await db.fetch_all("SELECT * FROM export_batches") == []
    monkeypatch.undo()
    assert (await run(db, tmp_path)).rows == 2


def test_progress_bar_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert _progress_bar(io.StringIO()) is None
    screen = Terminal()
    show = _progress_bar(screen)
    assert show is not None
    for done in range(0, 201, 50):
        show(done, 200)
    assert screen.getvalue().endswith("\r[#########################] 100%  200/200\n")


async def test_a_batch_too_large_for_one_xlsx_sheet_is_refused(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seeded(db, 3)
    monkeypatch.setattr(bot.staff.exports, "XLSX_MAX_ROWS", 2)
    with pytest.raises(bot.staff.exports.TooLarge):
        await run(db, tmp_path, "xlsx")
    assert await db.fetch_all("SELECT * FROM export_batches") == []  # rows not marked
    assert (await run(db, tmp_path, "csv")).rows == 3


async def test_xml_special_and_control_characters_stay_readable_in_xlsx(
    db: Database, tmp_path: Path
) -> None:
    await add(db, registration(1, address="Jl. <Mawar> & Melati\x07", full_name=" Siti "))
    [row] = read_xlsx((await run(db, tmp_path, "xlsx")).path)
    assert row["address"] in ("Jl. <Mawar> & Melati\x07", "Jl. <Mawar> & Melati_x0007_")
    assert row["full_name"] == " Siti "  # spaces kept


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Kolkata", "Europe/Berlin"])
async def test_times_are_local_to_the_second_in_any_zone(
    db: Database, tmp_path: Path, zone: str
) -> None:
    """Fixed-offset zones are converted in SQL, others in Python: both as Python would."""
    at = NOW + timedelta(days=200, microseconds=999_999)  # summer in Berlin; fraction cut
    await add(db, registration(1), at=at)
    out = tmp_path / "out"
    result = await export(db, fmt="jsonl", actor="t", now=NOW, zone=ZoneInfo(zone), out=out)
    [row] = read_jsonl(result.path)
    expected = at.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
    assert row["registered_at"] == row["updated_at"] == expected
