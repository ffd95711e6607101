"""An export completes or leaves no trace: `bpu-bot export` killed at random moments, a full
disk, --out through a file, two exports to the same file."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import bot.staff.exports
from bot.staff.exports import NothingToExport, export
from storage import Database
from tests.seed import NOW, add, registration

ROOT = Path(__file__).resolve().parent.parent
ZONE = ZoneInfo("Asia/Jakarta")
FINAL_PREFIX = "bpu-registrations-batch"


def seed(db_path: Path, start: int, count: int) -> None:
    """`count` registrations more, straight into the table (fast enough for thousands)."""

    async def schema() -> None:
        async with await Database.open(db_path):
            pass

    asyncio.run(schema())
    stamp = "2026-11-21T03:00:00+00:00"
    rows = [
        (
            f"BPU-{i:08d}",
            f"33720517{80 + i % 20:02d}{i:06d}",
            f"Pekerja Nomor {i}",
            "1980-08-17",
            "L",
            f"+62812{i:08d}",
            f"Jl. Mawar {i}",
            "Kota Surakarta",
            "pedagang",
            2_000_000,
            2_000_000,
            "JKK+JKM",
            1,
            13_400,
            13_400,
            "2026-11-21.1",
            "2026-11-21",
            stamp,
            "telegram",
            str(i),
            "s",
            stamp,
            stamp,
        )
        for i in range(start, start + count)
    ]
    with sqlite3.connect(db_path) as conn:
        conn.executemany(
            """INSERT INTO registrations (reference, nik, full_name, birth_date, gender, phone,
               address, city, occupation, income_stated, income_declared, programs,
               period_months, monthly_premium, period_total, tariff_version, consent_version,
               consent_at, channel, user_key, session_id, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
    conn.close()


def command(db_path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--db", str(db_path), "export", *args]


def run(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(db_path, *args), capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded(db_path: Path) -> dict[str, str]:
    """file name -> sha256 of every batch the database says was exported."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT file_name, sha256 FROM export_batches WHERE sha256 IS NOT NULL"
        ).fetchall()
    conn.close()
    return dict(rows)


def published(out: Path) -> dict[str, str]:
    return {p.name: sha256(p) for p in out.iterdir() if p.name.startswith(FINAL_PREFIX)}


def references(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [row["reference"] for row in csv.DictReader(f, delimiter=";")]


def assert_clear_failure(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    message = (result.stderr + result.stdout).strip().lower()
    assert all(word in message for word in words), message


def work_folders(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if p.name.startswith(".bpu-export-")}


def started_writing(process: subprocess.Popen[str], out: Path, before: set[str]) -> bool:
    """Wait until the export has begun to write (its work folder appears) or has ended."""
    while process.poll() is None:
        if work_folders(out) - before:
            return True
        time.sleep(0.002)
    return False


def test_killed_at_random_moments_every_registration_goes_out_exactly_once(
    tmp_path: Path,
) -> None:
    db_path, out = tmp_path / "bpu.sqlite3", tmp_path / "out"
    out.mkdir()
    rng = random.Random()
    total, step = 0, 10_000
    kills = [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP] * 2
    rng.shuffle(kills)
    for sig in kills:
        seed(db_path, total, step)
        total += step
        before = work_folders(out)  # a SIGKILL's leftovers, for the next export to remove
        process = subprocess.Popen(
            command(db_path, "--out", str(out)),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if started_writing(process, out, before):
            time.sleep(rng.uniform(0, 0.6))  # anywhere from the first row to publishing
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
        assert "Traceback" not in stderr, stderr
        files = published(out)
        assert set(files.items()) <= set(recorded(db_path).items())  # a visible file is recorded
        if sig != signal.SIGKILL:
            # cleaned up at once: nothing of its own left but published batches
            assert not work_folders(out) - before, stderr
            if process.returncode not in (0, -sig):  # stopped by us mid-export
                assert process.returncode == 1 and "interrupted" in stderr.lower(), stderr
    leftovers = [p.name for p in out.iterdir() if not p.name.startswith(FINAL_PREFIX)]
    last = run(db_path, "--out", str(out))
    assert last.returncode == 0, last.stderr
    if leftovers:
        assert "interrupted" in last.stderr.lower(), last.stderr  # said so
    assert sorted(p.name for p in out.iterdir()) == sorted(published(out))  # no temp files
    assert published(out) == recorded(db_path)  # every recorded batch has its exact file
    exported = [ref for path in out.iterdir() for ref in references(path)]
    assert len(exported) == len(set(exported)) == total  # each exactly once, none lost
    assert "nothing new" in run(db_path, "--out", str(out)).stdout


def test_out_through_a_regular_file_exports_nothing(tmp_path: Path) -> None:
    db_path = tmp_path / "bpu.sqlite3"
    seed(db_path, 0, 50)
    (tmp_path / "notes.txt").write_text("not a folder")
    result = run(db_path, "--out", str(tmp_path / "notes.txt" / "exports"))
    assert_clear_failure(result, "notes.txt", "nothing")
    assert recorded(db_path) == {}
    again = run(db_path, "--out", str(tmp_path / "good"))
    assert again.returncode == 0 and "batch 1: 50 registrations" in again.stdout


@pytest.fixture
def tiny_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_exports_nothing_and_leaves_no_file(tmp_path: Path, tiny_disk: Path) -> None:
    db_path = tmp_path / "bpu.sqlite3"
    seed(db_path, 0, 3000)  # about 1 MB of CSV on a 64 KB disk
    result = run(db_path, "--out", str(tiny_disk))
    assert_clear_failure(result, "no space", "nothing")
    assert list(tiny_disk.iterdir()) == []  # no partial file with personal data
    assert recorded(db_path) == {}
    again = run(db_path, "--out", str(tmp_path / "good"))
    assert again.returncode == 0 and "batch 1: 3000 registrations" in again.stdout


def test_two_exports_to_the_same_file_do_not_mix(tmp_path: Path) -> None:
    db_path, out = tmp_path / "bpu.sqlite3", tmp_path / "out"
    seed(db_path, 0, 20000)
    out.mkdir()
    target = out / "registrations.csv"
    processes = [
        subprocess.Popen(
            command(db_path, "--all", "--out", str(target)),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in processes]
    assert sorted(code for code, _, _ in results) == [0, 1], results
    [refused] = [out + err for code, out, err in results if code == 1]
    assert "exists" in refused and "Traceback" not in refused
    assert [p.name for p in out.iterdir()] == ["registrations.csv"]
    assert recorded(db_path) == {"registrations.csv": sha256(target)}  # one batch, intact
    assert len(references(target)) == 20000


def test_export_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    db_path = tmp_path / "bpu.sqlite3"
    seed(db_path, 0, 5)
    old = os.umask(0)
    try:
        result = run(db_path, "--out", str(tmp_path / "new" / "folder"))
        again = run(db_path, "--batch", "1", "--out", str(tmp_path / "again.csv"))
    finally:
        os.umask(old)
    assert result.returncode == 0 and again.returncode == 0
    [path] = (tmp_path / "new" / "folder").iterdir()
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "again.csv").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "new" / "folder").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("linked", [False, True])
async def test_a_batch_killed_while_being_published_is_finished_by_the_next_export(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    linked: bool,
) -> None:
    """Deterministic: the process dies right after the batch's commit, before or after the
    file got its final name; the next export (whatever it is asked for) completes it."""
    for i in range(3):
        await add(db, registration(i))
    out = tmp_path / "out"

    def dies(file: Path, target: Path) -> None:
        if linked:
            os.link(file, target)
        raise KeyboardInterrupt  # as abrupt as a kill: nothing after it runs

    monkeypatch.setattr(bot.staff.exports, "_publish", dies)
    with pytest.raises(KeyboardInterrupt):
        await export(db, fmt="csv", actor="t", now=NOW, zone=ZONE, out=out)
    monkeypatch.undo()
    with pytest.raises(NothingToExport):  # the rows went out in batch 1, finished now
        await export(db, fmt="csv", actor="t", now=NOW, zone=ZONE, out=out)
    assert "finished batch 1 of an interrupted export" in caplog.text
    assert [p.name for p in out.iterdir()] == ["bpu-registrations-batch00001.csv"]
    batches = await db.fetch_all(
        "SELECT file_name, sha256 FROM export_batches WHERE sha256 IS NOT NULL"
    )
    assert published(out) == dict(batches)
    assert len(references(out / "bpu-registrations-batch00001.csv")) == 3


def test_what_a_killed_export_left_goes_with_the_next_command_of_any_kind(
    tmp_path: Path,
) -> None:
    db_path, out = tmp_path / "bpu.sqlite3", tmp_path / "out"
    out.mkdir()
    seed(db_path, 0, 20_000)
    process = subprocess.Popen(command(db_path, "--out", str(out)), cwd=ROOT, text=True)
    started_writing(process, out, set())
    process.kill()  # while it writes: a half-written file, no batch recorded
    process.wait()
    if not work_folders(out):
        pytest.skip("the export finished before it could be killed")
    stats = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--db", str(db_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert stats.returncode == 0, stats.stderr
    assert "interrupted export" in stats.stderr
    assert work_folders(out) == set()  # no half-written file with personal data stays
