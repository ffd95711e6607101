"""The staff command line as staff run it: `bpu-bot` as a subprocess, what it prints, its exit code,
and the files it leaves (the database's permissions, its bytes after a cancelled conversation)."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NIK = "3372055708800001"
NAME = "Zulkarnain Wibisono"
ADDRESS = ("Jl. Mawar 5 RT 02/RW 03 Kauman " * 6)[:165] + " Kota Surakarta"


def bpu(
    cwd: Path,
    *args: str,
    stdin: str | None = None,
    umask: int = -1,
    module: str = "bot",
) -> subprocess.CompletedProcess[str]:
    """`bpu-bot ARGS` in `cwd`, with no BPU_/TELEGRAM_/WHATSAPP_ settings from this machine."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
        cwd=cwd,
        umask=umask,
        check=False,
    )


def _env() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BPU_", "TELEGRAM_", "WHATSAPP_"))
    }
    return {**env, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """A non-zero exit, nothing on stdout, one line on stderr naming `words`."""
    assert result.returncode not in (0, None), result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def add_staff(cwd: Path, db: Path, number: int = 1) -> None:
    added = bpu(cwd, "--db", str(db), "staff", "add", "--name", f"S{number}", "--telegram-id", "7")
    assert added.returncode == 0, added.stderr


# 6: migrating a brand-new database from several processes at once


def test_many_processes_start_on_one_new_database(tmp_path: Path) -> None:
    for attempt in range(3):
        db = tmp_path / f"new-{attempt}.sqlite3"
        argv = [sys.executable, "-m", "bot", "--db", str(db), "staff", "add", "--name"]
        processes = [
            subprocess.Popen(
                [*argv, f"S{i}", "--telegram-id", str(100 + i)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=_env(),
                cwd=tmp_path,
            )
            for i in range(8)
        ]
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            assert re.fullmatch(r"staff \d+ added: S\d\n", out) and err == ""
        listed = bpu(tmp_path, "--db", str(db), "staff", "list")
        assert len(listed.stdout.splitlines()) == 8


def test_a_process_waits_for_another_writing_the_new_database(tmp_path: Path) -> None:
    """The race above, made certain: another connection holds the write lock on a database not
    yet in WAL. SQLite refuses the switch to WAL at once there (it will not wait while it holds
    a read lock); bpu-bot waits for the lock instead of failing with "database is locked"."""
    db = tmp_path / "new.sqlite3"
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    argv = ["--db", str(db), "staff", "add", "--name", "S1", "--telegram-id", "101"]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=tmp_path,
    )
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=3)  # it must still be waiting, not gone with an error
    other.execute("COMMIT")
    other.close()
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (0, "staff 1 added: S1\n", "")


# 14: the database and its WAL and SHM files are the owner's only


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_database_files_are_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    db = tmp_path / "new" / "deeper" / "bpu.sqlite3"
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--db", str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=tmp_path,
        umask=umask,
    )
    assert chat.stdin and chat.stdout
    try:
        for line in chat.stdout:  # until the greeting is saved: the WAL is written
            if "1. Pedagang" in line:
                break
        files = {p.name: mode(p) for p in db.parent.iterdir()}
    finally:
        chat.stdin.close()
        chat.wait(timeout=60)
    assert chat.returncode == 0
    assert files == {name: 0o600 for name in ("bpu.sqlite3", "bpu.sqlite3-wal", "bpu.sqlite3-shm")}
    assert (mode(db.parent), mode(db.parent.parent)) == (0o700, 0o700)
    assert mode(db) == 0o600


