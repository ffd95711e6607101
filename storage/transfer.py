"""Copying an SQLite database into an empty PostgreSQL one (`bpu-bot migrate-db`, issue 15).

Both are first brought to the current schema, so their tables and columns are the same. The
rows go over in one PostgreSQL transaction (COPY, parents before children), with the trigger
that keeps funnel_sessions off (its rows are copied as they are); then every table is read back
from both and compared: its row count, and a checksum over its rows that does not depend on
their order. Any difference, and nothing is committed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import Any

import psycopg

TRIGGERS = ("funnel_events",)  # tables whose triggers would write rows the copy brings anyway
CHUNK = 5_000


class TargetNotEmpty(Exception):
    """The target already holds data: it is never overwritten."""


class Mismatch(Exception):
    """What was read back differs from the source; nothing was committed."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int
    checksum: str  # of the source's rows; the target's matched it
    nul_rows: int = 0  # rows whose text held a NUL character, dropped (see _storable)


def tables(source: sqlite3.Connection) -> list[str]:
    """The source's tables, each after the tables it refers to."""
    names = [
        row[0]
        for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    graph = {
        name: {row[2] for row in source.execute(f"PRAGMA foreign_key_list({_quoted(name)})")}
        for name in names
    }
    return list(TopologicalSorter(graph).static_order())


def columns(source: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in source.execute(f"PRAGMA table_info({_quoted(table)})")]


def refuse_unless_empty(target: psycopg.Connection[Any], names: Iterable[str]) -> None:
    for name in names:
        if target.execute(f"SELECT 1 FROM {_quoted(name)} LIMIT 1").fetchone():
            raise TargetNotEmpty(f"the target database is not empty (table {name} has rows)")


def copy(
    source: sqlite3.Connection,
    target: psycopg.Connection[Any],
    progress: Callable[[Copied], None] = lambda copied: None,
) -> list[Copied]:
    """Copy every table of `source` into the empty `target` (autocommit off: one transaction,
    committed only when every table checks out). `progress` is told of each table."""
    names = tables(source)
    refuse_unless_empty(target, names)
    for name in TRIGGERS:
        target.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
    copied = []
    for name in names:
        cols = columns(source, name)
        listed = ", ".join(_quoted(c) for c in cols)
        nul_rows = [0]
        with target.cursor().copy(f"COPY {_quoted(name)} ({listed}) FROM STDIN") as writer:
            for row in _storable(_rows(source, name, cols), nul_rows):
                writer.write_row(row)
        _restart_identity(target, name, cols)
        copied.append(_check(source, target, name, cols, nul_rows[0]))
        progress(copied[-1])
    for name in TRIGGERS:
        target.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")
    target.commit()
    return copied


def _rows(conn: Any, table: str, cols: list[str]) -> Iterator[tuple[Any, ...]]:
    cursor = conn.execute(f"SELECT {', '.join(_quoted(c) for c in cols)} FROM {_quoted(table)}")
    while chunk := cursor.fetchmany(CHUNK):
        yield from chunk


def _storable(rows: Iterable[tuple[Any, ...]], nul_rows: list[int]) -> Iterator[tuple[Any, ...]]:
    """Rows as PostgreSQL can store them: a NUL character in text, which PostgreSQL refuses
    (and nobody types meaning one; the console drops them since), is dropped; counted."""
    for row in rows:
        if any(isinstance(value, str) and "\x00" in value for value in row):
            nul_rows[0] += 1
            row = tuple(v.replace("\x00", "") if isinstance(v, str) else v for v in row)
        yield row


def _restart_identity(target: psycopg.Connection[Any], table: str, cols: list[str]) -> None:
    """An identity `id` goes on after the highest copied, not from 1 (a clash at the first new
    row otherwise)."""
    if "id" not in cols:
        return
    sequence = target.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
    if sequence and sequence[0]:
        target.execute(
            f"SELECT setval(%s, coalesce((SELECT max(id) FROM {_quoted(table)}), 0) + 1, false)",
            (sequence[0],),
        )


def checksum(rows: Iterable[Iterable[Any]]) -> tuple[int, str]:
    """(how many rows, a SHA-256 over them in any order): each row's digest, sorted."""
    digests = sorted(
        hashlib.sha256(json.dumps(list(row), default=_plain).encode()).digest() for row in rows
    )
    return len(digests), hashlib.sha256(b"".join(digests)).hexdigest()


def _check(
    source: sqlite3.Connection,
    target: psycopg.Connection[Any],
    table: str,
    cols: list[str],
    nul_rows: int,
) -> Copied:
    count, digest = checksum(_storable(_rows(source, table, cols), [0]))
    back_count, back_digest = checksum(_rows(target, table, cols))
    if (count, digest) != (back_count, back_digest):
        raise Mismatch(
            f"table {table}: {count} rows copied, {back_count} read back"
            if count != back_count
            else f"table {table}: the rows read back differ from the source's"
        )
    return Copied(table, count, digest, nul_rows)


def _plain(value: object) -> object:
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    raise TypeError(f"cannot compare a {type(value).__name__}")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
