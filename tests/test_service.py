"""The service on a real SQLite file: one transaction per message, dedupe, resume, failures."""

from __future__ import annotations

import asyncio
import io
import logging
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from itertools import chain, repeat
from pathlib import Path

import pytest

import bot.service
from bot.logs import redact, setup_logging
from bot.service import ConversationService
from conversations import Incoming, Kind, Reply
from storage import Database
from tests import flowchat
from tests.conftest import make_service
from tests.flowchat import ALL_STAGES, NIK_SITI, button

# The golden path as channel messages: a tap is a choice, a typed answer is text.
GOLDEN = [
    ("choice" if action == "tap" else "text", value)
    for action, value in flowchat.as_pressed(flowchat.GOLDEN)
]


class User:
    """One worker talking to the service."""

    def __init__(
        self, service: ConversationService, key: str = "w1", channel: str = "test"
    ) -> None:
        self.service, self.key, self.channel, self.n = service, key, channel, 0
        self.replies: list[Reply] = []
        self.screen: list[Reply] = []  # the last replies with buttons: what can be pressed

    def message(self, kind: str, value: str = "", message_id: str | None = None) -> Incoming:
        self.n += 1
        fields = {"choice": button(self.screen, value)} if kind == "choice" else {"text": value}
        if kind == "open":
            fields = {"payload": value or None}
        return Incoming(
            self.channel, self.key, message_id or f"{self.key}-{self.n}", Kind(kind), **fields
        )  # type: ignore[arg-type]

    async def send(self, kind: str, value: str = "", message_id: str | None = None) -> str:
        self.replies = await self.service.handle(self.message(kind, value, message_id))
        if self.replies and self.replies[-1].options:
            self.screen = self.replies
        return "\n\n".join(r.text for r in self.replies)

    async def run(self, script: list[tuple[str, str]]) -> str:
        text = ""
        for kind, value in script:
            text = await self.send(kind, value)
        return text


async def rows(db: Database, sql: str) -> list[dict]:
    return [dict(row) for row in await db.fetch_all(sql)]


async def test_a_registration_lands_in_sqlite(service: ConversationService, db: Database) -> None:
    user = User(service)
    await user.send("open", "klewer-01")
    text = await user.run(GOLDEN)
    assert "Data Anda diterima" in text
    [reg] = await rows(db, "SELECT * FROM registrations")
    assert reg["reference"] in text
    assert reg["nik"] == NIK_SITI and reg["phone"] == "+6281234567890"
    assert (reg["monthly_premium"], reg["income_declared"], reg["programs"]) == (
        13_400,
        2_000_000,
        "JKK+JKM",
    )
    assert reg["campaign"] == "klewer-01" and reg["channel"] == "test"
    assert reg["consent_at"].startswith("2026-11-21T03:00") and reg["tariff_version"]
    assert reg["birth_date"] == "1980-08-17" and reg["gender"] == "P"
    stages = await rows(db, "SELECT stage, occupation, campaign FROM funnel_events ORDER BY at")
    assert {s["stage"] for s in stages} == set(ALL_STAGES)
    assert all(s["campaign"] == "klewer-01" for s in stages)
    [session] = await rows(db, "SELECT step, data FROM sessions")
    assert session["step"] == "remind" and NIK_SITI not in session["data"]


async def test_a_duplicate_message_id_changes_nothing(
    service: ConversationService, db: Database
) -> None:
    user = User(service)
    await user.send("open")
    await user.send("choice", "pedagang", message_id="dup-1")
    again = await user.send("choice", "pedagang", message_id="dup-1")
    assert again == "" and user.replies == []
    [session] = await rows(db, "SELECT step FROM sessions")
    assert session["step"] == "benefits"
    assert len(await rows(db, "SELECT * FROM funnel_events WHERE stage='occupation_chosen'")) == 1


async def test_a_confirmation_delivered_twice_registers_once(
    service: ConversationService, db: Database
) -> None:
    user = User(service)
    await user.send("open")
    await user.run(GOLDEN[:-1])
    await user.send("choice", "ok", message_id="confirm")
    await user.send("choice", "ok", message_id="confirm")
    assert len(await rows(db, "SELECT * FROM registrations")) == 1


async def test_resume_after_the_process_restarts(db_path: Path) -> None:
    first = await Database.open(db_path)
    user = User(make_service(first))
    await user.send("open")
    await user.run(GOLDEN[:8])  # up to and including the phone number
    await first.close()

    second = await Database.open(db_path)
    try:
        user.service = make_service(second)
        text = await user.send("open")
        assert "Selamat datang kembali" in text and "Alamat sesuai KTP" in text
        text = await user.run(GOLDEN[8:])
        assert "Data Anda diterima" in text
        [reg] = await rows(second, "SELECT full_name, phone FROM registrations")
        assert reg == {"full_name": "Siti Aminah", "phone": "+6281234567890"}
    finally:
        await second.close()


