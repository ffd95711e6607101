"""The audit log, newest first, filtered by who, what and when."""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web

from bot.staff.console.app import console_of, refuse, render, staff_only, tr, viewer_of
from storage.times import day_start

PAGE = 200


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@staff_only
async def audit_log(request: web.Request) -> web.Response:
    """For administrators: the log names every branch's registrations and people."""
    c = console_of(request)
    if not viewer_of(request).person.admin:
        return refuse(request, 403, tr(request, "The audit log is for administrators."))
    who, what = request.query.get("siapa", "")[:100], request.query.get("apa", "")[:100]
    since, until = _day(request.query.get("dari", "")), _day(request.query.get("sampai", ""))
    clauses, params = ["1"], []
    if who:
        clauses.append("actor LIKE ?")
        params.append(f"%{who}%")
    if what:
        clauses.append("action LIKE ?")
        params.append(f"{what}%")
    if since:
        clauses.append("at >= ?")
        params.append(day_start(since, c.settings.zone))
    if until:
        clauses.append("at < ?")
        params.append(day_start(until + timedelta(days=1), c.settings.zone))
    async with (
        c.db.reading() as conn,
        conn.execute(
            f"""SELECT at, actor, action, detail FROM audit_log WHERE {" AND ".join(clauses)}
                ORDER BY id DESC LIMIT {PAGE}""",
            params,
        ) as cursor,
    ):
        rows = list(await cursor.fetchall())
    return render(
        request,
        "audit.html",
        rows=rows,
        who=who,
        what=what,
        since=since,
        until=until,
        zone=c.settings.zone,
    )


def routes(app: web.Application) -> None:
    app.router.add_get("/audit", audit_log)
