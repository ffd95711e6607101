"""One long-lived aiosqlite connection per process, with migrations and a transaction helper."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from .files import create_private, make_private, private_dir
from .migrations import MIGRATIONS

log = logging.getLogger(__name__)
T = TypeVar("T")
GROUP_LIMIT = 64  # works per transaction: amortises the thread hop without long waits

WAL = "PRAGMA journal_mode = WAL"
SETTINGS = (  # for every connection that writes, after WAL
    # Every commit reaches the disk before a reply goes out or a webhook is acknowledged, so a
    # power cut loses nothing acknowledged. NORMAL would lose the last commits then; group
    # commit makes FULL cheap (one fsync for all the messages in a group): see the benchmark.
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    # Deleted rows and freed pages are overwritten with zeros: a cancelled conversation's
    # personal data must not stay in free space. SQLite's own default is off; some platform
    # builds (SQLITE_SECURE_DELETE) turn it on, but we do not rely on the build.
    "PRAGMA secure_delete = ON",
)
PRAGMAS = (WAL, *SETTINGS)


class BadDatabase(Exception):
    """The database file cannot be used: missing where it must exist, a folder, not an SQLite
    database, damaged, unreadable, or of a newer schema. The message names the file."""


def prepare_file(path: Path, create: bool) -> None:
    """Make sure `path` can hold the database, privately.

    A new file is created 0600 (its folders 0700) before SQLite opens it, because SQLite gives
    the -wal and -shm files the database file's own permissions. With `create` false a missing
    file is an error: a mistyped path must not quietly become an empty database."""
    if path.is_dir():
        raise BadDatabase(f"cannot use database {path}: it is a folder")
    if not path.exists():
        if not create:
            raise BadDatabase(f"no database at {path} (check --db or BPU_DB_PATH)")
        try:
            private_dir(path.parent)
            os.close(create_private(path))
        except FileExistsError:
            pass  # another process made it meanwhile: SQLite sorts out who initialises it
        except OSError as error:
            raise BadDatabase(f"cannot create database {path}: {error.strerror}") from error


def tighten(path: Path) -> None:
    """An existing database that others may read becomes 0600, with its -wal and -shm. Done
    once it has opened as a database: a file given by mistake is left as it was."""
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(PermissionError):  # someone else's file: theirs to set
            make_private(file)


async def _switch_to_wal(conn: aiosqlite.Connection, timeout_s: float) -> None:
    """`PRAGMA journal_mode = WAL`, waiting up to `timeout_s` for another connection's lock.

    SQLite does not wait here by itself: on a database not yet in WAL (a new one) the switch
    upgrades the read lock it holds, and SQLite refuses at once rather than risk a deadlock
    when another connection holds the write lock. So several processes starting on one new
    database would fail "database is locked" at random; we wait and try again instead. Once
    in WAL (it is persistent) the pragma takes no lock at all."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await conn.execute(WAL)
            return
        except sqlite3.OperationalError as error:
            late = asyncio.get_running_loop().time() >= deadline
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or late:
                raise
        await asyncio.sleep(random.uniform(0.005, 0.05))  # spread out the processes' retries