async def test_a_busy_database_asks_to_try_again_and_loses_nothing(db_path: Path) -> None:
    db = await Database.open(db_path, busy_timeout_ms=50)
    try:
        user = User(make_service(db))
        await user.send("open")
        await user.send("choice", "pedagang")
        blocker = sqlite3.connect(db_path)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            text = await user.send("choice", "next", message_id="while-busy")
        finally:
            blocker.rollback()
            blocker.close()
        assert "pesan terakhir Anda belum tersimpan" in text
        [session] = await rows(db, "SELECT step FROM sessions")
        assert session["step"] == "benefits"  # nothing half-written
        text = await user.send("choice", "next", message_id="while-busy")  # the retry counts
        assert "Penghasilan sebulan kira-kira berapa?" in text
    finally:
        await db.close()


async def test_a_failing_write_rolls_back_the_whole_message(
    service: ConversationService, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = User(service)
    await user.send("open")
    await user.run(GOLDEN[:-1])

    def full_disk(*args: object) -> None:  # after the registration row is written
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(bot.service.funnel, "record", full_disk)
    text = await user.send("choice", "ok", message_id="confirm")
    assert "belum tersimpan" in text
    assert await rows(db, "SELECT * FROM registrations") == []  # not half-written
    [session] = await rows(db, "SELECT step FROM sessions")
    assert session["step"] == "summary"
    monkeypatch.undo()
    assert "Data Anda diterima" in await user.send("choice", "ok", message_id="confirm")


async def test_a_reference_collision_is_retried(
    service: ConversationService, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.service, "new_reference", lambda: "BPU-SAME-0001")
    first, second = User(service, "a"), User(service, "b")
    await first.send("open")
    await first.run(GOLDEN)
    # Every message draws a reference: the second worker's confirmation draws the first's again.
    script = [(k, "3372051708800002" if v == NIK_SITI else v) for k, v in GOLDEN]
    references = chain(repeat("BPU-SAME-0001", 1 + len(script)), repeat("BPU-NEXT-0002"))
    monkeypatch.setattr(bot.service, "new_reference", lambda: next(references))
    await second.send("open")
    text = await second.run(script)
    assert "BPU-NEXT-0002" in text
    refs = [r["reference"] for r in await rows(db, "SELECT reference FROM registrations")]
    assert sorted(refs) == ["BPU-NEXT-0002", "BPU-SAME-0001"]


async def test_many_workers_at_once(service: ConversationService, db: Database) -> None:
    async def worker(i: int) -> None:
        user = User(service, f"w{i}")
        await user.send("open")
        nik = f"337205170880{i + 1:04d}"
        await user.run([(k, nik if v == NIK_SITI else v) for k, v in GOLDEN])

    await asyncio.gather(*(worker(i) for i in range(25)))
    assert len(await rows(db, "SELECT * FROM registrations")) == 25
    assert len(service.locks) == 0  # no lock left behind


async def test_one_users_messages_are_handled_in_order(service: ConversationService) -> None:
    user = User(service)
    await user.send("open")
    sent: list[str] = []

    async def deliver(replies: list[Reply], **_: object) -> None:
        slow = "Kita hitung" in replies[-1].text  # the first reply takes longer to send
        await asyncio.sleep(0.05 if slow else 0)
        sent.append(replies[-1].text)

    messages = [user.message("choice", "pedagang"), user.message("choice", GOLDEN[1][1])]
    await asyncio.gather(*(service.handle(m, deliver) for m in messages))
    assert "Perlindungan ini mulai" in sent[0] and "Penghasilan sebulan kira-kira" in sent[1]


async def test_personal_data_never_reaches_the_logs(service: ConversationService) -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", stream)
    try:
        user = User(service)
        await user.send("open")
        await user.run(GOLDEN)
        await user.send("choice", "ok", message_id=f"{user.key}-12")  # a duplicate is logged too
    finally:
        logging.getLogger().handlers.clear()
    output = stream.getvalue()
    assert "saved" in output and "->" in output  # the log is not empty
    for secret in (NIK_SITI, "81234567890", "Siti Aminah", "w1"):
        assert secret not in output


def test_redact_masks_niks_phones_and_bot_tokens() -> None:
    text = redact(
        "nik 3372 0557 0880 0001 and 3372055708800001, hp 0812-3456-7890, "
        "+62 812 3456 7890, 6281234567890; ref BPU-AB12-CD34, Rp2.000.000, "
        "url /bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage"
    )
    assert text == (
        "nik [nik] and [nik], hp [phone], [phone], [phone]; ref BPU-AB12-CD34, Rp2.000.000, "
        "url /bot[token]/sendMessage"
    )


async def test_a_full_disk_asks_to_try_again_and_loses_nothing(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        service = make_service(db)
        worker = User(service, "worker")
        await worker.send("open")
        await worker.run(GOLDEN[:3])  # answers saved before the disk fills up

        def count(sql: str) -> Callable[[sqlite3.Connection], int]:
            return lambda conn: conn.execute(sql).fetchone()[0]

        pages = await db.run(count("PRAGMA page_count"))
        await db.run(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages}"))
        for i in range(200):  # new conversations need new pages: SQLite reports a full disk
            newcomer = User(service, f"new{i}")
            text = await newcomer.send("open", message_id=f"open-{i}")
            if "belum tersimpan" in text:
                break
        else:
            raise AssertionError("the database never filled up")
        rows_before = await db.run(count("SELECT count(*) FROM sessions"))
        assert (
            await db.run(
                count(f"SELECT count(*) FROM inbound_messages WHERE message_id = 'open-{i}'")
            )
            == 0
        )  # nothing half-written
        await db.run(lambda conn: conn.execute("PRAGMA max_page_count = 1073741823"))
        assert "Apa pekerjaan Anda" in await newcomer.send("open", message_id=f"open-{i}")
        assert await db.run(count("SELECT count(*) FROM sessions")) == rows_before + 1
        assert "NIK Anda (16 angka" in await worker.send("choice", "reg")  # where they were
    finally:
        await db.close()


async def test_every_message_twice_and_out_of_order_across_users(
    service: ConversationService, db: Database
) -> None:
    rng = random.Random(2026)
    timelines = {}
    for i in range(12):
        script = [("open", "")] + [
            (k, f"337205170880{i + 1:04d}" if v == NIK_SITI else v) for k, v in GOLDEN
        ]
        timeline = [(kind, value, f"u{i}-{n}") for n, (kind, value) in enumerate(script)]
        for message in list(timeline):  # each message comes again, some time later
            later = rng.randint(timeline.index(message) + 1, len(timeline))
            timeline.insert(later, message)
        timelines[f"u{i}"] = timeline
    answered: dict[str, list[str]] = {key: [] for key in timelines}
    schedule = [key for key, timeline in timelines.items() for _ in timeline]
    rng.shuffle(schedule)  # users interleaved at random; each user's own order kept
    position = dict.fromkeys(timelines, 0)
    for key in schedule:
        kind, value, message_id = timelines[key][position[key]]
        position[key] += 1
        user = User(service, key)
        text = await user.send(kind, value, message_id=message_id)
        if text:
            answered[key].append(text)
    for key, texts in answered.items():
        assert len(texts) == 12, key  # every original answered once, every copy ignored
        assert "Data Anda diterima" in texts[-1]
    registered = await rows(db, "SELECT user_key, full_name, phone FROM registrations")
    assert sorted(r["user_key"] for r in registered) == sorted(timelines)
    assert {(r["full_name"], r["phone"]) for r in registered} == {("Siti Aminah", "+6281234567890")}
    stages = await rows(db, "SELECT count(*) AS n FROM funnel_events")
    assert stages[0]["n"] == 12 * 6  # no step skipped


async def test_an_updated_registration_is_counted_once(
    service: ConversationService, db: Database
) -> None:
    user = User(service)
    await user.send("open")
    await user.run(GOLDEN)
    await user.send("text", "mulai lagi")  # register again: the same NIK offers an update
    plain = [(kind, value) for kind, value in flowchat.GOLDEN]
    await user.run([("choice" if k == "tap" else "text", v) for k, v in plain[:5]])
    assert "sudah terdaftar" in "\n".join(r.text for r in user.replies)
    await user.send("choice", "upd")
    text = await user.run([("choice" if k == "tap" else "text", v) for k, v in plain[5:]])
    assert "Data Anda diterima" in text
    [registration] = await rows(db, "SELECT revision FROM registrations")
    assert registration["revision"] == 2
    report = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--db", db.path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    registered = next(line for line in report.splitlines() if line.strip().startswith("registered"))
    assert registered.split()[1] == "1", report  # the same one registration, not two


async def test_a_family_members_address_and_number_come_from_the_stored_registration(
    service: ConversationService, db: Database
) -> None:
    user = User(service)
    await user.send("open")
    await user.run(GOLDEN)
    assert "Kita daftarkan anggota keluarga" in await user.send("text", "daftarkan istri saya")
    wife_nik = "3372054508850003"
    await user.run([("choice", "pedagang"), ("choice", "next"), ("text", "1 juta")])
    await user.run([("choice", "reg"), ("text", wife_nik), ("choice", "yes")])
    assert "boleh pakai 0812-3456-7890" in await user.send("text", "Sri Wahyuni")
    await user.send("choice", "sender")
    assert "pilih Alamat sama" in user.replies[-1].text
    await user.run([("choice", "household"), ("choice", "skip")])
    text = await user.send("choice", "ok")
    assert "Nomor referensi Anda sendiri tetap" in text
    stored = await rows(
        db, "SELECT nik, phone, address, city_code, consent_version FROM registrations"
    )
    assert [(r["nik"], r["consent_version"]) for r in stored] == [
        (NIK_SITI, "2026-11-24.2"),
        (wife_nik, "2026-11-24.2-family"),
    ]
    assert stored[0]["phone"] == stored[1]["phone"] and stored[0]["address"] == stored[1]["address"]
    assert stored[0]["city_code"] == stored[1]["city_code"] == "33.72"
