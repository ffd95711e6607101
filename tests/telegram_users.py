"""Workers on Telegram, played against the fake Bot API while the real bot polls it."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from telegram import Update

from bot.cli import open_service
from bot.settings import Settings
from bot.telegram import TelegramChannel, run_polling
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


class Watched:
    """Counts updates the bot has finished handling (processed and replied to), per user.

    It wraps the adapter's entry point, so conversation messages and staff commands alike are
    counted once python-telegram-bot has run them to the end."""

    def __init__(self) -> None:
        self.done: Counter[str] = Counter()
        self.changed = asyncio.Condition()

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        original = TelegramChannel.on_update

        async def on_update(channel: TelegramChannel, update: Update, context: object) -> None:
            try:
                await original(channel, update, context)  # type: ignore[arg-type]
            finally:
                user = update.effective_user
                async with self.changed:
                    self.done[str(user.id) if user else ""] += 1
                    self.changed.notify_all()

        TelegramChannel.on_update = on_update  # type: ignore[method-assign]
        try:
            yield
        finally:
            TelegramChannel.on_update = original  # type: ignore[method-assign]

    async def wait(self, user_key: str, count: int, timeout: float = 10) -> None:
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(lambda: self.done[user_key] >= count), timeout
            )


@contextlib.asynccontextmanager
async def polling_bot(fake: FakeTelegram, db_path: Path, **more: object) -> AsyncIterator[Watched]:
    """The real Application long-polling the fake server, on a SQLite file."""
    settings = telegram_settings(fake, db_path, **more)
    watched = Watched()
    async with open_service(settings) as service:
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
