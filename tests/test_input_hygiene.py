"""Whatever digits and invisible characters a worker types: one NIK is one registration, every
number is stored in ASCII, nothing crashes, and no control character reaches storage or exports."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bot.service import ConversationService
from conversations.text_input import clean_text
from storage import Database
from tests.flowchat import NIK_SITI, at_step, golden
from tests.test_service import GOLDEN, User, rows

# NIK_SITI written the ways a phone keyboard, a copy-paste or an attacker may write it.
FULLWIDTH = "３３７２０５５７０８８００００１"
ARABIC_INDIC = "٣٣٧٢٠٥٥٧٠٨٨٠٠٠٠١"
MATH_BOLD = "𝟑𝟑𝟕𝟐𝟎𝟓𝟓𝟕𝟎𝟖𝟖𝟎𝟎𝟎𝟎𝟏"
MIXED = "3３٧𝟐 ०५५७ ০৮৮০ ๐๐๐1"  # ASCII, fullwidth, Arabic-Indic, bold, Devanagari, Bengali, Thai
SUPERSCRIPT = "³³72055708800001"
ZERO_WIDTH = "3372\u200b0557\u200c0880\u200d0001\ufeff"
SPELLINGS = [FULLWIDTH, ARABIC_INDIC, MATH_BOLD, MIXED, SUPERSCRIPT, ZERO_WIDTH]

TAKEN = "NIK 3372••••••••0001 sudah terdaftar lewat layanan ini"
TROUBLE = "Maaf, ada gangguan"
# Characters that must never reach a registration or an export: terminal escapes, bell, NUL,
# bidi overrides and isolates, zero-width characters.
HOSTILE = "\x1b\x07\x00\x08\x7f\x9b\u202e\u202d\u2066\u2069\u200b\u200e\ufeff"


def only_visible(text: str) -> bool:
    """No control (except line ends), format or surrogate character."""
    return not any(
        unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch not in "\r\n" for ch in text
    )


def through_nik(nik: str) -> list[tuple[str, str]]:
    """The golden path with the NIK typed as `nik`."""
    return [(kind, nik if value == NIK_SITI else value) for kind, value in GOLDEN]


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_the_same_nik_in_other_digits_is_already_registered(
    service: ConversationService, db: Database, spelling: str
) -> None:
    await User(service, "a").run([("open", ""), *GOLDEN])
    other = User(service, "b")
    await other.send("open")
    await other.run(GOLDEN[:4])
    text = await other.send("text", spelling)
    assert TAKEN in text
    assert len(other.replies[-1].options) == 2  # another NIK, or stop: no update
    assert len(await rows(db, "SELECT * FROM registrations")) == 1


async def test_a_registration_typed_in_other_digits_is_stored_in_ascii(
    service: ConversationService, db: Database
) -> None:
    user = User(service)
    script = [
        (
            kind,
            {"2 juta": "٢ juta", NIK_SITI: MIXED, "0812 3456 7890": "０８１２ ३४५६ ٧٨٩٠"}.get(
                value, value
            ),
        )
        for kind, value in GOLDEN
    ]
    await user.send("open")
    text = await user.run(script)
    assert "Data Anda diterima" in text
    [reg] = await rows(db, "SELECT nik, phone, income_stated FROM registrations")
    assert reg == {"nik": NIK_SITI, "phone": "+6281234567890", "income_stated": 2_000_000}


def test_dates_and_months_in_other_digits() -> None:
    chat = at_step("birth_confirm")
    chat.tap(chat.option_keys[1])  # "No, change it"
    chat.send("١٨ Agustus ١٩٨٠")  # Arabic-Indic
    chat.tap(chat.option_keys[1])  # female
    chat.play([*golden()[6:10], ("tap", "edit"), ("tap", "period")])
    chat.send("३ bulan")  # Devanagari
    chat.tap("ok")
    assert chat.registration.birth_date.isoformat() == "1980-08-18"
    assert chat.registration.period_months == 3


@pytest.mark.parametrize("nik", [SUPERSCRIPT, "³³⁷²⁰⁵⁵⁷⁰⁸⁸⁰⁰⁰⁰¹", "²", "¹" * 15, "𝟏" * 5000])
async def test_superscript_digits_at_the_nik_question_get_an_answer(
    service: ConversationService, nik: str
) -> None:
    user = User(service)
    await user.send("open")
    await user.run(GOLDEN[:4])
    text = await user.send("text", nik)
    assert text and TROUBLE not in text
    if nik.startswith("³³"):  # read as NIK_SITI: the birth date it holds is confirmed
        assert "Menurut NIK: lahir 17 Agustus 1980, perempuan. Benar?" in text
    else:
        assert "NIK" in text and text.endswith("NIK Anda (16 angka di KTP)?")


@pytest.mark.parametrize("step_index", [0, 2, 4, 7, 10])  # occupation, income, NIK, phone, summary
async def test_a_lone_surrogate_or_huge_number_gets_an_answer(
    service: ConversationService, db: Database, step_index: int
) -> None:
    user = User(service)
    await user.send("open")
    await user.run(GOLDEN[:step_index])
    for text in ["\ud800", "9" * 5000, "²" * 3000, "\x00" * 100]:
        reply = await user.send("text", text)
        assert reply and TROUBLE not in reply
    await user.run(GOLDEN[step_index:])
    [reg] = await rows(db, "SELECT nik, phone FROM registrations")
    assert reg == {"nik": NIK_SITI, "phone": "+6281234567890"}


# --- control and format characters never reach storage or exports ---------------------------


def export(db: Path | str, out: Path, fmt: str) -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPU_")}
    args = ["export", "--format", fmt, "--all", "--out", str(out), "--db", str(db)]
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [path] = [p for p in out.iterdir() if p.suffix == f".{fmt}"]
    return path


async def test_control_and_bidi_characters_never_reach_the_row_nor_an_export(
    service: ConversationService, db: Database, db_target: Path | str, tmp_path: Path
) -> None:
    user = User(service)
    answers = {
        "Siti Aminah": "\u202eSiti\x07 Ami\x00nah\u200b",
        "Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta": (
            "Jl. Mawar 5\x1b[2J RT 02\x00/RW 03,\udcff\x07 \u202eKauman\u202c,"
            "\r\n\u2066Kota Surakarta\x9b"
        ),
    }
    script = [(kind, answers.get(value, value)) for kind, value in GOLDEN]
    script[9] = ("text", "siti\x1b@\u202email.co\x07")  # an e-mail instead of Skip
    await user.send("open")
    assert "Data Anda diterima" in await user.run(script)
    [reg] = await rows(db, "SELECT full_name, address, email, city FROM registrations")
    assert reg == {
        "full_name": "Siti Aminah",
        "address": "Jl. Mawar 5[2J RT 02/RW 03, Kauman, Kota Surakarta",
        "email": "siti@mail.co",
        "city": "Kota Surakarta",
    }
    assert only_visible("".join(str(v) for v in reg.values()))
    [stored] = await db.fetch_all("SELECT * FROM registrations")
    assert only_visible("".join(str(v) for v in stored))

    csv_path = export(db_target, tmp_path / "csv", "csv")
    raw = csv_path.read_text("utf-8-sig")
    assert only_visible(raw) and not any(ch in raw for ch in HOSTILE)
    [row] = list(csv.DictReader(raw.splitlines(), delimiter=";"))
    assert row["full_name"] == "Siti Aminah"

    jsonl_path = export(db_target, tmp_path / "jsonl", "jsonl")
    raw = jsonl_path.read_text("utf-8")
    [record] = [json.loads(line) for line in raw.splitlines()]
    assert only_visible(raw) and only_visible("".join(str(v) for v in record.values()))
    assert record["address"] == "Jl. Mawar 5[2J RT 02/RW 03, Kauman, Kota Surakarta"


# --- the terminal chat ----------------------------------------------------------------------


def chat(db: Path, data: bytes, **env_changes: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPU_")} | env_changes
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", str(db)],
        input=data,
        capture_output=True,
        timeout=60,
        env=env,
        check=False,
    )


HUGE = "7" * 5000


def test_the_terminal_chat_answers_odd_digits_and_huge_numbers(tmp_path: Path) -> None:
    lines = [
        HUGE,  # occupation: no such option
        "²",  # occupation 2: Ojek pangkalan
        "¹",  # see my premium
        HUGE,  # income: a long number is not an income, asked again
        "٣",  # income option 3: Rp2 juta
        "1",  # register
        "²",  # NIK: too short
        HUGE,  # NIK: too long
        "３３７２ ０５５７ ０８８０ ０００１",
        "1",
        "Siti Aminah",
        "0812\x07 3456 7890\x1b",
    ]
    db = tmp_path / "chat.sqlite3"
    result = chat(db, "".join(f"{line}\n" for line in lines).encode())
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    out = result.stdout.decode()
    assert "> 2\nAnda di jalan seharian:" in out  # the echo shows what the bot read
    assert "7\nJumlahnya tidak terbaca." in out  # the huge number at the income question
    assert "> 3\nPenghasilan Rp2.000.000: iuran" in out
    assert "> 2\nNIK terdiri dari 16 angka." in out
    assert out.count("NIK terdiri dari 16 angka.") == 2
    assert "Menurut NIK: lahir 17 Agustus 1980, perempuan. Benar?" in out
    assert "Alamat sesuai KTP" in out
    assert only_visible(out)
    with sqlite3.connect(db) as conn:
        [data] = conn.execute("SELECT data FROM sessions").fetchone()
    assert '"nik":"3372055708800001"' in data and '"phone":"+6281234567890"' in data


def test_the_terminal_chat_survives_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    data = b"1\n1\n\xff\xfe juta\n\xed\xa0\x80\n2 juta\n"
    for encoding in ("utf-8", "utf-8:surrogateescape"):
        result = chat(tmp_path / f"{encoding}.sqlite3", data, PYTHONIOENCODING=encoding)
        assert result.returncode == 0, result.stderr.decode()
        out = result.stdout.decode()
        assert "Penghasilan Rp2.000.000: iuran" in out
        assert only_visible(out)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Ma’ruf Amin", "Ma'ruf Amin"),  # the apostrophe iPhones and Android keyboards type
        ("Siti Nur‐Aisyah", "Siti Nur-Aisyah"),
        ("Siti – Nur", "Siti - Nur"),
        ("ʼAbdul Somad", "'Abdul Somad"),
        ("Ma´ruf", "Ma'ruf"),
    ],
)
def test_a_phones_punctuation_in_a_name_is_taken_as_typed_on_a_ktp(typed: str, kept: str) -> None:
    chat = at_step("name")
    chat.send(typed)
    assert chat.step == "phone", chat.text
    assert chat.session is not None and chat.session.answers.full_name == kept


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1½ juta", "1,5 juta"),  # NFKC alone gives "11⁄2": eleven halves
        ("1 ½ juta", "1,5 juta"),
        ("½ juta", "0,5 juta"),
        ("2¼ jt", "2,25 jt"),
        ("¾", "0,75"),
        ("1⅛", "1,125"),
        ("1⅓ bulan", "1 1/3 bulan"),  # no short decimal is exact: an ASCII fraction, apart
        ("⅔", "2/3"),
        ("1⁄2", "1/2"),  # the fraction slash
        ("١٫٥ juta", "1,5 juta"),  # Arabic decimal separator
        ("٢٬٥٠٠٬٠٠٠", "2.500.000"),  # Arabic thousands separator
        ("Rp ٢٬٥٠٠٬٠٠٠٫٥٠", "Rp 2.500.000,50"),
    ],
)
def test_fractions_and_arabic_separators_read_as_typed(typed: str, read: str) -> None:
    assert clean_text(typed) == read


@pytest.mark.parametrize("typed", ["\ufe58", "\ufe63", "\uff0d"])  # small em dash, small hyphen...
def test_a_dash_that_nfkc_makes_is_cleaned_the_same_the_second_time(typed: str) -> None:
    # Found by Hypothesis: "﹘" became "—" in the first cleaning and "-" in the next one
    cleaned = clean_text(f"0812{typed}3456{typed}7890")
    assert cleaned == clean_text(cleaned) == "0812-3456-7890"
