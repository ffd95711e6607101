"""`bpu-bot import FILE`: the main membership system's results, read from CSV or XLSX.

Columns (a header row; names in English or Indonesian, any order, any case):
    reference | referensi      our reference, BPU-XXXX-XXXX (required)
    nik                        the worker's NIK, which must be the registration's (required)
    result | hasil             accepted/diterima or rejected/ditolak; empty on a payment row
    kpj | no_kpj               the membership number (required when accepted)
    start_date | tanggal_mulai YYYY-MM-DD or DD-MM-YYYY
    reason | alasan            why it was rejected (required when rejected)
    paid_until | lunas_sampai  YYYY-MM, the last month paid for

Each file is one recorded batch with its SHA-256: the same file again changes nothing. A row
whose form is wrong, that matches no registration, or that contradicts what is recorded is
reported with its line and never applied (storage/memberships.py).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zipfile import BadZipFile

from openpyxl import load_workbook

from bot.channels.whatsapp_templates import params_for
from bot.staff.notices import result_notice
from conversations import Rules
from conversations.i18n import translator
from storage import Database, audit, memberships, outbox, review
from storage.memberships import ImportBatch, Result
from storage.sql import AsyncConnection

COLUMNS = {
    "reference": ("reference", "referensi"),
    "nik": ("nik",),
    "result": ("result", "hasil"),
    "kpj": ("kpj", "no_kpj"),
    "start_date": ("start_date", "tanggal_mulai"),
    "reason": ("reason", "alasan"),
    "paid_until": ("paid_until", "lunas_sampai"),
}
STATES = {
    "accepted": "accepted",
    "diterima": "accepted",
    "rejected": "rejected",
    "ditolak": "rejected",
}
MAX_ROWS = 1_000_000
CHUNK = 500  # rows per write transaction (about 0.05 s): the bot's writes wait one at most
# Between chunks the lock is left free this long: SQLite's busy handler looks again every 100 ms
# at most, so another process's waiting writer is sure to get in (not starved by the next chunk).
PAUSE = 0.12


class ImportFailed(ValueError):
    """The file cannot be read as a results file (not CSV/XLSX, no header we know)."""


def _cells(path: Path) -> Iterator[list[str]]:
    if path.suffix.lower() == ".xlsx":
        book = load_workbook(path, read_only=True, data_only=True)
        for row in book.active.iter_rows(values_only=True):
            yield [_text(value) for value in row]
        return
    text = path.read_bytes().decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (a date cell as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a KPJ or NIK typed as a number
        return str(int(value))
    return str(value.date() if isinstance(value, datetime) else value)


def _header(row: list[str]) -> dict[str, int]:
    names = [re.sub(r"\W+", "_", cell.strip().lower()).strip("_") for cell in row]
    found = {key: names.index(n) for key, aliases in COLUMNS.items() for n in aliases if n in names}
    if not {"reference", "nik"} <= set(found):
        raise ImportFailed("the first row must name the columns: reference and nik at least")
    return found


def _day(text: str) -> str | None:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _row(line: int, cells: list[str], at: dict[str, int]) -> Result | str:
    """The row as a Result, or what is wrong with its form."""
    get = {key: (cells[i].strip() if i < len(cells) else "") for key, i in at.items()}
    reference, nik = get.get("reference", "").upper(), re.sub(r"\D", "", get.get("nik", ""))
    state = STATES.get(get.get("result", "").lower()) if get.get("result") else None
    if get.get("result") and state is None:
        return f"unknown result {get['result']!r}: accepted or rejected"
    if not re.fullmatch(r"BPU-[A-Z0-9]{4}-[A-Z0-9]{4}", reference):
        return "no reference like BPU-XXXX-XXXX"
    if len(nik) != 16:
        return "the NIK is not 16 digits"
    kpj, reason = get.get("kpj") or None, get.get("reason") or None
    if state == "accepted" and not kpj:
        return "accepted without a KPJ"
    if state == "rejected" and not reason:
        return "rejected without a reason"
    starts = _day(get["start_date"]) if get.get("start_date") else None
    if get.get("start_date") and starts is None:
        return f"start date {get['start_date']!r} is not a date"
    paid = get.get("paid_until") or None
    if paid and re.fullmatch(r"\d{4}-\d{2}-01", paid):  # a month Excel made a date of
        paid = paid[:7]
    if paid and not _plausible_month(paid):
        return f"paid_until {paid!r} is not a month YYYY-MM since 2015"
    if not (state or paid):
        return "neither a result nor a payment"
    return Result(line, reference, nik, state, kpj, starts, reason, paid)


def _plausible_month(text: str) -> bool:
    """YYYY-MM, from the year BPU membership began to a few years ahead (a typo like 2062)."""
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        return False
    year, month = int(text[:4]), int(text[5:])
    return 2015 <= year <= datetime.now().year + 2 and 1 <= month <= 12


def read(path: Path) -> tuple[list[Result], list[tuple[int, str, str]]]:
    """The file's rows, and the problems of those whose form is wrong."""
    try:
        return _read(path)
    except ImportFailed:
        raise
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError, BadZipFile) as error:
        raise ImportFailed(f"cannot read {path.name} as CSV or XLSX: {error}") from error


