"""Exporting registrations for the main membership system, as numbered, re-creatable batches.

An export either completes or leaves no trace, whenever it is killed:

1. the batch number is reserved (state `writing`) with the private work folder it writes in;
2. on a thread with its own connection, one read snapshot picks the rows and writes them to a
   0600 file in that folder, next to the destination; the file is fsynced;
3. one transaction records the batch's items and the file's SHA-256 (state `committed`): this
   commit is what makes the batch exist and its registrations exported;
4. the file is hard-linked to its final name (never over an existing file), the folder fsynced,
   the work folder removed, and the batch marked `done`.

Exports of one database run one at a time (a lock file next to it). Each starts by finishing
what a killed one left: a `writing` batch is undone (its file removed, its rows still pending),
a `committed` one published. SIGTERM and SIGHUP stop a command-line export cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import secrets
import shutil
import signal
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.staff.export_files import (
    SqlCells,
    Stopped,
    file_sha256,
    fixed_offset,
    local_hours,
    write_file,
)
from storage import Database, audit, exports, sql
from storage.exports import Batch, Filters, NothingToExport
from storage.files import create_private, private_dir

__all__ = [
    "ExportFailed",
    "ExportResult",
    "Filters",
    "Interrupted",
    "NothingToExport",
    "TooLarge",
    "export",
    "file_sha256",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
WORK_PREFIX = ".bpu-export-"  # private work folders, next to the destination


class TooLarge(ValueError):
    """The batch does not fit the chosen format."""


class ExportFailed(LookupError):
    """The file could not be written or put in place; nothing was exported. (A LookupError,
    so callers that report an unknown batch report this the same way.)"""


class Interrupted(SystemExit):
    """SIGTERM or SIGHUP stopped a command-line export before its batch was recorded: nothing
    is left behind. Exits with status 1 and this one line."""


@dataclass(frozen=True)
class ExportResult:
    batch: Batch
    path: Path
    rows: int
    sha256: str
    new: bool  # False when an existing batch was written again
    matches: bool | None  # re-export: the file equals the original, byte for byte


def default_name(batch: Batch, fmt: str) -> str:
    return f"bpu-registrations-batch{batch.id:05d}.{fmt}"


def out_path(out: Path | None, batch: Batch, fmt: str) -> Path:
    """`out` is the file if it has an extension; otherwise (or if it is a folder) the folder."""
    if out is not None and out.suffix and not out.is_dir():
        return out.absolute()
    return (out or Path.cwd()).absolute() / default_name(batch, fmt)


async def export(
    db: Database,
    *,
    fmt: str | None,
    actor: str,
    now: datetime,
    zone: ZoneInfo,
    filters: Filters | None = None,
    batch_id: int | None = None,
    out: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Export the registrations not exported before (or `filters`) as a new numbered batch,
    or write batch `batch_id` again exactly. Raises NothingToExport when nothing matches,
    ExportFailed when the file cannot be written (nothing is exported then)."""
    stop = _Stop()
    async with db.one_at_a_time("export"), _signals(stop):
        await _recover(db, zone)
        job = _Job(db, zone, now, actor, stop, progress)
        try:
            if batch_id is not None:
                return await job.repeat(batch_id, fmt, out)
            return await job.new(filters or Filters(), fmt or "csv", out)
        except Stopped:
            raise Interrupted(
                f"export interrupted by {stop.cause}: nothing exported, no file left"
            ) from None


