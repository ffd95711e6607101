"""The staff console in a real browser, against the real `bpu-bot serve` on 127.0.0.1: signing
in with a link the bot sends on (fake) Telegram, finding a worker, clearing the review queue
(and the worker hears of it), and what a campaigner may not open, however they type the URL."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import date
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Page

from storage import Database, campaigns, people, registrations
from tests.browser import chromium, screenshot
from tests.conftest import NOW
from tests.fake_telegram import text_body
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
    async with serve_process(tmp_path) as running:
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


async def test_a_campaigner_sees_their_own_and_nothing_else(server: ServeProcess) -> None:
    link = await sign_in_link(server, CAMPAIGNER)
    async with chromium() as browser:
        page = await browser.new_page()
        await signed_in(page, link)
        await page.goto(server.url + "/staff/pendaftaran?q=Pekerja")
        shown = await page.inner_text("main")
        assert "BPU-MINE-0002" in shown and "BPU-THRS-0003" not in shown
        assert "BPU-OLDR-0001" not in shown
        await screenshot(page, "campaigner-registrations")
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
