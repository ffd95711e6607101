"""Exports from the console: a new batch for the main system (CSV, XLSX or JSONL) made in the
background with its progress shown, and every earlier batch downloadable again, byte for byte
(bot/staff/exports.py checks it against the checksum recorded when it was made).

Exports carry every field of a registration, so they are for staff only: a branch's staff export
their branch's campaigns, an administrator everything.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from bot.staff.console.app import (
    FORM,
    SECURITY_HEADERS,
    console_of,
    refuse,
    render,
    staff_only,
    tr,
    viewer_of,
)
from bot.staff.console.viewer import Viewer
from bot.staff.export_files import FORMATS
from bot.staff.exports import ExportFailed, ExportResult, NothingToExport, export
from storage import audit, exports
from storage.exports import Batch, Filters
from storage.files import private_dir


@dataclass
class Job:
    """An export being made: how far it is, and how it ended."""

    id: int
    fmt: str
    actor: str  # who started it: only they see its page
    done: int = 0
    total: int = 0
    result: ExportResult | None = None
    problem: str | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()


JOBS = web.AppKey("export_jobs", dict)
KEEP_JOBS = 50  # the newest jobs' outcomes, for their pages
CHUNK = 256 * 1024
_ids = itertools.count(1)


def _folder(request: web.Request) -> Path:
    """A private folder next to the database, where export files are written and removed."""
    return private_dir(console_of(request).db.folder / ".bpu-console-export")


async def _run(request: web.Request, job: Job, filters: Filters) -> None:
    c, viewer = console_of(request), viewer_of(request)
    out = Path(tempfile.mkdtemp(dir=_folder(request)))

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total

    try:
        job.result = await export(
            c.db,
            fmt=job.fmt,
            actor=viewer.actor,
            now=c.clock(),
            zone=c.settings.zone,
            filters=filters,
            out=out,
            progress=progress,
        )
    except NothingToExport:
        job.problem = tr(request, "There is nothing new to export.")
    except ExportFailed:
        job.problem = tr(request, "The export could not be written; nothing was exported.")
    finally:
        shutil.rmtree(out, ignore_errors=True)  # the batch is re-made on download


def may_see(viewer: Viewer, batch: Batch) -> bool:
    """An administrator sees every batch; a branch's staff those made for their branch."""
    branch = viewer.branch
    return branch is None or json.loads(batch.filters).get("branch") == branch


@staff_only
async def page(request: web.Request) -> web.Response:
    c, viewer = console_of(request), viewer_of(request)
    async with c.db.reading() as conn:
        batches = [b for b in await exports.listing(conn) if may_see(viewer, b)]
    jobs: dict[int, Job] = request.app[JOBS]
    number = request.query.get("job", "")
    job = jobs.get(int(number)) if number.isdecimal() else None
    job = job if job and job.actor == viewer.actor else None
    return render(request, "exports.html", batches=batches, job=job, formats=FORMATS)


@staff_only
async def start(request: web.Request) -> web.StreamResponse:
    viewer, form = viewer_of(request), request[FORM]
    fmt = str(form.get("format", "csv"))
    if fmt not in FORMATS:
        return refuse(request, 400, tr(request, "Choose CSV, XLSX or JSONL."))
    filters = Filters(include_exported=form.get("all") == "1", branch=viewer.branch)
    job, jobs = Job(next(_ids), fmt, viewer.actor), request.app[JOBS]
    jobs[job.id] = job
    for old in [key for key in jobs if key <= job.id - KEEP_JOBS]:
        jobs.pop(old)
    job.task = asyncio.create_task(_run(request, job, filters))
    raise web.HTTPSeeOther(f"/staff/ekspor?job={job.id}")


@staff_only
async def download(request: web.Request) -> web.StreamResponse:
    """The batch written again and streamed (a big export never sits in memory), then removed."""
    c, viewer = console_of(request), viewer_of(request)
    batch_id = int(request.match_info["batch"])
    async with c.db.reading() as conn:
        batch = await exports.get(conn, batch_id)
    if batch is None or not may_see(viewer, batch):  # another branch's: as if there were none
        return refuse(request, 404, tr(request, "No such export batch."))
    out = Path(tempfile.mkdtemp(dir=_folder(request)))
    try:
        try:
            result = await export(
                c.db, fmt=None, actor=viewer.actor, now=c.clock(), zone=c.settings.zone,
                batch_id=batch_id, out=out,
            )  # fmt: skip
        except (NothingToExport, ExportFailed, LookupError):
            return refuse(request, 404, tr(request, "No such export batch."))
        async with c.db.transaction() as conn:
            detail = {"batch": batch_id, "same_as_first": result.matches}
            await audit.record(conn, viewer.actor, "export.download", detail, c.clock())
        response = web.StreamResponse(
            headers={
                **SECURITY_HEADERS,
                "Content-Type": "application/octet-stream",
                "Content-Disposition": f'attachment; filename="{result.path.name}"',
                "X-Content-SHA256": result.sha256,
            }
        )
        response.content_length = result.path.stat().st_size
        await response.prepare(request)
        with result.path.open("rb") as file:
            while chunk := file.read(CHUNK):
                await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        shutil.rmtree(out, ignore_errors=True)


def routes(app: web.Application) -> None:
    app[JOBS] = {}
    app.router.add_get("/ekspor", page)
    app.router.add_post("/ekspor", start)
    app.router.add_get("/ekspor/{batch:[0-9]+}/unduh", download)
