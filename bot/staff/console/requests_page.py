"""Workers' data requests in the console (storage/data_rights.py): deletions of registrations
already sent to the main system, and corrections after its answer, open until a staff member
marks that they passed it on (or made the correction). For administrators: a request may be
about any branch's registration, and one deleted here leaves no branch to scope it by."""

from __future__ import annotations

from aiohttp import web

from bot.staff.console.app import FORM, admin_only, console_of, render, viewer_of
from storage import audit, data_rights


@admin_only
async def page(request: web.Request) -> web.Response:
    async with console_of(request).db.reading() as conn:
        waiting = await data_rights.requests(conn)
    return render(request, "requests.html", requests=waiting)


@admin_only
async def handle(request: web.Request) -> web.StreamResponse:
    c, viewer = console_of(request), viewer_of(request)
    try:
        request_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound from None
    async with c.db.transaction() as conn:
        if await data_rights.handled(conn, request_id, viewer.actor, c.clock()):
            detail = {"id": request_id, "note": str(request[FORM].get("note", ""))[:200]}
            await audit.record(conn, viewer.actor, "data_request.handled", detail, c.clock())
    raise web.HTTPSeeOther("/staff/permintaan")


def routes(app: web.Application) -> None:
    app.router.add_get("/permintaan", page)
    app.router.add_post("/permintaan/{id}/selesai", handle)
