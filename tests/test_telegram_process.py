"""The real `bpu-bot telegram` process against the fake Bot API: killed mid-registration, it
comes back where the worker was, and a redelivered update changes nothing."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

from tests.bot_process import start_bot
from tests.fake_telegram import FakeTelegram, Sent, text_body, user_dict
from tests.flowchat import NIK_SITI
from tests.today import premium_today

USER = 701


async def say(fake: FakeTelegram, body: dict, expect: str) -> list[Sent]:
    before = len(fake.to(USER))
    fake.push(body)
    for _ in range(1500):
        new = fake.to(USER)[before:]
        if any(expect in s.text for s in new):
            return new
        await asyncio.sleep(0.01)
    raise AssertionError(f"no reply with {expect!r}; got {[s.text for s in fake.to(USER)]}")


def press(fake: FakeTelegram, label: str) -> dict:
    sent = [s for s in fake.to(USER) if s.buttons][-1]
    data = next(b["callback_data"] for b in sent.buttons if b["text"] == label)
    return {
        "callback_query": {
            "id": f"q{len(fake.calls)}",
            "from": user_dict(USER),
            "chat_instance": "c",
            "data": data,
            "message": sent.as_message(),
        }
    }


async def test_killed_and_restarted_mid_registration(tmp_path: Path) -> None:
    fake, db = FakeTelegram(), tmp_path / "bot.sqlite3"
    await fake.start()
    bot = await start_bot(fake, db)
    try:
        await say(fake, text_body(USER, "/start"), "Apa pekerjaan Anda")
        await say(fake, press(fake, "Ojek online"), "Perlindungan ini mulai")
        await say(fake, press(fake, "Lihat iuran saya"), "Penghasilan sebulan kira-kira")
        await say(fake, text_body(USER, "2 juta"), "Daftar sekarang?")
        await say(fake, press(fake, "Daftar"), "NIK Anda (16 angka")
        await say(fake, text_body(USER, NIK_SITI), "Benar?")
        bot.send_signal(signal.SIGKILL)  # no goodbye, no offset acknowledged
        await bot.wait()

        bot = await start_bot(fake, db)
        sent = await say(fake, text_body(USER, "/start"), "Selamat datang kembali")
        assert "lahir 17 Agustus 1980, perempuan. Benar?" in sent[-1].text
        await say(fake, press(fake, "Ya, benar"), "Nama lengkap Anda")
        await say(fake, text_body(USER, "Siti Aminah"), "Nomor HP")
        await say(fake, text_body(USER, "0812 3456 7890"), "Alamat sesuai KTP")
        await say(fake, text_body(USER, "Jl. Mawar 5, Kota Surakarta"), "email")
        await say(fake, press(fake, "Tidak punya"), "Benar semua?")
        await say(fake, press(fake, "Ya, daftarkan"), "Data Anda diterima")

        bot.send_signal(signal.SIGTERM)  # a clean stop
        assert await asyncio.wait_for(bot.wait(), 15) == 0
        stderr = (await bot.stderr.read()).decode() if bot.stderr else ""
        assert "polling as @bpu_test_bot" in stderr and "registration BPU-" in stderr
        for secret in (NIK_SITI, "3456 7890", "81234567890", "Siti Aminah", fake.token):
            assert secret not in stderr
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        await fake.stop()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT nik, occupation, monthly_premium FROM registrations").fetchall()
    assert rows == [(NIK_SITI, "ojek_online", premium_today("ojek_online"))]
    # Each question was asked once: nothing was processed twice after the kill.
    nik_questions = [s for s in fake.to(USER) if s.text.startswith("NIK Anda (16 angka")]
    assert len(nik_questions) == 1
