"""Workers on Telegram, played against the fake Bot API while the real bot polls it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from telegram import Update

from bot.channels.telegram import TelegramChannel, run_polling
from bot.cli import open_service
from bot.settings import Settings
from tests.completions import Completions
from tests.conftest import NOW
from tests.fake_telegram import FakeTelegram, Sent, message_body, text_body, user_dict


def telegram_settings(fake: FakeTelegram, db_path: Path, **more: object) -> Settings:
    return Settings(
        _env_file=None,
        db_path=db_path,
        telegram_bot_token=fake.token,
        telegram_api_url=fake.url,
        telegram_rate_limit=False,
        **more,
    )


def _updating_user(channel: TelegramChannel, update: Update, context: object) -> str:
    return str(update.effective_user.id) if update.effective_user else ""


class Watched(Completions):
    """Updates the bot has finished handling (processed and replied to), per Telegram user.

    It counts at the adapter's entry point, so conversation messages and staff commands alike
    are counted once python-telegram-bot has run them to the end."""

    def __init__(self) -> None:
        super().__init__(TelegramChannel, "on_update", _updating_user)


@contextlib.asynccontextmanager
async def polling_bot(fake: FakeTelegram, db_path: Path, **more: object) -> AsyncIterator[Watched]:
    """The real Application long-polling the fake server, on a SQLite file."""
    settings = telegram_settings(fake, db_path, **more)
    watched = Watched()
    async with open_service(settings, clock=lambda: NOW) as service:
        stop = asyncio.Event()
        with watched.watching():
            task = asyncio.create_task(run_polling(settings, service, stop, poll_timeout=1))
            try:
                while not any(method == "getUpdates" for method, _ in fake.calls):
                    await asyncio.sleep(0.01)
                    if task.done():
                        task.result()
                yield watched
            finally:
                stop.set()
                await asyncio.wait_for(task, 10)


class TelegramUser:
    def __init__(self, fake: FakeTelegram, watched: Watched, user_id: int) -> None:
        self.fake, self.watched, self.id = fake, watched, user_id
        self.expected = 0  # messages the service has been sent for this user
        self.read = 0  # bot messages already looked at

    async def _turn(self, body: dict) -> list[Sent]:
        self.fake.push(body)
        self.expected += 1
        await self.watched.wait(str(self.id), self.expected)
        new = self.fake.to(self.id)[self.read :]
        self.read += len(new)
        return new

    async def send(self, text: str) -> list[Sent]:
        return await self._turn(text_body(self.id, text))

    def on_screen(self) -> Sent:
        """The latest bot message that still shows buttons."""
        with_buttons = [s for s in self.fake.to(self.id) if s.buttons]
        assert with_buttons, "no buttons on screen"
        return with_buttons[-1]

    async def press(self, label: str) -> list[Sent]:
        """Tap the button with this label; fails if no such button is on screen."""
        sent = self.on_screen()
        data = next((b["callback_data"] for b in sent.buttons if b["text"] == label), None)
        assert data, f"no button {label!r} in {[b['text'] for b in sent.buttons]}"
        return await self.press_on(sent, data)

    async def press_on(self, sent: Sent, data: str) -> list[Sent]:
        """Tap a button by its data on a given message (also an old one)."""
        query = {
            "id": f"cq{len(self.fake.answered_callbacks) + self.expected}-{self.id}",
            "from": user_dict(self.id),
            "chat_instance": f"ci{self.id}",
            "data": data,
            "message": sent.as_message(),
        }
        return await self._turn({"callback_query": query})

    async def share_contact(self, phone: str, owner: int | None = None) -> list[Sent]:
        contact = {"phone_number": phone, "first_name": "Siti", "user_id": owner or self.id}
        return await self._turn(message_body(self.id, contact=contact))

    async def send_media(self, **content: object) -> list[Sent]:
        return await self._turn(message_body(self.id, **content))

    async def edit(self, text: str) -> list[Sent]:
        body = text_body(self.id, text)
        return await self._turn({"edited_message": {**body["message"], "edit_date": 1}})


def texts(sent: list[Sent]) -> str:
    return "\n\n".join(s.text for s in sent)


async def register_with_buttons(
    user: TelegramUser, occupation: str = "Pedagang", start: str = "/start"
) -> str:
    """The golden path on Telegram, pressing buttons where there are some; returns the end."""
    assert "Apa pekerjaan Anda sehari-hari?" in texts(await user.send(start))
    assert "Perlindungan ini mulai" in texts(await user.press(occupation))
    assert "Penghasilan sebulan kira-kira" in texts(await user.press("Lihat iuran saya"))
    assert "Rp13.400 sebulan, sekitar Rp450 sehari" in texts(await user.send("2 juta"))
    assert "NIK Anda (16 angka" in texts(await user.press("Daftar"))
    await user.send("3372 0557 0880 0001")
    await user.press("Ya, benar")
    phone_question = await user.send("Siti Aminah")
    assert phone_question[-1].reply_markup["keyboard"][0][0] == {
        "text": "Pakai nomor saya",
        "request_contact": True,
    }
    await user.share_contact("+6281234567890")
    await user.send("Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta")
    assert "Benar semua?" in texts(await user.press("Tidak punya"))
    return texts(await user.press("Ya, daftarkan"))
