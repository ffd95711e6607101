"""`bpu-bot serve`: one aiohttp server for the Telegram and WhatsApp webhooks, and health."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Middleware

from bot.channels.http_limits import ConnectionGate, GatedSite
from bot.channels.messenger import messenger
from bot.channels.outbox import run_outbox
from bot.channels.telegram import ALLOWED_UPDATES, TelegramChannel, build_application, set_commands
from bot.channels.telegram_intake import TelegramIntake, read_update
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_api import GraphClient
from bot.logs import hide_secrets_of
from bot.service import ConversationService
from bot.settings import Settings
from bot.staff.chat import StaffChat
from bot.staff.console import Tell, console_app
from bot.upkeep import Upkeep
from storage import Database

log = logging.getLogger(__name__)

TELEGRAM_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SIGN_IN_PATH = "/staff/masuk/"
MAX_BODY = 1024 * 1024  # Telegram updates are a few kilobytes


class TelegramWebhook:
    """Accepts updates only with the secret Telegram was given; each is kept in the database
    before it is acknowledged (Telegram never sends an acknowledged update again)."""

    def __init__(self, intake: TelegramIntake, secret: str, public_url: str) -> None:
        self.intake = intake
        self.secret = secret
        self.url = public_url.rstrip("/") + TELEGRAM_PATH

    async def register(self) -> None:
        """Tell Telegram where to send updates; done once this server is listening."""
        await self.intake.app.bot.set_webhook(
            self.url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES
        )

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("Telegram webhook: request without the right secret refused")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            update = read_update(data, self.intake.app)
        except (ValueError, RecursionError):  # not JSON, too deeply nested, not an update
            return web.Response(status=400)
        await self.intake.take([(data, update)])
        return web.Response(status=200)


class AccessLog(AbstractAccessLogger):
    """One line per request: method, path without the query string, status, milliseconds."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = request.raw_path.partition("?")[0][:200]  # still percent-encoded: one line
        if path.startswith(SIGN_IN_PATH):  # a sign-in token is a secret until it is used
            path = SIGN_IN_PATH + "…"
        # 408: a request cut off by the connection gate, which counts those itself.
        level = logging.DEBUG if response.status == 408 else logging.INFO
        self.logger.log(
            level, "%s %s %d %.1f ms", request.method, path, response.status, time * 1000
        )


async def _to_console(request: web.Request) -> web.Response:
    raise web.HTTPFound("/staff/")


def web_app(
    db: Database,
    telegram: TelegramWebhook | None,
    whatsapp: WhatsAppChannel | None = None,
    middlewares: Sequence[Middleware] = (),
    console: web.Application | None = None,
) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY, middlewares=middlewares)
    if console is not None:
        app.add_subapp("/staff", console)
        app.router.add_get("/", _to_console)

    async def health(request: web.Request) -> web.Response:
        await db.fetch_all("SELECT 1")
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", health)
    if telegram:
        app.router.add_post(TELEGRAM_PATH, telegram.handle)
    if whatsapp:
        whatsapp.routes(app)
    return app


@asynccontextmanager
async def telegram_webhook(
    settings: Settings, service: ConversationService, staff: StaffChat
) -> AsyncIterator[TelegramWebhook]:
    """The Telegram bot without polling, ready to be fed by its webhook."""
    secret, public_url = settings.telegram_webhook_secret, settings.telegram_webhook_url
    if secret is None or not public_url:
        raise SystemExit(
            "Telegram webhooks need TELEGRAM_WEBHOOK_URL (this server's public "
            "HTTPS address) and TELEGRAM_WEBHOOK_SECRET"
        )
    bot = build_application(settings)
    TelegramChannel(service, staff).register(bot)
    intake = TelegramIntake(bot, service.db, service.clock)
    async with bot:
        await set_commands(bot, staff)
        await bot.start()
        try:
            await intake.start()
            yield TelegramWebhook(intake, secret.get_secret_value(), public_url)
        finally:
            await intake.drain()  # finishes updates already acknowledged
            await bot.stop()


