"""Shared fixtures: a real database (SQLite in a temp dir, or PostgreSQL) and the service on top
of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.service import ConversationService
from conversations import default_rules
from storage import Database
from tests.fake_telegram import FakeTelegram
from tests.postgres import Databases, postgres_server

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # 10:00 WIB


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bpu.sqlite3"


ENGINES = ("sqlite", "postgresql")


@pytest.fixture(params=ENGINES)
def db_target(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Path | str]:
    """Where the `db` of a test lives: an SQLite file in a temp dir, or a new database on the
    test run's PostgreSQL server (issue 15). Each test that uses `db` runs on both."""
    if request.param == "sqlite":
        yield db_path
        return
    databases: Databases = request.getfixturevalue("postgres_databases")
    url = databases.new()
    yield url
    databases.drop(url)


@pytest.fixture
async def db(db_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(db_target)
    try:
        yield database
    finally:
        await database.close()


def make_service(db: Database) -> ConversationService:
    return ConversationService(db, default_rules(), ZoneInfo("Asia/Jakarta"), clock=lambda: NOW)


@pytest.fixture
def service(db: Database) -> ConversationService:
    return make_service(db)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One real PostgreSQL server for the whole test run (tests/postgres.py)."""
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_databases(postgres_url: str) -> Databases:
    return Databases(postgres_url)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram Bot API on 127.0.0.1."""
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()
