"""Writing export files: the documented column set, as CSV (for Excel), XLSX or JSON Lines.

Every writer streams: rows go to disk as they come, so a million registrations fit in bounded
memory. Rows come as tuples in COLUMNS order, straight from a sqlite3
cursor; this runs on a thread of its own, away from the bot's event loop.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from storage.exports import FILE_COLUMNS
from storage.sql import SQLITE, Connection, Cursor, Dialect

COLUMNS = FILE_COLUMNS  # the file's columns, in their order (storage.exports)
FORMATS = ("csv", "xlsx", "jsonl")
Value = str | int | None
Row = Sequence[Value]
CHUNK = 1000  # rows between progress reports and checks for a stop
_TIMES = (COLUMNS.index("registered_at"), COLUMNS.index("updated_at"), COLUMNS.index("consent_at"))
_ERASURE = COLUMNS.index("erasure_requested_at")  # a time too, and empty but for a few rows
# Excel would round these, or read a region code ("32.10", "11.01.05") as a number or a date
_KEEP_DIGITS = tuple(COLUMNS.index(name) for name in ("nik", "phone", "city_code", "district_code"))
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


Chunk = list[tuple[Value, ...]]


def _chunks(
    rows: Cursor,
    zone: ZoneInfo | None,
    on_chunk: Callable[[int], None] | None,
    stopped: Callable[[], bool],
) -> Iterator[Chunk]:
    """The rows, CHUNK at a time, times made local (unless `zone` is None: done in SQL);
    between chunks progress is told and a stop request honoured (Stopped)."""
    if zone is None:
        yield from _plain_chunks(rows, on_chunk, stopped)
        return
    local = local_times(zone)
    registered, updated, consent = _TIMES
    assert updated == registered + 1
    done = 0
    while chunk := rows.fetchmany(CHUNK):
        if stopped():
            raise Stopped
        yield [
            (
                *r[:registered],
                local(r[registered]),
                local(r[updated]),
                *r[updated + 1 : consent],
                local(r[consent]),
                *r[consent + 1 : _ERASURE],
                r[_ERASURE] and local(r[_ERASURE]),
                *r[_ERASURE + 1 :],
            )
            for r in chunk
        ]
        done += len(chunk)
        if on_chunk:
            on_chunk(done)


def _plain_chunks(
    rows: Cursor, on_chunk: Callable[[int], None] | None, stopped: Callable[[], bool]
) -> Iterator[Chunk]:
    done = 0
    while chunk := rows.fetchmany(CHUNK):
        if stopped():
            raise Stopped
        yield chunk
        done += len(chunk)
        if on_chunk:
            on_chunk(done)


# Text that people type or edit (workers, staff, the operator's rules file), and the place names
# read from what workers typed: in CSV, what Excel would run as a formula gets a leading '. The
# other text columns are made by the system (reference, channel, ISO dates, L/P, option and
# program keys, review flags, region codes): never defused.
_TYPED = (
    "full_name",
    "email",
    "address",
    "city",
    "district",
    "occupation_detail",
    "discount",
    "tariff_version",
    "campaign_code",
    "assisted_by",
    "consent_version",
)
_STARTS = ", ".join(str(ord(c)) for c in _FORMULA_START)


def fixed_offset(zone: ZoneInfo, since: datetime, until: datetime) -> int | None:
    """The zone's UTC offset in seconds if it is the same at every hour from `since` to
    `until` (no daylight saving or other change in between), else None."""
    offsets, at = set(), since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    while at <= until and len(offsets) < 2:
        offsets.add(at.astimezone(zone).utcoffset())
        at += timedelta(hours=1)
    [offset] = offsets if len(offsets) == 1 else [None]
    seconds = int(offset.total_seconds()) if offset is not None else None
    return seconds if seconds is not None and seconds % 60 == 0 else None


def _suffix(offset: int) -> str:
    sign, minutes = ("+" if offset >= 0 else "-"), abs(offset) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _local_sql(expression: str, offset: int) -> str:
    """A stored instant (ISO 8601 with its offset) as local time to the second, in SQL."""
    stamp = f"substr({expression}, 1, 19) || substr({expression}, -6)"  # fraction dropped
    return f"strftime('%Y-%m-%dT%H:%M:%S', {stamp}, '{offset:+d} seconds') || '{_suffix(offset)}'"


HOURS = "local_hours"  # temp table: UTC hour (YYYY-MM-DDTHH) -> local hour, see local_hours


def local_hours(conn: Connection, offset: int, since: datetime, until: datetime) -> bool:
    """For a fixed offset of whole hours, a temp table of every UTC hour from `since` to
    `until` with its local hour, so that SqlCells makes a stored UTC instant local with one
    lookup (its minutes and seconds stay) rather than by parsing and formatting it (a third of
    the time). False, and no table, for an offset that is not whole hours."""
    if offset % 3600:
        return False
    conn.execute(f"DROP TABLE IF EXISTS temp.{HOURS}")
    conn.execute(f"CREATE TEMP TABLE {HOURS} (utc TEXT PRIMARY KEY, local TEXT) WITHOUT ROWID")
    conn.execute(
        f"""INSERT INTO temp.{HOURS}
            WITH RECURSIVE h(t) AS (
                SELECT datetime(?) UNION ALL SELECT datetime(t, '+1 hour') FROM h WHERE t < ?)
            SELECT replace(substr(t, 1, 13), ' ', 'T'),
                   replace(substr(datetime(t, '{offset:+d} seconds'), 1, 13), ' ', 'T') FROM h""",
        (
            since.astimezone(UTC).strftime("%Y-%m-%d %H:00:00"),
            until.astimezone(UTC).strftime("%Y-%m-%d %H:00:00"),
        ),
    )
    return True


class SqlCells:
    """How each column is selected, so that per-cell rules run inside SQLite (C) rather than
    in a Python loop over 30 values a row.

    Times are made local here when the zone's offset is fixed over the data (`offset`, see
    fixed_offset); else by write_file. With `hours` (the local_hours table made), a time stored
    in UTC in the usual layout is made local by looking up its hour (joins() gives the joins
    the query needs), any other by strftime. CSV: NIK and phone as ="…" so Excel keeps every
    digit; typed text that Excel would run as a formula gets a leading '."""

    def __init__(
        self, fmt: str, offset: int | None = None, hours: bool = False, engine: Dialect = SQLITE
    ) -> None:
        self.fmt, self.offset, self.hours = fmt, offset, hours and offset is not None
        self.engine = engine
        self._joins: list[str] = []

    def __call__(self, index: int, expression: str) -> str:
        name = COLUMNS[index]
        if name == "review_flags":
            return f"NULLIF({expression}, '')"
        if index in (*_TIMES, _ERASURE):
            return self._time(index, expression)
        if self.fmt != "csv":
            return expression
        if index in _KEEP_DIGITS:
            return f"""'="' || {expression} || '"'"""
        if name in _TYPED:
            return (
                f"CASE WHEN {self.engine.first_code.format(expression)} IN ({_STARTS}) "
                f"THEN '''' || {expression} ELSE {expression} END"
            )
        return expression

    def _time(self, index: int, expression: str) -> str:
        if self.offset is None:
            return expression
        general = _local_sql(expression, self.offset)
        if not self.hours:
            return general
        hour = f"h{index}"
        self._joins.append(
            f"LEFT JOIN temp.{HOURS} {hour} ON {hour}.utc = substr({expression}, 1, 13) "
            f"AND length({expression}) IN (25, 32) AND substr({expression}, 14, 1) = ':' "
            f"AND substr({expression}, -6) = '+00:00'"
        )
        local = f"{hour}.local || substr({expression}, 14, 6) || '{_suffix(self.offset)}'"
        return f"COALESCE({local}, {general})"

    def joins(self) -> str:
        """The joins the columns made so far need."""
        return " ".join(self._joins)


