"""Results from the main system in the console: upload its file (CSV or XLSX, up to the server's
1 MB request limit; `bpu-bot import` takes any size) and see every import batch with the rows
that were not applied and why. For administrators: a results file covers every branch."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiohttp import web

from bot.staff.console.app import (
    FORM,
    admin_only,
    console_of,
    refuse,
    render,
    tr,
    viewer_of,
)
from bot.staff.imports import ImportFailed, import_file
from storage import memberships


@admin_only
async def page(request: web.Request) -> web.Response:
    async with console_of(request).db.reading() as conn:
        batches = await memberships.batches(conn)
    return render(request, "imports.html", batches=batches, done=request.query.get("batch"))


@admin_only
async def upload(request: web.Request) -> web.StreamResponse:
    c, viewer = console_of(request), viewer_of(request)
    sent = request[FORM].get("file")
    if not isinstance(sent, web.FileField) or not sent.filename:
        return refuse(request, 400, tr(request, "Choose the results file (CSV or XLSX)."))
    suffix = Path(sent.filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        return refuse(request, 400, tr(request, "Choose the results file (CSV or XLSX)."))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(sent.filename).name
        path.write_bytes(sent.file.read())  # bounded by the server's request limit
        try:
            batch, _ = await import_file(c.db, path, viewer.actor, c.clock(), c.rules)
        except ImportFailed as error:
            return refuse(request, 400, str(error))
    raise web.HTTPSeeOther(f"/staff/impor?batch={batch.id}")


def routes(app: web.Application) -> None:
    app.router.add_get("/impor", page)
    app.router.add_post("/impor", upload)
