"""Writing export files: the documented column set, as CSV (for Excel), XLSX or JSON Lines.

Every writer streams: rows go to disk as they come, so a million registrations fit in bounded
memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol
from zoneinfo import ZoneInfo

import xlsxwriter

# The stable export columns, documented in the README. Add at the end; never rename or reorder.
COLUMNS = (
    "reference",
    "registered_at",
    "updated_at",
    "channel",
    "nik",
    "full_name",
    "birth_date",
    "gender",
    "phone",
    "email",
    "address",
    "city",
    "occupation",
    "occupation_detail",
    "declared_income",
    "programs",
    "payment_period_months",
    "monthly_premium",
    "period_total",
    "discount",
    "tariff_version",
    "campaign_code",
    "assisted_by",
    "consent_version",
    "consent_at",
    "review_flags",
    "revision",
)
FORMATS = ("csv", "xlsx", "jsonl")
Value = str | int | None


def record(row: dict[str, object], zone: ZoneInfo) -> dict[str, Value]:
    """One registration row (storage.exports.rows) as the export's columns; times in `zone`."""

    def local(stamp: object) -> str:
        return datetime.fromisoformat(str(stamp)).astimezone(zone).isoformat(timespec="seconds")

    return {
        "reference": row["reference"],
        "registered_at": local(row["created_at"]),
        "updated_at": local(row["updated_at"]),
        "channel": row["channel"],
        "nik": row["nik"],
        "full_name": row["full_name"],
        "birth_date": row["birth_date"],
        "gender": row["gender"],
        "phone": row["phone"],
        "email": row["email"],
        "address": row["address"],
        "city": row["city"],
        "occupation": row["occupation"],
        "occupation_detail": row["occupation_detail"],
        "declared_income": row["income_declared"],
        "programs": row["programs"],
        "payment_period_months": row["period_months"],
        "monthly_premium": row["monthly_premium"],
        "period_total": row["period_total"],
        "discount": row["discount"],
        "tariff_version": row["tariff_version"],
        "campaign_code": row["campaign_code"],  # only codes that were issued; else empty
        "assisted_by": row["assisted_by"],
        "consent_version": row["consent_version"],
        "consent_at": local(row["consent_at"]),
        "review_flags": row["review_flags"] or None,
        "revision": row["revision"],
    }  # type: ignore[return-value]


class Writer(Protocol):
    def write(self, values: dict[str, Value]) -> None: ...

    def __enter__(self) -> Writer: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_KEEP_DIGITS = ("nik", "phone")  # Excel would turn these into rounded numbers


class CsvWriter:
    """CSV that opens right in Excel on an Indonesian-locale PC: UTF-8 with a BOM, ';' between
    fields (the locale's list separator, since ',' is its decimal mark), CRLF line ends; NIK and
    phone as ="…" so every digit survives; text that Excel would run as a formula is defused."""

    def __init__(self, path: Path) -> None:
        self._file: IO[str] = path.open("w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._file, delimiter=";", lineterminator="\r\n")
        self._csv.writerow(COLUMNS)

    def write(self, values: dict[str, Value]) -> None:
        self._csv.writerow([self._cell(name, values[name]) for name in COLUMNS])

    @staticmethod
    def _cell(name: str, value: Value) -> Value:
        if value is None or isinstance(value, int):
            return value
        if name in _KEEP_DIGITS:
            return f'="{value}"'
        return f"'{value}" if value.startswith(_FORMULA_START) else value

    def __enter__(self) -> CsvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


class XlsxWriter:
    """A streaming workbook (constant memory). Text stays text: no formulas, numbers or links
    are made out of what workers typed."""

    def __init__(self, path: Path, created: datetime) -> None:
        self._book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self._book.set_properties(
            {"created": created.replace(tzinfo=None), "title": "bpu-bot registrations"}
        )  # fixed: same bytes again
        self._sheet = self._book.add_worksheet("registrations")
        self._sheet.freeze_panes(1, 0)
        bold = self._book.add_format({"bold": True})
        for column, name in enumerate(COLUMNS):
            self._sheet.set_column(column, column, max(12, len(name) + 2))
            self._sheet.write_string(0, column, name, bold)
        self._row = 0

    def write(self, values: dict[str, Value]) -> None:
        self._row += 1
        for column, name in enumerate(COLUMNS):
            value = values[name]
            if isinstance(value, int):
                self._sheet.write_number(self._row, column, value)
            elif value is not None:
                self._sheet.write_string(self._row, column, value)

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._book.close()


class JsonlWriter:
    """One JSON object per line, keys in column order: for other systems."""

    def __init__(self, path: Path) -> None:
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="\n")

    def write(self, values: dict[str, Value]) -> None:
        self._file.write(
            json.dumps({name: values[name] for name in COLUMNS}, ensure_ascii=False) + "\n"
        )

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def open_writer(fmt: str, path: Path, created: datetime) -> Writer:
    if fmt == "csv":
        return CsvWriter(path)
    if fmt == "xlsx":
        return XlsxWriter(path, created)
    if fmt == "jsonl":
        return JsonlWriter(path)
    raise ValueError(f"unknown export format {fmt!r}")


async def write_all(
    fmt: str,
    path: Path,
    created: datetime,
    rows: AsyncIterator[dict],
    zone: ZoneInfo,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write every row; `on_row(n)` is told after each (for a progress bar)."""
    count = 0
    with open_writer(fmt, path, created) as writer:
        async for row in rows:
            writer.write(record(row, zone))
            count += 1
            if on_row:
                on_row(count)
    return count
