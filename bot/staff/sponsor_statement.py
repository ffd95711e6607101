"""A sponsor's statement: who the program pays for, which months, and how much each month
(JKK, JKM, JHT, the discount where the sponsor's kind gets one, the total), ending in a total
row, as CSV for Excel on an Indonesian-locale PC (UTF-8 with BOM, ';', NIK kept as text) or
XLSX. The sponsor's finance office checks it against BPJS Ketenagakerjaan's invoice."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from conversations import Rules, Sponsorship
from conversations.premium import add_months, month_premium
from conversations.sponsorship import first_month
from storage.files import create_private
from storage.sponsors import Covered

COLUMNS = (
    "program",
    "sponsor",
    "reference",
    "nik",
    "full_name",
    "city",
    "month",
    "jkk",
    "jkm",
    "jht",
    "discount",
    "total",
)


@dataclass(frozen=True)
class Line:
    reference: str
    nik: str
    full_name: str
    city: str
    month: date
    jkk: int
    jkm: int
    jht: int
    discount: int
    total: int


def lines(
    program: Sponsorship,
    workers: list[Covered],
    rules: Rules,
    zone: ZoneInfo,
    until: date | None = None,
) -> Iterator[Line]:
    """Each covered worker's months, from the one they registered in (local time, as the chat
    told them: conversations/sponsorship.first_month) to the program's last (or `until`)."""
    kind = rules.sponsor_kind(program.kind)
    discounted = kind.discount if kind else False
    last = min(program.end, until) if until else program.end
    for worker in workers:
        month = worker.sponsored_from or first_month(
            program, worker.registered_at.astimezone(zone).date()
        )
        sector = rules.sector_of(worker.occupation, worker.occupation_detail)
        while month <= last:
            p = month_premium(
                rules, program.declared_income, sector, program.with_jht, month, discounted
            )
            yield Line(
                worker.reference,
                worker.nik,
                worker.full_name,
                worker.city,
                month,
                p.jkk,
                p.jkm,
                p.jht,
                p.discount,
                p.total,
            )
            month = add_months(month, 1)


def write(path: Path, fmt: str, program: Sponsorship, statement: list[Line]) -> tuple[int, int]:
    """The file, owner-readable only (it holds NIKs); (lines, total rupiah)."""
    total = sum(line.total for line in statement)
    rows = [
        (
            program.code,
            program.sponsor,
            line.reference,
            line.nik,
            line.full_name,
            line.city,
            line.month.strftime("%Y-%m"),
            line.jkk,
            line.jkm,
            line.jht,
            line.discount,
            line.total,
        )
        for line in statement
    ]
    sums = tuple(sum(line[i] for line in rows) for i in range(7, 12))
    footer = (program.code, program.sponsor, "TOTAL", "", "", "", "", *sums)
    if fmt == "xlsx":
        with _open_private(path) as f:  # first: an existing file is refused before any work
            book = Workbook(write_only=True)
            sheet = book.create_sheet("statement")
            for row in (COLUMNS, *rows, footer):
                sheet.append(list(row))
            book.save(f)
    else:
        with _open_private(path, text=True) as f:
            writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
            writer.writerow(COLUMNS)
            for row in rows:
                writer.writerow((*row[:3], f'="{row[3]}"', *row[4:]))  # Excel keeps 16 digits
            writer.writerow(footer)
    return len(rows), total


def _open_private(path: Path, text: bool = False) -> IO:
    """Opened for writing, readable by its owner only; refuses to overwrite."""
    fd = create_private(path)
    if text:
        return os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
    return os.fdopen(fd, "wb")
