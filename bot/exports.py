"""Exporting registrations for the main membership system, as numbered, re-creatable batches."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from storage import Database, audit, exports
from storage.exports import Batch, Filters, NothingToExport

from .export_files import write_all

__all__ = ["ExportResult", "Filters", "NothingToExport", "TooLarge", "export", "file_sha256"]

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row


class TooLarge(ValueError):
    """The batch does not fit the chosen format."""


@dataclass(frozen=True)
class ExportResult:
    batch: Batch
    path: Path
    rows: int
    sha256: str
    new: bool  # False when an existing batch was written again
    matches: bool | None  # re-export: the file equals the original, byte for byte


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def default_name(batch: Batch, fmt: str) -> str:
    return f"bpu-registrations-batch{batch.id:05d}.{fmt}"


def out_path(out: Path | None, batch: Batch, fmt: str) -> Path:
    """`out` is the file if it has an extension; otherwise (or if it is a folder) the folder."""
    if out is not None and out.suffix and not out.is_dir():
        return out
    return (out or Path.cwd()) / default_name(batch, fmt)


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
    or write batch `batch_id` again exactly. Raises NothingToExport when nothing matches."""
    filters = filters or Filters()
    if batch_id is not None:
        async with db.transaction() as conn:
            batch = await exports.get(conn, batch_id)
            if batch is None or batch.sha256 is None:
                raise LookupError(f"there is no export batch {batch_id}")
            await audit.record(conn, actor, "export.repeat", {"batch": batch_id}, now)
    else:
        async with db.transaction() as conn:
            batch = await exports.claim(conn, filters, fmt or "csv", actor, now, zone)
            await audit.record(
                conn,
                actor,
                "export",
                {
                    "batch": batch.id,
                    "format": batch.format,
                    "rows": batch.row_count,
                    "filters": filters.to_json(),
                },
                now,
            )
    fmt = fmt or batch.format
    if fmt == "xlsx" and batch.row_count > XLSX_MAX_ROWS:
        if batch_id is None:
            async with db.transaction() as conn:
                await exports.release(conn, batch.id)
        raise TooLarge(
            f"{batch.row_count:,} rows do not fit in one XLSX sheet (at most "
            f"{XLSX_MAX_ROWS:,}): use csv or jsonl, or --since/--until"
        )
    path = out_path(out, batch, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    created = datetime.fromisoformat(
        batch.created_at
    )  # fixed, so the same batch writes the same bytes
    try:
        async with db.reading() as conn:
            rows = await write_all(
                fmt,
                partial,
                created,
                exports.rows(conn, batch.id),
                zone,
                (lambda n: progress(n, batch.row_count)) if progress else None,
            )
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        if batch_id is None:  # the new batch never reached a file: its rows are not exported
            async with db.transaction() as conn:
                await exports.release(conn, batch.id)
        raise
    sha = file_sha256(path)
    if batch_id is None:
        async with db.transaction() as conn:
            await exports.finish(conn, batch.id, sha, path.name)
        return ExportResult(batch, path, rows, sha, new=True, matches=None)
    same_format = fmt == batch.format
    return ExportResult(
        batch, path, rows, sha, new=False, matches=sha == batch.sha256 if same_format else None
    )
