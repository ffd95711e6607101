"""Several `bpu-bot serve` instances on one PostgreSQL database (issue 15), as behind a load
balancer: Telegram and WhatsApp webhooks go to any of three at random, and one is SIGKILLed
mid-run. Every worker still registers exactly once, their messages answered in order (the
WhatsApp workers send their whole registration without waiting for an answer, so a message
taken out of turn would land at the wrong question), and nothing is left unprocessed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.whatsapp import SIGNATURE_HEADER, WEBHOOK_PATH, by_message
from bot.server import SECRET_HEADER, TELEGRAM_PATH
from storage import Database, webhook_inbox
from tests.conftest import NOW
from tests.fake_graph import FakeGraph
from tests.fake_telegram import FakeTelegram, Sent, text_body, user_dict
from tests.flowchat import GOLDEN, NIK_SITI, FlowChat, as_pressed
from tests.postgres import Databases
from tests.serve_process import APP_SECRET, WEBHOOK_SECRET, ServeProcess, serving
from tests.test_kept_until_processed import until
from tests.whatsapp_users import sign, texts, webhook

TELEGRAM_WORKERS, WHATSAPP_WORKERS = 8, 12
DONE = "Data Anda diterima"


def nik(n: int) -> str:
    return NIK_SITI[:-4] + f"{n:04d}"


def script(n: int) -> list[tuple[str, str]]:
    """Worker n's registration as the channel sends it (a tap: its tagged key)."""
    return [(a, nik(n) if v == NIK_SITI else v) for a, v in as_pressed(GOLDEN)]


def expected_after_each_step() -> list[str]:
    """The start of the last thing the bot says after each step of the registration."""
    chat, said = FlowChat(), []
    chat.open()
    for step in GOLDEN:
        chat.play([step])
        said.append(chat.replies[-1].text[:25])
    return said


class Balancer:
    """Sends each webhook to a live instance at random; one that is gone is taken out and the
    webhook sent to another, as a load balancer (and Telegram and Meta, retrying) would."""

    def __init__(self, servers: list[ServeProcess], seed: int) -> None:
        self.live, self.random = list(servers), random.Random(seed)
        self.sent = 0
        self.http = aiohttp.ClientSession()

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> None:
        while True:
            server = self.random.choice(self.live)
            try:
                async with self.http.post(server.url + path, data=body, headers=headers) as r:
                    if r.status == 200:
                        self.sent += 1
                        return
            except aiohttp.ClientError:
                pass
            if server.process.returncode is not None and server in self.live:
                self.live.remove(server)
            await asyncio.sleep(0.01)

    async def telegram(self, update: dict[str, Any]) -> None:
        headers = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}
        await self.post(TELEGRAM_PATH, json.dumps(update).encode(), headers)

    async def whatsapp(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, APP_SECRET)}
        await self.post(WEBHOOK_PATH, body, headers)


async def telegram_worker(n: int, fake: FakeTelegram, lb: Balancer, said: list[str]) -> None:
    """Reads each answer before the next step, as people do."""
    user = 880_000 + n
    read = 0
    updates = iter(range(10_000 * n, 10_000 * (n + 1)))
    steps = [("send", "/start"), *script(n)]
    for (action, value), expected in zip(steps, ["Apa pekerjaan", *said], strict=True):
        if action == "tap":
            on_screen = [s for s in fake.to(user) if s.buttons][-1]
            body: dict[str, Any] = {"callback_query": press(user, on_screen, value)}
        else:
            body = text_body(user, value)
        await lb.telegram({"update_id": next(updates), **body})
        await until(lambda e=expected, r=read: any(e in s.text for s in fake.to(user)[r:]))
        read = len(fake.to(user))


def press(user: int, sent: Sent, data: str) -> dict[str, Any]:
    return {
        "id": f"cq-{user}-{data}",
        "from": user_dict(user),
        "chat_instance": f"ci{user}",
        "data": data,
        "message": sent.as_message(),
    }


async def whatsapp_worker(n: int, lb: Balancer) -> None:
    """Sends the whole registration at once, each message acknowledged before the next."""
    wa_id = f"62813{n:08d}"
    for i, (action, value) in enumerate([("send", "halo"), *script(n)]):
        if action == "tap":
            chosen = {"type": "button_reply", "button_reply": {"id": value, "title": value}}
            message: dict[str, Any] = {"type": "interactive", "interactive": chosen}
        else:
            message = {"type": "text", "text": {"body": value}}
        message |= {"id": f"wamid.{n}.{i}", "timestamp": str(int(time.time())), "from": wa_id}
        contact = {"profile": {"name": "Siti"}, "wa_id": wa_id}
        await lb.whatsapp(webhook({"contacts": [contact], "messages": [message]}))


