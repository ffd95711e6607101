"""No personal data and no secret in the log of the real `bpu-bot serve`, at any log level: a
whole registration on Telegram (webhook) and on WhatsApp, and Meta's verification request."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.whatsapp import WEBHOOK_PATH
from tests.fake_graph import TOKEN
from tests.fake_telegram import Sent, text_body
from tests.flowchat import NIK_BUDI, NIK_SITI
from tests.serve_process import (
    APP_SECRET,
    VERIFY_TOKEN,
    WEBHOOK_SECRET,
    ServeProcess,
    serve_process,
)
from tests.whatsapp_users import WhatsAppUser, texts

TG_USER = 804
TG_PROFILE = "Bagaskara"
TG_ANSWERS = {
    "name": "Bagaskara Wiryawan Tanuwijaya",
    "phone": "0813 9876 5432",
    "address": "Jl. Cempaka Sarirasa 41, Kota Surakarta",
    "email": "bagaskara.tanu@contoh.id",
}
WA_ID = "6285711223344"
WA_PROFILE = "Kartikasari"
WA_ANSWERS = {
    "name": "Kartikasari Wulandari Prasetyo",
    "address": "Jl. Cendrawasih Kencana 77, Kota Surakarta",
    "email": "kartika.prasetyo@contoh.id",
}
PRIVATE = [
    NIK_BUDI,
    NIK_SITI,
    "3372 0517",
    "3372 0557",
    TG_PROFILE,
    "Wiryawan",
    "Tanuwijaya",
    "Cempaka Sarirasa",
    "bagaskara.tanu",
    "9876 5432",
    "98765432",
    WA_PROFILE,
    "Wulandari",
    "Cendrawasih",
    "kartika.prasetyo",
    "contoh.id",
    "85711223344",
]
SECRETS = [WEBHOOK_SECRET, APP_SECRET, VERIFY_TOKEN, TOKEN, "TEST-TOKEN"]


async def eventually(found: Any, what: str) -> Any:
    for _ in range(1500):
        if result := found():
            return result
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {what}")


# --- Telegram, through the webhook --------------------------------------------------------------


def with_profile(update: dict) -> dict:
    message = update.get("message") or update["callback_query"]
    message["from"]["first_name"] = TG_PROFILE
    if "chat" in message:
        message["chat"]["first_name"] = TG_PROFILE
    return update


async def tg_turn(server: ServeProcess, body: dict, expect: str) -> list[Sent]:
    before = len(server.fake.to(TG_USER))
    assert await server.telegram(server.fake.make_update(**with_profile(body))) == 200

    def replied() -> list[Sent] | None:
        new = server.fake.to(TG_USER)[before:]
        return new if any(expect in s.text for s in new) else None

    return await eventually(replied, f"Telegram reply with {expect!r}")


async def tg_press(server: ServeProcess, label: str) -> dict:
    def shown() -> tuple[Sent, str] | None:
        sent = [s for s in server.fake.to(TG_USER) if s.buttons][-1:]
        data = [b["callback_data"] for s in sent for b in s.buttons if b["text"].startswith(label)]
        return (sent[0], data[0]) if data else None

    sent, data = await eventually(shown, f"Telegram button {label!r}")
    query = {"id": f"q{time.monotonic_ns()}", "chat_instance": "c", "data": data}
    query |= {"from": {"id": TG_USER, "is_bot": False, "first_name": TG_PROFILE}}
    return {"callback_query": query | {"message": sent.as_message()}}


async def register_on_telegram(server: ServeProcess) -> None:
    steps = [
        (text_body(TG_USER, "/start"), "Apa pekerjaan Anda"),
        ("Pedagang", "Perlindungan ini mulai"),
        ("Lihat iuran saya", "Penghasilan sebulan kira-kira"),
        (text_body(TG_USER, "2 juta"), "Daftar sekarang?"),
        ("Daftar", "NIK Anda (16 angka"),
        (text_body(TG_USER, NIK_BUDI), "Benar?"),
        ("Ya, benar", "Nama lengkap"),
        (text_body(TG_USER, TG_ANSWERS["name"]), "Nomor HP"),
        (text_body(TG_USER, TG_ANSWERS["phone"]), "Alamat"),
        (text_body(TG_USER, TG_ANSWERS["address"]), "email"),
        (text_body(TG_USER, TG_ANSWERS["email"]), "Benar semua?"),
        ("Ya, daftarkan", "Data Anda diterima"),
    ]
    for answer, expect in steps:
        body = await tg_press(server, answer) if isinstance(answer, str) else answer
        await tg_turn(server, body, expect)


# --- WhatsApp, through signed webhooks ----------------------------------------------------------


class Graph:
    def __init__(self, server: ServeProcess) -> None:
        self.graph = server.graph


async def wa_turn(
    server: ServeProcess, user: WhatsAppUser, message: dict[str, Any], expect: str
) -> None:
    before = len(server.graph.to(WA_ID))
    payload = user.payload(message, timestamp=int(time.time()))
    assert await server.whatsapp(payload) == 200

    def replied() -> bool:
        new = server.graph.to(WA_ID)[before:]
        return expect.lower() in texts(new).lower()

    await eventually(replied, f"WhatsApp reply with {expect!r}")


def wa_choices(user: WhatsAppUser) -> tuple[str, list[dict[str, str]]]:
    shown = user.on_screen()
    if shown["type"] == "button":
        return "button_reply", [b["reply"] for b in shown["action"]["buttons"]]
    return "list_reply", [r for s in shown["action"]["sections"] for r in s["rows"]]


async def wa_press(user: WhatsAppUser, title: str) -> dict[str, Any]:
    def shown() -> tuple[str, dict[str, str]] | None:
        kind, choices = wa_choices(user)
        chosen = [c for c in choices if c["title"].startswith(title)]
        return (kind, chosen[0]) if chosen else None

    kind, chosen = await eventually(shown, f"WhatsApp button {title!r}")
    reply = {"id": chosen["id"], "title": chosen["title"]}
    return {"type": "interactive", "interactive": {"type": kind, kind: reply}}


def wa_text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": text}}


async def register_on_whatsapp(server: ServeProcess) -> None:
    user = WhatsAppUser(Graph(server), wa_id=WA_ID, name=WA_PROFILE)  # type: ignore[arg-type]
    steps = [
        (wa_text("Halo"), "Apa pekerjaan Anda"),
        ("Pedagang", "Perlindungan ini mulai"),
        ("Lihat iuran saya", "Penghasilan sebulan kira-kira"),
        (wa_text("2 juta"), "Daftar sekarang?"),
        ("Daftar", "NIK"),
        (wa_text(NIK_SITI), "Benar?"),
        ("Ya, benar", "Nama lengkap"),
        (wa_text(WA_ANSWERS["name"]), "Pakai nomor WhatsApp ini"),
        ("Pakai 0", "Alamat"),
        (wa_text(WA_ANSWERS["address"]), "email"),
        (wa_text(WA_ANSWERS["email"]), "Benar semua?"),
        ("Ya, daftarkan", "Data Anda diterima"),
    ]
    for answer, expect in steps:
        message = await wa_press(user, answer) if isinstance(answer, str) else answer
        await wa_turn(server, user, message, expect)


async def verify_whatsapp(server: ServeProcess) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "77123"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(server.url + WEBHOOK_PATH, params=query) as response,
    ):
        assert (response.status, await response.text()) == (200, "77123")


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
async def test_no_personal_data_or_secret_in_the_log(tmp_path: Path, level: str) -> None:
    async with serve_process(tmp_path, level) as server:
        await verify_whatsapp(server)
        await register_on_whatsapp(server)
        await register_on_telegram(server)
        server.process.terminate()
        assert await asyncio.wait_for(server.process.wait(), 15) == 0
        log = server.log_text()
    assert log.count("registration BPU-") == 2, log[-3000:]  # the log is on, and our lines in it
    assert "/whatsapp/webhook" in log and "/telegram/webhook" in log  # so is the access log
    leaked = [value for value in PRIVATE + SECRETS if value.lower() in log.lower()]
    assert leaked == [], [line for line in log.splitlines() if any(v in line for v in leaked)][:5]
