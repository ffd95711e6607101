"""Campaigns from the staff command line: issued codes, links, QR codes, the poster, the audit."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot.cli import main
from bot.staff.campaign_assets import Links, poster_text
from conversations import load_rules
from conversations.i18n import translator
from storage.campaigns import Campaign

WA = "6281100001111"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("BPU_DB_PATH", "TELEGRAM_BOT_USERNAME", "BPU_WHATSAPP_NUMBER", "BPU_RULES_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "staff.sqlite3"
    monkeypatch.setenv("BPU_DB_PATH", str(db))
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "bpu_test_bot")
    monkeypatch.setenv("BPU_WHATSAPP_NUMBER", WA)
    return db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def create(capsys: pytest.CaptureFixture[str], name: str = "Pasar Klewer November") -> str:
    out = run(
        capsys,
        "campaign",
        "create",
        "--name",
        name,
        "--place",
        "Pasar Klewer, Solo",
        "--branch",
        "Surakarta",
        "--starts",
        "2026-11-01",
    )
    return re.fullmatch(r"campaign (\S+) created\n", out)[1]  # type: ignore[index]


def test_codes_are_issued_not_chosen(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = create(capsys), create(capsys)
    assert first != second
    for code in (first, second):
        assert re.fullmatch(r"pasar-klewer-november-[a-z2-9]{6}", code)
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code)  # a valid Telegram start payload


def test_list_show_and_close(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = create(capsys)
    assert f"{code}  Pasar Klewer November  |  Pasar Klewer, Solo  |  Surakarta" in run(
        capsys, "campaign", "list"
    )
    shown = run(capsys, "campaign", "show", code)
    assert f"telegram: https://t.me/bpu_test_bot?start={code}" in shown
    assert (
        f"whatsapp: https://wa.me/{WA}?text=Halo%2C%20saya%20mau%20ikut%20BPJS%20"
        f"Ketenagakerjaan.%20Kode%3A%20{code}"
    ) in shown
    assert run(capsys, "campaign", "close", code) == f"campaign {code} closed\n"
    assert run(capsys, "campaign", "list").rstrip().endswith("closed")
    with sqlite3.connect(env) as conn:
        audit = conn.execute("SELECT actor, action, detail FROM audit_log").fetchall()
    assert [a[1] for a in audit] == ["campaign.create", "campaign.close"]
    assert all(a[0].startswith("cli:") and code in a[2] for a in audit)


def test_assets_scan_to_the_campaign_links(
    env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = create(capsys)
    files = run(capsys, "campaign", "assets", code, "--out", str(tmp_path / "assets")).split()
    names = sorted(Path(f).name for f in files)
    assert names == sorted(
        [
            f"{code}-poster.pdf",
            f"{code}-poster.png",
            f"{code}-qr-telegram.png",
            f"{code}-qr-telegram.svg",
            f"{code}-qr-whatsapp.png",
            f"{code}-qr-whatsapp.svg",
        ]
    )
    folder = tmp_path / "assets"

    def scan(name: str) -> list[str]:
        return [r.text for r in zxingcpp.read_barcodes(Image.open(folder / name))]

    assert scan(f"{code}-qr-telegram.png") == [f"https://t.me/bpu_test_bot?start={code}"]
    [whatsapp] = scan(f"{code}-qr-whatsapp.png")
    assert whatsapp.startswith(f"https://wa.me/{WA}?text=") and whatsapp.endswith(code)
    assert sorted(scan(f"{code}-poster.png")) == sorted(
        [f"https://t.me/bpu_test_bot?start={code}", whatsapp]
    )
    assert (folder / f"{code}-qr-telegram.svg").read_text().lstrip().startswith("<svg")
    assert (folder / f"{code}-poster.pdf").read_bytes().startswith(b"%PDF")
    assert Image.open(folder / f"{code}-poster.png").size == (1240, 1754)  # A4 at 150 dpi


def test_the_poster_price_comes_from_the_tariff_file(tmp_path: Path) -> None:
    text = resources.files("conversations").joinpath("rules.toml").read_text("utf-8")
    path = tmp_path / "rules.toml"
    path.write_text(text.replace("jkm_flat = 6_800", "jkm_flat = 7_000"), "utf-8")
    campaign = Campaign(
        "pasar-x-abcdef", "Pasar X", "Pasar X, Solo", "Solo", None, date(2026, 11, 1), None, None
    )
    links = Links("https://t.me/b?start=pasar-x-abcdef", None)
    t = translator("id")
    standard = poster_text(t, load_rules(), date(2026, 11, 21), campaign, links)
    changed = poster_text(t, load_rules(path), date(2026, 11, 21), campaign, links)
    # today's price leads: half of Rp16.800 (and of Rp17.000 with a changed tariff file)
    assert (standard.price, changed.price) == ("Mulai Rp8.400 sebulan", "Mulai Rp8.500 sebulan")
    assert standard.price_note == "Sekarang diskon 50% untuk JKK dan JKM, sampai Desember 2026"
    january = poster_text(t, load_rules(), date(2027, 1, 5), campaign, links)
    assert january.price_note == (
        "Sekarang diskon 50% untuk JKK dan JKM bagi ojek, sopir dan kurir, sampai Maret 2027"
    )
    after = poster_text(t, load_rules(), date(2027, 4, 1), campaign, links)
    assert (after.price, after.price_note) == ("Mulai Rp16.800 sebulan", None)


def test_people_are_managed_and_audited(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "campaigner 1 added: Sri" in run(
        capsys, "campaigner", "add", "--name", "Sri", "--code", "PRS-1", "--phone", "0812 3456 7890"
    )
    assert main(["campaigner", "add", "--name", "X", "--code", "PRS-2", "--phone", "021 555"]) == 2
    assert "not an Indonesian mobile number" in capsys.readouterr().err
    run(capsys, "staff", "add", "--name", "Budi", "--telegram-id", "777")
    assert "1  Budi  telegram=777  phone=-" in run(capsys, "staff", "list")
    run(capsys, "staff", "remove", "1")
    assert "(removed)" in run(capsys, "staff", "list")
    assert run(
        capsys,
        "campaign",
        "create",
        "--name",
        "X",
        "--place",
        "Y",
        "--branch",
        "Z",
        "--campaigner",
        "PRS-1",
    ).startswith("campaign x-")
    assert (
        main(
            [
                "campaign",
                "create",
                "--name",
                "X",
                "--place",
                "Y",
                "--branch",
                "Z",
                "--campaigner",
                "PRS-404",
            ]
        )
        == 2
    )
    with sqlite3.connect(env) as conn:
        actions = [a for (a,) in conn.execute("SELECT action FROM audit_log")]
        phone = conn.execute("SELECT phone FROM campaigners").fetchone()
        owner = conn.execute("SELECT campaigner_id FROM campaigns").fetchall()
    assert actions == ["campaigner.add", "staff.add", "staff.remove", "campaign.create"]
    assert phone == ("+6281234567890",) and owner == [(1,)]
