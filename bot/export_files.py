"""Writing export files: the documented column set, as CSV (for Excel), XLSX or JSON Lines.

Every writer streams: rows go to disk as they come, so a million registrations fit in bounded
memory. Rows come as tuples in COLUMNS order (storage.exports.EXPORTED), straight from a sqlite3
cursor; this runs on a thread of its own, away from the bot's event loop.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from pathlib import Path
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
Row = Sequence[Value]
CHUNK = 1000  # rows between progress reports and checks for a stop
_TIMES = (COLUMNS.index("registered_at"), COLUMNS.index("updated_at"), COLUMNS.index("consent_at"))
_KEEP_DIGITS = (COLUMNS.index("nik"), COLUMNS.index("phone"))  # Excel would round these
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Stopped(Exception):
    """The export was asked to stop (a signal, a cancelled task) before it was recorded."""


def local_times(zone: ZoneInfo) -> Callable[[str], str]:
    """Stored ISO 8601 instants as local time in `zone`, to the second.

    A million rows hold a few thousand distinct minutes: the zone's offset is worked out once
    per minute (and stored offset), and the seconds are carried over as they are."""
    cache: dict[str, tuple[str, str]] = {}

    def convert(stamp: str) -> str:
        key = stamp[:16] + stamp[-6:]  # YYYY-MM-DDTHH:MM and the stored offset
        try:
            head, offset = cache[key]
        except KeyError:
            local = datetime.fromisoformat(stamp).astimezone(zone).isoformat(timespec="seconds")
            if len(stamp) not in (25, 32) or stamp[16] != ":":  # not the usual layout
                return local
            head, offset = cache.setdefault(key, (local[:16], local[19:]))
        return head + stamp[16:19] + offset

    return convert


def _with_times(rows: Iterable[Row], zone: ZoneInfo) -> Iterator[list[Value]]:
    local = local_times(zone)
    first, second, third = _TIMES
    for row in rows:
        values = list(row)
        values[first] = local(values[first])  # type: ignore[arg-type]
        values[second] = local(values[second])  # type: ignore[arg-type]
        values[third] = local(values[third])  # type: ignore[arg-type]
        yield values


def _csv_cells(rows: Iterable[list[Value]]) -> Iterator[list[Value]]:
    """NIK and phone as ="…" so every digit survives; text that Excel would run as a formula
    gets a leading '."""
    nik, phone = _KEEP_DIGITS
    for values in rows:
        kept = f'="{values[nik]}"', f'="{values[phone]}"'
        for index, value in enumerate(values):
            if type(value) is str and value.startswith(_FORMULA_START):
                values[index] = "'" + value
        values[nik], values[phone] = kept
        yield values


def write_csv(path: Path, rows: Iterable[list[Value]], created: datetime) -> None:
    """CSV that opens right in Excel on an Indonesian-locale PC: UTF-8 with a BOM, ';' between
    fields (the locale's list separator, since ',' is its decimal mark), CRLF line ends."""
    with _text(path, "utf-8-sig") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(_csv_cells(rows))


def write_jsonl(path: Path, rows: Iterable[list[Value]], created: datetime) -> None:
    """One JSON object per line, keys in column order: for other systems."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    with _text(path, "utf-8") as f:
        f.writelines(encode(dict(zip(COLUMNS, values, strict=True))) + "\n" for values in rows)


def write_xlsx(path: Path, rows: Iterable[list[Value]], created: datetime) -> None:
    """A streaming workbook (constant memory; its own temporary files go next to `path`). Text
    stays text: no formulas, numbers or links are made out of what workers typed."""
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "tmpdir": str(path.parent),
        },
    )
    book.set_properties(
        {"created": created.replace(tzinfo=None), "title": "bpu-bot registrations"}
    )  # fixed: same bytes again
    sheet = book.add_worksheet("registrations")
    sheet.freeze_panes(1, 0)
    bold = book.add_format({"bold": True})
    for column, name in enumerate(COLUMNS):
        sheet.set_column(column, column, max(12, len(name) + 2))
        sheet.write_string(0, column, name, bold)
    text, number = sheet._write_string, sheet._write_number  # skip the A1-notation wrapper
    for row, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            if type(value) is str:
                text(row, column, value, None)
            elif value is not None:
                number(row, column, value, None)
    book.close()


def _text(path: Path, encoding: str) -> io.TextIOWrapper:
    """The (already created, private) file, for text with large buffers."""
    return open(path, "w", encoding=encoding, newline="", buffering=1 << 20)


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "jsonl": write_jsonl}


def write_file(
    fmt: str,
    path: Path,
    created: datetime,
    rows: Iterable[Row],
    zone: ZoneInfo,
    on_chunk: Callable[[int], None] | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> int:
    """Write every row to `path` (an existing empty file) and make it durable; returns how many.

    Every CHUNK rows `on_chunk(done)` is told and `stopped()` asked: if it says so, Stopped is
    raised and the file is left for the caller to remove."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}")
    done = 0

    def counted() -> Iterator[Row]:
        nonlocal done
        source = iter(rows)
        while chunk := list(islice(source, CHUNK)):
            if stopped():
                raise Stopped
            yield from chunk
            done += len(chunk)
            if on_chunk:
                on_chunk(done)

    WRITERS[fmt](path, _with_times(counted(), zone), created)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)  # on disk before the batch that names it is committed
    finally:
        os.close(fd)
    return done