def write_csv(path: Path, chunks: Iterable[Chunk], created: datetime) -> str:
    """CSV that opens right in Excel on an Indonesian-locale PC: UTF-8 with a BOM, ';' between
    fields (the locale's list separator, since ',' is its decimal mark), CRLF line ends.
    Returns the file's SHA-256."""
    with _text(path, "utf-8-sig") as (f, digest):
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for chunk in chunks:
            writer.writerows(chunk)
    return digest.hexdigest()


def write_jsonl(path: Path, chunks: Iterable[Chunk], created: datetime) -> str:
    """One JSON object per line, keys in column order: for other systems. Returns the file's
    SHA-256."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    with _text(path, "utf-8") as (f, digest):
        for chunk in chunks:
            f.writelines(encode(dict(zip(COLUMNS, values, strict=True))) + "\n" for values in chunk)
    return digest.hexdigest()


def write_xlsx(path: Path, chunks: Iterable[Chunk], created: datetime) -> None:
    """A workbook with one sheet, streamed: rows go into the zip as they come, so memory stays
    flat. Cells are typed (numbers as numbers) and text is inline text, never a formula, number
    or link made out of what workers typed. Every part is dated `created`, so the same batch
    gives the same bytes. (xlsxwriter spends ~4 µs a cell; this spends well under one.)"""
    stamp = created.replace(tzinfo=None).isoformat(timespec="seconds")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as book:
        for name, text in _xlsx_parts(stamp).items():
            book.writestr(_member(name, created), text)
        with (
            book.open(_member("xl/worksheets/sheet1.xml", created), "w", force_zip64=True) as raw,
            io.BufferedWriter(raw, 1 << 20) as sheet,
        ):
            sheet.write(_SHEET_START.encode())
            number = 1
            for chunk in chunks:
                sheet.write(
                    "".join(_xml_row(number + i, v) for i, v in enumerate(chunk, 1)).encode()
                )
                number += len(chunk)
            sheet.write(_SHEET_END.encode())
    return None  # zipfile goes back to fill in headers: the digest is of the finished file


def _member(name: str, created: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, created.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    # level 1: three times zlib's default speed, for a file about 1.5 times larger
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", 1)
    return info


_LETTERS = [("" if i < 26 else chr(64 + i // 26)) + chr(65 + i % 26) for i in range(len(COLUMNS))]
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _NOT_XML.search(text):  # as Excel writes them: _xHHHH_
        text = _NOT_XML.sub(lambda m: f"_x{ord(m[0]):04X}_", text)
    return text


def _xml_row(number: int, values: Sequence[Value], style: str = "") -> str:
    cells = []
    for letter, value in zip(_LETTERS, values, strict=True):
        if type(value) is str:
            cells.append(
                f'<c r="{letter}{number}"{style} t="inlineStr"><is>'
                f'<t xml:space="preserve">{_xml_text(value)}</t></is></c>'
            )
        elif value is not None:
            cells.append(f'<c r="{letter}{number}"{style}><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WIDTHS = "".join(
    f'<col min="{i}" max="{i}" width="{max(12, len(name) + 2) + 0.7109375}" customWidth="1"/>'
    for i, name in enumerate(COLUMNS, start=1)
)
_SHEET_START = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    f'<sheetFormatPr defaultRowHeight="15"/><cols>{_WIDTHS}</cols><sheetData>'
    + _xml_row(1, COLUMNS, ' s="1"')  # the header, bold
)
_SHEET_END = "</sheetData></worksheet>"


def _xlsx_parts(stamp: str) -> dict[str, str]:
    """The workbook's fixed parts: content types, relationships, workbook, styles, properties."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    package = "http://schemas.openxmlformats.org/package/2006"
    office = "application/vnd.openxmlformats-officedocument"
    return {
        "[Content_Types].xml": head + f'<Types xmlns="{package}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{office}.spreadsheetml.sheet.'
        'main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{office}.'
        'spreadsheetml.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{office}.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/></Types>',
        "_rels/.rels": head + f'<Relationships xmlns="{package}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{package}/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/></Relationships>',
        "docProps/core.xml": head
        + f'<cp:coreProperties xmlns:cp="{package}/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>bpu-bot registrations</dc:title><dc:creator>bpu-bot</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}Z</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}Z</dcterms:modified>'
        "</cp:coreProperties>",
        "xl/workbook.xml": head
        + f'<workbook {_NS} xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
        '<sheets><sheet name="registrations" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": head + f'<Relationships xmlns="{package}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": head + f"<styleSheet {_NS}>"
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" '
        'fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" '
        'borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
    }