class Database:
    """Open with `await Database.open(path)`; always `await db.close()` (or use `async with`).

    aiosqlite's worker thread is not a daemon: a connection left open keeps the process alive.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()  # one transaction at a time on the one connection
        self._pending: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls, path: str | Path, busy_timeout_ms: int = 5000, *, create: bool = True
    ) -> Database:
        """Open (with `create`, make) the database and bring its schema up to date.

        Raises BadDatabase, with one line naming the file, if it cannot be used."""
        if str(path) != ":memory:":
            prepare_file(Path(path), create)
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None)  # we BEGIN ourselves
        except sqlite3.Error as error:
            raise BadDatabase(f"cannot use database {path}: {error}") from error
        try:
            # The busy timeout first: the journal mode and migrations may wait for a lock.
            await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            await _switch_to_wal(conn, busy_timeout_ms / 1000)
            for pragma in SETTINGS:
                await conn.execute(pragma)
            conn.row_factory = aiosqlite.Row
            db = cls(conn, str(path))
            await db.migrate()
            if str(path) != ":memory:":
                tighten(Path(path))
        except sqlite3.DatabaseError as error:  # not a database, damaged, locked too long
            await conn.close()
            raise BadDatabase(f"cannot use database {path}: {error}") from error
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        if self._flusher is not None:
            await self._flusher  # let submitted work finish
        await self._conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def migrate(self) -> None:
        """Apply the pending migrations, each in its own write transaction.

        Several processes may start on a new database at once: the version is read again
        under the write lock, so a migration another process applied meanwhile is skipped.
        The first read takes no lock, so an up-to-date database (the usual case) never waits
        for the writer."""
        if await self._schema_version(self._conn) == len(MIGRATIONS):
            return
        while True:
            async with self.transaction() as conn:
                current = await self._schema_version(conn)
                if current == len(MIGRATIONS):
                    return
                for statement in MIGRATIONS[current]:
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {current + 1}")
            log.info("database migrated to schema %d", current + 1)

    async def _schema_version(self, conn: aiosqlite.Connection) -> int:
        async with conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = row[0] if row else 0
        if current > len(MIGRATIONS):
            raise BadDatabase(
                f"database {self.path} has schema {current}, newer than this bpu-bot knows"
            )
        return current

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(conn)` on the database thread, atomically and durably; return its result.

        Works submitted while others run are grouped: one thread hop and one transaction per
        group, each work inside a SAVEPOINT of its own, so a work that raises is undone alone
        (its exception is raised here) and the others still commit. The result is returned only
        after the group has committed. The hot path (every message) uses this; `transaction()`
        suits staff tools that await between statements.
        """
        return await self.submit(work)

    def submit(self, work: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue `work` as `run` does, without waiting: for bookkeeping nobody waits on (it
        joins the next group's transaction). `close()` still carries it out."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((work, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return future

    async def _flush(self) -> None:
        while self._pending:
            group, self._pending = self._pending[:GROUP_LIMIT], self._pending[GROUP_LIMIT:]
            works = [work for work, _ in group]
            try:
                async with self._lock:
                    # aiosqlite's own primitive for queueing a function on its thread: every
                    # public method of aiosqlite 0.22.1 (pinned) is built on it.
                    outcomes = await self._conn._execute(self._in_transaction, works)
            except BaseException as error:  # BEGIN or COMMIT failed: nothing of the group stays
                outcomes = [error] * len(group)
            for (_, future), outcome in zip(group, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    def _in_transaction(self, works: list[Callable[[sqlite3.Connection], object]]) -> list[object]:
        conn = self._conn._conn  # the sqlite3 connection, used only on its own thread
        conn.execute("BEGIN IMMEDIATE")
        try:
            outcomes: list[object] = []
            for work in works:
                conn.execute("SAVEPOINT work")
                try:
                    outcomes.append(work(conn))
                except Exception as error:
                    conn.execute("ROLLBACK TO work")
                    outcomes.append(error)
                conn.execute("RELEASE work")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return outcomes

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK if the block raises."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.rollback()
                raise
            await self._conn.commit()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read-only connection of its own, for long reads (exports) that must not hold up
        the transactions of live conversations: under WAL, readers never block the writer."""
        uri = f"{Path(self.path).resolve().as_uri()}?mode=ro"  # ?, # and % in a path escaped
        conn = await aiosqlite.connect(uri, uri=True)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA busy_timeout = 5000")
            yield conn
        finally:
            await conn.close()

    async def fetch_all(self, sql: str, params: tuple = ()) -> list[aiosqlite.Row]:
        """A read outside any transaction (e.g. exports, statistics, tests)."""
        async with self._lock, self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())