async def test_three_instances_one_killed_every_worker_registers_once_in_order(
    tmp_path: Path, postgres_databases: Databases
) -> None:
    url = postgres_databases.new()
    fake, graph = FakeTelegram(), FakeGraph()
    await fake.start()
    await graph.start()
    said = expected_after_each_step()
    async with contextlib.AsyncExitStack() as stack:
        servers = [
            await stack.enter_async_context(
                serving(tmp_path / f"instance{i}", fake, graph, BPU_DATABASE_URL=url)
            )
            for i in range(3)
        ]
        lb = Balancer(servers, seed=15)
        stack.push_async_callback(lb.http.close)
        stack.push_async_callback(graph.stop)
        stack.push_async_callback(fake.stop)
        victim = servers[0]

        async def kill_mid_run() -> None:
            await until(lambda: lb.sent >= 60)
            victim.process.send_signal(signal.SIGKILL)
            await victim.process.wait()

        workers = [telegram_worker(n, fake, lb, said) for n in range(1, TELEGRAM_WORKERS + 1)]
        workers += [whatsapp_worker(100 + n, lb) for n in range(1, WHATSAPP_WORKERS + 1)]
        await asyncio.gather(kill_mid_run(), *workers)
        assert victim.process.returncode == -signal.SIGKILL and lb.sent > 60

        wa_ids = [f"62813{100 + n:08d}" for n in range(1, WHATSAPP_WORKERS + 1)]
        await until(lambda: all(DONE in texts(graph.to(wa_id)) for wa_id in wa_ids))
        async with await Database.open(url) as db:
            await until_empty(db)
            rows = await db.fetch_all("SELECT nik, full_name, phone, address FROM registrations")
        survivors = [s.log_text() for s in servers[1:]]

    niks = sorted(row[0] for row in rows)
    everyone = [*range(1, TELEGRAM_WORKERS + 1), *range(101, 101 + WHATSAPP_WORKERS)]
    assert niks == sorted(nik(n) for n in everyone)  # each exactly once
    for _, name, phone, address in rows:  # every answer at its own question
        assert (name, phone) == ("Siti Aminah", "+6281234567890")
        assert address.startswith("Jl. Mawar 5 RT 02/RW 03, Kauman")
    for n in range(1, TELEGRAM_WORKERS + 1):
        assert sum(DONE in s.text for s in fake.to(880_000 + n)) == 1
    repeats = sum(texts(graph.to(wa_id)).count(DONE) - 1 for wa_id in wa_ids)
    assert repeats <= 1  # the killed instance may have sent one and died before recording it
    assert all(" -> " in log for log in survivors)  # both others took messages


async def until_empty(db: Database) -> None:
    """Every kept webhook processed (none set aside)."""
    for _ in range(1500):
        [(left,)] = await db.fetch_all("SELECT count(*) FROM webhook_inbox")
        if left == 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("webhooks left unprocessed")


async def test_a_notification_with_several_peoples_messages_keeps_each_in_their_own_order(
    db: Database,
) -> None:
    """Meta may batch several people's messages in one notification. Each message is kept in
    its sender's queue: while an instance works on Budi's first message, another cannot claim
    his second. (Found by a review: the notification was filed under its first sender only.)"""

    def text(wa_id: str, wamid: str, body: str) -> dict[str, Any]:
        return {
            "from": wa_id,
            "id": wamid,
            "timestamp": "1",
            "type": "text",
            "text": {"body": body},
        }

    ani, budi = "6281311110001", "6281311110002"
    batched = webhook({"messages": [text(ani, "a1", "halo"), text(budi, "b1", nik(1))]})
    alone = webhook({"messages": [text(budi, "b2", "Budi Santoso")]})
    for notification in (batched, alone):
        for who, part in by_message(notification):
            await db.run(
                lambda c, w=who, p=part: webhook_inbox.keep(c, "whatsapp", json.dumps(p), NOW, w)
            )
    claimed = []
    while item := await db.run(lambda c: webhook_inbox.claim(c, "whatsapp", NOW)):
        claimed.append(json.loads(item.body)["entry"][0]["changes"][0]["value"]["messages"][0])
    # Ani's and Budi's first are claimed; Budi's second waits for his first to be done
    assert sorted(m["id"] for m in claimed) == ["a1", "b1"]


async def test_a_body_still_being_worked_on_is_not_taken_over(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However long its sends take, a body an instance is working on stays its own: the claim
    is renewed while it works, so another instance does not answer it a second time."""

    await db.run(lambda c: webhook_inbox.keep(c, "telegram", "{}", NOW, "7"))
    mine = await db.run(lambda c: webhook_inbox.claim(c, "telegram", NOW))
    assert mine is not None
    later = NOW + webhook_inbox.CLAIM * 0.9
    await db.run(lambda c: webhook_inbox.renew(c, [mine.id], later))  # what InboxTasks does
    monkeypatch.setattr(webhook_inbox, "me", lambda: "other-host:1")  # another instance
    taken = await db.run(
        lambda c: webhook_inbox.claim(c, "telegram", NOW + webhook_inbox.CLAIM * 1.5)
    )
    assert taken is None
    taken = await db.run(
        lambda c: webhook_inbox.claim(c, "telegram", later + webhook_inbox.CLAIM * 1.1)
    )
    assert taken is not None and taken.retried  # once it stops being renewed: taken over
