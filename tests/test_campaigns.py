"""Campaigns from the staff command line: issued codes, links, QR codes, the poster, the audit."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from PIL import Image, ImageFilter

from bot.cli import main
from bot.links import code_in_text, telegram_link, whatsapp_link
from bot.staff.campaign_assets import Links, campaign_dates, poster_text
from bot.staff.graphics import poster, qr_modules
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
    assert f"whatsapp: {whatsapp_link(WA, translator('id'), code)}" in shown
    assert run(capsys, "campaign", "close", code) == f"campaign {code} closed\n"
    assert run(capsys, "campaign", "list").rstrip().endswith("closed")
    with sqlite3.connect(env) as conn:
        audit = conn.execute("SELECT actor, action, detail FROM audit_log").fetchall()
    assert [a[1] for a in audit] == ["campaign.create", "campaign.close"]
    assert all(a[0].startswith("cli:") and code in a[2] for a in audit)


def pdf_page(pdf: bytes) -> pdfium.PdfPage:
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    return document[0]


def scan_page(pdf: bytes, width: int, blur: float = 0) -> list[str]:
    """What a reader finds on the poster printed `width` pixels wide (and out of focus)."""
    page = pdf_page(pdf)
    image = page.render(scale=width / page.get_width()).to_pil()
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    return sorted(r.text for r in zxingcpp.read_barcodes(image))


def test_assets_scan_to_the_campaign_links(
    env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = create(capsys)
    files = run(capsys, "campaign", "assets", code, "--out", str(tmp_path / "assets")).split()
    names = sorted(Path(f).name for f in files)
    assert names == sorted(
        [
            f"{code}-poster.pdf",
            f"{code}-qr-telegram.png",
            f"{code}-qr-telegram.svg",
            f"{code}-qr-whatsapp.png",
            f"{code}-qr-whatsapp.svg",
        ]
    )
    folder = tmp_path / "assets"

    def scan(name: str) -> list[str]:
        return [r.text for r in zxingcpp.read_barcodes(Image.open(folder / name))]

    telegram = f"https://t.me/bpu_test_bot?start={code}"
    whatsapp = whatsapp_link(WA, translator("id"), code)
    assert scan(f"{code}-qr-telegram.png") == [telegram]
    assert scan(f"{code}-qr-whatsapp.png") == [whatsapp]
    assert (folder / f"{code}-qr-telegram.svg").read_text().lstrip().startswith("<svg")
    pdf = (folder / f"{code}-poster.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert pdf_page(pdf).get_size() == pytest.approx((595.28, 841.89), abs=0.01)  # A4
    assert scan_page(pdf, 1240) == sorted([telegram, whatsapp])  # A4 at 150 dpi


def test_the_poster_is_vector_with_the_dates_and_the_campaigner(
    env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(
        capsys, "campaigner", "add", "--name", "Sri", "--code", "PRS-1", "--phone", "0812 3456 7890"
    )
    code = run(
        capsys,
        *("campaign", "create", "--name", "Pasar Gede", "--place", "Pasar Gede, Solo"),
        *("--branch", "Surakarta", "--campaigner", "PRS-1"),
        *("--starts", "2026-11-01", "--ends", "2026-11-30"),
    ).split()[1]
    [pdf_path] = [
        Path(f)
        for f in run(capsys, "campaign", "assets", code, "--out", str(tmp_path)).split()
        if f.endswith(".pdf")
    ]
    pdf = pdf_path.read_bytes()
    page = pdf_page(pdf)
    kinds = [o.type for o in page.get_objects()]
    # words are PDF text in the base-14 Helvetica, QR codes filled paths: no picture anywhere
    assert pdfium_c.FPDF_PAGEOBJ_IMAGE not in kinds and b"/Subtype /Image" not in pdf
    assert kinds.count(pdfium_c.FPDF_PAGEOBJ_TEXT) >= 10
    assert kinds.count(pdfium_c.FPDF_PAGEOBJ_PATH) >= 2  # a QR code each, and the bands
    assert b"/BaseFont /Helvetica" in pdf
    words = " ".join(page.get_textpage().get_text_range().split())
    for said in (
        "BPJS Ketenagakerjaan",
        "Kerja Keras Bebas Cemas",
        "Pasar Gede, Solo",
        "1 November 2026",
        "30 November 2026",
        "Sri, 0812-3456-7890",
        code,
        "175",
        "Daftar lewat WhatsApp",
        f"wa.me/{WA}",
    ):
        assert said in words, said
    # the campaigner no longer one: their number leaves the poster
    run(capsys, "campaigner", "remove", "1")
    run(capsys, "campaign", "assets", code, "--out", str(tmp_path))
    words = pdf_page(pdf_path.read_bytes()).get_textpage().get_text_range()
    assert "Sri" not in words and "0812" not in words and "1 November 2026" in words


def test_the_poster_codes_scan_from_further_away() -> None:
    """Printed or shown small, or read out of focus, where the raster poster's WhatsApp code
    (version 8, 49 modules, 1.4 mm each) no longer read below a page 270 pixels wide, or 350
    blurred: now version 4 (33 modules, 2.5 mm each) on the vector poster."""
    t, code = translator("id"), "pasar-klewer-november-20-a2b345"  # as long as codes get
    links = Links(telegram_link("bpu_test_bot", code), whatsapp_link(WA, t, code))
    campaign = Campaign(
        code, "P", "Pasar Klewer, Solo", "Solo", None, date(2026, 11, 1), None, None
    )
    pdf = poster(poster_text(t, load_rules(), date(2026, 11, 21), campaign, links))
    wanted = sorted(link for _, link in links.pairs())
    assert scan_page(pdf, 200) == wanted
    assert scan_page(pdf, 250, blur=1) == wanted


def test_the_whatsapp_link_is_short_and_still_carries_the_code() -> None:
    t = translator("id")
    for code in ("pasar-klewer-november-k7m2qx", "pasar-klewer-november-20-a2b345", "x-abc234"):
        link = whatsapp_link(WA, t, code)
        assert link.startswith(f"https://wa.me/{WA}?text=")
        # what follows is all in the QR code's alphanumeric mode: upper case, %20 for spaces
        assert re.fullmatch(r"[0-9A-Z $%*+\-./:]+", link.split("?text=")[1])
        [text] = parse_qs(urlsplit(link).query)["text"]
        assert code_in_text(text) == code
        assert qr_modules(link) == 33  # version 4
    old = (
        f"https://wa.me/{WA}?text=Halo%2C%20saya%20mau%20ikut%20BPJS%20Ketenagakerjaan."
        "%20Kode%3A%20pasar-klewer-november-k7m2qx"
    )
    # the link of posters already printed: version 7 even with its digits in numeric mode
    # (version 8, 49 modules, as it was printed)
    assert qr_modules(old) == 45
    # which still bring their workers in with their code, as does a hand-edited message
    [text] = parse_qs(urlsplit(old).query)["text"]
    assert code_in_text(text) == "pasar-klewer-november-k7m2qx"
    assert code_in_text("daftar ya, kode:Pasar-Gede-ABC234") == "pasar-gede-abc234"
    assert code_in_text("halo saya mau daftar") is None
    assert code_in_text("kode pos 57111, kode bayar belum ada") is None  # words, not a campaign
    assert qr_modules(telegram_link("bpu_test_bot", "pasar-klewer-november-k7m2qx")) == 33


def test_the_campaign_dates_on_the_poster() -> None:
    t = translator("en")
    campaign = Campaign("x-abc234", "X", "Y", "Z", None, date(2026, 11, 1), None, None)
    assert campaign_dates(t, campaign) == "When: from November 1, 2026 until it ends"
    ended = Campaign("x-abc234", "X", "Y", "Z", None, date(2026, 11, 1), date(2027, 1, 31), None)
    assert campaign_dates(t, ended) == "When: November 1, 2026 to January 31, 2027"


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
