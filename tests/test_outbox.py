"""Telling workers the main system's answer (issue 13, second part): the import queues it once
per result in the chat the registration came from, and the running bot sends it in the daytime,
again later when the channel cannot take it, and once more at most after a crash."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.channels.outbox import GIVE_UP_AFTER, run_outbox, send_due
from bot.staff.imports import import_file
from conversations import default_rules
from storage import Database, outbox, registrations
from tests.conftest import NOW
from tests.fake_telegram import FakeTelegram
from tests.seed import registration
from tests.telegram_users import Watched, polling_bot

ZONE = ZoneInfo("Asia/Jakarta")
HEADER = "reference,nik,result,kpj,reason\n"
OWN = registration(1, reference="BPU-OWNN-0001")  # from the worker's own Telegram chat
ASSISTED = registration(
    2, reference="BPU-ASST-0002", assisted_by="PRS-0123", full_name="Mbah Karto"
)
TERMINAL = registration(3, reference="BPU-TERM-0003")  # typed in the terminal: nobody to tell


class Told:
    def __init__(self, answer: bool = True) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.answer = answer

    async def __call__(self, channel: str, user_key: str, text: str) -> bool:
        self.sent.append((channel, user_key, text))
        return self.answer


async def seeded(db_path: Path) -> Database:
    db = await Database.open(db_path)
    for reg, channel, user in ((OWN, "telegram", "501"), (ASSISTED, "telegram", "800"),
                               (TERMINAL, "console", "siti")):  # fmt: skip
        await db.run(
            lambda c, r=reg, ch=channel, u=user: registrations.save(c, r, None, ch, u, "s", NOW)
        )
    return db


async def results(db: Database, tmp_path: Path, rows: str, name: str = "hasil.csv") -> None:
    path = tmp_path / name
    path.write_text(HEADER + rows)
    await import_file(db, path, "t", NOW, default_rules())


def queued(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT dedupe, channel, user_key, sent_at IS NOT NULL FROM outbox ORDER BY id"
        ).fetchall()


async def test_each_result_is_queued_once_worded_for_whoever_reads_the_chat(tmp_path: Path) -> None:
    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        await results(db, tmp_path, f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n"
                      f"{ASSISTED.reference},{ASSISTED.nik},rejected,,Data ganda\n"
                      f"{TERMINAL.reference},{TERMINAL.nik},accepted,KPJ-1003,\n")  # fmt: skip
        await results(db, tmp_path, f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n", "again.csv")
        assert queued(tmp_path / "bpu.sqlite3") == [
            (f"result:{OWN.reference}:accepted", "telegram", "501", 0),
            (f"result:{ASSISTED.reference}:rejected", "telegram", "800", 0),
        ]
        told = Told()
        assert await send_due(db, told, lambda: NOW) == 2
        assert await send_due(db, told, lambda: NOW) == 0  # sent once
        [(_, _, own), (_, campaigner_chat, assisted)] = told.sent
        assert "Nomor peserta (KPJ): KPJ-1001" in own and "kartu jadi paling lambat 7 hari" in own
        assert (
            campaigner_chat == "800"
            and "tidak menerima pendaftaran BPU-ASST-0002: Data ganda" in assisted
        )
        assert "(Untuk Mbah Karto: mohon sampaikan kepadanya.)" in assisted
    finally:
        await db.close()


async def test_a_channel_that_cannot_take_it_now_is_tried_again_later_then_given_up(
    tmp_path: Path,
) -> None:
    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        await results(db, tmp_path, f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n")
        refused, clock = Told(answer=False), {"now": NOW}
        assert await send_due(db, refused, lambda: clock["now"]) == 1
        assert await send_due(db, refused, lambda: clock["now"]) == 0  # not before 30 minutes
        for _ in range(GIVE_UP_AFTER):
            clock["now"] += timedelta(minutes=31)
            await send_due(db, refused, lambda: clock["now"])
        with sqlite3.connect(tmp_path / "bpu.sqlite3") as conn:
            assert conn.execute("SELECT attempts, given_up FROM outbox").fetchone() == (
                GIVE_UP_AFTER,
                "not delivered for a day",
            )
        assert len(refused.sent) == GIVE_UP_AFTER
    finally:
        await db.close()


async def test_a_sender_killed_before_recording_costs_at_most_one_duplicate(tmp_path: Path) -> None:
    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        await results(db, tmp_path, f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n")
        async with db.transaction() as conn:  # a sender claims it, sends, and dies
            assert len(await outbox.claim(conn, NOW, 10)) == 1
        told = Told()
        assert await send_due(db, told, lambda: NOW) == 0  # its lease holds
        later = NOW + outbox.LEASE + timedelta(seconds=1)
        assert await send_due(db, told, lambda: later) == 1  # then sent once more, and only once
        assert await send_due(db, told, lambda: later + timedelta(hours=1)) == 0
        assert len(told.sent) == 1
    finally:
        await db.close()


async def test_nothing_is_sent_at_night(tmp_path: Path) -> None:
    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        await results(db, tmp_path, f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n")
        night = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)  # 22:00 in Jakarta
        told, stop = Told(), asyncio.Event()
        task = asyncio.create_task(run_outbox(db, told, lambda: night, ZONE, stop, poll=0.01))
        await asyncio.sleep(0.2)
        stop.set()
        await task
        assert told.sent == []
    finally:
        await db.close()


async def test_the_running_bot_tells_the_worker_on_telegram(
    fake: FakeTelegram, db_path: Path, tmp_path: Path
) -> None:
    db = await seeded(db_path)
    await db.close()
    async with polling_bot(fake, db_path) as _watched:
        assert isinstance(_watched, Watched)
        async with await Database.open(db_path) as db:
            await results(db, tmp_path, f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n")
        for _ in range(500):
            if fake.to(501):
                break
            await asyncio.sleep(0.02)
    [message] = fake.to(501)
    assert message.text.startswith("Kabar baik: BPJS Ketenagakerjaan sudah menerima pendaftaran")
    assert queued(db_path)[0][3] == 1  # recorded as sent
