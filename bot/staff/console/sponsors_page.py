"""Sponsored programs in the console (storage/sponsors.py): each with its seats taken and left,
per campaign, and its statement to download (CSV or XLSX) for the sponsor's finance office;
a form to create one, checked as `bpu-bot sponsor add` checks it. For administrators: a program
may cover several branches' campaigns."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from aiohttp import web

from bot.staff.console.app import FORM, admin_only, console_of, refuse, render, tr, viewer_of
from bot.staff.sponsor_programs import checked_program
from bot.staff.sponsor_statement import lines, write
from storage import audit, sponsors
from storage.sponsors import ProgramRefused

MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@admin_only
async def page(request: web.Request) -> web.Response:
    c = console_of(request)
    async with c.db.reading() as conn:
        programs = await sponsors.programs(conn)
        by_campaign = {p.code: await sponsors.seats_by_campaign(conn, p.code) for p in programs}
    kinds = {k.key: k.label for k in c.rules.sponsor_kinds}
    return render(request, "sponsors.html", programs=programs, by_campaign=by_campaign, kinds=kinds)


def _month(text: str) -> date:
    return date.fromisoformat(f"{text[:7]}-01")  # <input type="month">: YYYY-MM


@admin_only
async def create(request: web.Request) -> web.StreamResponse:
    c, viewer, form = console_of(request), viewer_of(request), request[FORM]
    now = c.clock()
    try:
        niks = str(form.get("niks", "")).strip()
        new = checked_program(
            c.rules,
            now.astimezone(c.settings.zone).date(),
            code=str(form.get("code", ""))[:40],
            sponsor=str(form.get("sponsor", ""))[:120],
            kind=str(form.get("kind", "")),
            income=int(str(form.get("income", "0")) or 0),
            seats=int(str(form.get("seats", "0")) or 0),
            start=_month(str(form.get("start", ""))),
            end=_month(str(form.get("end", ""))),
            with_jht=form.get("jht") == "1",
            occupations=form.getall("occupation", []),  # type: ignore[union-attr]
            city_codes=str(form.get("cities", "")).split(),
            campaigns=str(form.get("campaigns", "")).split(),
            nik_lines=niks.splitlines() if niks else None,
        )
        async with c.db.transaction() as conn:
            await sponsors.create(conn, new, viewer.actor, now)
            detail = {"code": new.code, "seats": new.seats, "niks": len(new.niks)}
            await audit.record(conn, viewer.actor, "sponsor.create", detail, now)
    except (ValueError, ProgramRefused) as error:
        return refuse(request, 400, str(error))
    raise web.HTTPSeeOther("/staff/sponsor")


@admin_only
async def statement(request: web.Request) -> web.StreamResponse:
    c, viewer = console_of(request), viewer_of(request)
    code, fmt = request.match_info["code"], request.match_info["fmt"]
    async with c.db.reading() as conn:
        program = await sponsors.program(conn, code)
        if program is None:
            return refuse(request, 404, tr(request, "No such sponsored program."))
        workers = await sponsors.covered(conn, code)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{code}-statement.{fmt}"
        statement = list(lines(program, workers, c.rules, c.settings.zone))
        count, total = write(path, fmt, program, statement)
        body = path.read_bytes()
    async with c.db.transaction() as conn:
        detail = {"code": code, "lines": count, "total": total}
        await audit.record(conn, viewer.actor, "sponsor.statement", detail, c.clock())
    return web.Response(
        body=body,
        content_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
    )


@admin_only
async def close(request: web.Request) -> web.StreamResponse:
    c, viewer = console_of(request), viewer_of(request)
    code = request.match_info["code"]
    async with c.db.transaction() as conn:
        if await sponsors.close(conn, code, c.clock()):
            await audit.record(conn, viewer.actor, "sponsor.close", {"code": code}, c.clock())
    raise web.HTTPSeeOther("/staff/sponsor")


def routes(app: web.Application) -> None:
    app.router.add_get("/sponsor", page)
    app.router.add_post("/sponsor", create)
    app.router.add_post("/sponsor/{code}/tutup", close)
    app.router.add_get(r"/sponsor/{code}/statement.{fmt:csv|xlsx}", statement)
