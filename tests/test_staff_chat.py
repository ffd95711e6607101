"""Campaigners and staff in the Telegram chat; and nobody else seeing any of it."""

from __future__ import annotations

import io
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import zxingcpp
from PIL import Image

from storage import Database, campaigns, people
from tests.fake_telegram import FakeTelegram, text_body
from tests.flowchat import NIK_BUDI, NIK_SITI
from tests.seed import NOW, add, campaigner_with_campaign, registration
from tests.telegram_users import (
    TelegramUser,
    Watched,
    polling_bot,
    register_with_buttons,
    texts,
)

STAFF, CAMPAIGNER, WORKER = 700, 800, 900
WA = "6281100001111"


@pytest.fixture
async def campaign_code(db_path: Path) -> str:
    return await campaigner_with_campaign(db_path, telegram_id=str(CAMPAIGNER))


@pytest.fixture
async def bot(fake: FakeTelegram, db_path: Path, campaign_code: str) -> Watched:
    async with polling_bot(
        fake,
        db_path,
        staff_telegram_ids=str(STAFF),
        telegram_bot_username="bpu_test_bot",
        whatsapp_number=WA,
    ) as watched:
        yield watched


def files_to(fake: FakeTelegram, chat: int) -> list[dict]:
    return [f for f in fake.files if f["chat_id"] == chat]


COMMANDS = ["/kampanye", "/rekap", "/daftarkan", "/ekspor", "/statistik"]


async def test_a_worker_sees_no_sign_of_the_staff_commands(
    fake: FakeTelegram, bot: Watched, db_path: Path
) -> None:
    worker = TelegramUser(fake, bot, WORKER)
    await worker.send("/start")
    for command in COMMANDS:
        replies = texts(await worker.send(command))
        assert replies.startswith("Silakan pilih salah satu pilihan.")  # as any unknown text
        assert "Apa pekerjaan Anda sehari-hari?" in replies
    assert files_to(fake, WORKER) == []
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM export_batches").fetchone() == (0,)
        assert conn.execute(
            "SELECT json_extract(data, '$.assisted_by') FROM sessions"
        ).fetchone() == (None,)


async def test_a_campaigner_is_no_staff(fake: FakeTelegram, bot: Watched, db_path: Path) -> None:
    campaigner = TelegramUser(fake, bot, CAMPAIGNER)
    await campaigner.send("/start")
    assert "Silakan pilih salah satu pilihan." in texts(await campaigner.send("/ekspor"))
    assert "Silakan pilih salah satu pilihan." in texts(await campaigner.send("/statistik"))
    assert files_to(fake, CAMPAIGNER) == []


async def test_removed_staff_lose_the_commands(
    fake: FakeTelegram, bot: Watched, db_path: Path
) -> None:
    async with await Database.open(db_path) as db, db.transaction() as conn:
        staff_id = await people.add(conn, "staff", "Budi", "701", None, "t", NOW)
        await people.deactivate(conn, "staff", staff_id)
    former = TelegramUser(fake, bot, 701)
    await former.send("/start")
    assert "Silakan pilih salah satu pilihan." in texts(await former.send("/ekspor"))


