"""What is acknowledged is answered: the real `bpu-bot serve` and `bpu-bot telegram` processes
killed with SIGKILL between acknowledging a message and answering it, then started again."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from time import time

import pytest

from bot.channels.telegram_intake import CHANNEL as TELEGRAM
from storage import Database, webhook_inbox
from tests.bot_process import start_bot
from tests.conftest import NOW
from tests.fake_telegram import FakeTelegram, text_body
from tests.seed import campaigner_with_campaign
from tests.serve_process import serve_process
from tests.telegram_users import polling_bot
from tests.whatsapp_users import WhatsAppUser, texts

WELCOME = "Apa pekerjaan Anda sehari-hari?"
PENDING = "SELECT count(*) FROM inbound_messages WHERE pending_replies NOTNULL"


async def until(check: Callable[[], bool], seconds: float = 20) -> None:
    for _ in range(int(seconds * 50)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not reached in time")


def asked(fake: FakeTelegram, user: int) -> bool:
    """The welcome's question has reached this user (the welcome is two messages)."""
    return any(WELCOME in sent.text for sent in fake.to(user))


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


async def test_telegram_webhooks_acknowledged_then_killed_are_answered_after_restart(
    tmp_path: Path,
) -> None:
    users = range(7000, 7050)
    async with serve_process(tmp_path) as server:
        server.fake.sending.clear()  # no reply can go out: every update is still in flight
        for user in users:
            update = server.fake.make_update(**text_body(user, "/start"))
            assert await server.telegram(update) == 200
        server.process.kill()  # acknowledged all 50 with 200; Telegram will not send them again
        await server.process.wait()
    assert all(server.fake.to(user) == [] for user in users)
    async with serve_process(tmp_path) as again:
        await until(lambda: all(asked(again.fake, user) for user in users))
        await asyncio.sleep(0.3)  # nothing more is coming
        for user in users:
            answers = [sent.text for sent in again.fake.to(user)]
            assert sum(WELCOME in text for text in answers) == 1  # answered, and once
    db = tmp_path / "serve.sqlite3"
    assert count(db, "SELECT count(*) FROM webhook_inbox") == 0
    assert count(db, "SELECT count(*) FROM sessions") == len(users)


async def test_a_whatsapp_reply_cut_off_by_a_crash_is_sent_after_restart(tmp_path: Path) -> None:
    db = tmp_path / "serve.sqlite3"
    async with serve_process(tmp_path) as server:
        user = WhatsAppUser(server, wa_id="6281299990001")  # type: ignore[arg-type]
        server.graph.sending.clear()  # the answer is committed, then the network stalls
        hello = user.payload({"type": "text", "text": {"body": "Halo"}}, timestamp=int(time()))
        assert await server.whatsapp(hello) == 200
        await until(
            lambda: (
                count(db, "SELECT count(*) FROM inbound_messages WHERE pending_replies NOTNULL")
                == 1
            )
        )
        server.process.kill()
        await server.process.wait()
    assert server.graph.to("6281299990001") == []
    async with serve_process(tmp_path) as again:
        # the welcome is two messages: wait for the question itself
        await until(lambda: WELCOME in texts(again.graph.to("6281299990001")))
    assert count(db, "SELECT count(*) FROM inbound_messages WHERE pending_replies NOTNULL") == 0
    assert count(db, "SELECT count(*) FROM webhook_inbox") == 0


async def test_polled_updates_are_kept_before_telegram_is_told_they_arrived(
    tmp_path: Path,
) -> None:
    db = tmp_path / "bot.sqlite3"
    fake = FakeTelegram()
    await fake.start()
    try:
        bot = await start_bot(fake, db)
        fake.sending.clear()
        for user in range(7100, 7120):
            fake.push(text_body(user, "/start"))
        await until(lambda: count(db, "SELECT count(*) FROM webhook_inbox") == 20)
        await until(lambda: any(m == "getUpdates" and p.get("offset") for m, p in fake.calls))
        bot.kill()  # Telegram has been told: the next poll moved the offset past all 20
        await bot.wait()
        fake.sending.set()
        bot = await start_bot(fake, db)
        await until(lambda: all(asked(fake, user) for user in range(7100, 7120)))
        bot.terminate()
        await bot.wait()
        for user in range(7100, 7120):
            assert sum(WELCOME in sent.text for sent in fake.to(user)) == 1
    finally:
        await fake.stop()