class _Stop:
    """Set from a signal handler or a cancelled task; read by the writing thread."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.cause = "a stop request"

    def set(self, cause: str) -> None:
        self.cause = cause
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


@contextlib.asynccontextmanager
async def _signals(stop: _Stop) -> AsyncIterator[None]:
    """In a command-line process (nobody handles SIGTERM), SIGTERM and SIGHUP ask the export
    to stop; a server's own handlers are left alone (a killed server's export is recovered)."""
    installed = []
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    ):
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, stop.set, sig.name)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            asyncio.get_running_loop().remove_signal_handler(sig)


async def tidy(db: Database, zone: ZoneInfo) -> None:
    """At the start of any command: finish or undo what a killed export left (its unfinished
    file holds personal data), unless an export is running now; that one tidies itself."""
    if db.path == ":memory:":
        return
    try:
        async with db.reading() as conn:
            if not any(await exports.leftovers(conn)):
                return  # the usual case: nothing to tidy, no lock file made
        async with db.one_at_a_time("export", wait=False) as held:
            if held:
                await _recover(db, zone)
    except sql.Error as error:  # busy, say: the next command or export tidies instead
        log.info("leftovers of an interrupted export not looked at now: %s", error)


async def _in_thread(stop: _Stop, work: Callable[[], T]) -> T:
    """`work` on a thread, off the event loop. If this task is cancelled, the thread is asked
    to stop and waited for, so nothing is cleaned up under its feet."""
    future = asyncio.get_running_loop().run_in_executor(None, work)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        stop.set("cancellation")
        with contextlib.suppress(BaseException):
            await future
        raise


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(file: Path, target: Path) -> None:
    """Give the finished file its final name, never replacing an existing file."""
    try:
        os.link(file, target)
    except FileExistsError:
        raise
    except OSError as error:  # a file system without hard links
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV) or target.exists():
            raise
        os.rename(file, target)
    _fsync_dir(target.parent)


def _prepare(target: Path) -> None:
    """The destination folder exists (made 0700 if new) and the file does not."""
    try:
        private_dir(target.parent)
        if not target.parent.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "Not a directory")
    except OSError as error:
        raise ExportFailed(
            f"cannot write to {target.parent}: {error.strerror}; nothing exported"
        ) from None
    if target.exists():
        raise ExportFailed(f"{target} exists: not overwritten; nothing exported")


class _Job:
    def __init__(
        self,
        db: Database,
        zone: ZoneInfo,
        now: datetime,
        actor: str,
        stop: _Stop,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.db, self.zone, self.now, self.actor, self.stop = db, zone, now, actor, stop
        self.progress = progress
        self.loop = asyncio.get_running_loop()

    def _reporter(self, total: int) -> Callable[[int], None] | None:
        if self.progress is None:
            return None
        show = self.progress
        return lambda done: self.loop.call_soon_threadsafe(show, done, total)

    async def _work_folder(self, target: Path, batch_id: int | None) -> Path:
        """A private folder next to `target`, recorded before it is made, for the next export
        to remove if this one is killed."""
        work = target.parent / f"{WORK_PREFIX}{secrets.token_hex(8)}"
        async with self.db.transaction() as conn:
            if batch_id is None:
                await exports.add_temp(conn, str(work), None, self.now)
            else:
                await exports.set_target(
                    conn, batch_id, str(target), target.name, str(work), self.now
                )
        private_dir(work)
        return work

    async def new(self, filters: Filters, fmt: str, out: Path | None) -> ExportResult:
        async with self.db.transaction() as conn:
            batch = await exports.reserve(conn, filters, fmt, self.actor, self.now)
        try:
            target = out_path(out, batch, fmt)
            _prepare(target)
            work = await self._work_folder(target, batch.id)
            file = work / target.name
            detail = {"batch": batch.id, "format": fmt, "filters": filters.to_json()}
            record = json.dumps([self.now.isoformat(), self.actor, detail])
            rows, sha = await _in_thread(
                self.stop, lambda: self._write_new(batch, filters, fmt, file, record)
            )
        except BaseException as error:
            await _settle(self.db, batch.id)  # undone, or finished if it got recorded
            if isinstance(error, OSError):
                raise ExportFailed(
                    f"could not write {out or Path.cwd()}: {error.strerror}; nothing exported"
                ) from None
            if isinstance(error, exports.DeletedMeanwhile):
                raise ExportFailed(
                    "a worker deleted their data while the file was written: nothing "
                    "exported; export again"
                ) from None
            raise
        await _settle(self.db, batch.id, written=file)  # publish
        async with self.db.transaction() as conn:
            done = await exports.get(conn, batch.id)
        if done is None:
            raise ExportFailed(f"{target} appeared meanwhile: not overwritten; nothing exported")
        return ExportResult(done, target, rows, sha, new=True, matches=None)

    def _write_new(
        self, batch: Batch, filters: Filters, fmt: str, file: Path, record: str
    ) -> tuple[int, str]:
        conn = self.db.connect_sync()
        try:
            conn.execute(self.db.dialect.begin_snapshot)  # one for the pick and the file
            total = exports.pick(conn, filters, self.zone)
            if total == 0:
                raise NothingToExport
            _check_size(fmt, total)
            os.close(create_private(file))
            cells, zone = self._cells(conn, fmt)
            rows = exports.picked_rows(conn, cells)
            created = datetime.fromisoformat(batch.created_at)
            reporter = self._reporter(total)
            _, sha = write_file(fmt, file, created, rows, zone, reporter, self.stop.is_set)
            conn.execute("COMMIT")
            if self.stop.is_set():
                raise Stopped
            return exports.commit_batch(conn, batch.id, sha, record), sha
        finally:
            conn.close()

    async def repeat(self, batch_id: int, fmt: str | None, out: Path | None) -> ExportResult:
        async with self.db.transaction() as conn:
            batch = await exports.get(conn, batch_id)
            if batch is None or batch.sha256 is None:
                raise LookupError(f"there is no export batch {batch_id}")
            await audit.record(conn, self.actor, "export.repeat", {"batch": batch_id}, self.now)
        fmt = fmt or batch.format
        _check_size(fmt, batch.row_count)
        target = out_path(out, batch, fmt)
        _prepare(target)
        work = await self._work_folder(target, None)
        try:
            file = work / target.name
            rows, sha = await _in_thread(self.stop, lambda: self._write_again(batch, fmt, file))
            try:
                _publish(file, target)
            except FileExistsError:
                raise ExportFailed(f"{target} exists: not overwritten") from None
        except OSError as error:
            raise ExportFailed(f"could not write {target}: {error.strerror}") from None
        finally:
            shutil.rmtree(work, ignore_errors=True)
            async with self.db.transaction() as conn:
                await exports.drop_temp(conn, str(work))
        same_format = fmt == batch.format
        matches = sha == batch.sha256 if same_format else None
        return ExportResult(batch, target, rows, sha, new=False, matches=matches)

    def _cells(self, conn: Any, fmt: str) -> tuple[SqlCells, ZoneInfo | None]:
        """How to select the columns, and the zone write_file makes times local in (None when
        done in SQL). If the zone's offset is fixed from a year before the first registration
        (consent is given before registering) to now, times are made local in SQL, faster."""
        first = exports.earliest(conn)
        if first is None or self.db.dialect is not sql.SQLITE:  # PostgreSQL: made local in Python
            return SqlCells(fmt, engine=self.db.dialect), self.zone
        since = datetime.fromisoformat(first) - timedelta(days=366)
        until = datetime.now(UTC) + timedelta(days=1)
        offset = fixed_offset(self.zone, since, until)
        if offset is None:
            return SqlCells(fmt, engine=self.db.dialect), self.zone
        return SqlCells(fmt, offset, local_hours(conn, offset, since, until)), None

    def _write_again(self, batch: Batch, fmt: str, file: Path) -> tuple[int, str]:
        conn = self.db.connect_sync()
        try:
            os.close(create_private(file))
            created = datetime.fromisoformat(batch.created_at)  # fixed: the same bytes again
            cells, zone = self._cells(conn, fmt)
            rows = exports.batch_rows(conn, batch.id, cells)
            reporter = self._reporter(batch.row_count)
            return write_file(fmt, file, created, rows, zone, reporter, self.stop.is_set)
        finally:
            conn.close()


def _check_size(fmt: str, rows: int) -> None:
    if fmt == "xlsx" and rows > XLSX_MAX_ROWS:
        raise TooLarge(
            f"{rows:,} rows do not fit in one XLSX sheet (at most "
            f"{XLSX_MAX_ROWS:,}): use csv or jsonl, or --since/--until"
        )


async def _recover(db: Database, zone: ZoneInfo) -> None:
    """Finish or undo what killed exports left (we hold the lock: nobody else is exporting)."""
    async with db.transaction() as conn:
        batches, folders = await exports.leftovers(conn)
    for batch, _ in batches:
        await _settle(db, batch.id, leftover=True)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
        async with db.transaction() as conn:
            await exports.drop_temp(conn, folder)
        log.warning("removed the unfinished file of an interrupted export (%s)", folder)


async def _settle(
    db: Database, batch_id: int, leftover: bool = False, written: Path | None = None
) -> None:
    """Bring a batch that is not done to an end: a `committed` one is published, a `writing`
    one (or a committed one whose file never appeared and cannot be put in place) undone.
    `written`: the file this process has just written and hashed, not read again."""
    async with db.transaction() as conn:
        batches, _ = await exports.leftovers(conn)
    found = [(batch, temp) for batch, temp in batches if batch.id == batch_id]
    if not found:
        return
    batch, temp = found[0]
    work = Path(temp) if temp else None
    if batch.state == "committed" and _in_place(batch, work, written):
        if work:
            shutil.rmtree(work, ignore_errors=True)
        async with db.transaction() as conn:
            await exports.finish(conn, batch.id, str(work))
        if leftover:
            log.warning("finished batch %d of an interrupted export: %s", batch.id, batch.path)
        return
    if work:
        shutil.rmtree(work, ignore_errors=True)
    async with db.transaction() as conn:
        await exports.release(conn, batch.id)
    if leftover:
        log.warning(
            "undid batch %d of an interrupted export: its registrations are still to be exported",
            batch.id,
        )


def _in_place(batch: Batch, work: Path | None, written: Path | None = None) -> bool:
    """Whether the committed batch's file is (now) at its final name, with its digest (known
    for the file `written` by this process, whose digest was taken as it was written)."""
    if not batch.path or not batch.file_name:
        return False
    target = Path(batch.path)
    file = work / batch.file_name if work else None
    try:
        if file and file.exists() and (file == written or file_sha256(file) == batch.sha256):
            _publish(file, target)
            return True
        return target.exists() and file_sha256(target) == batch.sha256  # linked before a kill
    except FileExistsError:  # linked before a kill, or the name taken by some other file
        return file is not None and os.path.samefile(file, target)
    except OSError as error:
        log.warning("batch %d could not be put in place: %s", batch.id, error.strerror)
        return False
