"""The database, either engine: what every message's transaction goes through (group commit),
and `Database.open`, which picks SQLite (a file path, the default) or PostgreSQL (a
`postgresql://` URL, issue 15)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

from .migrations import MIGRATIONS
from .sql import SQLITE, Dialect, migration_sql

log = logging.getLogger(__name__)
T = TypeVar("T")
GROUP_LIMIT = 64  # works per transaction: amortises the thread hop without long waits


class BadDatabase(Exception):
    """The database cannot be used: a file missing where it must exist, a folder, not an SQLite
    database, damaged, unreadable, of a newer schema; a server that cannot be reached. The
    message names the file or the server (never a password)."""


def is_url(target: str | Path) -> bool:
    """A PostgreSQL URL, or an attempt at one (mistyped: refused by name, never taken for an
    SQLite file named after it, password and all)."""
    return isinstance(target, str) and target.lower().startswith("postgres")


def url_password(url: str) -> str | None:
    """The password in a URL, found even in one that does not parse (to hide it)."""
    found = re.match(r"[^:/]*:/*[^:/@]*:([^@]*)@", url)
    return found[1] if found and found[1] else None


def without_password(text: str, url: str) -> str:
    """`text` (an error message, say) with the URL's password, as written or decoded, hidden."""
    password = url_password(url)
    for form in {password, unquote(password)} if password else ():
        text = text.replace(form, "[secret]")
    return text


class Database:
    """Open with `await Database.open(target)`; always `await db.close()` (or `async with`).

    A subclass gives the engine: how a group of works runs on its connection (`_run_group`),
    `transaction()`, `reading()`, `fetch_all()`, the schema version and `close()`."""

    dialect: Dialect = SQLITE
    # Whether a message's answer is worked out before its write transaction (bot/service.py):
    # worth it where several processes write (PostgreSQL), not for one alone (SQLite), where
    # deciding inside the transaction makes bigger groups per commit (see the benchmark).
    decides_apart = False
    path: str  # the SQLite file, or the PostgreSQL server's URL without its password
    folder: Path  # where files made from the data go (exports): beside the SQLite file

    def __init__(self) -> None:
        self._lock = asyncio.Lock()  # one transaction at a time on the one writing connection
        self._pending: list[tuple[Callable[[Any], Any], asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls, target: str | Path, busy_timeout_ms: int = 5000, *, create: bool = True
    ) -> Database:
        """Open the database at `target` and bring its schema up to date.

        Raises BadDatabase, with one line naming it, if it cannot be used."""
        if is_url(target):
            from .postgres import PostgresDatabase

            return await PostgresDatabase.connect(str(target))
        from .sqlite import SqliteDatabase

        return await SqliteDatabase.connect(target, busy_timeout_ms, create=create)

    async def close(self) -> None:
        if self._flusher is not None:
            await self._flusher  # let submitted work finish

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- the schema ---------------------------------------------------------------------------

    async def migrate(self) -> None:
        """Apply the pending migrations, each in its own write transaction.

        Several processes may start on a new database at once: the version is read again
        under the write lock, so a migration another process applied meanwhile is skipped.
        The first read takes no lock, so an up-to-date database (the usual case) never waits
        for the writer."""
        if await self.schema_version() == len(MIGRATIONS):
            return
        while True:
            async with self.transaction() as conn:
                current = await self.schema_version(conn)
                if current == len(MIGRATIONS):
                    return
                for statement in MIGRATIONS[current]:
                    await conn.execute(migration_sql(statement, self.dialect))
                await self._set_schema_version(conn, current + 1)
            log.info("database migrated to schema %d", current + 1)

    async def schema_version(self, conn: Any = None) -> int:
        current = await self._read_schema_version(conn)
        if current > len(MIGRATIONS):
            raise BadDatabase(
                f"database {self.path} has schema {current}, newer than this bpu-bot knows"
            )
        return current

    async def _read_schema_version(self, conn: Any) -> int:
        raise NotImplementedError

    async def _set_schema_version(self, conn: Any, version: int) -> None:
        raise NotImplementedError

    # -- every message's path: grouped transactions -------------------------------------------

    async def run(self, work: Callable[[Any], T]) -> T:
        """Run `work(conn)` on the database thread, atomically and durably; return its result.

        Works submitted while others run are grouped: one thread hop and one transaction per
        group. A work that raises is undone alone (its exception is raised here) and the others
        still commit: the group is then run again one work per transaction, so a work must
        change nothing but the database. The result is returned only after its transaction has
        committed. The hot path (every message) uses this; `transaction()` suits staff tools
        that await between statements.
        """
        return await self.submit(work)

    def submit(self, work: Callable[[Any], T]) -> asyncio.Future[T]:
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
                    outcomes = await self._run_group(works)
            except BaseException as error:  # BEGIN or COMMIT failed: nothing of the group stays
                outcomes = [error] * len(group)
            for (_, future), outcome in zip(group, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    async def _run_group(self, works: list[Callable[[Any], object]]) -> list[object]:
        raise NotImplementedError

    async def read(self, work: Callable[[Any], T]) -> T:
        """Run `work(conn)`, which only reads: where answers are decided apart (PostgreSQL), on
        a connection of its own outside the write lock, while other processes' transactions
        commit (bot/service.py checks it is unchanged when it writes); else in a write group."""
        return await self.run(work)

    def _in_transaction(self, conn: Any, works: Sequence[Callable[[Any], object]]) -> list[object]:
        """On the connection's own thread: the works in one write transaction. If one raises,
        that transaction is rolled back and each work runs again in one of its own, its
        exception its outcome. (No savepoint per work: on PostgreSQL each would cost two round
        trips under the write lock, for a failure that is rare.)"""
        conn.execute(self.dialect.begin_write)
        try:
            outcomes: list[object] = []
            for work in works:
                try:
                    outcomes.append(work(conn))
                except Exception as error:
                    _rollback(conn)
                    if len(works) == 1:
                        return [error]
                    return [self._alone(conn, work) for work in works]
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return outcomes

    def _alone(self, conn: Any, work: Callable[[Any], object]) -> object:
        conn.execute(self.dialect.begin_write)
        try:
            outcome = work(conn)
        except Exception as error:
            _rollback(conn)
            return error
        except BaseException:
            _rollback(conn)
            raise
        conn.execute("COMMIT")
        return outcome

    # -- staff tools and long reads -----------------------------------------------------------

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        """A write transaction (the write lock from its start) … COMMIT, or ROLLBACK if the
        block raises."""
        raise NotImplementedError

    def reading(self) -> AbstractAsyncContextManager[Any]:
        """A read-only connection of its own, for long reads (exports) that must not hold up
        the transactions of live conversations: they read one consistent snapshot and never
        block the writer."""
        raise NotImplementedError

    async def fetch_all(self, sql: str, params: tuple | dict = ()) -> list[Any]:
        """A read outside any transaction (e.g. exports, statistics, tests)."""
        raise NotImplementedError

    def connect_sync(self) -> Any:
        """A connection of its own for a worker thread (an export reads a snapshot, then
        commits its batch): close it when done."""
        raise NotImplementedError

    def one_at_a_time(self, name: str, wait: bool = True) -> AbstractAsyncContextManager[bool]:
        """An exclusive lock called `name` among every process on this database, dropped when
        its holder dies, so work left unfinished while it is held is certainly a leftover.
        Yields whether it is held (always, unless `wait` is False and another holds it)."""
        raise NotImplementedError


def _rollback(conn: Any) -> None:
    if conn.in_transaction:  # SQLite ends some failed transactions itself (a full disk)
        conn.execute("ROLLBACK")
