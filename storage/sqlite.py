"""SQLite, the embedded default: one long-lived aiosqlite connection per process, in WAL."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import random
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from .database import BadDatabase, Database
from .files import create_private, make_private, private_dir
from .sql import SQLITE

log = logging.getLogger(__name__)
LOCK_POLL_SECONDS = 0.2  # how often a waiting process tries a held file lock again

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


class SqliteDatabase(Database):
    """aiosqlite's worker thread is not a daemon: a connection left open keeps the process
    alive."""

    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        super().__init__()
        self._conn = conn
        self.path = path
        self.folder = Path(path).absolute().parent

    @classmethod
    async def connect(
        cls, path: str | Path, busy_timeout_ms: int = 5000, *, create: bool = True
    ) -> SqliteDatabase:
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
        await super().close()
        await self._conn.close()

    async def _read_schema_version(self, conn: Any) -> int:
        async with (conn or self._conn).execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return row[0] if row else 0

    async def _set_schema_version(self, conn: Any, version: int) -> None:
        await conn.execute(f"PRAGMA user_version = {int(version)}")

    async def _run_group(self, works: list[Callable[[Any], object]]) -> list[object]:
        # aiosqlite's own primitive for queueing a function on its thread: every public method
        # of aiosqlite 0.22.1 (pinned) is built on it. The sqlite3 connection is used only there.
        return await self._conn._execute(self._in_transaction, self._conn._conn, works)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
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
        # under WAL a read transaction sees one snapshot and readers never block the writer
        uri = f"{Path(self.path).resolve().as_uri()}?mode=ro"  # ?, # and % in a path escaped
        conn = await aiosqlite.connect(uri, uri=True)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA busy_timeout = 5000")
            yield conn
        finally:
            await conn.close()

    async def fetch_all(self, sql: str, params: tuple | dict = ()) -> list[aiosqlite.Row]:
        async with self._lock, self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    def connect_sync(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None)
        for pragma in ("PRAGMA busy_timeout = 5000", *PRAGMAS):  # as every connection that writes
            conn.execute(pragma)
        return conn

    @asynccontextmanager
    async def one_at_a_time(self, name: str, wait: bool = True) -> AsyncIterator[bool]:
        # an flock on <database>.<name>-lock: the kernel drops it when the holder dies
        fd = os.open(f"{self.path}.{name}-lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            waiting = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not wait:
                        yield False
                        return
                    if not waiting:
                        log.warning("another %s of this database is running: waiting for it", name)
                        waiting = True
                    await asyncio.sleep(LOCK_POLL_SECONDS)
            yield True
        finally:
            os.close(fd)  # releases the lock
