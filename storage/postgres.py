"""PostgreSQL through psycopg 3 (issue 15): `BPU_DATABASE_URL=postgresql://…`.

The storage modules are written once, against the sqlite3 / aiosqlite calls they use; here a
psycopg connection answers those same calls (`PgConnection`, and `AsyncPgConnection` for the
async staff tools, which runs them on a worker thread as aiosqlite does). Rows read by index and
by name, as sqlite3.Row. Transactions are explicit (`BEGIN` … `COMMIT`), as on SQLite, and every
write transaction first takes one advisory lock (sql.POSTGRES.begin_write): writes are
serialised as on SQLite, whichever instance makes them, so every check-then-write in the
storage modules holds on PostgreSQL too. Reads never wait for it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg import pq
from psycopg.adapt import Loader
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool

from .database import BadDatabase, Database, without_password
from .sql import POSTGRES, psycopg_query

log = logging.getLogger(__name__)
MIGRATION_LOCK = 15_0002  # held while the schema is brought up to date
_CURSORS = itertools.count(1)  # names of server-side cursors
# SQLite keeps the number of migrations applied in PRAGMA user_version; PostgreSQL in this table
SCHEMA_VERSION = "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"
READERS = 8  # pooled connections that only read, per process (messages decided, exports...)
T = TypeVar("T")


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
    row_factory: object = None  # rows are always readable by name

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


def public_url(url: str) -> str:
    """The URL without its password, to name the server in messages and logs."""
    try:
        parts = conninfo_to_dict(url)
    except (psycopg.ProgrammingError, ValueError):
        return "postgresql://…"
    parts.pop("password", None)
    host, port, name = parts.get("host", ""), parts.get("port", ""), parts.get("dbname", "")
    return f"postgresql://{parts.get('user', '')}@{host}{':' + str(port) if port else ''}/{name}"


def _connect(url: str, **options: Any) -> psycopg.Connection[Any]:
    conn = psycopg.connect(make_conninfo(url, **options), autocommit=True)
    _configure(conn)
    return conn


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.adapters.register_loader("numeric", WholeNumberLoader)


class PostgresDatabase(Database):
    dialect = POSTGRES
    decides_apart = True

    def __init__(self, writer: PgConnection, readers: ConnectionPool, url: str) -> None:
        super().__init__()
        self._writer = writer
        self._readers = readers
        self.url = url
        self.path = public_url(url)
        self.folder = Path.cwd()  # the service's working directory (deploy/: its StateDirectory)

    @classmethod
    async def connect(cls, url: str) -> PostgresDatabase:
        url = psycopg_url(url)
        name = public_url(url)
        try:
            writer = PgConnection(await asyncio.to_thread(_connect, url, connect_timeout=10))
        except psycopg.Error as error:
            raise BadDatabase(f"cannot use database {name}: {_first_line(error, url)}") from None
        readers = ConnectionPool(
            url,
            min_size=0,
            max_size=READERS,
            kwargs={"autocommit": True},
            configure=_configure,
            open=False,
            name="bpu-readers",
        )
        db = cls(writer, readers, url)
        try:
            await asyncio.to_thread(readers.open)
            await db.migrate()
        except psycopg.Error as error:
            await db.close()
            raise BadDatabase(f"cannot use database {name}: {_first_line(error, url)}") from None
        except BaseException:
            await db.close()
            raise
        return db

    async def close(self) -> None:
        await super().close()
        await asyncio.to_thread(self._readers.close)
        await asyncio.to_thread(self._writer.close)

    async def migrate(self) -> None:
        # Instances starting together: the first to take this lock migrates, the others wait
        # for it and then find the schema up to date.
        async with self._lock:
            await asyncio.to_thread(
                self._writer.execute, f"SELECT pg_advisory_lock({MIGRATION_LOCK})"
            )
            await asyncio.to_thread(self._writer.execute, SCHEMA_VERSION)
        try:
            await super().migrate()
        finally:
            async with self._lock:
                await asyncio.to_thread(
                    self._writer.execute, f"SELECT pg_advisory_unlock({MIGRATION_LOCK})"
                )

    async def _read_schema_version(self, conn: Any) -> int:
        sql = "SELECT coalesce(max(version), 0) FROM schema_version"
        if conn is None:
            async with self._lock:
                row = await asyncio.to_thread(lambda: self._writer.execute(sql).fetchone())
        else:
            row = await (await conn.execute(sql)).fetchone()
        return (row[0] or 0) if row else 0

    async def _set_schema_version(self, conn: Any, version: int) -> None:
        await conn.execute("DELETE FROM schema_version")
        await conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    async def _run_group(self, works: list[Callable[[Any], object]]) -> list[object]:
        return await asyncio.to_thread(lambda: self._in_transaction(self._live_writer(), works))

    def _live_writer(self) -> PgConnection:
        """The writing connection, opened again if the server dropped it (a restart, a
        failover): the message that found it dropped was refused, the next ones go on."""
        if self._writer.raw.closed or self._writer.raw.broken:
            log.warning("connection to %s lost: connecting again", self.path)
            self._writer = PgConnection(_connect(self.url, connect_timeout=10))
        return self._writer

    async def read(self, work: Callable[[Any], T]) -> T:
        return await asyncio.to_thread(self._read_here, work)

    def _read_here(self, work: Callable[[Any], T]) -> T:
        try:
            return self._read_once(work)
        except psycopg.OperationalError:
            # a connection the server dropped (the pool discards it): a read may be tried again
            return self._read_once(work)

    def _read_once(self, work: Callable[[Any], T]) -> T:
        with self._readers.connection() as raw:  # autocommit: each statement sees the latest
            return work(PgConnection(raw))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncPgConnection]:
        async with self._lock:
            conn = AsyncPgConnection(await asyncio.to_thread(self._live_writer))
            await conn.execute(self.dialect.begin_write)
            try:
                yield conn
            except BaseException:
                await conn.rollback()
                raise
            await conn.commit()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncPgConnection]:
        # REPEATABLE READ: every statement of the block sees the snapshot its first one saw
        raw = await asyncio.to_thread(self._readers.getconn)  # may wait for a free one
        try:
            conn = AsyncPgConnection(PgConnection(raw))
            await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield conn
            finally:
                await conn.rollback()
        finally:
            self._readers.putconn(raw)

    async def fetch_all(self, sql: str, params: tuple | dict = ()) -> list[Row]:
        async with self._lock:
            return await asyncio.to_thread(
                lambda: self._live_writer().execute(sql, params).fetchall()
            )

    def connect_sync(self) -> PgConnection:
        return PgConnection(_connect(self.url))

    @asynccontextmanager
    async def one_at_a_time(self, name: str, wait: bool = True) -> AsyncIterator[bool]:
        # a session advisory lock, on a connection of its own: the server drops it when the
        # connection goes, with the process that held it
        conn = PgConnection(await asyncio.to_thread(_connect, self.url))
        key = f"SELECT hashtext('bpu-bot {name}')"
        try:
            take = f"pg_try_advisory_lock(({key}))"
            held = await asyncio.to_thread(lambda: conn.execute(f"SELECT {take}").fetchone()[0])
            if not held and wait:
                log.warning("another %s on this database is running: waiting for it", name)
                await asyncio.to_thread(conn.execute, f"SELECT pg_advisory_lock(({key}))")
                held = True
            yield held
        finally:
            await asyncio.to_thread(conn.close)


def _first_line(error: BaseException, url: str) -> str:
    """An error's first line, without the password (psycopg may quote the URL's parts)."""
    return without_password((str(error).strip().splitlines() or [type(error).__name__])[0], url)


def psycopg_url(url: str) -> str:
    """postgresql://… as psycopg reads it; SQLAlchemy's postgresql+psycopg://… taken too."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower().split("+")[0] not in ("postgresql", "postgres"):
        raise BadDatabase("the database URL must start with postgresql:// (BPU_DATABASE_URL, --db)")
    return f"postgresql://{rest}"
