"""PostgreSQL through psycopg 3 (issue 15): `BPU_DATABASE_URL=postgresql://…`.

The storage modules are written once, against the sqlite3 / aiosqlite calls they use; psycopg
connections answer them (storage/pg_connection.py). Every write transaction first takes one
advisory lock (sql.POSTGRES.begin_write): writes are serialised as on SQLite, whichever instance
makes them, so every check-then-write in the storage modules holds on PostgreSQL too. Reads
never wait for it: a message's answer is worked out on a pooled connection (`read`), checked
unchanged when committed (bot/service.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from .database import BadDatabase, Database, without_password
from .pg_connection import AsyncPgConnection, PgConnection, Row, configure, connect
from .sql import POSTGRES

log = logging.getLogger(__name__)
MIGRATION_LOCK = 15_0002  # held while the schema is brought up to date
# SQLite keeps the number of migrations applied in PRAGMA user_version; PostgreSQL in this table
SCHEMA_VERSION = "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"
READERS = 8  # pooled connections that only read, per process (messages decided, exports...)
T = TypeVar("T")


def public_url(url: str) -> str:
    """The URL without its password, to name the server in messages and logs."""
    try:
        parts = conninfo_to_dict(url)
    except (psycopg.ProgrammingError, ValueError):
        return "postgresql://…"
    parts.pop("password", None)
    host, port, name = parts.get("host", ""), parts.get("port", ""), parts.get("dbname", "")
    return f"postgresql://{parts.get('user', '')}@{host}{':' + str(port) if port else ''}/{name}"


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
            writer = PgConnection(await asyncio.to_thread(connect, url, connect_timeout=10))
        except psycopg.Error as error:
            raise BadDatabase(f"cannot use database {name}: {first_line(error, url)}") from None
        readers = ConnectionPool(
            url,
            min_size=0,
            max_size=READERS,
            kwargs={"autocommit": True},
            configure=configure,
            open=False,
            name="bpu-readers",
        )
        db = cls(writer, readers, url)
        try:
            await asyncio.to_thread(readers.open)
            await db.migrate()
        except psycopg.Error as error:
            await db.close()
            raise BadDatabase(f"cannot use database {name}: {first_line(error, url)}") from None
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
            self._writer = PgConnection(connect(self.url, connect_timeout=10))
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
        return PgConnection(connect(self.url))

    @asynccontextmanager
    async def one_at_a_time(self, name: str, wait: bool = True) -> AsyncIterator[bool]:
        # a session advisory lock, on a connection of its own: the server drops it when the
        # connection goes, with the process that held it
        conn = PgConnection(await asyncio.to_thread(connect, self.url))
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


def first_line(error: BaseException, url: str) -> str:
    """An error's first line, without the password (psycopg may quote the URL's parts)."""
    return without_password((str(error).strip().splitlines() or [type(error).__name__])[0], url)


def psycopg_url(url: str) -> str:
    """postgresql://… as psycopg reads it; SQLAlchemy's postgresql+psycopg://… taken too."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower().split("+")[0] not in ("postgresql", "postgres"):
        raise BadDatabase("the database URL must start with postgresql:// (BPU_DATABASE_URL, --db)")
    return f"postgresql://{rest}"
