"""The WhatsApp channel: signed webhooks shaped like Meta's, a fake Graph API, real SQLite."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.channels.whatsapp import WEBHOOK_PATH, fit, render
from conversations import Option, Reply
from storage import Database, people, webhook_inbox
from tests.fake_graph import FakeGraph, GraphFailure
from tests.flowchat import NIK_SITI, FlowChat, golden
from tests.seed import NOW, add, campaigner_with_campaign, registration
from tests.whatsapp_users import (
    VERIFY_TOKEN,
    Server,
    WhatsAppUser,
    texts,
    webhook,
    whatsapp_server,
)


@pytest.fixture
async def server(db_path: Path) -> Server:
    async with whatsapp_server(db_path) as running:
        yield running
    await running.graph.stop()


def rows(db_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


OCCUPATIONS = {
    "pedagang": "Pedagang",
    "ojek_pangkalan": "Ojek pangkalan",
    "ojek_online": "Ojek online",
    "petani": "Petani",
    "nelayan": "Nelayan",
}


async def register(user: WhatsAppUser, occupation: str = "Pedagang", first: str = "Halo") -> str:
    opened = await user.send(first)
    assert "Apa pekerjaan Anda sehari-hari?" in texts(opened)
    assert opened[-1]["interactive"]["type"] == "list"  # six choices: a list
    assert "Perlindungan ini mulai" in texts(await user.press(occupation))
    assert user.on_screen()["type"] == "button"  # two choices: buttons
    await user.press("Lihat iuran saya")
    assert "Rp13.400 sebulan, sekitar Rp450 sehari" in texts(await user.send("2 juta"))
    await user.press("Daftar")
    await user.send(NIK_SITI)
    await user.press("Ya, benar")
    phone = await user.send("Siti Aminah")
    assert "Pakai nomor WhatsApp ini" in texts(phone)
    await user.press("Pakai 0812-3456-7890")
    await user.send("Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta")
    assert "Benar semua?" in texts(await user.press("Tidak punya"))
    return texts(await user.press("Ya, daftarkan"))


@pytest.mark.parametrize("occupation", list(OCCUPATIONS))
async def test_full_registration(server: Server, db_path: Path, occupation: str) -> None:
    user = WhatsAppUser(server)
    done = await register(user, OCCUPATIONS[occupation])
    assert "Data Anda diterima. Referensi: BPU-" in done
    assert rows(db_path, "SELECT channel, user_key, occupation, phone FROM registrations") == [
        ("whatsapp", "6281234567890", occupation, "+6281234567890")
    ]
    sent = server.graph.to("6281234567890")
    assert all(m["to"] == "6281234567890" for m in sent)


async def test_campaign_code_from_a_click_to_chat_link(server: Server, db_path: Path) -> None:
    user = WhatsAppUser(server)
    await user.send("Halo, saya mau ikut BPJS Ketenagakerjaan. Kode: pasar-gede-abc234")
    assert rows(db_path, "SELECT campaign FROM sessions") == [("pasar-gede-abc234",)]
    edited = WhatsAppUser(server, wa_id="6281299990001")
    assert "Apa pekerjaan Anda" in texts(await edited.send("halo saya mau daftar"))
    assert rows(db_path, "SELECT campaign FROM sessions WHERE user_key = '6281299990001'") == [
        (None,)
    ]


async def test_a_redelivered_message_changes_nothing(server: Server, db_path: Path) -> None:
    user = WhatsAppUser(server)
    await user.send("Halo")
    payload = user.payload({"type": "text", "text": {"body": "pedagang"}}, wamid="wamid.DUP1")
    assert await server.post(payload) == 200
    first = user.new()
    assert await server.post(payload) == 200  # Meta delivers at least once
    assert first and user.new() == []
    assert rows(db_path, "SELECT step FROM sessions") == [("benefits",)]


async def test_bad_or_missing_signature_is_refused(server: Server, db_path: Path) -> None:
    user = WhatsAppUser(server)
    payload = user.payload({"type": "text", "text": {"body": "Halo"}})
    assert await server.post(payload, signature="sha256=" + "0" * 64) == 403
    assert await server.post(payload, signature=None) == 403
    assert rows(db_path, "SELECT count(*) FROM webhook_inbox") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM sessions") == [(0,)]
    assert server.graph.sent == []


async def test_meta_verification(server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        query = {
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        }
        async with http.get(server.url + WEBHOOK_PATH, params=query) as response:
            assert (response.status, await response.text()) == (200, "1158201444")
        query["hub.verify_token"] = "wrong"
        async with http.get(server.url + WEBHOOK_PATH, params=query) as response:
            assert response.status == 403


async def test_media_and_reactions_get_the_question_again(server: Server) -> None:
    user = WhatsAppUser(server)
    await user.send("Halo")
    image = texts(
        await user.media(
            "image", {"id": "1479537139650973", "mime_type": "image/jpeg", "sha256": "x"}
        )
    )
    assert "hanya bisa membaca teks dan tombol" in image and "Apa pekerjaan Anda" in image
    for kind, body in [
        ("audio", {"id": "1", "mime_type": "audio/ogg", "voice": True}),
        ("sticker", {"id": "2", "mime_type": "image/webp", "animated": False}),
        ("location", {"latitude": -7.57, "longitude": 110.82}),
        ("reaction", {"message_id": "wamid.OUT1", "emoji": "👍"}),
    ]:
        assert "hanya bisa membaca teks dan tombol" in texts(await user.media(kind, body)), kind


async def test_no_free_form_message_outside_24_hours(
    server: Server, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    user = WhatsAppUser(server)
    with caplog.at_level(logging.WARNING):
        stale = await user.send("Halo", timestamp=int(NOW.timestamp()) - 25 * 3600)
    assert stale == []  # the answer was not sent
    assert rows(db_path, "SELECT step FROM sessions") == [("occupation",)]  # but it is saved
    assert any("outside the 24-hour window" in r.getMessage() for r in caplog.records)
    again = texts(await user.send("halo"))  # a new message opens the window again
    assert "Apa pekerjaan Anda" in again


async def test_status_callbacks_are_accepted(
    server: Server, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    user = WhatsAppUser(server)
    await user.send("Halo")
    statuses = [
        {
            "id": "wamid.OUT1",
            "status": s,
            "timestamp": str(int(NOW.timestamp())),
            "recipient_id": "6281234567890",
        }
        for s in ("sent", "delivered", "read")
    ]
    statuses.append(
        {
            "id": "wamid.OUT2",
            "status": "failed",
            "timestamp": "1",
            "recipient_id": "6281234567890",
            "errors": [{"code": 131047, "title": "Re-engagement message"}],
        }
    )
    with caplog.at_level(logging.WARNING):
        assert await server.post(webhook({"statuses": statuses})) == 200
    assert any("131047 Re-engagement message" in r.getMessage() for r in caplog.records)
    assert all("6281234567890" not in r.getMessage() for r in caplog.records)
    assert rows(db_path, "SELECT step FROM sessions") == [("occupation",)]
    assert "Perlindungan ini mulai" in texts(await user.press("Pedagang"))


async def test_the_key_stays_when_meta_adds_or_hides_ids(server: Server, db_path: Path) -> None:
    before = WhatsAppUser(server)  # phone only, as before business-scoped ids
    await before.send("Halo")
    await before.press("Petani")
    both = WhatsAppUser(server, user_id="ID.1502576394655843")  # now both
    await both.press("Lihat iuran saya")
    hidden = WhatsAppUser(server, wa_id=None, user_id="ID.1502576394655843")  # username, no phone
    await hidden.send("2 juta")
    reply = before.new()  # the phone number is still known: replies go to it
    assert "Rp13.400 sebulan" in texts(reply) and reply[-1]["to"] == "6281234567890"
    assert rows(db_path, "SELECT user_key, step FROM sessions") == [("6281234567890", "quote")]
    newcomer = WhatsAppUser(server, wa_id=None, user_id="ID.999")
    assert newcomer.address == "ID.999"
    first = await newcomer.send("Halo")
    assert first and all(m["recipient"] == "ID.999" and "to" not in m for m in first)
    assert "nomor WhatsApp ini" not in texts(first)


async def test_rate_limits_and_errors_from_graph(server: Server, db_path: Path) -> None:
    user = WhatsAppUser(server)
    server.graph.failures = [
        GraphFailure(400, 130429, "Rate limit hit"),
        GraphFailure(500, 1, "Unknown error"),
    ]
    assert "Apa pekerjaan Anda" in texts(await user.send("Halo"))  # retried
    server.graph.failures = [GraphFailure(400, 131026, "Message undeliverable")]
    await user.send("pedagang")
    assert rows(db_path, "SELECT step FROM sessions") == [("benefits",)]  # the answer is kept


async def test_acknowledged_but_unprocessed_webhooks_survive_a_restart(db_path: Path) -> None:
    graph = FakeGraph()
    await graph.start()
    payload = _user().payload({"type": "text", "text": {"body": "Halo"}})
    async with await Database.open(db_path) as db:  # acknowledged, then a crash
        await db.run(lambda conn: webhook_inbox.keep(conn, "whatsapp", json.dumps(payload), NOW))
    async with whatsapp_server(db_path, graph):
        pass  # starting up processes what was left
    assert "Apa pekerjaan Anda" in texts(graph.to("6281234567890"))
    assert rows(db_path, "SELECT count(*) FROM webhook_inbox") == [(0,)]
    await graph.stop()


def _user() -> WhatsAppUser:
    """A worker used only to build webhook payloads (no server)."""
    return WhatsAppUser(None)  # type: ignore[arg-type]


def test_labels_fit_and_are_never_cut_mid_word() -> None:
    assert fit("Kembali ke pertanyaan sebelumnya", 24) == "Kembali ke pertanyaan…"
    assert fit("Pendek", 24) == "Pendek"
    assert fit("Supercalifragilisticexpialidocious", 10) == "Supercali…"
    long_options = tuple(
        Option(f"k{i}", f"Pilihan nomor {i} yang panjang sekali ya") for i in range(4)
    )
    [message] = render(Reply("Pilih:", long_options))
    assert message.kind == "list"
    assert all(len(r.title) <= 24 and r.description for r in message.rows)
    [buttons] = render(Reply("Ya?", (Option("yes", "Ya"), Option("no", "Tidak"))))
    assert buttons.kind == "buttons"
    wide = render(Reply("?", (Option("a", "Daftarkan orang lain ya"), Option("b", "Tidak"))))
    assert wide[0].kind == "list"  # a title over 20 makes a list, not a cut button
    with pytest.raises(ValueError):
        render(Reply("?", tuple(Option(f"k{i}", str(i)) for i in range(11))))
    long_text = render(Reply("x " * 800, (Option("ok", "OK"),)))
    assert [m.kind for m in long_text] == ["text", "buttons"]
    assert all(len(m.body) <= 1024 for m in long_text if m.kind == "buttons")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_option_the_flow_shows_fits_whatsapp_unshortened(lang: str) -> None:
    """Walk many paths (all menus, both languages) and render every reply for WhatsApp."""
    seen: list[Reply] = []

    def walk(chat: FlowChat, script: list[tuple[str, str]]) -> None:
        chat.open(lang=lang)
        seen.extend(chat.replies)
        for action, value in script:
            getattr(chat, action)(value)
            seen.extend(chat.replies)

    for occupation in ("pedagang", "ojek_online", "petani", "nelayan", "ojek_pangkalan"):
        walk(FlowChat(), golden(pedagang=occupation))
    walk(
        FlowChat(),
        [
            ("tap", "lainnya"),
            ("send", "penjahit"),
            ("tap", "next"),
            ("send", "tanya"),
            ("send", "bahasa"),
            ("send", "batal"),
        ],
    )
    walk(
        FlowChat(),
        [
            *golden()[:-1],
            ("tap", "edit"),
            ("tap", "programs"),
            ("tap", "jht"),
            ("tap", "edit"),
            ("tap", "period"),
            ("tap", "p12"),
            ("send", "ulang"),
        ],
    )
    registry: dict = {}
    walk(FlowChat(registry=registry), golden())
    walk(FlowChat(registry=registry, user="u2"), golden()[:5])  # someone else's NIK
    chat = FlowChat(sender="+6281234567890")
    walk(chat, golden()[:7])  # the phone question offers the WhatsApp number
    assert any(o.key.endswith("|sender") for r in seen for o in r.options)
    for reply in seen:
        for message in render(reply):
            titles = [b.title for b in message.buttons] + [r.title for r in message.rows]
            assert not any(title.endswith("…") for title in titles), titles


async def test_a_campaigner_on_whatsapp(db_path: Path) -> None:
    await campaigner_with_campaign(db_path, phone="+6281234567890")
    async with whatsapp_server(db_path) as server:
        user = WhatsAppUser(server)
        assert "seluruhnya: 0" in texts(await user.send("/rekap"))
        sent = await user.send("/kampanye")
        assert "Kampanye: Pasar Gede" in texts(sent)
        kinds = [m["type"] for m in sent]
        assert kinds.count("image") == 1 and kinds.count("document") == 1
        uploads = sorted(media["filename"] for media in server.graph.media.values())
        assert uploads[0].endswith("-poster.pdf") and uploads[1].endswith("-qr.png")
        stranger = WhatsAppUser(server, wa_id="6281299990002")
        await stranger.send("Halo")
        assert "Silakan pilih salah satu pilihan." in texts(await stranger.send("/rekap"))
    await server.graph.stop()


async def test_a_recycled_number_is_a_new_person(server: Server, db_path: Path) -> None:
    owner = WhatsAppUser(server, user_id="ID.1110001")
    await owner.send("Halo")
    await owner.press("Petani")
    await owner.press("Lihat iuran saya")
    await owner.send("2 juta")
    await owner.press("Daftar")
    assert "Menurut NIK:" in texts(await owner.send(NIK_SITI))
    # The operator gives the number to someone else; Meta gives them a new user id.
    newcomer = WhatsAppUser(server, user_id="ID.2220002")
    newcomer.read = owner.read
    first = texts(await newcomer.send("Halo"))
    assert "Apa pekerjaan Anda" in first
    assert "Selamat datang kembali" not in first and "1980" not in first
    assert sorted(rows(db_path, "SELECT user_key, step FROM sessions")) == [
        ("ID.1110001", "birth_confirm"),
        ("ID.2220002", "occupation"),
    ]


async def test_one_notification_from_two_senders_without_numbers(server: Server) -> None:
    ana = WhatsAppUser(server, wa_id=None, user_id="ID.3330003")
    budi = WhatsAppUser(server, wa_id=None, user_id="ID.4440004")
    hello = {"type": "text", "text": {"body": "Halo"}}
    both = [ana.payload(hello), budi.payload(hello)]
    value = {
        "contacts": [p["entry"][0]["changes"][0]["value"]["contacts"][0] for p in both],
        "messages": [p["entry"][0]["changes"][0]["value"]["messages"][0] for p in both],
    }
    assert await server.post(webhook(value)) == 200
    assert "Apa pekerjaan Anda" in texts(ana.new()) and "Apa pekerjaan Anda" in texts(budi.new())
    for message in value["messages"]:  # the same without a sender on each message
        del message["from_user_id"]
        message["id"] += "-again"
    assert await server.post(webhook(value)) == 200
    assert ana.new() == [] and budi.new() == []  # not guessed: never to the wrong person


async def test_a_replay_older_than_the_dedupe_window_is_refused(
    server: Server, db_path: Path
) -> None:
    user = WhatsAppUser(server)
    old = int((NOW - timedelta(days=8)).timestamp())
    assert await user.send("Halo", timestamp=old) == []
    assert rows(db_path, "SELECT count(*) FROM sessions") == [(0,)]
    assert "Apa pekerjaan Anda" in texts(await user.send("Halo"))  # a fresh message is fine


async def test_a_staff_role_does_not_pass_with_a_recycled_number(
    server: Server, db_path: Path
) -> None:
    number = "6281200000031"
    async with await Database.open(db_path) as db:
        await add(db, registration(1))
        async with db.transaction() as conn:
            await people.add(conn, "staff", "Budi", None, f"+{number}", "t", NOW)
    budi = WhatsAppUser(server, wa_id=number, user_id="ID.BUDI")
    assert any(m["type"] == "image" for m in await budi.send("/statistik"))  # his role
    newcomer = WhatsAppUser(server, wa_id=number, user_id="ID.NEW")  # the number, recycled
    newcomer.read = budi.read
    sent = await newcomer.send("/ekspor")
    assert not [m for m in sent if m["type"] == "document"]  # no export for them
    assert "Apa pekerjaan Anda" in texts(sent)  # a newcomer, welcomed as any


async def test_a_number_back_with_a_phone_only_newcomer(server: Server) -> None:
    """A (phone, then with a BSUID) -> the number recycled to B -> B moves to another number
    -> the old number goes to C, whose messages carry no BSUID."""
    number = "6281200000001"
    await WhatsAppUser(server, wa_id=number).send("Halo")
    await WhatsAppUser(server, wa_id=number, user_id="ID.A").press("Petani")
    await WhatsAppUser(server, wa_id=number, user_id="ID.B").send("Halo")
    await WhatsAppUser(server, wa_id="6281200000002", user_id="ID.B").send("bantuan")
    c = WhatsAppUser(server, wa_id=number, name="Citra")
    c.read = len(server.graph.to(number))
    assert "Apa pekerjaan Anda" in texts(await c.send("Halo"))


@pytest.mark.parametrize("stamp", ["abc", "", "1.5", "1e9", "99999999999999999999", "-1"])
async def test_an_odd_timestamp_does_not_cost_the_next_message(server: Server, stamp: str) -> None:
    good = str(int(NOW.timestamp()))
    hello = {"type": "text", "text": {"body": "Halo"}}
    odd = {"from": "6281200000011", "id": "wamid.odd", "timestamp": stamp, **hello}
    fine = {"from": "6281200000012", "id": "wamid.ok", "timestamp": good, **hello}
    contacts = [{"wa_id": "6281200000011"}, {"wa_id": "6281200000012"}]
    assert await server.post(webhook({"contacts": contacts, "messages": [odd, fine]})) == 200
    assert server.graph.to("6281200000011") == []
    assert "Apa pekerjaan Anda" in texts(server.graph.to("6281200000012"))


async def test_a_timestamp_from_the_future_does_not_stretch_the_window(
    server: Server, db_path: Path
) -> None:
    user = WhatsAppUser(server, wa_id="6281200000021")
    await user.send("Halo", timestamp=int(NOW.timestamp()) + 10 * 365 * 86400)
    assert rows(db_path, "SELECT last_inbound_at FROM whatsapp_contacts") == [(NOW.isoformat(),)]
