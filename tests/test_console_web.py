"""The staff console in a real browser, against the real `bpu-bot serve` on 127.0.0.1: signing
in with a link the bot sends on (fake) Telegram, finding a worker, clearing the review queue
(and the worker hears of it), and what a campaigner may not open, however they type the URL."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Page

from storage import Database, campaigns, people, registrations
from tests.browser import chromium, screenshot
from tests.conftest import NOW
from tests.fake_telegram import text_body
from tests.net import free_port
from tests.seed import campaigner_with_campaign, registration
from tests.serve_process import ServeProcess, serve_process

STAFF, CAMPAIGNER, OTHER, WORKER = 700, 800, 801, 555
FLAGGED = registration(1, reference="BPU-OLDR-0001", full_name="Sumarni Wijayanti",
                       birth_date=date(1950, 3, 2), review_flags=("age_over_65",))  # fmt: skip


async def seed(db_path: Path) -> tuple[str, str]:
    """Staff, two campaigners with a campaign each, and registrations: a flagged one (from a
    worker's Telegram chat), one through each campaign. Returns the two campaign codes."""
    mine = await campaigner_with_campaign(db_path, telegram_id=str(CAMPAIGNER))
    async with await Database.open(db_path) as db:
        async with db.transaction() as conn:
            await people.add(conn, "staff", "Dewi", str(STAFF), None, "t", NOW)
            budi = await people.add(
                conn, "campaigner", "Budi", str(OTHER), None, "t", NOW, code="PRS-0999"
            )
            theirs = await campaigns.create(
                conn, name="Pasar Legi", place="Pasar Legi, Solo", branch="Surakarta",
                campaigner_id=budi, starts_on=date(2026, 1, 1), ends_on=None, actor="t", now=NOW,
            )  # fmt: skip
        rows = [
            (FLAGGED, "telegram", str(WORKER)),
            (registration(2, reference="BPU-MINE-0002", campaign=mine), "telegram", "556"),
            (registration(3, reference="BPU-THRS-0003", campaign=theirs.code), "telegram", "557"),
        ]
        for reg, channel, user in rows:
            await db.run(
                lambda conn, r=reg, c=channel, u=user: registrations.save(
                    conn, r, None, c, u, "s", NOW
                )
            )
    return mine, theirs.code


async def sign_in_link(server: ServeProcess, user: int) -> str:
    """Send /masuk from this Telegram user; the link the bot answers with."""
    assert await server.telegram(server.fake.make_update(**text_body(user, "/masuk"))) == 200
    for _ in range(500):
        for sent in server.fake.to(user):
            if found := re.search(r"http://\S+/staff/masuk/\S+", sent.text):
                return found[0]
        await asyncio.sleep(0.02)
    raise AssertionError("no sign-in link came")


async def signed_in(page: Page, link: str) -> None:
    await page.goto(link)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url(re.compile(r"/staff/$"))


@pytest.fixture
async def server(tmp_path: Path):
    codes = await seed(tmp_path / "serve.sqlite3")
    links = {"TELEGRAM_BOT_USERNAME": "bpu_test_bot", "BPU_WHATSAPP_NUMBER": "0812 1000 2000"}
    async with serve_process(tmp_path, **links) as running:
        running.codes = codes  # type: ignore[attr-defined]
        yield running


async def test_staff_find_a_worker_reveal_audited_and_clear_the_review_queue(
    server: ServeProcess, tmp_path: Path
) -> None:
    link = await sign_in_link(server, STAFF)
    async with chromium() as browser:
        page = await browser.new_page()
        await signed_in(page, link)
        assert await page.get_by_role("heading", name="Dasbor").is_visible()
        await screenshot(page, "dashboard")
        # find the worker by NIK: masked until revealed
        await page.goto(server.url + "/staff/pendaftaran")
        await page.get_by_label("Nomor referensi, NIK, nomor HP atau nama").fill(FLAGGED.nik)
        await page.get_by_role("button", name="Cari").click()
        row = page.get_by_role("row", name=re.compile("Sumarni Wijayanti"))
        assert FLAGGED.nik not in await row.inner_text() and "••••" in await row.inner_text()
        await screenshot(page, "search")
        await row.get_by_role("link", name="BPU-OLDR-0001").click()
        await (
            page.locator("form", has=page.locator("input[value=nik]"))
            .get_by_role("button", name="Tampilkan")
            .click()
        )
        assert FLAGGED.nik in await page.locator("dl.details").inner_text()
        await screenshot(page, "registration")
        # the review queue: approve; the worker hears of it in their chat
        await page.goto(server.url + "/staff/tinjauan")
        await screenshot(page, "review")
        card = page.locator("section.card", has_text="BPU-OLDR-0001")
        await card.get_by_role("button", name="Setujui").click()
        assert "Pekerja sudah diberi tahu di chat-nya." in await page.inner_text("main")
        assert "Tidak ada yang perlu ditinjau." in await page.inner_text("main")
        told = [s.text for s in server.fake.to(WORKER)]
        assert any("sudah memeriksa pendaftaran Anda BPU-OLDR-0001" in text for text in told)
        # every view of personal data is in the audit log, with who
        await page.goto(server.url + "/staff/audit")
        log = await page.inner_text("table.audit")
        for action in ("registration.search", "registration.reveal_nik", "review.approved"):
            assert action in log and "Dewi" in log
        await screenshot(page, "audit")
    with sqlite3.connect(tmp_path / "serve.sqlite3") as conn:
        state = conn.execute(
            "SELECT review_state, reviewed_by FROM registrations WHERE reference = ?",
            ("BPU-OLDR-0001",),
        ).fetchone()
    assert state[0] == "approved" and "Dewi" in state[1]
    # the log shows no sign-in token and no NIK searched for
    log = server.log_text()
    assert link.rsplit("/", 1)[1] not in log and FLAGGED.nik not in log and "/staff/masuk/" in log


async def test_a_campaigner_sees_their_own_and_nothing_else(server: ServeProcess) -> None:
    link = await sign_in_link(server, CAMPAIGNER)
    async with chromium() as browser:
        page = await browser.new_page()
        await signed_in(page, link)
        await page.goto(server.url + "/staff/pendaftaran")
        await page.get_by_label("Nomor referensi, NIK, nomor HP atau nama").fill("Pekerja")
        await page.get_by_role("button", name="Cari").click()
        shown = await page.inner_text("main")
        assert "BPU-MINE-0002" in shown and "BPU-THRS-0003" not in shown
        assert "BPU-OLDR-0001" not in shown
        await screenshot(page, "campaigner-registrations")
        # Indonesian first, English one tap away
        await page.get_by_role("link", name="EN", exact=True).click()
        assert await page.get_by_role("link", name="Registrations").is_visible()
        assert await page.get_by_role("button", name="Search").is_visible()
        for path, status in [
            ("/staff/tinjauan", 403),
            ("/staff/audit", 403),
            ("/staff/pendaftaran/BPU-THRS-0003", 404),  # another campaigner's: as if unknown
            ("/staff/pendaftaran/BPU-OLDR-0001", 404),
        ]:
            response = await page.goto(server.url + path)
            assert response is not None and response.status == status, path
        # nor by posting a form by hand, with their own valid token
        response = await page.request.post(
            server.url + "/staff/tinjauan/BPU-OLDR-0001", form={"decision": "approve"}
        )
        assert response.status == 403


async def test_forged_forms_used_links_and_removed_staff_are_refused(
    server: ServeProcess, tmp_path: Path
) -> None:
    link = await sign_in_link(server, STAFF)
    async with chromium() as browser:
        page = await browser.new_page()
        await signed_in(page, link)
        # a form posted without the session's CSRF token (as another site would)
        response = await page.request.post(
            server.url + "/staff/tinjauan/BPU-OLDR-0001", form={"decision": "approve"}
        )
        assert response.status == 403 and "kedaluwarsa" in await response.text()
        # the same link again: used
        other = await browser.new_page()
        await other.goto(link)
        await other.get_by_role("button", name="Masuk").click()
        assert "sudah kedaluwarsa atau sudah dipakai" in await other.inner_text("main")
        # staff removed: their open session ends at once
        async with (
            await Database.open(tmp_path / "serve.sqlite3") as db,
            db.transaction() as conn,
        ):
            [dewi] = [p for p in await people.listing(conn, "staff") if p.name == "Dewi"]
            await people.deactivate(conn, "staff", dewi.id)
        response = await page.goto(server.url + "/staff/pendaftaran")
        assert response is not None and response.status == 401
        assert "Silakan masuk" in await page.inner_text("main")


async def test_an_expired_link_is_refused(server: ServeProcess, tmp_path: Path) -> None:
    link = await sign_in_link(server, STAFF)
    with sqlite3.connect(tmp_path / "serve.sqlite3") as conn:
        conn.execute("UPDATE console_links SET expires_at = '2000-01-01T00:00:00+00:00'")
    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(link)
        await page.get_by_role("button", name="Masuk").click()
        assert "sudah kedaluwarsa" in await page.inner_text("main")
    async with aiohttp.ClientSession() as http, http.get(server.url + "/staff/") as r:
        assert r.status == 401  # and no session came of it


async def test_staff_make_an_export_and_download_it_byte_for_byte(
    server: ServeProcess, tmp_path: Path
) -> None:
    link = await sign_in_link(server, STAFF)
    async with chromium() as browser:
        page = await browser.new_page()
        await signed_in(page, link)
        await page.goto(server.url + "/staff/ekspor")
        await page.get_by_label("Format").select_option("csv")
        await page.get_by_role("button", name="Buat ekspor baru").click()
        ready = page.get_by_text(re.compile(r"Batch 1 sudah siap: 3 baris"))
        await ready.wait_for(timeout=15_000)  # the page refreshes itself while it runs
        await screenshot(page, "exports")
        async with page.expect_download() as waiting:
            await page.locator("#job").get_by_role("link", name="Unduh").click()
        download = await waiting.value
        data = Path(await download.path()).read_bytes()
        shown = await page.locator("td.sha").first.inner_text()
    with sqlite3.connect(tmp_path / "serve.sqlite3") as conn:
        recorded = conn.execute("SELECT sha256, row_count FROM export_batches").fetchone()
    assert hashlib.sha256(data).hexdigest() == shown == recorded[0] and recorded[1] == 3
    assert download.suggested_filename == "bpu-registrations-batch00001.csv"
    assert FLAGGED.nik in data.decode()


async def test_staff_make_a_campaign_and_print_its_poster_a_campaigner_sees_their_own(
    server: ServeProcess,
) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await signed_in(page, await sign_in_link(server, STAFF))
        await page.goto(server.url + "/staff/kampanye")
        form = page.locator("form", has=page.get_by_role("button", name="Buat"))
        await form.get_by_label("Nama").fill("Pasar Klewer Desember")
        await form.get_by_label("Tempat").fill("Pasar Klewer, Solo")
        await form.get_by_label("Kantor cabang").fill("Surakarta")
        await form.get_by_label("Petugas lapangan").select_option("PRS-0123")
        await form.get_by_role("button", name="Buat").click()
        card = page.locator("section.card", has_text="Pasar Klewer Desember")
        assert "Pendaftar: 0" in await card.inner_text()
        await screenshot(page, "campaigns")
        async with page.expect_download() as waiting:
            await card.get_by_role("link", name="Poster A4 (PDF)").click()
        pdf = Path(await (await waiting.value).path()).read_bytes()
        assert pdf.startswith(b"%PDF")
        # the campaigner sees their two campaigns, not Budi's, and may print their posters
        other = await browser.new_page()
        await signed_in(other, await sign_in_link(server, CAMPAIGNER))
        await other.goto(server.url + "/staff/kampanye")
        mine = await other.inner_text("main")
        assert "Pasar Klewer Desember" in mine and "Pasar Gede" in mine
        assert "Pasar Legi" not in mine and "Kampanye baru" not in mine
        theirs = server.codes[1]  # type: ignore[attr-defined]
        response = await other.goto(f"{server.url}/staff/kampanye/{theirs}/poster.pdf")
        assert response is not None and response.status == 404
        await screenshot(other, "campaigner-campaigns")


async def test_the_console_runs_on_its_own_for_an_office_without_webhooks(tmp_path: Path) -> None:
    """`bpu-bot console`: the console alone, on the same database, no channel set up."""
    db = tmp_path / "office.sqlite3"
    await seed(db)
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BPU_", "TELEGRAM_", "WHATSAPP_"))
    }
    env |= {"BPU_DB_PATH": str(db), "BPU_HOST": "127.0.0.1", "BPU_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "console", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(500):
            with contextlib.suppress(aiohttp.ClientError):
                async with aiohttp.ClientSession() as http, http.get(url + "/staff/") as r:
                    assert r.status == 401 and "Silakan masuk" in await r.text()
                    break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the console did not start")
        link = subprocess.run(
            [sys.executable, "-m", "bot", "--db", str(db), "staff", "login-link", "1"],
            capture_output=True, text=True, env=env, check=True,
        ).stdout.strip()  # fmt: skip
        assert link.startswith(f"{url}/staff/masuk/")
        async with chromium() as browser:
            page = await browser.new_page()
            await signed_in(page, link)
            assert await page.get_by_role("heading", name="Dasbor").is_visible()
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 15) == 0
