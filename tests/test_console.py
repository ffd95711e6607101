"""`bpu-bot chat` as a subprocess with piped input, exactly as a script would drive it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.flowchat import NIK_SITI
from tests.today import money, premium_today

ANSWERS = [
    "1",
    "1",
    "2 juta",
    "1",
    "3372 0557 0880 0001",
    "1",
    "Siti Aminah",
    "0812 3456 7890",
    "Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta",
    "1",
    "1",
]


def chat(db: Path, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPU_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", str(db), *args],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def registrations(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT nik, full_name, phone, monthly_premium FROM registrations"
        ).fetchall()


def test_a_piped_registration(tmp_path: Path) -> None:
    db = tmp_path / "chat.sqlite3"
    result = chat(db, ANSWERS)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Apa pekerjaan Anda sehari-hari?\n  1. Pedagang\n  2. Ojek pangkalan" in out
    assert "> 2 juta\nPenghasilan Rp2.000.000: iuran" in out
    assert "Data Anda diterima. Referensi: BPU-" in out
    assert registrations(db) == [(NIK_SITI, "Siti Aminah", "+6281234567890", premium_today())]
    assert result.stderr == ""


def test_quitting_and_resuming_with_the_same_user(tmp_path: Path) -> None:
    db = tmp_path / "chat.sqlite3"
    first = chat(db, ANSWERS[:7], "--user", "siti")
    assert first.returncode == 0 and first.stdout.rstrip().endswith("Nomor HP Anda?")
    other = chat(db, [], "--user", "budi")
    assert "Selamat datang kembali" not in other.stdout
    second = chat(db, ANSWERS[7:], "--user", "siti")
    assert second.stdout.startswith(
        "Selamat datang kembali! Kita lanjutkan dari yang terakhir.\n\nNomor HP Anda?"
    )
    assert "Data Anda diterima" in second.stdout
    assert registrations(db) == [(NIK_SITI, "Siti Aminah", "+6281234567890", premium_today())]


def test_english(tmp_path: Path) -> None:
    result = chat(tmp_path / "chat.sqlite3", ["1", "1", "2 juta"], "--lang", "en")
    assert "What work do you do every day?\n  1. Trader" in result.stdout
    assert f"{money(premium_today(), 'en')} a month" in result.stdout


def test_database_path_from_the_environment(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "from-env.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPU_")} | {
        "BPU_DB_PATH": str(db)
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="1\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert db.exists()


def test_bad_input_and_commands_in_the_terminal(tmp_path: Path) -> None:
    result = chat(tmp_path / "chat.sqlite3", ["", "99", "bantuan", "batal"])
    out = result.stdout
    assert result.returncode == 0
    assert out.count("Silakan pilih salah satu pilihan.") == 2  # empty line, number out of range
    assert "kembali: ke pertanyaan sebelumnya" in out
    assert "Berhenti dan hapus semua" not in out  # nothing typed yet: nothing to ask about
    assert "Sudah dihentikan" in out
