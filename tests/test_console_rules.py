"""What an adversarial review of the staff console found (issue 12), each now a rule: who may
see which exports, funnels, registrations and campaigners; Enter never approves; a decision or a
correction is a new revision; a masked NIK cannot be rebuilt; no login CSRF. In this process
(tests/console_app.py), with headless Chromium where the browser's behaviour is the point."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import pytest

from storage import audit, console, people, registrations
from tests.browser import chromium
from tests.conftest import NOW
from tests.console_app import csrf_of, make_world
from tests.seed import registration

WILAYAH = Path(__file__).resolve().parents[1] / "conversations" / "data" / "wilayah.csv"


@pytest.fixture
async def world(tmp_path, db_target, monkeypatch):
    """The console on either engine (db_target); files it makes go under tmp_path."""
    monkeypatch.chdir(tmp_path)  # PostgreSQL's files go to the working directory
    w = await make_world(tmp_path, db_target)
    yield w
    await w.server.close()
    await w.db.close()


async def _export(c, fmt: str = "csv") -> str:
    tok = await csrf_of(c, "/staff/ekspor")
    r = await c.post("/staff/ekspor", data={"csrf": tok, "format": fmt}, allow_redirects=False)
    for _ in range(200):
        html = await (await c.get(r.headers["Location"])).text()
        if 'http-equiv="refresh"' not in html:
            return html
        await asyncio.sleep(0.05)
    raise AssertionError("export did not finish")


async def _browser_sign_in(world, page, kind: str, who: str) -> None:
    async with world.db.transaction() as conn:
        token = await console.new_link(conn, kind, world.ids[who], NOW)
    await page.goto(str(world.server.make_url(f"/staff/masuk/{token}")))
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url(re.compile(r"/staff/$"))


# --- branch staff download every branch's export --------------------------------------
async def test_branch_staff_cannot_download_an_export_holding_other_branches(world) -> None:
    admin = await world.client("staff", world.ids["admin"])
    assert "Batch 1" in await _export(admin)  # everything: Surakarta, Yogyakarta, no campaign
    solo = await world.client("staff", world.ids["solo"])
    listing = await (await solo.get("/staff/ekspor")).text()
    response = await solo.get("/staff/ekspor/1/unduh")
    body = await response.text()
    await admin.close(), await solo.close()
    assert "BPU-JOGJ-0002" not in body and response.status in (403, 404)
    assert "/staff/ekspor/1/unduh" not in listing


# --- Enter in the rejection reason approves ------------------------------------------
async def test_enter_in_the_rejection_reason_does_not_approve(world) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await _browser_sign_in(world, page, "staff", "admin")
        await page.goto(str(world.server.make_url("/staff/tinjauan")))
        reason = page.locator("section.card", has_text="BPU-JOGJ-0002").locator(
            "input[name=reason]"
        )
        await reason.fill("NIK tidak cocok dengan KTP")
        await reason.press("Enter")
        await page.wait_for_load_state()
    async with world.db.reading() as conn:
        cursor = await conn.execute(
            "SELECT review_state FROM registrations WHERE reference = 'BPU-JOGJ-0002'"
        )
        state = (await cursor.fetchone())[0]
    assert state != "approved"
    assert not any("diteruskan ke BPJS" in text for _, _, text in world.told.sent)


# --- a review decision changes an exported batch and never goes out ------------
async def test_an_old_batch_downloads_byte_for_byte_after_a_review_decision(
    world, tmp_path
) -> None:
    admin = await world.client("staff", world.ids["admin"])
    await _export(admin)
    tok = await csrf_of(admin)
    await admin.post(
        "/staff/tinjauan/BPU-JOGJ-0002",
        data={"csrf": tok, "decision": "reject", "reason": "Umur tidak sesuai KTP"},
    )
    response = await admin.get("/staff/ekspor/1/unduh")
    data = await response.read()
    await admin.close()
    [(recorded,)] = await world.db.fetch_all("SELECT sha256 FROM export_batches WHERE id = 1")
    assert response.status == 200 and hashlib.sha256(data).hexdigest() == recorded


async def test_a_review_decision_goes_out_in_the_next_export(world) -> None:
    admin = await world.client("staff", world.ids["admin"])
    await _export(admin)  # BPU-JOGJ-0002 goes out flagged, review_state empty
    tok = await csrf_of(admin)
    await admin.post(
        "/staff/tinjauan/BPU-JOGJ-0002",
        data={"csrf": tok, "decision": "reject", "reason": "Umur tidak sesuai KTP"},
    )
    html = await _export(admin)
    await admin.close()
    assert "Batch 2" in html  # the main system must learn the registration was rejected


# --- a decision on an assisted registration goes to the campaigner as "yours" -------
async def test_a_decision_on_an_assisted_registration_is_not_told_to_the_campaigner_as_theirs(
    world,
) -> None:
    # bot/service.py saves an assisted registration under the chat that typed it: the campaigner's
    reg = registration(
        20,
        reference="BPU-ASST-0020",
        assisted_by="PRS-0123",
        full_name="Mbah Karto",
        review_flags=("age_over_65",),
        birth_date=date(1950, 1, 1),
    )
    await world.db.run(lambda c: registrations.save(c, reg, None, "telegram", "10", "s20", NOW))
    admin = await world.client("staff", world.ids["admin"])
    tok = await csrf_of(admin)
    page = await admin.post(
        "/staff/tinjauan/BPU-ASST-0020",
        data={"csrf": tok, "decision": "reject", "reason": "Umur lebih dari batas"},
    )
    shown = await page.text()
    await admin.close()
    [(_, key, text)] = world.told.sent
    assert key == "10"  # Sri, the campaigner
    assert "pendaftaran Anda" not in text  # "your registration ... Don't pay" to the campaigner
    assert "Pekerja sudah diberi tahu" not in shown  # the worker was not told


# --- corrections skip the review the bot applies -------------------------------------
async def test_a_corrected_birth_date_is_flagged_and_a_correction_reopens_the_review(world) -> None:
    admin = await world.client("staff", world.ids["admin"])
    tok = await csrf_of(admin)
    await admin.post(
        "/staff/pendaftaran/BPU-SOLO-0001/koreksi",
        data={"csrf": tok, "field": "birth_date", "value": "01-01-2020"},
    )
    await admin.post("/staff/tinjauan/BPU-SOLF-0004", data={"csrf": tok, "decision": "approve"})
    await admin.post(
        "/staff/pendaftaran/BPU-SOLF-0004/koreksi",
        data={"csrf": tok, "field": "birth_date", "value": "01-01-1930"},
    )
    queue = await (await admin.get("/staff/tinjauan")).text()
    await admin.close()
    assert "BPU-SOLO-0001" in queue  # six years old now: age_under_17, as the bot would flag
    assert "BPU-SOLF-0004" in queue  # new details: the approval of the old ones no longer holds


async def test_an_address_correction_leaves_no_stale_district(world) -> None:
    reg = registration(
        50,
        reference="BPU-ADDR-0050",
        address="Jl. Kenanga 3, Banjarsari",
        city="Kota Surakarta",
        district="Banjarsari",
        district_code="33.72.05",
    )
    await world.db.run(lambda c: registrations.save(c, reg, None, "telegram", "650", "s50", NOW))
    admin = await world.client("staff", world.ids["admin"])
    tok = await csrf_of(admin)
    await admin.post(
        "/staff/pendaftaran/BPU-ADDR-0050/koreksi",
        data={
            "csrf": tok,
            "field": "address",
            "value": "Jl. Malioboro 5, Gondomanan, Kota Yogyakarta",
        },
    )
    await admin.close()
    async with world.db.reading() as conn:
        cursor = await conn.execute(
            "SELECT district, district_code FROM registrations WHERE reference = 'BPU-ADDR-0050'"
        )
        district = tuple(await cursor.fetchone())
    assert district != ("Banjarsari", "33.72.05")  # exported as living in Solo's Banjarsari


# --- a campaigner rebuilds the masked NIK from the same page -------------------------
async def test_a_campaigner_cannot_rebuild_a_masked_nik(world) -> None:
    nik = "3372055708800042"  # Kota Surakarta, Banjarsari, a woman born 17-08-1980, 0042
    reg = registration(
        51,
        reference="BPU-MASK-0051",
        campaign=world.ids["k_solo"],
        nik=nik,
        birth_date=date(1980, 8, 17),
        gender="P",
        address="Jl. Kenanga 3",
        city="Kota Surakarta",
        district="Banjarsari",
        district_code="33.72.05",
    )
    await world.db.run(lambda c: registrations.save(c, reg, None, "telegram", "651", "s51", NOW))
    sri = await world.client("campaigner", world.ids["sri"])
    html = await (await sri.get("/staff/pendaftaran/BPU-MASK-0051")).text()
    await sri.close()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    shown = re.search(r"(\d{4})•{8}(\d{4})", text)
    born = re.search(r"(\d{4})-(\d{2})-(\d{2}) \(([LP])\)", text)
    assert shown  # the masked NIK is shown
    candidates = set()
    if born:
        year, month, day, gender = born.groups()
        day = f"{int(day) + (40 if gender == 'P' else 0):02d}"
        with WILAYAH.open() as f:
            rows = csv.DictReader(f)
            districts = [
                row["code"]
                for row in rows
                if row["level"] == "kecamatan" and row["code"].replace(".", "").startswith(shown[1])
            ]
        candidates = {f"{shown[1]}{d[-2:]}{day}{month}{year[2:]}{shown[2]}" for d in districts}
    assert nik not in candidates  # today: one of Surakarta's 5 kecamatan, so 1 in 5 at worst


# --- branch staff see every branch's funnel ------------------------------------------
async def test_branch_staff_dashboard_shows_only_their_branch(world) -> None:
    from conversations import Funnel
    from storage import funnel
    from storage.stats import STAGES

    for sid, camp in [
        ("a", world.ids["k_solo"]),
        ("b", world.ids["k_jogja"]),
        ("c", world.ids["k_jogja"]),
    ]:
        for stage in STAGES:
            await world.db.run(
                lambda conn, st=stage, s=sid, k=camp: funnel.record(
                    conn, Funnel(s, st, "pedagang", k, None), "telegram", NOW
                )
            )
    solo = await world.client("staff", world.ids["solo"])
    by_branch = await (await solo.get("/staff/?per=branch")).text()
    by_campaigner = await (await solo.get("/staff/?per=campaigner")).text()
    await solo.close()
    assert "Yogyakarta" not in by_branch
    assert world.ids["k_jogja"] not in by_campaigner and "PRS-0999" not in by_campaigner


# --- the unknown-campaign registrations nobody but an administrator sees --------------
async def test_a_registration_with_an_unissued_campaign_code_is_seen_as_one_without_campaign(
    world,
) -> None:
    # conversations/engine.py keeps a start link's code "as given (cleaned) even if unknown"
    reg = registration(
        30,
        reference="BPU-UNKN-0030",
        campaign="pasar-gede-typo1",
        full_name="Umi",
        review_flags=("age_over_65",),
        birth_date=date(1950, 1, 1),
    )
    await world.db.run(lambda c: registrations.save(c, reg, None, "telegram", "530", "s30", NOW))
    solo = await world.client("staff", world.ids["solo"])
    tok = await csrf_of(solo)
    found = await (await solo.post("/staff/pendaftaran", data={"csrf": tok, "q": "Umi"})).text()
    queue = await (await solo.get("/staff/tinjauan")).text()
    await solo.close()
    assert "BPU-UNKN-0030" in found and "BPU-UNKN-0030" in queue


# --- branch staff remove any campaigner ----------------------------------------------
async def test_branch_staff_cannot_remove_another_branchs_campaigner(world) -> None:
    solo = await world.client("staff", world.ids["solo"])
    tok = await csrf_of(solo, "/staff/kampanye")
    # Budi runs only a Yogyakarta campaign
    response = await solo.post(
        f"/staff/petugas-lapangan/{world.ids['budi']}/hapus",
        data={"csrf": tok},
        allow_redirects=False,
    )
    missing = await solo.post(
        "/staff/petugas-lapangan/9999/hapus", data={"csrf": tok}, allow_redirects=False
    )
    await solo.close()
    async with world.db.reading() as conn:
        budi = await people.get(conn, "campaigner", world.ids["budi"])
    assert budi.active and response.status in (403, 404)
    assert missing.status == 404


# --- login CSRF: another site signs the staff member in as someone else --------
async def test_another_site_cannot_sign_a_browser_in_as_someone_else(world) -> None:
    async with world.db.transaction() as conn:
        attackers = await console.new_link(conn, "campaigner", world.ids["budi"], NOW)
    base = str(world.server.make_url("/")).rstrip("/")
    async with chromium() as browser:
        context = await browser.new_context()
        page = await context.new_page()
        await _browser_sign_in(world, page, "staff", "admin")
        evil = await context.new_page()
        await evil.set_content(
            f'<form method="post" action="{base}/staff/masuk">'
            f'<input name="token" value="{attackers}"></form>'
            "<script>document.forms[0].submit()</script>"
        )
        await evil.wait_for_load_state()
        await asyncio.sleep(0.5)
        await page.reload()
        who = await page.inner_text("span.who")
    assert who == "Admin"


# --- the sign-ups-per-day bars are all as long, CSP blocks their width ---------------
async def test_the_sign_ups_per_day_bars_differ_in_length(world) -> None:
    for i, days_ago in enumerate([1, 1, 1, 1, 2]):
        reg = registration(40 + i, reference=f"BPU-DAYS-00{40 + i}")
        await world.db.run(
            lambda c, r=reg, d=days_ago, u=str(600 + i): registrations.save(
                c, r, None, "telegram", u, "x", NOW - timedelta(days=d)
            )
        )
    async with chromium() as browser:
        page = await browser.new_page()
        await _browser_sign_in(world, page, "staff", "admin")
        widths = await page.eval_on_selector_all(
            "table.bars td.bar meter", "s => s.map(e => e.value / e.max)"
        )
    assert len(set(widths)) > 1, widths  # 1, 4 and 4 sign-ups: today all the same width


# --- a NIK searched for stays in the URL (history, proxy logs) -------------------------
async def test_a_nik_searched_for_is_not_in_the_url(world) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await _browser_sign_in(world, page, "staff", "admin")
        await page.goto(str(world.server.make_url("/staff/pendaftaran")))
        nik = registration(1).nik
        await page.locator("#q").fill(nik)
        await page.locator("form.search button").click()
        await page.wait_for_load_state()
        assert "Siti Solo" in await page.inner_text("main")
        assert nik not in page.url


# --- small ones ---------------------------------------------------------------------
async def test_a_bad_job_number_is_not_a_server_error(world) -> None:
    admin = await world.client("staff", world.ids["admin"])
    response = await admin.get("/staff/ekspor?job=x")
    await admin.close()
    assert response.status != 500


async def test_branch_staff_audit_log_holds_only_their_branch(world) -> None:
    admin = await world.client("staff", world.ids["admin"])
    await admin.get("/staff/pendaftaran/BPU-JOGJ-0002")
    solo = await world.client("staff", world.ids["solo"])
    log = await (await solo.get("/staff/audit")).text()
    await admin.close(), await solo.close()
    assert "BPU-JOGJ-0002" not in log


async def test_a_campaign_with_an_unknown_or_removed_campaigner_is_refused(world) -> None:
    admin = await world.client("staff", world.ids["admin"])
    tok = await csrf_of(admin, "/staff/kampanye")
    await admin.post(f"/staff/petugas-lapangan/{world.ids['budi']}/hapus", data={"csrf": tok})
    for code in ("PRS-0999", "PRS-TYPO"):  # removed; never added
        await admin.post(
            "/staff/kampanye",
            data={
                "csrf": tok,
                "name": f"Pasar {code}",
                "place": "Solo",
                "branch": "Surakarta",
                "campaigner": code,
            },
        )
    await admin.close()
    async with world.db.reading() as conn:
        cursor = await conn.execute("SELECT count(*) FROM campaigns WHERE name LIKE 'Pasar PRS-%'")
        made = (await cursor.fetchone())[0]
    assert made == 0  # the CLI says "no campaigner with code ..."; the console assigns or drops


# --- the streamed export download skips the security headers ---
async def test_an_export_download_is_never_cached(world) -> None:
    admin = await world.client("staff", world.ids["admin"])
    await _export(admin)
    response = await admin.get("/staff/ekspor/1/unduh")
    await response.read()
    await admin.close()
    assert response.status == 200
    assert response.headers.get("Cache-Control") == "no-store"  # every NIK of the batch
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


# --- results from the main system, uploaded by an administrator ----------------------------------
async def test_an_administrator_uploads_results_and_sees_what_was_not_applied(world) -> None:
    reg = registration(1)
    csv_text = (
        "referensi;nik;hasil;no_kpj;alasan\n"
        f"BPU-SOLO-0001;{reg.nik};diterima;KPJ-77;\n"
        "BPU-NONE-9999;3372051708810002;diterima;KPJ-78;\n"
    )
    admin = await world.client("staff", world.ids["admin"])
    tok = await csrf_of(admin, "/staff/impor")
    form = aiohttp.FormData()
    form.add_field("csrf", tok)
    form.add_field("file", csv_text.encode(), filename="hasil.csv", content_type="text/csv")
    page = await (await admin.post("/staff/impor", data=form)).text()
    again = aiohttp.FormData()
    again.add_field("csrf", tok)
    again.add_field("file", csv_text.encode(), filename="hasil.csv", content_type="text/csv")
    await admin.post("/staff/impor", data=again)  # the same file: nothing new
    listing = await (await admin.get("/staff/impor")).text()
    solo = await world.client("staff", world.ids["solo"])
    refused = await solo.get("/staff/impor")
    await admin.close(), await solo.close()
    assert "2 baris, 1 berubah, 1 tidak diterapkan" in page
    assert "BPU-NONE-9999" in page and "no registration has this reference" in page
    assert listing.count('class="card"') == 1 and refused.status == 403
    async with world.db.reading() as conn:
        cursor = await conn.execute("SELECT kpj FROM memberships")
        assert [row[0] for row in await cursor.fetchall()] == ["KPJ-77"]


@pytest.mark.parametrize("query", ["", "?siapa=ADMIN", "?apa=campaign"])
async def test_the_audit_log_opens_for_an_administrator(world, query) -> None:
    """Filtered or not, on either engine (PostgreSQL refused the filter's `WHERE 1`)."""
    admin = await world.client("staff", world.ids["admin"])
    async with world.db.transaction() as conn:
        await audit.record(conn, "console:Admin", "campaign.create", {"code": "x"}, NOW)
    r = await admin.get("/staff/audit" + query)
    body = await r.text()
    await admin.close()
    assert r.status == 200, body[:300]
    assert "campaign.create" in body  # "ADMIN" finds console:Admin, whatever the case


async def test_a_control_character_typed_in_a_form_is_not_stored(world) -> None:
    """A NUL in a campaign's name (PostgreSQL refuses one: the page was an error) is dropped,
    as any control character staff cannot mean."""
    admin = await world.client("staff", world.ids["admin"])
    tok = await csrf_of(admin, "/staff/kampanye")
    r = await admin.post(
        "/staff/kampanye",
        data={"csrf": tok, "name": "Pasar\x00Legi\x1b", "place": "Solo", "branch": "Surakarta"},
        allow_redirects=False,
    )
    await admin.close()
    assert r.status == 303
    names = [row[0] for row in await world.db.fetch_all("SELECT name FROM campaigns")]
    assert "PasarLegi" in names
