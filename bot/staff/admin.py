"""Staff commands: `bpu-bot staff|campaigner|campaign|export|stats|import|sponsor`. Each change
is audited."""

from __future__ import annotations

import argparse
import getpass
import re
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO

import psycopg

from bot.settings import Settings
from bot.staff import inbox_report, sponsor_cli
from bot.staff.campaign_assets import campaign_links, poster_campaigner, write_assets
from bot.staff.export_files import FORMATS
from bot.staff.exports import Filters, NothingToExport, TooLarge, export, tidy
from bot.staff.imports import ImportFailed, import_file
from bot.staff.stats_report import report
from conversations import Rules
from conversations.fields import clean_phone
from conversations.i18n import translator
from conversations.parsing import Invalid
from storage import Database, audit, campaigns, console, people, sql
from storage.database import BadDatabase
from storage.stats import funnel
from storage.times import day_start


def add_commands(commands: argparse._SubParsersAction) -> None:
    for role in ("staff", "campaigner"):
        parser = commands.add_parser(role, help=f"add, list or remove {role}")
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help=f"add a {role} member")
        add.add_argument("--name", required=True)
        if role == "campaigner":
            add.add_argument(
                "--code", required=True, help="their own code, e.g. a Perisai agent number"
            )
        add.add_argument("--telegram-id", type=telegram_id, help="their numeric Telegram user id")
        add.add_argument("--phone", help="their WhatsApp mobile number")
        if role == "staff":
            add.add_argument(
                "--branch", help="their branch office: they see only it (default: every branch)"
            )
        actions.add_parser("list", help=f"list {role}")
        remove = actions.add_parser("remove", help=f"take away the {role} role")
        remove.add_argument("id", type=int)
        link = actions.add_parser(
            "login-link", help="print a one-time link to the staff console (valid 10 minutes)"
        )
        link.add_argument("id", type=int)

    campaign = commands.add_parser(
        "campaign", help="create, list, show, close campaigns; write their QR codes and poster"
    )
    actions = campaign.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="issue a new campaign code")
    create.add_argument("--name", required=True, help='e.g. "Pasar Klewer November"')
    create.add_argument("--place", required=True, help='e.g. "Pasar Klewer, Solo"')
    create.add_argument("--branch", required=True, help='branch office, e.g. "Surakarta"')
    create.add_argument("--campaigner", help="code of the responsible campaigner")
    create.add_argument("--starts", type=day, help="YYYY-MM-DD (default today)")
    create.add_argument("--ends", type=day, help="YYYY-MM-DD (default open)")
    actions.add_parser("list", help="all campaigns")
    for name, text in (("show", "details and links"), ("close", "stop counting it as active")):
        actions.add_parser(name, help=text).add_argument("code")
    assets = actions.add_parser("assets", help="QR codes (PNG, SVG) and the A4 poster (vector PDF)")
    assets.add_argument("code")
    assets.add_argument("--out", type=Path, default=Path.cwd(), help="folder (default: here)")

    exporting = commands.add_parser("export", help="export registrations for the main system")
    exporting.add_argument("--format", choices=FORMATS, help="default csv, or the batch's own")
    exporting.add_argument("--out", type=Path, help="file or folder (default: here)")
    exporting.add_argument("--batch", type=int, help="write batch N again, exactly")
    exporting.add_argument(
        "--all", action="store_true", help="include registrations exported before"
    )
    exporting.add_argument("--since", type=day, help="registered on or after (YYYY-MM-DD)")
    exporting.add_argument("--until", type=day, help="registered on or before (YYYY-MM-DD)")
    exporting.add_argument("--campaign", help="only this campaign code")

    stats = commands.add_parser(
        "stats", help="the funnel, with drop-off, by occupation, channel, campaign and campaigner"
    )
    stats.add_argument("--since", type=day, help="conversations started on or after (YYYY-MM-DD)")
    stats.add_argument("--until", type=day, help="... on or before")
    stats.add_argument("--campaign", help="only this campaign code")

    commands.add_parser(
        "inbox", help="webhooks set aside because they could not be processed (no content shown)"
    )

    importing = commands.add_parser(
        "import", help="results from the main system: accepted (KPJ), rejected, paid until"
    )
    importing.add_argument("file", type=Path, help="CSV or XLSX with the columns in the README")
    sponsor_cli.add_commands(commands)