def _read(path: Path) -> tuple[list[Result], list[tuple[int, str, str]]]:
    rows = _cells(path)
    at = _header(next(rows, []))
    results, problems = [], []
    for line, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if line > MAX_ROWS:
            raise ImportFailed(f"more than {MAX_ROWS} rows")
        parsed = _row(line, cells, at)
        if isinstance(parsed, str):
            reference = cells[at["reference"]].strip() if at["reference"] < len(cells) else ""
            problems.append((line, reference, parsed))
        else:
            results.append(parsed)
    # results before payments, whatever the main system's order: paid needs accepted first
    results.sort(key=lambda r: (r.state is None, r.line))
    return results, problems


def month_of(day: date | None) -> str:
    """A month as a template parameter: always in Indonesian, as the templates are."""
    return translator("id").month(day) if day else "-"


async def _queue_results(conn: AsyncConnection, rules: Rules, now: datetime) -> None:
    """Each new result goes to the outbox once, in the chat the registration came from; the
    running `serve` or `telegram` process sends it (bot/channels/outbox.py)."""
    for reference, standing in await memberships.untold(conn):
        chat = await review.worker(conn, reference)
        if chat and chat.channel in outbox.TELLABLE and standing.state and not chat.erased:
            text = result_notice(chat, standing, rules)
            # outside WhatsApp's window: this template (naming the worker for the one who
            # registered them and passes it on)
            for_someone = chat.assisted_by or chat.by_family
            sponsored = standing.state == "accepted" and chat.sponsor and chat.sponsored_until
            key = (
                f"result_{standing.state}"
                + ("_sponsored" if sponsored else "")
                + ("_for" if for_someone else "")
            )
            params = params_for(
                key,
                {
                    "name": chat.full_name,
                    "reference": reference,
                    "kpj": standing.kpj,
                    "reason": standing.reason,
                    "card_days": rules.payment.card_days_after_payment,
                    "contact_center": rules.payment.contact_center,
                    "sponsor": chat.sponsor,
                    "until": month_of(chat.sponsored_until),
                },
            )
            dedupe = f"result:{reference}:{standing.state}"
            await outbox.supersede(conn, f"result:{reference}:", keep=dedupe)
            await outbox.enqueue(conn, dedupe, chat.channel, chat.user_key, text, now, key, params)
        await memberships.told(conn, reference, standing.state or "")


async def import_file(
    db: Database, path: Path, actor: str, now: datetime, rules: Rules
) -> tuple[ImportBatch, bool]:
    """Import a results file as one batch; (batch, new). The same file again is not applied:
    its earlier batch is returned with new=False."""
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    async with db.reading() as conn:
        if known := await memberships.batch_by_sha(conn, sha):
            return known, False
    results, problems = read(path)
    async with db.transaction() as conn:
        batch_id = await memberships.open_batch(
            conn, file_name=path.name, rows=len(results) + len(problems), actor=actor, now=now
        )
    changed = 0
    for start in range(0, len(results), CHUNK):  # a short write at a time: workers go on
        async with db.transaction() as conn:
            count, found = await memberships.apply(
                conn, batch_id, results[start : start + CHUNK], now
            )
        changed, problems = changed + count, problems + found
        await asyncio.sleep(PAUSE)
    async with db.transaction() as conn:
        if known := await memberships.batch_by_sha(conn, sha):  # imported meanwhile, in full
            return known, False  # (this one stays unfinished: its rows changed nothing)
        batch = await memberships.close_batch(conn, batch_id, sha, changed, problems)
        await _queue_results(conn, rules, now)
        detail = {"batch": batch.id, "rows": batch.row_count, "changed": batch.changed}
        await audit.record(conn, actor, "import", detail, now)
    return batch, True
