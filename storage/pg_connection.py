"""psycopg 3 connections that answer the sqlite3 and aiosqlite calls the storage modules make
(issue 15): placeholders translated (sql.psycopg_query), rows read by position and by name as
sqlite3.Row, flags as 0/1, whole sums as int. Transactions are explicit (`BEGIN` … `COMMIT`),
as on SQLite: connections are in autocommit mode."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import Loader
from psycopg.conninfo import make_conninfo

from .sql import POSTGRES, psycopg_query

_CURSORS = itertools.count(1)  # names of server-side cursors


class Row(tuple):
    """A row readable by position and by column name, as sqlite3.Row."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _row_factory(cursor: psycopg.Cursor[Any]) -> Callable[[Sequence[Any]], Row]:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row.names = names
        return row

    return make


class WholeNumberLoader(Loader):
    """numeric → int when whole: PostgreSQL's sum() of a BIGINT column is numeric, SQLite's an
    integer, and the code (amounts in rupiah, counts) expects an int."""

    def load(self, data: Any) -> int | float:
        number = Decimal(bytes(data).decode())
        return int(number) if number == number.to_integral_value() else float(number)


def _param(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value  # flags are INTEGER 0/1, as SQLite's


def _params(params: Sequence[Any] | dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
    if isinstance(params, dict):
        return {key: _param(value) for key, value in params.items()}
    return [_param(value) for value in params]


class PgCursor:
    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall() if self._cursor.description else []

    def fetchmany(self, size: int) -> list[Row]:
        return self._cursor.fetchmany(size) if self._cursor.description else []

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


class PgConnection:
    """A psycopg connection that answers the sqlite3 calls the storage modules make."""

    dialect = POSTGRES

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> PgCursor:
        cursor = self.raw.cursor(row_factory=_row_factory)
        if params:
            cursor.execute(psycopg_query(sql), _params(params))
        else:  # no parameters: sent as it is (a migration may hold several statements)
            cursor.execute(sql)
        return PgCursor(cursor)

    def stream(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> PgCursor:
        """`execute`, its rows fetched from the server as they are read (a server-side cursor,
        kept past the statement's own commit): an export of a million rows is not held in
        memory at once."""
        cursor = self.raw.cursor(
            name=f"bpu_{next(_CURSORS)}", row_factory=_row_factory, withhold=True
        )
        cursor.execute(psycopg_query(sql), _params(params))
        return PgCursor(cursor)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | dict[str, Any]]) -> PgCursor:
        cursor = self.raw.cursor(row_factory=_row_factory)
        cursor.executemany(psycopg_query(sql), [_params(row) for row in rows])
        return PgCursor(cursor)

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


class AsyncPgCursor:
    def __init__(self, cursor: PgCursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    async def fetchone(self) -> Row | None:
        return self._cursor.fetchone()

    async def fetchall(self) -> list[Row]:
        return self._cursor.fetchall()

    async def __aiter__(self) -> AsyncIterator[Row]:
        for row in self._cursor.fetchall():
            yield row


class _Executing:
    """What `AsyncPgConnection.execute` returns: awaitable, or `async with`, as aiosqlite's."""

    def __init__(self, run: Callable[[], PgCursor]) -> None:
        self._run = run

    def __await__(self) -> Any:
        return self._cursor().__await__()

    async def _cursor(self) -> AsyncPgCursor:
        return AsyncPgCursor(await asyncio.to_thread(self._run))

    async def __aenter__(self) -> AsyncPgCursor:
        return await self._cursor()

    async def __aexit__(self, *exc: object) -> None:
        return None


class AsyncPgConnection:
    """The aiosqlite calls the staff tools make, each run on a worker thread."""

    dialect = POSTGRES

    def __init__(self, conn: PgConnection) -> None:
        self.sync = conn

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> _Executing:
        return _Executing(lambda: self.sync.execute(sql, params))

    def executemany(self, sql: str, rows: Iterable[Any]) -> _Executing:
        rows = list(rows)
        return _Executing(lambda: self.sync.executemany(sql, rows))

    async def execute_fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await (await self.execute(sql, params)).fetchall()

    async def commit(self) -> None:
        await self.execute("COMMIT")

    async def rollback(self) -> None:
        await self.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self.sync.in_transaction


def connect(url: str, **options: Any) -> psycopg.Connection[Any]:
    conn = psycopg.connect(make_conninfo(url, **options), autocommit=True)
    configure(conn)
    return conn


def configure(conn: psycopg.Connection[Any]) -> None:
    conn.adapters.register_loader("numeric", WholeNumberLoader)
