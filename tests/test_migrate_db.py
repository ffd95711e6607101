"""`bpu-bot migrate-db` (issue 15): an SQLite database that has been in use moves to PostgreSQL
whole, checked table by table; the bot then goes on there as if nothing happened; a target that
holds data is refused, and a copy that does not read back the same is not committed."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from bot.service import ConversationService
from conversations import default_rules
from storage import Database, exports, webhook_inbox
from storage.migrations import MIGRATIONS
from tests.conftest import NOW
from tests.flowchat import NIK_SITI
from tests.postgres import Databases
from tests.seed import everything, village_campaign
from tests.test_cli import bpu
from tests.test_service import GOLDEN, User

ROOT = Path(__file__).resolve().parent.parent


async def used(path: Path) -> list[str]:
    """An SQLite database as a running bot leaves it: workers registered (one through a
    campaign), a conversation half-way, an export, a webhook waiting. Their references."""
    async with await Database.open(path) as db:
        async with db.transaction() as conn:
            code = await village_campaign(conn)
        service = ConversationService(
            db, default_rules(), ZoneInfo("Asia/Jakarta"), clock=lambda: NOW
        )
        references = []
        for n in range(3):
            user = User(service, f"w{n}")
            await user.send("open", code if n == 0 else "")
            await user.run(worker(n + 1))
            [row] = await db.fetch_all(
                "SELECT reference FROM registrations WHERE user_key = ?", (f"w{n}",)
            )
            references.append(row[0])
        half = User(service, "w9")
        await half.send("open")
        await half.run(GOLDEN[:4])
        async with db.transaction() as conn:
            await exports.reserve(conn, exports.Filters(), "csv", "test", NOW)
        await db.run(lambda c: webhook_inbox.keep(c, "telegram", '{"update_id": 1}', NOW, "7"))
    return references


def worker(n: int) -> list[tuple[str, str]]:
    """The golden registration, with a NIK of its own."""
    return [(k, v.replace(NIK_SITI, NIK_SITI[:-4] + f"{n:04d}")) for k, v in GOLDEN]


async def test_a_database_in_use_moves_whole_and_the_bot_goes_on_there(
    tmp_path: Path, postgres_databases: Databases
) -> None:
    source = tmp_path / "bpu.sqlite3"
    references = await used(source)
    target = postgres_databases.blank()
    moved = bpu(tmp_path, "migrate-db", "--from", f"sqlite://{source}", "--to", target)
    assert moved.returncode == 0, moved.stderr
    assert "  registrations                       3 rows  ok" in moved.stdout
    assert "every table's row count and checksum match" in moved.stdout.splitlines()[-1]
    async with await Database.open(source) as before, await Database.open(target) as after:
        for table in ("registrations", "sessions", "funnel_sessions", "webhook_inbox"):
            sql = f"SELECT * FROM {table} ORDER BY 1"
            assert [tuple(r) for r in await before.fetch_all(sql)] == [
                tuple(r) for r in await after.fetch_all(sql)
            ], table
        service = ConversationService(
            after, default_rules(), ZoneInfo("Asia/Jakarta"), clock=lambda: NOW
        )
        status = await User(service, "w1").send("text", "status", "after-move-1")
        assert references[1] in status  # the worker's own registration, found on PostgreSQL
        half = User(service, "w9")  # the half-filled form goes on where it was
        half.n = 100  # its message ids go on from those before the move
        assert "Data Anda diterima" in await half.run(worker(9)[4:])
        newcomer = User(service, "w5")
        await newcomer.send("open")
        assert "Data Anda diterima" in await newcomer.run(worker(5))  # a new id after the copied
        [(count,)] = await after.fetch_all("SELECT count(*) FROM registrations")
        assert count == 5


async def test_a_target_that_holds_data_is_refused(
    tmp_path: Path, postgres_databases: Databases
) -> None:
    source = tmp_path / "bpu.sqlite3"
    await used(source)
    target = postgres_databases.blank()
    assert bpu(tmp_path, "migrate-db", "--from", str(source), "--to", target).returncode == 0
    async with await Database.open(target) as db:
        before = await everything(db)
    again = bpu(tmp_path, "migrate-db", "--from", f"sqlite://{source}", "--to", target)
    assert again.returncode == 1
    assert "not empty" in again.stderr and "nothing copied" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1  # one line, no traceback
    async with await Database.open(target) as db:
        assert await everything(db) == before


async def test_a_copy_that_does_not_read_back_the_same_is_not_committed(
    tmp_path: Path, postgres_databases: Databases
) -> None:
    source = tmp_path / "bpu.sqlite3"
    await used(source)
    target = postgres_databases.blank()
    async with await Database.open(target):
        pass
    with psycopg.connect(target, autocommit=True) as conn:  # a server that changes what it gets
        conn.execute(
            """CREATE FUNCTION mangle() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN NEW.full_name := upper(NEW.full_name); RETURN NEW; END $$"""
        )
        conn.execute(
            """CREATE TRIGGER mangle BEFORE INSERT ON registrations
               FOR EACH ROW EXECUTE FUNCTION mangle()"""
        )
    moved = bpu(tmp_path, "migrate-db", "--from", str(source), "--to", target)
    assert moved.returncode == 1
    assert "registrations" in moved.stderr and "nothing committed" in moved.stderr
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM registrations").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM campaigns").fetchone() == (0,)


def test_the_source_must_exist_and_the_target_be_postgresql(tmp_path: Path) -> None:
    missing = bpu(
        tmp_path, "migrate-db", "--from", str(tmp_path / "nope.sqlite3"), "--to", "postgresql://x"
    )
    assert missing.returncode == 1 and "no database at" in missing.stderr
    wrong = bpu(tmp_path, "migrate-db", "--from", str(tmp_path / "a"), "--to", str(tmp_path / "b"))
    assert wrong.returncode == 1 and "--to must be a postgresql:// URL" in wrong.stderr


async def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path) -> None:
    source = tmp_path / "bpu.sqlite3"
    async with await Database.open(source):
        pass
    url = "postgresql://bpu_bot:Rahasia-7731@127.0.0.1:1/bpu_bot"
    for command in (["stats", "--db", url], ["migrate-db", "--from", str(source), "--to", url]):
        done = bpu(tmp_path, *command)
        assert done.returncode == 1
        assert done.stderr.startswith("bpu-bot: ") and len(done.stderr.splitlines()) == 1
        assert "Rahasia-7731" not in done.stderr + done.stdout


async def test_instances_starting_together_on_a_new_database_migrate_it_once(
    postgres_databases: Databases,
) -> None:
    """Four processes start at once on an empty PostgreSQL database: each opens it and answers
    (one of them migrates; the others wait for it, then find it up to date)."""
    url = postgres_databases.blank()
    started = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "stats",
            "--db",
            url,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(4)
    ]
    results = [await process.communicate() for process in started]
    assert [process.returncode for process in started] == [0, 0, 0, 0], results
    with psycopg.connect(url) as conn:
        versions = conn.execute("SELECT version FROM schema_version").fetchall()
    assert versions == [(len(MIGRATIONS),)]


async def test_a_nul_character_stored_by_an_older_version_is_dropped_and_said(
    tmp_path: Path, postgres_databases: Databases
) -> None:
    """PostgreSQL cannot store a NUL in text; an older bpu-bot let one in through the console.
    The move goes through, and says which rows lost one."""
    source = tmp_path / "bpu.sqlite3"
    await used(source)
    with sqlite3.connect(source) as conn:
        conn.execute("UPDATE campaigns SET name = ?", ("Desa\x00Sepaku",))
    target = postgres_databases.blank()
    moved = bpu(tmp_path, "migrate-db", "--from", str(source), "--to", target)
    assert moved.returncode == 0, moved.stderr
    assert "campaigns" in moved.stdout and "(1 with a NUL character, dropped)" in moved.stdout
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT name FROM campaigns").fetchall() == [("DesaSepaku",)]
