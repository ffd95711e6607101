"""The Telegram channel: the real python-telegram-bot Application against a fake Bot API."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from telegram import Update

import bot.service as bot_service
from bot.channels.telegram import TEXT_LIMIT, keyboard, to_incoming
from conversations import Kind, Option, Reply
from conversations.turn import split_message
from tests.fake_telegram import ApiError, FakeTelegram, text_body
from tests.flowchat import NIK_SITI
from tests.telegram_users import (
    TelegramUser,
    Watched,
    polling_bot,
    register_with_buttons,
    texts,
)


@pytest.fixture
async def bot(fake: FakeTelegram, db_path: Path) -> Watched:
    async with polling_bot(fake, db_path) as watched:
        yield watched


def registrations(db_path: Path) -> list[dict]:
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM registrations")]


OCCUPATION_LABELS = {
    "pedagang": "Pedagang",
    "ojek_pangkalan": "Ojek pangkalan",
    "ojek_online": "Ojek online",
    "petani": "Petani",
    "nelayan": "Nelayan",
}


@pytest.mark.parametrize("occupation", list(OCCUPATION_LABELS))
async def test_full_registration_with_buttons(
    fake: FakeTelegram, bot: Watched, db_path: Path, occupation: str
) -> None:
    user = TelegramUser(fake, bot, 501)
    done = await register_with_buttons(user, OCCUPATION_LABELS[occupation])
    assert "Data Anda diterima. Referensi: BPU-" in done
    [reg] = registrations(db_path)
    assert (reg["channel"], reg["user_key"], reg["occupation"]) == ("telegram", "501", occupation)
    assert (reg["nik"], reg["phone"], reg["monthly_premium"]) == (
        NIK_SITI,
        "+6281234567890",
        13_400,
    )
    # Every pressed keyboard is gone, the choice shown under its question; every press answered.
    pressed = [s for s in fake.to(501) if s.history]
    assert len(pressed) == 6 and all(not s.buttons and "\n\n» " in s.text for s in pressed)
    assert len(fake.answered_callbacks) == 6
    # The share-number keyboard is taken away with the next question.
    address_question = next(s for s in fake.to(501) if s.text.startswith("Alamat sesuai KTP"))
    assert address_question.reply_markup == {"remove_keyboard": True}


async def test_typed_answers_work_too(fake: FakeTelegram, bot: Watched, db_path: Path) -> None:
    user = TelegramUser(fake, bot, 502)
    await user.send("/start")
    for answer in [
        "nelayan",
        "lanjut",
        "1,5 jt",
        "daftar",
        NIK_SITI,
        "ya",
        "Siti Aminah",
        "0812 3456 7890",
        "Jl. Mawar 5, Kota Surakarta",
        "tidak punya",
        "ya",
    ]:
        replies = await user.send(answer)
    assert "Data Anda diterima" in texts(replies)
    assert registrations(db_path)[0]["income_stated"] == 1_500_000


async def test_start_payload_becomes_the_campaign(
    fake: FakeTelegram, bot: Watched, db_path: Path
) -> None:
    user = TelegramUser(fake, bot, 503)
    await register_with_buttons(user, start="/start klewer-01")
    assert registrations(db_path)[0]["campaign"] == "klewer-01"


async def test_someone_elses_contact_is_refused(fake: FakeTelegram, bot: Watched) -> None:
    user = TelegramUser(fake, bot, 504)
    for step in [
        ("send", "/start"),
        ("press", "Petani"),
        ("press", "Lihat iuran saya"),
        ("send", "2 juta"),
        ("press", "Daftar"),
        ("send", NIK_SITI),
        ("press", "Ya, benar"),
        ("send", "Siti Aminah"),
    ]:
        await getattr(user, step[0])(step[1])
    refused = texts(await user.share_contact("+6281299998888", owner=999))
    assert "Kontak itu milik orang lain" in refused and "Nomor HP Anda?" in refused
    assert "Alamat sesuai KTP" in texts(await user.send("0812 3456 7890"))


async def test_stickers_photos_and_edits_get_the_question_again(
    fake: FakeTelegram, bot: Watched
) -> None:
    user = TelegramUser(fake, bot, 505)
    await user.send("/start")
    await user.press("Pedagang")
    await user.press("Lihat iuran saya")
    sticker = texts(
        await user.send_media(
            sticker={
                "file_id": "s1",
                "file_unique_id": "u1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        )
    )
    assert "hanya bisa membaca teks dan tombol" in sticker
    assert "Penghasilan sebulan kira-kira berapa?" in sticker
    photo = texts(
        await user.send_media(
            photo=[{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}]
        )
    )
    assert "hanya bisa membaca teks dan tombol" in photo
    voice = texts(
        await user.send_media(voice={"file_id": "v1", "file_unique_id": "v1", "duration": 3})
    )
    assert "hanya bisa membaca teks dan tombol" in voice
    location = texts(await user.send_media(location={"latitude": -7.57, "longitude": 110.82}))
    assert "Penghasilan sebulan kira-kira" in location
    edited = texts(await user.edit("3 juta"))
    assert "Pesan yang diubah tidak saya baca" in edited


async def test_group_chats_collect_nothing(fake: FakeTelegram, bot: Watched, db_path: Path) -> None:
    group = {"id": -100123, "type": "supergroup", "title": "Pedagang Klewer"}
    fake.push(text_body(506, "harga cabai naik lagi", chat=group))  # not for the bot
    fake.push(text_body(506, "/start@bpu_test_bot", chat=group))
    for _ in range(500):
        if fake.to(-100123):
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # time for a wrong second reply to show up
    [reply] = fake.to(-100123)
    assert "chat dengan saya secara pribadi: t.me/bpu_test_bot" in reply.text
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone() == (0,)


async def test_a_duplicate_update_changes_nothing(
    fake: FakeTelegram, bot: Watched, db_path: Path
) -> None:
    user = TelegramUser(fake, bot, 507)
    await user.send("/start")
    update = fake.push(text_body(507, "pedagang"))
    user.expected += 1
    await bot.wait("507", user.expected)
    count = len(fake.to(507))
    fake._updates.append(update)  # Telegram delivers the same update again
    fake._new_update.set()
    user.expected += 1
    await bot.wait("507", user.expected)
    assert len(fake.to(507)) == count
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT step FROM sessions").fetchone() == ("benefits",)


async def test_an_old_button_is_handled_gracefully(fake: FakeTelegram, bot: Watched) -> None:
    user = TelegramUser(fake, bot, 508)
    await user.send("/start")
    question = user.on_screen()
    await user.press("Pedagang")
    stale = texts(await user.press_on(question, "petani"))
    assert "Tombol itu untuk pertanyaan sebelumnya" in stale
    assert "Perlindungan ini mulai" in stale


async def test_restart_in_the_middle_resumes(fake: FakeTelegram, db_path: Path) -> None:
    async with polling_bot(fake, db_path) as first:
        user = TelegramUser(fake, first, 509)
        await user.send("/start")
        await user.press("Nelayan")
        await user.press("Lihat iuran saya")
        await user.send("2 juta")
    async with polling_bot(fake, db_path) as second:
        user.watched, user.expected = second, 0
        resumed = texts(await user.send("/start"))
        assert "Selamat datang kembali" in resumed and "Daftar sekarang?" in resumed
        assert "NIK Anda (16 angka" in texts(await user.press("Daftar"))


async def test_flood_limits_and_network_errors_are_retried(
    fake: FakeTelegram, bot: Watched, db_path: Path
) -> None:
    user = TelegramUser(fake, bot, 510)
    fake.failures["sendMessage"] = [
        ApiError(429, "Too Many Requests: retry after 1", 1),
        ApiError(502, "Bad Gateway"),
    ]
    replies = await user.send("/start")
    assert "Apa pekerjaan Anda sehari-hari?" in texts(replies)
    assert [m for m, _ in fake.calls].count("sendMessage") >= 4  # two failed, two delivered


async def test_a_user_who_blocked_the_bot_loses_no_answers(
    fake: FakeTelegram, bot: Watched, db_path: Path
) -> None:
    user = TelegramUser(fake, bot, 511)
    await user.send("/start")
    fake.failures["sendMessage"] = [ApiError(403, "Forbidden: bot was blocked by the user")]
    await user.send("pedagang")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT step FROM sessions").fetchone() == ("benefits",)
    other = TelegramUser(fake, bot, 512)
    assert "Apa pekerjaan Anda" in texts(await other.send("/start"))  # the bot carries on


async def test_command_menu_in_indonesian_and_english(fake: FakeTelegram, bot: Watched) -> None:
    indonesian = {c["command"]: c["description"] for c in fake.commands[None]}
    english = {c["command"]: c["description"] for c in fake.commands["en"]}
    assert indonesian == {
        "start": "Mulai atau lanjutkan",
        "bantuan": "Bantuan",
        "status": "Status pendaftaran",
        "batal": "Berhenti",
        "bahasa": "Ganti bahasa",
    }
    assert set(english) == {"start", "help", "status", "cancel", "language"}


async def test_commands_work_in_the_chat(fake: FakeTelegram, bot: Watched) -> None:
    user = TelegramUser(fake, bot, 513)
    await user.send("/start")
    assert "kembali: ke pertanyaan sebelumnya" in texts(await user.send("/bantuan"))
    assert "Pilih bahasa." in texts(await user.send("/bahasa"))
    assert "What work do you do every day?" in texts(await user.press("English"))
    assert "Pendaftaran" not in texts(await user.send("/status@bpu_test_bot"))


def test_option_keys_must_fit_callback_data() -> None:
    assert keyboard(Reply("?", (Option("k" * 64, "OK"),))).inline_keyboard[0][0].callback_data
    with pytest.raises(ValueError):
        keyboard(Reply("?", (Option("k" * 65, "OK"),)))


def test_updates_become_incoming_messages() -> None:
    def incoming(body: dict):
        return to_incoming(Update.de_json({"update_id": 42, **body}, None))

    start = incoming(text_body(1, "/start@bpu_test_bot  pasar-01"))
    assert (start.kind, start.payload, start.message_id, start.user_key) == (
        Kind.OPEN,
        "pasar-01",
        "42",
        "1",
    )
    assert incoming(text_body(1, "/start")).payload is None
    assert incoming(text_body(1, "/batal@bpu_test_bot")).text == "/batal@bpu_test_bot"


async def test_many_users_at_once(fake: FakeTelegram, bot: Watched) -> None:
    users = [TelegramUser(fake, bot, 900 + i) for i in range(20)]
    await asyncio.gather(*(u.send("/start") for u in users))
    replies = await asyncio.gather(*(u.press("Petani") for u in users))
    assert all("ular" in texts(r) for r in replies)


async def test_plain_text_only_so_user_input_cannot_break_formatting(
    fake: FakeTelegram, bot: Watched
) -> None:
    user = TelegramUser(fake, bot, 514)
    await user.send("/start")
    await user.send("<b>*_[x](y)`")
    assert all(
        "parse_mode" not in params
        for method, params in fake.calls
        if method in ("sendMessage", "editMessageText")
    )


def test_long_text_is_split_within_telegrams_limit() -> None:
    parts = split_message("x" * 9000, TEXT_LIMIT)
    assert [len(p) for p in parts] == [4096, 4096, 808]


async def test_a_refused_press_is_not_shown_as_chosen(fake: FakeTelegram, bot: Watched) -> None:
    user = TelegramUser(fake, bot, 509)
    await user.send("/start")
    question = user.on_screen()
    await user.send("pedagang")  # typed: the buttons stay on the first question
    await user.press("Lihat iuran saya")
    petani = next(b["callback_data"] for b in question.buttons if b["text"] == "Petani")
    stale = texts(await user.press_on(question, petani))
    assert "Tombol itu untuk pertanyaan sebelumnya" in stale
    assert "Petani" not in question.text  # the chat history does not say it was chosen
    assert question.reply_markup is None  # and its buttons are gone


async def test_a_press_that_could_not_be_saved_is_not_shown_as_chosen(
    fake: FakeTelegram, bot: Watched, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = TelegramUser(fake, bot, 510)
    await user.send("/start")
    question = user.on_screen()

    def full_disk(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(bot_service.sessions, "save_over", full_disk)
    assert "belum tersimpan" in texts(await user.press("Pedagang"))
    assert "Pedagang" not in question.text  # not shown as the answer: it was not taken
    monkeypatch.undo()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT step FROM sessions").fetchone() == ("occupation",)


async def test_a_reply_that_cannot_be_sent_now_is_sent_after_a_restart(
    fake: FakeTelegram, db_path: Path
) -> None:
    async with polling_bot(fake, db_path) as bot:
        user = TelegramUser(fake, bot, 511)
        fake.failures["sendMessage"] = [ApiError(502, "Bad Gateway")] * 4  # every retry fails
        await user.send("/start")
    assert fake.to(511) == []
    async with polling_bot(fake, db_path):  # the kept update is taken up again at the start
        for _ in range(500):  # the welcome is two messages: until its question arrives
            if "Apa pekerjaan Anda sehari-hari?" in texts(fake.to(511)):
                break
            await asyncio.sleep(0.02)
    assert "Apa pekerjaan Anda sehari-hari?" in texts(fake.to(511))
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM webhook_inbox").fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM inbound_messages WHERE pending_replies NOTNULL"
        ).fetchone() == (0,)