@asynccontextmanager
async def whatsapp_channel(
    settings: Settings, service: ConversationService, staff: StaffChat
) -> AsyncIterator[WhatsAppChannel]:
    assert settings.whatsapp_access_token and settings.whatsapp_phone_number_id
    assert settings.whatsapp_app_secret and settings.whatsapp_verify_token
    client = GraphClient(
        settings.whatsapp_api_url,
        settings.whatsapp_access_token.get_secret_value(),
        settings.whatsapp_phone_number_id,
    )
    channel = WhatsAppChannel(
        service,
        client,
        settings.whatsapp_app_secret.get_secret_value(),
        settings.whatsapp_verify_token.get_secret_value(),
        staff,
    )
    try:
        await channel.start()
        yield channel
    finally:
        await channel.drain()
        await client.close()


@asynccontextmanager
async def sending(
    service: ConversationService, tell: Tell, settings: Settings
) -> AsyncIterator[None]:
    """The outbox sent in the background while the server runs (bot/channels/outbox.py)."""
    done = asyncio.Event()
    task = asyncio.create_task(
        run_outbox(
            service.db, tell, service.clock, service.zone, done, Upkeep.of(service, settings)
        )
    )
    try:
        yield
    finally:
        done.set()
        await task


async def serve(settings: Settings, service: ConversationService, stop: asyncio.Event) -> None:
    """Run the web server for every channel that is set up, until `stop` is set."""
    hide_secrets_of(settings)
    staff = StaffChat(service, settings)
    async with AsyncExitStack() as stack:  # closed in reverse: web server first, then channels
        telegram = whatsapp = None
        if settings.telegram_bot_token:
            telegram = await stack.enter_async_context(telegram_webhook(settings, service, staff))
        if settings.whatsapp_ready:
            whatsapp = await stack.enter_async_context(whatsapp_channel(settings, service, staff))
        if not (telegram or whatsapp):
            raise SystemExit(
                "serve needs Telegram settings (TELEGRAM_BOT_TOKEN, ...) and/or "
                "WhatsApp settings (WHATSAPP_ACCESS_TOKEN, ...): see the README"
            )
        gate = ConnectionGate(
            settings.max_connections, settings.header_timeout, settings.body_timeout
        )
        tell = await stack.enter_async_context(messenger(settings, service.db, service.clock))
        await stack.enter_async_context(sending(service, tell, settings))
        console = console_app(service.db, settings, service.rules, tell, service.clock)
        app = web_app(service.db, telegram, whatsapp, [gate.middleware], console)
        runner = web.AppRunner(app, access_log_class=AccessLog)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await GatedSite(runner, settings.host, settings.port, gate).start()
        if telegram:
            await telegram.register()
        log.info(
            "serving on %s:%d: %s; at most %d connections%s",
            settings.host,
            settings.port,
            ", ".join(name for name, on in (("Telegram", telegram), ("WhatsApp", whatsapp)) if on),
            gate.limit,
            " (for ulimit -n)" if gate.limit < settings.max_connections else "",
        )
        await stop.wait()


async def serve_console(
    settings: Settings, service: ConversationService, stop: asyncio.Event
) -> None:
    """`bpu-bot console`: the staff console alone, for an office that runs no webhooks."""
    gate = ConnectionGate(settings.max_connections, settings.header_timeout, settings.body_timeout)
    async with messenger(settings, service.db, service.clock) as tell:
        console = console_app(service.db, settings, service.rules, tell, service.clock)
        app = web_app(service.db, None, None, [gate.middleware], console)
        runner = web.AppRunner(app, access_log_class=AccessLog)
        await runner.setup()
        try:
            await GatedSite(runner, settings.host, settings.port, gate).start()
            log.info("staff console on %s", settings.console_url)
            await stop.wait()
        finally:
            await runner.cleanup()