async def test_staff_export_in_the_chat(fake: FakeTelegram, bot: Watched, db_path: Path) -> None:
    async with await Database.open(db_path) as db:
        await add(db, registration(1))
        await add(db, registration(2))
    staff = TelegramUser(fake, bot, STAFF)
    reply = texts(await staff.send("/ekspor"))
    assert "Batch baru 1: 2 pendaftaran." in reply and "SHA-256: " in reply
    [document] = files_to(fake, STAFF)
    assert document["kind"] == "document"
    assert document["filename"] == "bpu-registrations-batch00001.xlsx"
    rows = list(openpyxl.load_workbook(io.BytesIO(document["data"])).active.values)
    assert [row[0] for row in rows] == ["reference", "BPU-TEST-0001", "BPU-TEST-0002"]
    again = texts(await staff.send("/ekspor"))
    assert "Tidak ada yang baru sejak batch 1 (2 pendaftaran)" in again
    assert files_to(fake, STAFF)[1]["data"] == document["data"]  # the same batch, byte for byte
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT created_by FROM export_batches").fetchall() == [
            ("telegram:700 (staff (settings))",)
        ]
        actions = [a for (a,) in conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["export", "export.repeat"]


async def test_staff_statistics_in_the_chat(fake: FakeTelegram, bot: Watched) -> None:
    worker = TelegramUser(fake, bot, WORKER)
    await worker.send("/start")
    await worker.press("Petani")
    staff = TelegramUser(fake, bot, STAFF)
    summary = texts(await staff.send("/statistik"))
    assert "mulai: 1" in summary and "pilih pekerjaan: 1 (100%)" in summary
    assert "terdaftar: 0 (0%)" in summary
    [chart] = files_to(fake, STAFF)
    assert chart["kind"] == "photo" and chart["data"].startswith(b"\x89PNG")


async def test_a_campaigner_gets_links_qr_and_poster(
    fake: FakeTelegram, bot: Watched, campaign_code: str
) -> None:
    campaigner = TelegramUser(fake, bot, CAMPAIGNER)
    reply = texts(await campaigner.send("/kampanye"))
    assert "Kampanye: Pasar Gede" in reply and "Lokasi: Pasar Gede, Solo" in reply
    assert f"Telegram: https://t.me/bpu_test_bot?start={campaign_code}" in reply
    qr, poster = files_to(fake, CAMPAIGNER)
    [link] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr["data"])))]
    assert link.startswith(f"https://wa.me/{WA}?text=") and link.endswith(campaign_code.upper())
    assert poster["kind"] == "document" and poster["data"].startswith(b"%PDF")


async def test_assisted_registrations_and_the_tally(
    fake: FakeTelegram, bot: Watched, db_path: Path, campaign_code: str
) -> None:
    campaigner = TelegramUser(fake, bot, CAMPAIGNER)
    assert "Pendaftaran dibantu" in texts(await campaigner.send("/daftarkan"))
    for nik, name in ((NIK_SITI, "Siti Aminah"), (NIK_BUDI, "Budi Santoso")):
        await campaigner.press("Pedagang")
        await campaigner.press("Lihat iuran saya")
        assert "Bacakan kepada pekerja" in texts(await campaigner.send("2 juta"))
        await campaigner.press("Daftar")
        await campaigner.send(nik)
        await campaigner.press("Ya, benar")
        phone_question = await campaigner.send(name)
        assert "keyboard" not in (phone_question[-1].reply_markup or {})  # no "use my number"
        await campaigner.send("0812 3456 7890")
        await campaigner.send("Jl. Mawar 5, Kota Surakarta")
        await campaigner.press("Tidak punya")
        done = texts(await campaigner.press("Ya, daftarkan"))
        assert "Berikan nomor referensi ini kepada pekerja" in done
        await campaigner.press("Pekerja berikutnya")
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT full_name, assisted_by, campaign, consent_version "
            "FROM registrations ORDER BY id"
        ).fetchall()
    assert rows == [
        ("Siti Aminah", "PRS-0123", campaign_code, "2026-11-24.2-assisted"),
        ("Budi Santoso", "PRS-0123", campaign_code, "2026-11-24.2-assisted"),
    ]
    tally = texts(await campaigner.send("/rekap"))
    assert "hari ini: 2\nminggu ini: 2\nseluruhnya: 2" in tally


async def test_a_campaign_code_flows_from_the_link_into_the_export(
    fake: FakeTelegram, bot: Watched, campaign_code: str
) -> None:
    worker = TelegramUser(fake, bot, WORKER)
    await register_with_buttons(worker, "Nelayan", start=f"/start {campaign_code}")
    await TelegramUser(fake, bot, STAFF).send("/ekspor")
    [document] = files_to(fake, STAFF)
    header, row = list(openpyxl.load_workbook(io.BytesIO(document["data"])).active.values)
    record = dict(zip(header, row, strict=True))
    assert (record["campaign_code"], record["channel"], record["occupation"]) == (
        campaign_code,
        "telegram",
        "nelayan",
    )
    assert record["nik"] == NIK_SITI and record["monthly_premium"] == 13_400