def test_a_database_made_world_readable_is_tightened(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    db = shared / "bpu.sqlite3"
    add_staff(tmp_path, db)
    db.chmod(0o644)
    assert bpu(tmp_path, "--db", str(db), "staff", "list").returncode == 0
    assert mode(db) == 0o600
    assert mode(shared) == 0o755  # a folder that already existed is left as it was


# 17: a cancelled conversation leaves nothing behind in free pages


def test_a_cancelled_conversation_leaves_no_trace_in_the_file(tmp_path: Path) -> None:
    """Run on an SQLite whose default is secure_delete off (this platform's build defaults it
    on, SQLITE_SECURE_DELETE): the address and e-mail make the session overflow onto a page of
    its own, which the cancel frees with the name and NIK still on it unless bpu-bot zeroes it."""
    db = tmp_path / "bpu.sqlite3"
    answers = ["1", "1", "2 juta", "1", NIK, "1", NAME, "0812 3456 7890", ADDRESS]
    answers += ["zulkarnain.wibisono.kauman@example.co.id", "batal", "1"]
    lines = "".join(f"{line}\n" for line in answers)
    chat = bpu(tmp_path, "chat", "--db", str(db), stdin=lines, module="tests.sqlite_default_off")
    assert chat.returncode == 0, chat.stderr
    assert "Benar semua?" in chat.stdout  # every answer was saved,
    assert "Data yang Anda ketik sudah dihapus" in chat.stdout  # then deleted
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert conn.execute("SELECT count(*) FROM registrations").fetchone() == (0,)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("bpu.sqlite3*"))
    for secret in (NAME, NIK, "Kauman", "wibisono.kauman"):
        assert secret.encode() not in raw


# 18: a bad or missing --db


