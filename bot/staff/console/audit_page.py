"""The audit log, newest first, filtered by who, what and when."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.staff.console.app import admin_only, console_of, day, render
from storage.times import day_start

PAGE = 200


@admin_only  # the log names every branch's registrations and people
async def audit_log(request: web.Request) -> web.Response:
    c = console_of(request)
    who, what = request.query.get("siapa", "")[:100], request.query.get("apa", "")[:100]
    since, until = day(request.query.get("dari", "")), day(request.query.get("sampai", ""))
    like = c.db.dialect.like  # case-insensitive on either engine
    clauses, params = ["1 = 1"], []
    if who:
        clauses.append(f"actor {like} ?")
        params.append(f"%{who}%")
    if what:
        clauses.append(f"action {like} ?")
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
