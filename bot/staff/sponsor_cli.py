"""`bpu-bot sponsor add|list|statement`: sponsored programs, where a regency, the state or a
company pays the premium of the workers who qualify (storage/sponsors.py). Each change is
audited."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from bot.settings import Settings
from bot.staff.sponsor_programs import checked_program
from bot.staff.sponsor_statement import lines, write
from conversations import Rules
from storage import Database, audit, sponsors
from storage.sponsors import NewProgram, ProgramRefused


def month(text: str) -> date:
    """A month argument, YYYY-MM."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
        try:
            return date.fromisoformat(f"{text}-01")
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"invalid month {text}: use YYYY-MM")


def add_commands(commands: argparse._SubParsersAction) -> None:
    sponsor = commands.add_parser(
        "sponsor", help="sponsored programs: a regency, the state or a company pays the premium"
    )
    actions = sponsor.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create a sponsored program")
    add.add_argument("code", help="a short code of your own, e.g. SPN-PPU-2027")
    add.add_argument("--sponsor", required=True, help='who pays, e.g. "Pemkab Penajam Paser Utara"')
    add.add_argument(
        "--kind", required=True, help="apbd_kabupaten, apbd_provinsi, apbn, csr, other"
    )
    add.add_argument("--income", type=int, required=True, help="declared income it pays on")
    add.add_argument("--seats", type=int, required=True, help="how many workers it pays for")
    add.add_argument("--from", dest="start", type=month, required=True, help="first month")
    add.add_argument("--to", dest="end", type=month, required=True, help="last month")
    add.add_argument("--jht", action="store_true", help="it pays JHT too")
    add.add_argument("--occupation", action="append", default=[], help="who qualifies (repeat)")
    add.add_argument("--city", action="append", default=[], help="kabupaten/kota code (repeat)")
    add.add_argument("--campaign", action="append", default=[], help="campaign codes (repeat)")
    add.add_argument("--niks", type=Path, help="the sponsor's list: a file, one NIK a line")
    actions.add_parser("list", help="programs with seats taken and left, per campaign")
    actions.add_parser("close", help="offer a program to nobody any more").add_argument("code")
    statement = actions.add_parser("statement", help="who, which months, how much (CSV/XLSX)")
    statement.add_argument("code")
    statement.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    statement.add_argument("--out", type=Path, help="file (default: CODE-statement.FORMAT here)")
    statement.add_argument("--until", type=month, help="the last month to include")


def _program(args: argparse.Namespace, rules: Rules, today: date) -> NewProgram:
    niks = args.niks.read_text("utf-8-sig").splitlines() if args.niks else None
    return checked_program(
        rules,
        today,
        code=args.code,
        sponsor=args.sponsor,
        kind=args.kind,
        income=args.income,
        seats=args.seats,
        start=args.start,
        end=args.end,
        with_jht=args.jht,
        occupations=args.occupation,
        city_codes=args.city,
        campaigns=args.campaign,
        nik_lines=niks,
        nik_source=str(args.niks),
    )


async def run(
    args: argparse.Namespace,
    settings: Settings,
    rules: Rules,
    db: Database,
    out: TextIO,
    actor: str,
) -> int:
    now = datetime.now(UTC)
    today = now.astimezone(settings.zone).date()
    if args.action == "add":
        try:
            new = _program(args, rules, today)
            async with db.transaction() as conn:
                await sponsors.create(conn, new, actor, now)
                detail = {"code": new.code, "seats": new.seats, "niks": len(new.niks)}
                await audit.record(conn, actor, "sponsor.create", detail, now)
        except (ValueError, ProgramRefused) as error:
            print(error, file=sys.stderr)
            return 2
        print(f"sponsored program {new.code} created: {new.seats} seats", file=out)
        return 0
    if args.action == "close":
        async with db.transaction() as conn:
            closed = await sponsors.close(conn, args.code, now)
            if closed:
                await audit.record(conn, actor, "sponsor.close", {"code": args.code}, now)
        print(f"{args.code} closed" if closed else f"no open program {args.code}", file=out)
        return 0 if closed else 1
    if args.action == "list":
        async with db.reading() as conn:
            found = await sponsors.programs(conn)
            for p in found:
                kind = rules.sponsor_kind(p.kind)
                print(
                    f"{p.code}  {p.sponsor} ({kind.label if kind else p.kind})  |  "
                    f"{p.start:%Y-%m} to {p.end:%Y-%m}  |  seats {p.seats - p.seats_left} "
                    f"taken, {p.seats_left} left of {p.seats}",
                    file=out,
                )
                for campaign, taken in await sponsors.seats_by_campaign(conn, p.code):
                    print(f"    {campaign}: {taken}", file=out)
        return 0
    async with db.reading() as conn:
        program = await sponsors.program(conn, args.code)
        if program is None:
            print(f"no sponsored program {args.code}", file=sys.stderr)
            return 1
        workers = await sponsors.covered(conn, program.code)
    statement = list(lines(program, workers, rules, settings.zone, args.until))
    path = args.out or Path(f"{program.code}-statement.{args.format}")
    try:
        count, total = write(path, args.format, program, statement)
    except FileExistsError:
        print(f"{path} exists: not overwritten", file=sys.stderr)
        return 1
    async with db.transaction() as conn:
        detail = {"code": program.code, "lines": count, "total": total}
        await audit.record(conn, actor, "sponsor.statement", detail, now)
    print(f"{path}: {len(workers)} workers, {count} months, total Rp{total:,}", file=out)
    return 0
