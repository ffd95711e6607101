"""The PostgreSQL password never in what staff and the operator see, and a mistyped PostgreSQL
URL refused by name, never taken for an SQLite file (found by a review; before):

- A password with a `%` not percent-encoded (common in generated passwords) is printed in the
  one-line error: `invalid percent-encoded token: "S3%KRET"` (bpu-bot stats --db / migrate-db).
- migrate-db --to with a mistyped scheme prints the whole URL, password included.
- BPU_DATABASE_URL=postgresql+psycopg://… (SQLAlchemy's spelling) or postgresql:/… is taken as
  an SQLite path: `serve` silently runs on a new local SQLite file in folders named after the
  URL (password included), each instance on its own; admin commands print the URL.
- A URL with a bad host (`[`) makes every command end in a Python traceback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage import Database
from storage.database import BadDatabase
from tests.test_cli import bpu

SECRET = "S3KRET"


def _no_secret(result) -> None:
    assert result.returncode != 0
    assert SECRET not in result.stdout + result.stderr, result.stderr


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://bpu:{SECRET}%@127.0.0.1:1/bpu",  # a % in the password, not encoded
        f"postgresql:/bpu:{SECRET}@127.0.0.1:1/bpu",  # one slash
        f"postgresql+psycopg://bpu:{SECRET}@127.0.0.1:1/bpu",  # SQLAlchemy's spelling
    ],
)
def test_stats_with_a_bad_database_url_does_not_print_the_password(tmp_path: Path, url) -> None:
    _no_secret(bpu(tmp_path, "stats", "--db", url))


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://bpu:{SECRET}%@127.0.0.1:1/bpu",
        f"postgresql:/bpu:{SECRET}@127.0.0.1:1/bpu",
        f"postgresql://bpu:{SECRET}@[db.internal/bpu",
    ],
)
def test_migrate_db_with_a_bad_target_does_not_print_the_password(tmp_path: Path, url) -> None:
    source = tmp_path / "bpu.sqlite3"
    asyncio.run(_make(source))
    _no_secret(bpu(tmp_path, "migrate-db", "--from", str(source), "--to", url))


async def _make(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


def test_a_bad_host_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = bpu(tmp_path, "stats", "--db", f"postgresql://bpu:{SECRET}@[db.internal/bpu")
    assert "Traceback" not in result.stderr, result.stderr[-300:]


@pytest.mark.parametrize(
    "url", [f"postgresql+psycopg://bpu:{SECRET}@127.0.0.1:1/bpu", f"postgresql:/bpu:{SECRET}@h/b"]
)
async def test_a_mistyped_postgresql_url_is_refused_not_an_sqlite_file(
    tmp_path: Path, monkeypatch, url
) -> None:
    """What `bpu-bot serve` does with BPU_DATABASE_URL: Database.open(settings.database)."""
    monkeypatch.chdir(tmp_path)
    try:
        db = await Database.open(url)
    except BadDatabase as error:
        assert SECRET not in str(error)
    else:
        await db.close()
        made = [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")]
        pytest.fail(f"ran on a new SQLite file instead: {made}")