async def test_staff_and_campaigners_see_their_commands_in_their_menu(
    fake: FakeTelegram, bot: Watched
) -> None:
    def menu(chat: int) -> list[str]:
        return [c["command"] for c in fake.chat_commands[chat]]

    assert menu(STAFF) == [
        "start",
        "bantuan",
        "status",
        "batal",
        "bahasa",
        "ekspor",
        "statistik",
        "masuk",  # a sign-in link to the staff console
    ]
    assert menu(CAMPAIGNER) == [
        "start",
        "bantuan",
        "status",
        "batal",
        "bahasa",
        "kampanye",
        "rekap",
        "daftarkan",
        "masuk",
    ]
    assert WORKER not in fake.chat_commands  # workers keep the public menu
    assert [c["command"] for c in fake.commands[None]] == [
        "start",
        "bantuan",
        "status",
        "batal",
        "bahasa",
    ]


async def test_a_campaigner_removed_mid_registration_cannot_save_it(
    fake: FakeTelegram, bot: Watched, db_path: Path
) -> None:
    campaigner = TelegramUser(fake, bot, CAMPAIGNER)
    await campaigner.send("/daftarkan")
    await campaigner.press("Pedagang")
    await campaigner.press("Lihat iuran saya")
    await campaigner.send("2 juta")
    await campaigner.press("Daftar")
    await campaigner.send(NIK_SITI)
    await campaigner.press("Ya, benar")
    await campaigner.send("Siti Aminah")
    await campaigner.send("0812 3456 7890")
    await campaigner.send("Jl. Mawar 5, Kota Surakarta")
    assert "Benar semua?" in texts(await campaigner.press("Tidak punya"))
    async with await Database.open(db_path) as db, db.transaction() as conn:
        [sri] = [p for p in await people.listing(conn, "campaigner") if p.code == "PRS-0123"]
        await people.deactivate(conn, "campaigner", sri.id)  # staff take the role away
    answer = texts(await campaigner.press("Ya, daftarkan"))
    assert "tidak bisa lagi mendaftarkan pekerja" in answer
    assert "tidak disimpan" in answer
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM registrations").fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM funnel_events WHERE stage = 'registered'"
        ).fetchone() == (0,)
        [(data,)] = conn.execute("SELECT data FROM sessions").fetchall()
    assert "Siti" not in data  # what was typed for the worker is gone too


async def test_a_command_and_the_next_message_are_answered_in_order(
    fake: FakeTelegram, bot: Watched
) -> None:
    campaigner = TelegramUser(fake, bot, CAMPAIGNER)
    await campaigner.send("/start")
    campaigner.fake.push(text_body(CAMPAIGNER, "/rekap"))  # both in one getUpdates batch
    campaigner.expected += 1
    sent = await campaigner.send("Petani")
    assert "Pendaftaran lewat Anda" in sent[0].text
    assert "Perlindungan ini mulai" in texts(sent[1:])


BRANCH_STAFF = 701


async def test_branch_staff_export_in_the_chat_holds_only_their_branch(
    fake: FakeTelegram, bot: Watched, db_path: Path, campaign_code: str
) -> None:
    async with await Database.open(db_path) as db:
        async with db.transaction() as conn:
            await people.add(conn, "staff", "Solo", str(BRANCH_STAFF), None, "t", NOW,
                             branch="Surakarta")  # fmt: skip
            jogja = await campaigns.create(conn, name="Beringharjo", place="Jogja",
                branch="Yogyakarta", campaigner_id=None, starts_on=date(2026, 1, 1),
                ends_on=None, actor="t", now=NOW)  # fmt: skip
        await add(db, registration(1, campaign=campaign_code), user="a")  # Surakarta
        await add(db, registration(2, campaign=jogja.code), user="b")  # Yogyakarta
        await add(db, registration(3), user="c")  # no campaign
    reply = texts(await TelegramUser(fake, bot, BRANCH_STAFF).send("/ekspor"))
    [document] = files_to(fake, BRANCH_STAFF)
    rows = list(openpyxl.load_workbook(io.BytesIO(document["data"])).active.values)
    sent = [row[0] for row in rows[1:]]
    assert sent == ["BPU-TEST-0001"], (reply, sent)
