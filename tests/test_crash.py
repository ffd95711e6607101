"""SIGKILL the real bot process at random moments while workers are mid-registration.

Workers act like people: they answer whatever question is on their screen, and when no answer
comes they send /start again. Whenever the process is dead, every answer a worker has seen
acknowledged must be in the database; at the end every worker is registered exactly once, with
exactly what they typed.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sqlite3
from pathlib import Path

from tests.bot_process import start_bot
from tests.fake_telegram import FakeTelegram, text_body, user_dict

WORKERS = 6
KILLS = 3

# The question on screen -> (how to answer, the stored answer it fills).
QUESTIONS = [
    ("Nomor referensi", None, None),
    ("Mau diingatkan tiap bulan?", None, None),
    ("Benar semua?", "Ya, daftarkan", None),
    ("Punya email?", "Tidak punya", "email_skipped"),
    ("Alamat sesuai KTP", "{address}", "address"),
    ("Nomor HP", "{phone}", "phone"),
    ("Nama lengkap Anda", "{name}", "full_name"),
    ("Menurut NIK:", "Ya, benar", None),
    ("NIK Anda (16 angka", "{nik}", "nik"),
    ("Daftar sekarang?", "Daftar", "with_jht"),
    ("Penghasilan sebulan kira-kira", "2 juta", "income_stated"),
    ("Perlindungan ini mulai", "Lihat iuran saya", None),
    ("Apa pekerjaan Anda", "Petani", "occupation"),
]


class Worker:
    def __init__(self, fake: FakeTelegram, i: int) -> None:
        self.fake, self.id = fake, 900 + i
        self.data = {
            "nik": f"3372051708800{i + 1:03d}",
            "name": f"Siti Pekerja {chr(65 + i)}",
            "phone": f"0812 3456 {7000 + i}",
            "address": f"Jl. Mawar {i + 1}, Kota Solo",
        }
        self.acknowledged: set[str] = set()  # stored answers the bot has moved past
        self.done = False
        self.rng = random.Random(i)

    def screen(self) -> str:
        sent = self.fake.to(self.id)
        return sent[-1].text if sent else ""

    def push(self, text: str) -> None:
        self.fake.push(text_body(self.id, text))

    def press_or_type(self, label: str) -> None:
        """Press the button if it is still on screen, else type its words (both work)."""
        with_buttons = [s for s in self.fake.to(self.id) if s.buttons]
        data = (
            next((b["callback_data"] for b in with_buttons[-1].buttons if b["text"] == label), None)
            if with_buttons
            else None
        )
        if data is None:
            self.push(label)
            return
        self.fake.push(
            {
                "callback_query": {
                    "id": f"q{len(self.fake.calls)}-{self.id}",
                    "from": user_dict(self.id),
                    "chat_instance": "c",
                    "data": data,
                    "message": with_buttons[-1].as_message(),
                }
            }
        )

    async def reply_arrives(self) -> bool:
        before = len(self.fake.to(self.id))
        for _ in range(300):  # up to 3 s
            await asyncio.sleep(0.01)
            if len(self.fake.to(self.id)) > before:
                await asyncio.sleep(0.05)  # the rest of the reply
                return True
        return False

    async def run(self) -> None:
        self.push("/start")
        last: tuple[str, str | None] | None = None  # (question, field) last answered
        while not self.done:
            if not await self.reply_arrives():
                self.push("/start")  # no answer: ask again where we are
                continue
            screen = self.screen()
            found = next(((m, a, f) for m, a, f in QUESTIONS if m in screen), None)
            if found is None:
                continue
            marker, answer, field = found
            if last and last[1] and marker != last[0]:
                self.acknowledged.add(last[1])  # the bot moved past that answer
            if answer is None:
                self.done = True
                continue
            await asyncio.sleep(self.rng.uniform(0.02, 0.15))  # a person reads and types
            self.press_or_type(answer.format(**self.data))
            last = (marker, field)


def filled(field: str, value: object) -> bool:
    """Whether a stored answer is there: False is a real answer for with_jht (no JHT)."""
    return value is not None if field == "with_jht" else bool(value)


def stored_answers(db: Path) -> dict[str, dict]:
    with sqlite3.connect(db) as conn:
        return {
            key: json.loads(data)["answers"]
            for key, data in conn.execute(
                "SELECT user_key, data FROM sessions WHERE step NOT IN ('done', 'remind')"
            )
        }


async def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    fake, db = FakeTelegram(), tmp_path / "crash.sqlite3"
    await fake.start()
    bot = await start_bot(fake, db)
    workers = [Worker(fake, i) for i in range(WORKERS)]
    running = [asyncio.create_task(w.run()) for w in workers]
    rng = random.Random(6)
    mid_form = 0  # kills that found workers mid-registration
    try:
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.4, 1.2))
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            answers = stored_answers(db)  # the process is dead: this is what survived
            mid_form += bool(answers)
            for worker in workers:
                stored = answers.get(str(worker.id))
                if stored is None:
                    continue  # registered: the answers live in the registration now
                for field in worker.acknowledged:
                    assert filled(field, stored.get(field)), (worker.id, field, stored)
            bot = await start_bot(fake, db)
        await asyncio.wait_for(asyncio.gather(*running), 60)
    finally:
        for task in running:
            task.cancel()
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        await fake.stop()
    with sqlite3.connect(db) as conn:
        registered = conn.execute(
            "SELECT user_key, nik, full_name, phone, address FROM registrations"
        ).fetchall()
        sessions = conn.execute(
            "SELECT count(*) FROM sessions WHERE step IN ('done', 'remind')"
        ).fetchone()
    assert sorted(registered) == sorted(
        (
            str(w.id),
            w.data["nik"],
            w.data["name"],
            "+62" + w.data["phone"].replace(" ", "")[1:],
            w.data["address"],
        )
        for w in workers
    )
    assert sessions == (WORKERS,)
    assert mid_form >= 1, "no kill hit a registration in progress"