@pytest.fixture(scope="module")
def real_database(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a database that has been used."""
    folder = tmp_path_factory.mktemp("real")
    add_staff(folder, folder / "bpu.sqlite3")
    return (folder / "bpu.sqlite3").read_bytes()


BAD = ("garbage", "text", "folder", "truncated")


def _make_bad(kind: str, path: Path, real: bytes) -> None:
    if kind == "garbage":
        path.write_bytes(bytes(range(256)) * 64)
    elif kind == "text":
        path.write_text("nama;nik\nSiti;3372055708800001\n", "utf-8")
    elif kind == "folder":
        path.mkdir()
    else:
        assert len(real) > 4096 * 3
        path.write_bytes(real[: 4096 * 3])  # shorter than its header says


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize(
    "command", [["stats"], ["staff", "add", "--name", "Budi", "--telegram-id", "1"], ["chat"]]
)
def test_a_bad_database_is_one_clear_line(
    tmp_path: Path, real_database: bytes, kind: str, command: list[str]
) -> None:
    db = tmp_path / "bpu.sqlite3"
    _make_bad(kind, db, real_database)
    before = {p.name: p.stat().st_mode for p in tmp_path.iterdir()}
    result = bpu(tmp_path, "--db", str(db), *command, stdin="halo\n")
    line = one_line_error(result, str(db))
    assert "Traceback" not in line
    assert {p.name: p.stat().st_mode for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("command", ["serve", "telegram"])
def test_servers_refuse_a_bad_database_in_one_line(tmp_path: Path, command: str) -> None:
    db = tmp_path / "bpu.sqlite3"
    _make_bad("garbage", db, b"")
    one_line_error(bpu(tmp_path, command, "--db", str(db)), str(db), "not a database")


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["export"],
        ["campaign", "list"],
        ["campaign", "show", "pasar-x-abcdef"],
        ["staff", "list"],
        ["campaigner", "list"],
    ],
)
def test_reading_commands_refuse_a_database_that_does_not_exist(
    tmp_path: Path, command: list[str]
) -> None:
    db = tmp_path / "typo" / "bpu.sqlite3"
    one_line_error(bpu(tmp_path, "--db", str(db), *command), str(db), "no database")
    assert not db.parent.exists()
    assert not list(tmp_path.iterdir())  # no export file either


def test_db_is_taken_after_the_command_at_every_level(tmp_path: Path) -> None:
    db = str(tmp_path / "bpu.sqlite3")
    created = bpu(
        tmp_path,
        "campaign",
        "create",
        "--db",
        db,
        "--name",
        "Pasar Klewer",
        "--place",
        "Pasar Klewer, Solo",
        "--branch",
        "Surakarta",
    )
    assert created.returncode == 0, created.stderr
    code = created.stdout.split()[1]
    assert code in bpu(tmp_path, "campaign", "list", "--db", db).stdout
    closed = bpu(tmp_path, "campaign", "close", code, "--db", db)
    assert closed.stdout == f"campaign {code} closed\n"
    added = bpu(tmp_path, "staff", "add", "--name", "Budi", "--telegram-id", "1", "--db", db)
    assert added.returncode == 0, added.stderr
    assert "Budi" in bpu(tmp_path, "staff", "list", "--db", db).stdout
    assert not (tmp_path / "bpu-bot.sqlite3").exists()  # the default was never touched


# 12: statistics never wait for the write lock


def test_stats_run_while_a_worker_holds_the_write_lock(tmp_path: Path) -> None:
    db = tmp_path / "bpu.sqlite3"
    add_staff(tmp_path, db)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM inbound_messages")
        result = bpu(tmp_path, "stats", "--db", str(db))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.returncode == 0, result.stderr
    assert "Funnel of conversations started at any time" in result.stdout


# 19: wrong codes, dates and campaigns are refused on stderr


@pytest.mark.parametrize("command", [["stats"], ["export"]])
def test_an_unknown_campaign_is_refused(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "bpu.sqlite3"
    add_staff(tmp_path, db)
    result = bpu(tmp_path, *command, "--campaign", "nope", "--db", str(db))
    assert one_line_error(result) == "no campaign nope"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("bpu.")) == []


def test_a_campaign_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "bpu.sqlite3")
    add_staff(tmp_path, Path(db))
    result = bpu(
        tmp_path,
        *("--db", db, "campaign", "create", "--name", "X", "--place", "Y", "--branch", "Z"),
        *("--starts", "2026-11-30", "--ends", "2026-11-01"),
    )
    assert result.returncode == 2
    assert one_line_error(result) == "the campaign ends (2026-11-01) before it starts (2026-11-30)"
    assert bpu(tmp_path, "--db", db, "campaign", "list").stdout == ""


@pytest.mark.parametrize(
    ("command", "value"),
    [
        (["stats", "--since"], "1/11/2026"),
        (["stats", "--until"], "2026-13-01"),
        (["export", "--since"], "2026-11"),
        (["campaign", "create", "--name", "X", "--place", "Y", "--branch", "Z", "--ends"], "1/11"),
    ],
)
def test_a_bad_date_says_the_format(tmp_path: Path, command: list[str], value: str) -> None:
    result = bpu(tmp_path, *command, value)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines()[-1].endswith(f"invalid date {value}: use YYYY-MM-DD")


def test_errors_go_to_stderr(tmp_path: Path) -> None:
    db = str(tmp_path / "bpu.sqlite3")
    add_staff(tmp_path, Path(db))
    assert one_line_error(bpu(tmp_path, "--db", db, "staff", "remove", "99")) == "no staff 99"
    assert one_line_error(bpu(tmp_path, "--db", db, "campaign", "show", "x")) == "no campaign x"
    assert one_line_error(bpu(tmp_path, "--db", db, "campaign", "close", "x")) == "no campaign x"
    no_id = bpu(tmp_path, "--db", db, "campaigner", "add", "--name", "A", "--code", "P-1")
    assert one_line_error(no_id) == "give --telegram-id and/or --phone"
    nothing = bpu(tmp_path, "export", "--db", db)  # not an error: said on stdout, exit 0
    assert (nothing.returncode, nothing.stdout) == (0, "nothing new to export: no file written\n")


def test_a_duplicate_or_a_bad_telegram_id_is_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "b.sqlite3")
    assert (
        bpu(tmp_path, "staff", "add", "--name", "A", "--telegram-id", "1", "--db", db).returncode
        == 0
    )
    again = bpu(tmp_path, "staff", "add", "--name", "B", "--telegram-id", "1", "--db", db)
    assert again.returncode == 2 and again.stdout == ""
    assert again.stderr.strip() == "a staff with this telegram id exists already"
    code = ("campaigner", "add", "--name", "S", "--code", "X1", "--telegram-id", "5", "--db", db)
    assert bpu(tmp_path, *code).returncode == 0
    twice = bpu(tmp_path, *code[:-4], "--telegram-id", "6", "--db", db)
    assert twice.stderr.strip() == "a campaigner with this code exists already"
    letters = bpu(tmp_path, "staff", "add", "--name", "C", "--telegram-id", "abc", "--db", db)
    assert letters.returncode == 2 and "not a Telegram user id: abc" in letters.stderr
    assert "Traceback" not in again.stderr + twice.stderr + letters.stderr
