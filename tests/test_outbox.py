"""Telling workers the main system's answer (issue 13, second part): the import queues it once
per result in the chat the registration came from, and the running bot sends it in the daytime,
again later when the channel cannot take it, and once more at most after a crash."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.channels.messenger import Messenger, messenger
from bot.channels.outbox import GIVE_UP_AFTER, run_outbox, send_due
from bot.channels.whatsapp_api import GraphClient
from bot.settings import Settings
from bot.staff.imports import import_file
from conversations import default_rules
from storage import Database, outbox, registrations, reminders, whatsapp_templates
from storage import whatsapp as book
from tests.conftest import NOW
from tests.fake_graph import PHONE_NUMBER_ID, TOKEN, FakeGraph
from tests.fake_telegram import ApiError, FakeTelegram
from tests.seed import registration
from tests.serve_process import serve_process
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

    async def __call__(self, channel: str, user_key: str, text: str, *template: object) -> bool:
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
                "not delivered after 48 tries",
            )
        assert len(refused.sent) == GIVE_UP_AFTER
    finally:
        await db.close()


async def test_a_sender_killed_before_recording_costs_at_most_one_duplicate(tmp_path: Path) -> None:
    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        await results(db, tmp_path, f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n")
        # a sender claims it, sends, and dies
        assert await db.run(lambda conn: outbox.claim(conn, NOW)) is not None
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


# --- WhatsApp: free-form inside the 24-hour window, an approved template outside it -------------

WA_ID = "6281355550001"


async def whatsapp_worker(db: Database, last_message: datetime) -> None:
    """A worker registered on WhatsApp, who last wrote at `last_message`."""
    contact = await db.run(lambda c: book.identify(c, WA_ID, None, last_message))
    reg = registration(4, reference="BPU-WHAT-0004")
    await db.run(lambda c: registrations.save(c, reg, None, "whatsapp", contact.key, "s", NOW))
    await results(db, Path(db.path).parent, f"{reg.reference},{reg.nik},accepted,KPJ-4004,\n")


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    server = FakeGraph()
    await server.start()
    yield server
    await server.stop()


async def send_with(db: Database, graph: FakeGraph, now: datetime) -> int:
    client = GraphClient(graph.url, TOKEN, PHONE_NUMBER_ID)
    try:
        return await send_due(db, Messenger(db, lambda: now, None, client).tell, lambda: now)
    finally:
        await client.close()


async def test_within_the_window_the_result_goes_as_text(tmp_path: Path, graph: FakeGraph) -> None:
    async with await Database.open(tmp_path / "bpu.sqlite3") as db:
        await whatsapp_worker(db, NOW - timedelta(hours=2))
        assert await send_with(db, graph, NOW) == 1
    [sent] = graph.to(WA_ID)
    assert sent["type"] == "text" and "Nomor peserta (KPJ): KPJ-4004" in sent["text"]["body"]


async def test_outside_the_window_the_result_goes_as_its_template(
    tmp_path: Path, graph: FakeGraph
) -> None:
    graph.outside_window.add(WA_ID)  # free-form would be refused (131047), as WhatsApp does
    async with await Database.open(tmp_path / "bpu.sqlite3") as db:
        await whatsapp_worker(db, NOW - timedelta(days=3))
        assert await send_with(db, graph, NOW) == 1
    [sent] = graph.to(WA_ID)
    assert sent["template"]["name"] == "bpu_hasil_diterima"
    assert [p["text"] for p in sent["template"]["components"][0]["parameters"]] == [
        "BPU-WHAT-0004",
        "KPJ-4004",
        "7",
    ]


async def test_a_paused_template_waits_until_it_is_approved_again(
    tmp_path: Path, graph: FakeGraph
) -> None:
    graph.outside_window.add(WA_ID)
    async with await Database.open(tmp_path / "bpu.sqlite3") as db:
        await whatsapp_worker(db, NOW - timedelta(days=3))
        async with db.transaction() as conn:
            await whatsapp_templates.record(conn, "bpu_hasil_diterima", "id", NOW, "PAUSED")
        assert await send_with(db, graph, NOW) == 1  # claimed, not sent: tried again later
        assert graph.to(WA_ID) == []
        async with db.transaction() as conn:
            await whatsapp_templates.record(conn, "bpu_hasil_diterima", "id", NOW, "APPROVED")
        assert await send_with(db, graph, NOW + timedelta(minutes=31)) == 1
    assert [m["type"] for m in graph.to(WA_ID)] == ["template"]


async def test_meta_telling_a_template_is_paused_is_kept(tmp_path: Path) -> None:
    async with serve_process(tmp_path) as server:
        update = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA",
                    "changes": [
                        {
                            "field": "message_template_status_update",
                            "value": {
                                "event": "PAUSED",
                                "message_template_id": 1234,
                                "message_template_name": "bpu_hasil_diterima",
                                "message_template_language": "id",
                                "reason": "LOW_QUALITY",
                            },
                        }
                    ],
                }
            ],
        }
        assert await server.whatsapp(update) == 200
        for _ in range(250):
            with sqlite3.connect(tmp_path / "serve.sqlite3") as conn:
                row = conn.execute("SELECT status FROM whatsapp_templates").fetchone()
            if row:
                break
            await asyncio.sleep(0.02)
    assert row == ("PAUSED",)


async def test_a_worker_who_blocked_the_bot_is_not_tried_again(
    fake: FakeTelegram, db_path: Path, tmp_path: Path
) -> None:
    fake.failures["sendMessage"] = [ApiError(403, "Forbidden: bot was blocked by the user")]
    db = await seeded(db_path)
    try:
        await results(db, tmp_path, f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\\n")
        await db.run(lambda c: reminders.choose(c, "telegram", "501", OWN.reference, True, NOW))
        settings = Settings(
            _env_file=None, telegram_bot_token=fake.token, telegram_api_url=fake.url
        )
        async with messenger(settings, db, lambda: NOW) as tell:
            assert await send_due(db, tell, lambda: NOW) == 1
            assert await send_due(db, tell, lambda: NOW + timedelta(hours=2)) == 0
    finally:
        await db.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT given_up FROM outbox").fetchone() == ("blocked the bot",)
        # and no payment reminder is planned for them any more: recorded why
        stopped = conn.execute("SELECT wanted, stopped_by FROM reminders").fetchone()
        assert stopped == (0, "blocked the bot")
    assert [method for method, _ in fake.calls].count("sendMessage") == 1


async def test_an_assisted_result_outside_the_window_names_whom_it_is_for(
    tmp_path: Path, graph: FakeGraph
) -> None:
    graph.outside_window.add(WA_ID)
    async with await Database.open(tmp_path / "bpu.sqlite3") as db:
        contact = await db.run(lambda c: book.identify(c, WA_ID, None, NOW - timedelta(days=3)))
        reg = registration(
            4, reference="BPU-WHAT-0004", assisted_by="PRS-0123", full_name="Mbah Karto"
        )
        await db.run(lambda c: registrations.save(c, reg, None, "whatsapp", contact.key, "s", NOW))
        await results(db, tmp_path, f"{reg.reference},{reg.nik},accepted,KPJ-4,\n")
        assert await send_with(db, graph, NOW) == 1
    [sent] = graph.to(WA_ID)
    assert sent["template"]["name"] == "bpu_hasil_diterima_untuk"
    params = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert params == ["Mbah Karto", "BPU-WHAT-0004", "KPJ-4", "7"]