class _Hashing(io.RawIOBase):
    """A file that works out the SHA-256 of what is written to it, on a thread of its own
    (hashlib lets go of the GIL) while the next rows are being formatted: no second pass over
    the file. At most one buffer is being hashed at a time."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._file = io.FileIO(path, "w")
        self.digest = hashlib.sha256()
        self._hasher = ThreadPoolExecutor(1, thread_name_prefix="export-sha256")
        self._pending: Future[None] | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        data = bytes(data)  # the caller may reuse its buffer
        written = self._file.write(data) or 0
        self._wait()
        self._pending = self._hasher.submit(self.digest.update, memoryview(data)[:written])
        return written

    def _wait(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._wait()
        finally:
            self._hasher.shutdown()
            self._file.close()
            super().close()


@contextlib.contextmanager
def _text(path: Path, encoding: str) -> Iterator[tuple[io.TextIOWrapper, Any]]:
    """The (already created, private) file, for text with large buffers, and the SHA-256 of
    what was written (complete once the file is closed)."""
    raw = _Hashing(path)
    with io.TextIOWrapper(io.BufferedWriter(raw, 1 << 20), encoding, newline="") as f:
        yield f, raw.digest


WRITERS: dict[str, Callable[[Path, Iterable[Chunk], datetime], str | None]] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "jsonl": write_jsonl,
}


def write_file(
    fmt: str,
    path: Path,
    created: datetime,
    rows: Cursor,
    zone: ZoneInfo | None,
    on_chunk: Callable[[int], None] | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> tuple[int, str]:
    """Write every row of the cursor (selected with SqlCells(fmt)) to `path`, an existing empty
    file, and make it durable; returns how many and the file's SHA-256. Times are made local in
    `zone`; None when SqlCells did it.

    Every CHUNK rows `on_chunk(done)` is told and `stopped()` asked: if it says so, Stopped is
    raised and the file is left for the caller to remove."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}")
    done = 0

    def counted(done_now: int) -> None:
        nonlocal done
        done = done_now
        if on_chunk:
            on_chunk(done_now)

    sha256 = WRITERS[fmt](path, _chunks(rows, zone, counted, stopped), created)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)  # on disk before the batch that names it is committed
    finally:
        os.close(fd)
    return done, sha256 or file_sha256(path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
