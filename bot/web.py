"""`bpu-bot serve`: an aiohttp server for webhooks (Telegram now, WhatsApp later) and health."""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from storage import Database

from .service import ConversationService
from .settings import Settings
from .staff_chat import StaffChat
from .telegram import ALLOWED_UPDATES, TelegramChannel, build_application, set_commands

log = logging.getLogger(__name__)

TELEGRAM_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # Telegram updates are a few kilobytes


class TelegramWebhook:
    """Accepts updates only with the secret Telegram was given, and queues them for the bot."""

    def __init__(self, app: Application, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("Telegram webhook: request without the right secret refused")
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        await self.app.update_queue.put(update)  # answered at once; processed by the bot
        return web.Response(status=200)


def web_app(db: Database, telegram: TelegramWebhook | None) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)

    async def health(request: web.Request) -> web.Response:
        await db.fetch_all("SELECT 1")
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", health)
    if telegram:
        app.router.add_post(TELEGRAM_PATH, telegram.handle)
    return app


async def serve(settings: Settings, service: ConversationService, stop: asyncio.Event) -> None:
    """Run the web server until `stop` is set, with the Telegram webhook registered."""
    secret, public_url = settings.telegram_webhook_secret, settings.telegram_webhook_url
    if secret is None or not public_url:
        raise SystemExit(
            "serve needs TELEGRAM_WEBHOOK_URL (this server's public HTTPS address) "
            "and TELEGRAM_WEBHOOK_SECRET"
        )
    bot = build_application(settings, polling=False)
    TelegramChannel(service, StaffChat(service, settings)).register(bot)
    async with bot:
        await set_commands(bot)
        await bot.start()
        runner = web.AppRunner(web_app(service.db, TelegramWebhook(bot, secret.get_secret_value())))
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.host, settings.port).start()
            await bot.bot.set_webhook(
                public_url.rstrip("/") + TELEGRAM_PATH,
                secret_token=secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("serving on %s:%d; Telegram webhook set", settings.host, settings.port)
            await stop.wait()
        finally:
            await runner.cleanup()
            await bot.stop()