def day(text: str) -> date:
    """A date argument, YYYY-MM-DD only: other forms (1/11/2026) are ambiguous to staff."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # 2026-13-01
    raise argparse.ArgumentTypeError(f"invalid date {text}: use YYYY-MM-DD")


def telegram_id(text: str) -> str:
    """A Telegram user id argument: digits only, as Telegram gives them."""
    if not (text.isascii() and text.isdecimal() and len(text) <= 20):
        raise argparse.ArgumentTypeError(f"not a Telegram user id: {text} (digits only)")
    return text


def actor() -> str:
    return f"cli:{getpass.getuser()}"


def creates(args: argparse.Namespace) -> bool:
    """Only commands that add something may make a new database; the others refuse a missing
    one, so a mistyped --db is reported instead of quietly becoming an empty database."""
    return getattr(args, "action", None) in ("add", "create")


def fail(message: object, status: int = 1) -> int:
    """An error for staff: one line on stderr (looked up now: tests may have replaced it)."""
    print(message, file=sys.stderr)
    return status


async def run(
    args: argparse.Namespace, settings: Settings, rules: Rules, out: TextIO | None = None
) -> int:
    """Carry out one staff command; returns the exit status. Raises BadDatabase (one line)
    when the database is missing (for a command that does not create it) or unusable."""
    out = out or sys.stdout  # looked up now: tests and callers may have replaced it
    async with await Database.open(settings.database, create=creates(args)) as db:
        await tidy(db, settings.zone)  # what a killed export left does not wait for the next
        handler = {
            "staff": _people,
            "campaigner": _people,
            "campaign": _campaign,
            "export": _export,
            "stats": _stats,
            "inbox": _inbox,
            "import": _import,
            "sponsor": _sponsor,
        }[args.command]
        try:
            return await handler(args, settings, rules, db, out)
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError):
            raise  # a clash or a bug, not the file
        except sqlite3.DatabaseError as error:  # damage found only now, past the first pages
            raise BadDatabase(f"cannot use database {db.path}: {error}") from error
        except psycopg.OperationalError as error:  # the server went away
            raise BadDatabase(f"cannot use database {db.path}: {error}") from error


async def _sponsor(
    args: argparse.Namespace, settings: Settings, rules: Rules, db: Database, out: TextIO
) -> int:
    return await sponsor_cli.run(args, settings, rules, db, out, actor())


async def _people(
    args: argparse.Namespace, settings: Settings, rules: Rules, db: Database, out: TextIO
) -> int:
    role = args.command
    now = datetime.now(UTC)
    if args.action == "list":
        async with db.transaction() as conn:
            found = await people.listing(conn, role)
        for p in found:
            code = f" [{p.code}]" if p.code else ""
            state = "" if p.active else "  (removed)"
            sees = "" if role != "staff" else f"  branch={p.branch or 'all'}"
            print(
                f"{p.id:4}  {p.name}{code}  telegram={p.telegram_id or '-'}  "
                f"phone={p.phone or '-'}{sees}{state}",
                file=out,
            )
        return 0
    if args.action == "remove":
        async with db.transaction() as conn:
            done = await people.deactivate(conn, role, args.id)
            if done:
                await audit.record(conn, actor(), f"{role}.remove", {"id": args.id}, now)
        if not done:
            return fail(f"no {role} {args.id}")
        print(f"{role} {args.id} removed", file=out)
        return 0
    if args.action == "login-link":
        async with db.transaction() as conn:
            person = await people.get(conn, role, args.id)
            if person is None or not person.active:
                return fail(f"no active {role} {args.id}")
            token = await console.new_link(conn, role, person.id, now)
            await audit.record(conn, actor(), "console.link", {"kind": role, "id": person.id}, now)
        print(f"{settings.console_url}masuk/{token}", file=out)
        return 0
    if not (args.telegram_id or args.phone):
        return fail("give --telegram-id and/or --phone", 2)
    try:
        phone = clean_phone(args.phone) if args.phone else None
    except Invalid:
        return fail(f"not an Indonesian mobile number: {args.phone}", 2)
    try:
        async with db.transaction() as conn:
            person_id = await people.add(
                conn,
                role,
                args.name,
                args.telegram_id,
                phone,
                actor(),
                now,
                code=getattr(args, "code", None),
                branch=getattr(args, "branch", None),
            )
            await audit.record(
                conn, actor(), f"{role}.add", {"id": person_id, "name": args.name}, now
            )
    except sql.IntegrityError as error:  # UNIQUE on staff.telegram_id, say
        taken = (sql.unique_column(error) or ("", "one of these"))[1]
        return fail(f"a {role} with this {taken.replace('_', ' ')} exists already", 2)
    print(f"{role} {person_id} added: {args.name}", file=out)
    return 0


async def _campaign(
    args: argparse.Namespace, settings: Settings, rules: Rules, db: Database, out: TextIO
) -> int:
    now = datetime.now(UTC)
    today = now.astimezone(settings.zone).date()
    t = translator(settings.language)
    if args.action == "create":
        starts = args.starts or today
        if args.ends and args.ends < starts:
            return fail(f"the campaign ends ({args.ends}) before it starts ({starts})", 2)
        async with db.transaction() as conn:
            campaigner = None
            if args.campaigner:
                campaigner = await people.campaigner_by_code(conn, args.campaigner)
                if campaigner is None:
                    return fail(f"no campaigner with code {args.campaigner}", 2)
            made = await campaigns.create(
                conn,
                name=args.name,
                place=args.place,
                branch=args.branch,
                campaigner_id=campaigner.id if campaigner else None,
                starts_on=starts,
                ends_on=args.ends,
                actor=actor(),
                now=now,
            )
            await audit.record(conn, actor(), "campaign.create", {"code": made.code}, now)
        print(f"campaign {made.code} created", file=out)
        return 0
    if args.action == "list":
        async with db.transaction() as conn:
            found = await campaigns.listing(conn)
        for c in found:
            state = "active" if c.active_on(today) else ("closed" if c.closed_at else "inactive")
            print(
                f"{c.code}  {c.name}  |  {c.place}  |  {c.branch}  |  {c.starts_on} to "
                f"{c.ends_on or 'open'}  |  {state}",
                file=out,
            )
        return 0
    async with db.transaction() as conn:
        found = await campaigns.get(conn, args.code)
        if found is None:
            return fail(f"no campaign {args.code}")
        if args.action == "close":
            closed = await campaigns.close(conn, args.code, now)
            if closed:
                await audit.record(conn, actor(), "campaign.close", {"code": args.code}, now)
            print(f"campaign {args.code} closed" if closed else "already closed", file=out)
            return 0
    try:
        links = campaign_links(settings, t, found.code)
    except ValueError as error:
        return fail(error, 2)
    if args.action == "assets":
        async with db.transaction() as conn:
            campaigner = await poster_campaigner(conn, found)
        for path in write_assets(args.out, t, rules, today, found, links, campaigner):
            print(path, file=out)
        return 0
    print(
        f"{found.code}: {found.name}\nplace: {found.place}\nbranch: {found.branch}\n"
        f"dates: {found.starts_on} to {found.ends_on or 'open'}"
        f"{'  (closed)' if found.closed_at else ''}",
        file=out,
    )
    for channel, link in links.pairs():
        print(f"{channel}: {link}", file=out)
    return 0


async def _export(
    args: argparse.Namespace, settings: Settings, rules: Rules, db: Database, out: TextIO
) -> int:
    if args.campaign and not await _campaign_exists(db, args.campaign):
        return fail(f"no campaign {args.campaign}")
    filters = Filters(
        include_exported=args.all, since=args.since, until=args.until, campaign=args.campaign
    )
    try:
        result = await export(
            db,
            fmt=args.format,
            actor=actor(),
            now=datetime.now(UTC),
            zone=settings.zone,
            filters=filters,
            batch_id=args.batch,
            out=args.out,
            progress=_progress_bar(sys.stderr),
        )
    except NothingToExport:
        print("nothing new to export: no file written", file=out)
        return 0
    except (LookupError, TooLarge) as error:
        return fail(error)
    except OSError as error:  # the file could not be written
        return fail(f"cannot write the export: {error.strerror or error}")
    b = result.batch
    print(
        f"batch {b.id}: {result.rows} registrations -> {result.path}\n"
        f"sha256 {result.sha256}\ncreated {b.created_at} by {b.created_by}",
        file=out,
    )
    if result.matches is False:
        print("warning: this file differs from the one first written for this batch", file=out)
    elif result.matches:
        print("identical to the file first written for this batch", file=out)
    return 0


def _progress_bar(stream: TextIO):
    """A progress line on a terminal; nothing when output goes to a file or pipe."""
    if not stream.isatty():
        return None
    step = {"last": -1}

    def show(done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if percent != step["last"] or done == total:
            step["last"] = percent
            bar = "#" * (percent // 4)
            end = "\n" if done >= total else ""
            stream.write(f"\r[{bar:<25}] {percent:3}%  {done:,}/{total:,}{end}")
            stream.flush()

    return show


async def _stats(
    args: argparse.Namespace, settings: Settings, rules: Rules, db: Database, out: TextIO
) -> int:
    since = day_start(args.since, settings.zone) if args.since else None
    until = day_start(args.until + timedelta(days=1), settings.zone) if args.until else None
    if args.campaign and not await _campaign_exists(db, args.campaign):
        return fail(f"no campaign {args.campaign}")
    async with db.reading() as conn:  # a report never holds up workers' writes
        result = await funnel(conn, since, until, args.campaign)
    heading = (
        f"Funnel of conversations started {args.since or 'at any time'}"
        f"{f' to {args.until}' if args.until else ''}"
        f"{f', campaign {args.campaign}' if args.campaign else ''}"
    )
    print(report(result, heading), file=out)
    return 0


async def _campaign_exists(db: Database, code: str) -> bool:
    async with db.reading() as conn:
        return await campaigns.get(conn, code) is not None


async def _import(
    args: argparse.Namespace, settings: Settings, rules: Rules, db: Database, out: TextIO
) -> int:
    try:
        batch, new = await import_file(db, args.file, actor(), datetime.now(UTC), rules)
    except FileNotFoundError:
        return fail(f"no file {args.file}")
    except ImportFailed as error:
        return fail(error)
    if not new:
        print(
            f"already imported as batch {batch.id} ({batch.created_at[:16]} by "
            f"{batch.created_by}): nothing changed",
            file=out,
        )
        return 0
    print(
        f"import batch {batch.id}: {batch.row_count} rows, {batch.changed} changed, "
        f"{batch.not_applied} not applied",
        file=out,
    )
    for line, reference, problem in batch.problems:
        print(f"  line {line} {reference or '-'}: {problem}", file=out)
    if batch.not_applied > len(batch.problems):
        print(f"  ... and {batch.not_applied - len(batch.problems)} more", file=out)
    return 0


async def _inbox(
    args: argparse.Namespace, settings: Settings, rules: Rules, db: Database, out: TextIO
) -> int:
    return await inbox_report.show(db, out)
