"""Telling a worker something outside a conversation turn (a review decision from staff),
through the channel their registration came by: the Telegram Bot API, or WhatsApp's Cloud API
within its 24-hour customer service window. Works in any process that has the channel's settings
(`bpu-bot serve`, or `bpu-bot console` beside a polling `bpu-bot telegram`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.channels import whatsapp
from bot.channels.whatsapp_api import GraphClient, GraphError, Outgoing
from bot.channels.whatsapp_templates import templates
from bot.logs import pseudonym
from bot.settings import Settings
from bot.staff.console import Tell
from conversations import Reply
from storage import Database, whatsapp_templates
from storage import whatsapp as book

log = logging.getLogger(__name__)


class Unreachable(Exception):
    """This person can never be written to this way (they blocked the bot): stop trying."""


class Messenger:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        bot: Bot | None,
        graph: GraphClient | None,
    ) -> None:
        self.db, self.clock, self.bot, self.graph = db, clock, bot, graph

    async def tell(
        self,
        channel: str,
        user_key: str,
        text: str,
        template: str | None = None,
        params: tuple[str, ...] = (),
    ) -> bool:
        """True when the message went out; False when it cannot now (say so to staff, or try
        again later). On WhatsApp outside the 24-hour window it goes as `template` (a key of
        locales/whatsapp_templates.toml) with `params`, if given and approved."""
        if channel == "telegram" and self.bot:
            return await self._telegram(user_key, text)
        if channel == whatsapp.CHANNEL and self.graph:
            try:
                return await self._whatsapp(user_key, text, template, params)
            except (GraphError, ValueError) as error:
                log.warning("user %s: not sent (%s)", pseudonym(channel, user_key), error)
        return False

    async def _telegram(self, user_key: str, text: str) -> bool:
        assert self.bot is not None
        try:
            await self.bot.send_message(int(user_key), text)
        except Forbidden as error:  # blocked the bot, or deleted their account
            log.info("user %s: blocked the bot", pseudonym("telegram", user_key))
            raise Unreachable("blocked the bot") from error
        except (TelegramError, ValueError) as error:
            log.warning("user %s: not sent (%s)", pseudonym("telegram", user_key), error)
            return False
        return True

    async def _whatsapp(
        self, user_key: str, text: str, template: str | None, params: tuple[str, ...]
    ) -> bool:
        assert self.graph is not None
        person = await self.db.run(partial(book.contact, key=user_key))
        if person is None:
            return False
        if self.clock() - person.last_inbound_at <= whatsapp.WINDOW:
            for message in whatsapp.render(Reply(text)):
                await self.graph.send(message, person.wa_id, person.user_id)
            return True
        known = templates().get(template or "")
        if known is None:  # a free-form message only: it waits for the worker to write
            return False
        async with self.db.reading() as conn:
            if not await whatsapp_templates.usable(conn, known.name, known.language):
                log.warning("WhatsApp template %s is not approved now: waiting", known.name)
                return False
        message = Outgoing(
            kind="template", template=known.name, language=known.language, params=list(params)
        )
        await self.graph.send(message, person.wa_id, person.user_id)
        return True


@asynccontextmanager
async def messenger(
    settings: Settings, db: Database, clock: Callable[[], datetime]
) -> AsyncIterator[Tell]:
    """`tell(channel, user_key, text)` for the channels that are set up."""
    bot = graph = None
    if settings.telegram_bot_token:
        api = settings.telegram_api_url.rstrip("/")
        bot = Bot(
            settings.telegram_bot_token.get_secret_value(),
            base_url=f"{api}/bot",
            base_file_url=f"{api}/file/bot",
        )
    if settings.whatsapp_ready:
        assert settings.whatsapp_access_token and settings.whatsapp_phone_number_id
        graph = GraphClient(
            settings.whatsapp_api_url,
            settings.whatsapp_access_token.get_secret_value(),
            settings.whatsapp_phone_number_id,
        )
    try:
        if bot:
            try:
                await bot.initialize()
            except TelegramError as error:  # unreachable now: sending will say so then
                log.warning("Telegram not reachable for staff messages (%s)", type(error).__name__)
        yield Messenger(db, clock, bot, graph).tell
    finally:
        if bot:
            await bot.shutdown()
        if graph:
            await graph.close()
