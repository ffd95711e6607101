"""Where SQLite and PostgreSQL differ, in one place (issue 15).

The storage modules write one SQL for both engines: `?` or `:name` placeholders, `ON CONFLICT`,
`RETURNING`, `CASE`. What cannot be written once is a `Dialect` attribute (`dialect(conn)`), and
the migrations' SQLite DDL is turned into PostgreSQL's here (`postgres_ddl`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import psycopg


class Cursor(Protocol):
    """What a statement gives back, either engine's."""

    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchmany(self, size: int) -> list[Any]: ...


class Connection(Protocol):
    """What the storage modules call on a connection: sqlite3's, or postgres.PgConnection."""

    @property
    def in_transaction(self) -> bool: ...
    def execute(self, sql: str, params: Any = ..., /) -> Any: ...
    def executemany(self, sql: str, rows: Any, /) -> Any: ...


class AsyncConnection(Protocol):
    """What the staff tools call on one: aiosqlite's, or postgres.AsyncPgConnection. `execute`
    is awaited, or used with `async with`, for a cursor whose fetches are awaited."""

    def execute(self, sql: str, params: Any = ..., /) -> Any: ...
    def executemany(self, sql: str, rows: Any, /) -> Any: ...


Row = Any  # sqlite3.Row or postgres.Row: read by position and by column name


@dataclass(frozen=True)
class Dialect:
    name: str
    # A write transaction that holds the database's one write lock from its start, as SQLite's
    # BEGIN IMMEDIATE does: the storage modules' check-then-write steps rely on it.
    begin_write: str  # PostgreSQL's is two statements, sent together (one round trip)
    # A read transaction that sees one snapshot throughout (SQLite's does, from its first read)
    begin_snapshot: str
    temp: str  # the schema of a connection's own temporary tables
    like: str  # case-insensitive LIKE (SQLite's LIKE already is, for ASCII)
    byte_length: str  # of a text column, `{}` the column
    first_code: str  # the Unicode code point of a text's first character, `{}` the text
    # the day (YYYY-MM-DD) of a stored ISO instant `{}` at an offset of `?` hours ("+7")
    day_at_offset: str

    def indexed_by(self, index: str) -> str:
        """SQLite: use this index (its planner picks a worse one); PostgreSQL's plans alone."""
        return f"INDEXED BY {index}" if self.name == "sqlite" else ""

    def json_text(self, column: str, key: str) -> str:
        """The text value of `key` in the JSON object held in `column`."""
        if self.name == "sqlite":
            return f"json_extract({column}, '$.{key}')"
        return f"({column}::jsonb ->> '{key}')"


SQLITE = Dialect(
    "sqlite",
    begin_write="BEGIN IMMEDIATE",
    begin_snapshot="BEGIN",
    temp="temp",
    like="LIKE",
    byte_length="length(CAST({} AS BLOB))",
    first_code="unicode({})",
    day_at_offset="date({}, ? || ' hours')",
)
WRITE_LOCK = 15_0001  # the advisory lock every PostgreSQL write transaction takes first
POSTGRES = Dialect(
    "postgresql",
    begin_write=f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})",
    begin_snapshot="BEGIN ISOLATION LEVEL REPEATABLE READ",
    temp="pg_temp",
    like="ILIKE",
    byte_length="octet_length({})",
    first_code="ascii({})",  # in a UTF-8 database: the code point
    day_at_offset="""to_char(({})::timestamptz AT TIME ZONE 'UTC' + (? || ' hours')::interval,
                             'YYYY-MM-DD')""",
)

# What a failed statement raises, either engine: `except storage.sql.Error`
Error = (sqlite3.Error, psycopg.Error)
IntegrityError = (sqlite3.IntegrityError, psycopg.IntegrityError)


def stream(conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
    """A cursor over many rows, read as they are fetched (SQLite's are; PostgreSQL's need a
    server-side cursor)."""
    return conn.stream(sql, params) if hasattr(conn, "stream") else conn.execute(sql, params)


def dialect(conn: object) -> Dialect:
    """The dialect of a connection: PostgreSQL's wrappers say so; sqlite3 and aiosqlite don't."""
    return getattr(conn, "dialect", SQLITE)


_TOKENS = re.compile(
    r"""'(?:[^']|'')*'      # a string literal: no parameter in it (but its % doubled)
      | "(?:[^"]|"")*"      # a quoted name
      | --[^\n]*            # a comment
      | ::                  # a PostgreSQL cast, not a parameter
      | :(\w+)              # a named parameter
      | \?                  # a positional one
      | %                   # psycopg's own placeholder sign, to escape
    """,
    re.VERBOSE,
)


def _to_psycopg(match: re.Match[str]) -> str:
    token = match.group(0)
    if match.group(1):
        return f"%({match.group(1)})s"
    if token[0] in "'\"-":
        return token.replace("%", "%%")
    return {"?": "%s", "%": "%%"}.get(token, token)


@lru_cache(maxsize=4096)
def psycopg_query(sql: str) -> str:
    """`?` and `:name` placeholders as psycopg's `%s` and `%(name)s`; a literal `%` doubled."""
    return _TOKENS.sub(_to_psycopg, sql)


_IDENTITY = re.compile(r"\bid INTEGER PRIMARY KEY\b(?! REFERENCES)")
_TYPES = {
    r"\bINTEGER\b": "BIGINT",
    # Text compared and sorted byte by byte, as SQLite does, whatever the database's locale:
    # key ranges (outbox.about) and orderings mean the same on both engines
    r"\bTEXT\b": 'TEXT COLLATE "C"',
    r"\bREAL\b": "DOUBLE PRECISION",
    r"\bBLOB\b": "BYTEA",
}


def postgres_ddl(statement: str) -> str:
    """A migration statement written for SQLite, for PostgreSQL: a rowid `id` becomes an
    identity column, INTEGER 64-bit as SQLite's is, TEXT compared bytewise as SQLite's is,
    `WITHOUT ROWID` goes. A statement this cannot carry over is written for both in the
    migration itself (`Both`)."""
    out = _IDENTITY.sub("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", statement)
    for pattern, replacement in _TYPES.items():
        out = re.sub(pattern, replacement, out)
    return re.sub(r"\)\s*WITHOUT ROWID\s*$", ")", out)


@dataclass(frozen=True)
class Both:
    """A migration statement SQLite and PostgreSQL need written differently."""

    sqlite: str
    postgresql: str


def migration_sql(statement: str | Both, engine: Dialect) -> str:
    if isinstance(statement, Both):
        return statement.sqlite if engine is SQLITE else statement.postgresql
    return statement if engine is SQLITE else postgres_ddl(statement)


def unique_column(error: BaseException) -> tuple[str, str] | None:
    """(table, column) whose UNIQUE constraint refused a value, if that is what `error` is."""
    if isinstance(error, psycopg.errors.UniqueViolation):
        table, name = error.diag.table_name or "", error.diag.constraint_name or ""
        column = name.removeprefix(f"{table}_").removesuffix("_key")
        return (table, column) if column != name else None
    found = re.search(r"UNIQUE constraint failed: (\w+)\.(\w+)", str(error))
    return (found[1], found[2]) if found else None


def violates(error: BaseException, table: str, column: str) -> bool:
    """Whether `error` is the UNIQUE constraint on `table.column` refusing a value."""
    return unique_column(error) == (table, column)