async def test_an_unreadable_inbox_row_is_set_aside_and_the_server_starts(tmp_path: Path) -> None:
    db = tmp_path / "serve.sqlite3"
    async with await Database.open(db) as database:
        for channel in ("whatsapp", TELEGRAM):
            await database.run(
                lambda conn, c=channel: webhook_inbox.keep(conn, c, '{"truncated": ', NOW)
            )
        wrong_shape = json.dumps({"update_id": "x", "message": {"text": "Siti Aminah"}})
        await database.run(lambda conn: webhook_inbox.keep(conn, TELEGRAM, wrong_shape, NOW))
    async with serve_process(tmp_path) as server:  # it starts, and answers
        update = server.fake.make_update(**text_body(7200, "/start"))
        assert await server.telegram(update) == 200
        await until(lambda: bool(server.fake.to(7200)))
        log = server.log_text()
    assert "set aside" in log and "Siti" not in log
    listing = subprocess.run(
        [sys.executable, "-m", "bot", "inbox", "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert listing.count("unreadable") == 3 and "Siti" not in listing
    assert count(db, "SELECT count(*) FROM webhook_inbox WHERE set_aside_at IS NULL") == 0


async def test_a_reply_telegram_cannot_take_at_shutdown_is_sent_after_restart(
    tmp_path: Path,
) -> None:
    db = tmp_path / "serve.sqlite3"
    async with serve_process(tmp_path) as server:
        server.fake.sending.clear()  # the network stalls
        assert await server.telegram(server.fake.make_update(**text_body(7301, "/start"))) == 200
        await until(lambda: count(db, PENDING) == 1)
        server.process.terminate()  # systemctl stop: it stops, without waiting for Telegram
        await asyncio.wait_for(server.process.wait(), 30)
    assert count(db, PENDING) == 1 and count(db, "SELECT count(*) FROM webhook_inbox") == 1
    async with serve_process(tmp_path) as again:
        await until(lambda: asked(again.fake, 7301))
        await asyncio.sleep(0.3)
        assert sum(WELCOME in sent.text for sent in again.fake.to(7301)) == 1
    assert count(db, PENDING) == 0 and count(db, "SELECT count(*) FROM webhook_inbox") == 0


async def test_a_command_cut_off_by_a_crash_is_answered_after_restart(tmp_path: Path) -> None:
    db = tmp_path / "serve.sqlite3"
    await campaigner_with_campaign(db, telegram_id="7500")
    async with serve_process(tmp_path) as server:
        server.fake.sending.clear()
        assert await server.telegram(server.fake.make_update(**text_body(7500, "/rekap"))) == 200
        await asyncio.sleep(0.5)  # counted, and stuck sending the answer
        server.process.kill()
        await server.process.wait()
    async with serve_process(tmp_path) as again:
        await until(lambda: bool(again.fake.to(7500)))
        assert "Pendaftaran lewat Anda" in again.fake.to(7500)[0].text


async def test_leftovers_are_tried_in_the_background_and_counted_one_by_one(
    tmp_path: Path,
) -> None:
    """Telegram is down while the server restarts three times: it still listens at once each
    time, and nothing it never got to is set aside."""
    db = tmp_path / "serve.sqlite3"
    async with await Database.open(db) as database:
        for n in range(10):
            body = json.dumps({"update_id": 100 + n, **text_body(7400 + n, "/start")})
            await database.run(lambda conn, b=body: webhook_inbox.keep(conn, TELEGRAM, b, NOW))
    for _ in range(3):
        async with serve_process(tmp_path, stalled=True) as server:  # ready: /healthz answers
            server.process.kill()
            await server.process.wait()
    async with serve_process(tmp_path) as server:
        await until(lambda: all(server.fake.to(7400 + n) for n in range(10)))
    assert count(db, "SELECT count(*) FROM webhook_inbox") == 0  # none set aside


async def test_polling_goes_on_after_a_busy_database(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeTelegram()
    await fake.start()
    keep = webhook_inbox.keep
    busy = iter([True])

    def once_busy(*args: object, **kwargs: object) -> int:
        if next(busy, False):
            raise sqlite3.OperationalError("database is locked")
        return keep(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(webhook_inbox, "keep", once_busy)
    try:
        async with polling_bot(fake, db_path):
            fake.push(text_body(4545, "/start"))
            await until(lambda: bool(fake.to(4545)))  # taken again after the failure
    finally:
        await fake.stop()
