"""The Telegram channel: python-telegram-bot's Application with one handler for every update.

Updates become `Incoming` messages for the service; replies come back as plain text (no parse
mode, so nothing a worker typed can break formatting) with inline keyboards for options and a
"share my number" keyboard where the flow offers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import partial
from typing import Any, TypeVar

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.channels.telegram_intake import TelegramIntake, poll, retry_seconds
from bot.logs import pseudonym
from bot.service import ConversationService
from bot.settings import Refused, Settings
from bot.staff.chat import ROLE_COMMANDS, StaffChat
from conversations import Incoming, Kind, Reply
from conversations.i18n import N_, translator
from conversations.turn import split_message
from storage import pollers, sql

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64  # bytes
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
_SEND_ATTEMPTS = 4
MAX_FLOOD_WAIT = 30  # seconds; a longer flood limit keeps the reply for later
_MEDIA = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "animation",
    "document",
    "location",
    "venue",
    "poll",
    "dice",
    "game",
    "story",
)
_COMMAND_BOT_SUFFIX = re.compile(r"^(/\w+)@\w+")
T = TypeVar("T")

# The command menu, per language: (command, description).
COMMANDS = {
    "id": [
        ("start", N_("Start or continue")),
        ("bantuan", N_("Help")),
        ("status", N_("Registration status")),
        ("batal", N_("Stop")),
        ("bahasa", N_("Change language")),
    ],
    "en": [
        ("start", N_("Start or continue")),
        ("help", N_("Help")),
        ("status", N_("Registration status")),
        ("cancel", N_("Stop")),
        ("language", N_("Change language")),
    ],
}


def to_incoming(update: Update) -> Incoming | None:
    """The channel-neutral message for an update, or None for updates that carry none."""
    user = update.effective_user
    if user is None:
        return None
    make = partial(Incoming, CHANNEL, str(user.id), str(update.update_id))
    if query := update.callback_query:
        return make(Kind.CHOICE, choice=query.data or "")
    if update.edited_message:
        return make(Kind.UNSUPPORTED, media="edited")
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        text = _COMMAND_BOT_SUFFIX.sub(r"\1", message.text.strip())
        if text == "/start" or text.startswith("/start "):
            return make(Kind.OPEN, payload=text[len("/start") :].strip() or None)
        return make(Kind.TEXT, text=message.text)
    if contact := message.contact:
        return make(
            Kind.CONTACT,
            contact_phone=contact.phone_number,
            contact_is_own=contact.user_id == user.id,
        )
    media = next((name for name in _MEDIA if getattr(message, name, None)), "other")
    return make(Kind.UNSUPPORTED, media=media)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """Inline buttons for options; a share-number button; otherwise remove any old keyboard."""
    if reply.options:
        for option in reply.options:
            if not 1 <= len(option.key.encode()) <= CALLBACK_DATA_LIMIT:
                raise ValueError(f"option key {option.key!r} does not fit Telegram's callback data")
        buttons = [InlineKeyboardButton(o.label, callback_data=o.key) for o in reply.options]
        two_columns = len(buttons) > 3 and all(len(o.label) <= 18 for o in reply.options)
        width = 2 if two_columns else 1
        return InlineKeyboardMarkup([buttons[i : i + width] for i in range(0, len(buttons), width)])
    if reply.contact_button:
        return ReplyKeyboardMarkup(
            [[KeyboardButton(reply.contact_button, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    return ReplyKeyboardRemove()


class Blocked(Exception):
    """The user blocked the bot: stop sending to them."""


class Unsent(Exception):
    """Telegram could not be reached for now: the replies are kept to be sent again."""


class TelegramChannel:
    def __init__(self, service: ConversationService, staff: StaffChat | None = None) -> None:
        self.service = service
        self.staff = staff
        self._tasks: set[asyncio.Task[Any]] = set()

    def register(self, app: Application) -> None:
        app.add_handler(TypeHandler(Update, self.on_update))
        app.add_error_handler(self.on_error)

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is not None and chat.type != ChatType.PRIVATE:
            await self._in_group(update, context)
            return
        incoming = to_incoming(update)
        if chat is None or incoming is None:
            return
        query = update.callback_query
        if query:
            self._background(self._answer_callback(query))  # no spinner, without delaying order
        who = pseudonym(incoming.channel, incoming.user_key)

        async def deliver(replies: Sequence[Reply], *, refused_choice: bool = False) -> bool:
            if query:
                await self._close_keyboard(query, show_choice=not refused_choice)
            try:
                for reply in replies:
                    await self._send(context, chat.id, reply, who)
            except Blocked:
                log.info("user %s has blocked the bot; replies dropped, answers are saved", who)
            except Unsent:
                log.warning("user %s: replies not sent for now; kept to send again", who)
                return False
            return True

        if self.staff:
            await self.staff.route(incoming, deliver, telegram_id=incoming.user_key)
        else:
            await self.service.handle(incoming, deliver)

    async def _send(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply, who: str
    ) -> None:
        parts = split_message(reply.text, TEXT_LIMIT)  # a last guard: flow messages are shorter
        for index, part in enumerate(parts):
            markup = keyboard(reply) if index == len(parts) - 1 else None
            await self._call(
                lambda p=part, m=markup: context.bot.send_message(chat_id, p, reply_markup=m), who
            )
        if file := reply.attachment:
            if file.kind == "photo":
                await self._call(
                    lambda: context.bot.send_photo(chat_id, file.data, filename=file.filename), who
                )
            else:
                await self._call(
                    lambda: context.bot.send_document(chat_id, file.data, filename=file.filename),
                    who,
                )

    async def _call(self, request: Callable[[], Awaitable[T]], who: str) -> T | None:
        """Send, retrying what is worth retrying; raises Unsent when Telegram cannot be reached
        for now (the reply is kept and sent again later). The answers are saved either way."""
        for attempt in range(_SEND_ATTEMPTS):
            try:
                return await request()
            except RetryAfter as flood:
                wait = retry_seconds(flood)
                if wait > MAX_FLOOD_WAIT:
                    raise Unsent(f"flood limit for {wait:.0f} s") from flood
                log.warning("Telegram flood limit: retrying in %ss", wait)
                await asyncio.sleep(wait)
            except Forbidden as error:
                raise Blocked from error
            except BadRequest as error:  # this message can never be sent: the others can
                log.warning("Telegram refused a message to user %s: %s", who, error.message)
                return None
            except NetworkError as error:  # includes TimedOut
                if attempt == _SEND_ATTEMPTS - 1:
                    raise Unsent(str(error)) from error
                log.warning("network error sending to user %s (%s); retrying", who, error)
                await asyncio.sleep(0.5 * 2**attempt)
        raise Unsent("still flood-limited")

    async def _answer_callback(self, query: CallbackQuery) -> None:
        try:
            await query.answer()
        except TelegramError as error:  # too old or already answered: nothing is lost
            log.info("callback not answered: %s", error)

    async def _close_keyboard(self, query: CallbackQuery, show_choice: bool) -> None:
        """Remove the buttons of the pressed message, so they can't be pressed twice, and show
        the chosen option under its question when the press was taken as the answer. A press
        on a message that can't be edited is still handled by the flow."""
        message = query.message
        if not isinstance(message, Message) or message.reply_markup is None:
            return
        buttons = [b for row in message.reply_markup.inline_keyboard for b in row]
        label = next((b.text for b in buttons if b.callback_data == query.data), None)
        try:
            if (
                show_choice
                and label
                and message.text
                and len(message.text) + len(label) + 4 <= TEXT_LIMIT
            ):
                await query.edit_message_text(f"{message.text}\n\n» {label}", reply_markup=None)
            else:
                await query.edit_message_reply_markup(None)
        except TelegramError as error:
            log.info("old keyboard not removed: %s", error)

    async def _in_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Nothing is collected in groups: asked there, the bot asks to be messaged privately.
        Other group chatter is left alone, so the bot never floods a group."""
        message = update.effective_message
        text = (message.text or "") if message else ""
        addressed = text.startswith("/") or f"@{context.bot.username}".lower() in text.lower()
        if message is None or update.callback_query or not addressed:
            return
        t = translator(self.service.default_lang)
        text = t(
            "Hello! To register, please chat with me privately: t.me/{bot}",
            bot=context.bot.username,
        )
        with contextlib.suppress(Blocked, Unsent):  # nothing of a worker's is at stake here
            await self._call(lambda: message.reply_text(text), "group")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling a Telegram update", exc_info=context.error)

    def _background(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def bot_token(settings: Settings) -> str:
    if settings.telegram_bot_token is None:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
    return settings.telegram_bot_token.get_secret_value()


def build_application(settings: Settings) -> Application:
    """The bot without python-telegram-bot's Updater: updates come through TelegramIntake."""
    token = bot_token(settings)
    api = settings.telegram_api_url.rstrip("/")
    builder = (
        Application.builder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .concurrent_updates(True)  # users in parallel; the service keeps each user in order
    )
    if settings.telegram_rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=0))  # retries are ours
    return builder.updater(None).build()


async def set_commands(app: Application, staff: StaffChat | None = None) -> None:
    """The command menu, in Indonesian and (for English-language Telegram apps) in English;
    staff and campaigners also see their own commands, in their chat only."""
    for lang, commands in COMMANDS.items():
        t = translator(lang)
        menu = [BotCommand(command, t(description)) for command, description in commands]
        await app.bot.set_my_commands(menu, language_code=None if lang == "id" else lang)
    if staff is None:
        return
    t = translator("id")
    base = [BotCommand(command, t(description)) for command, description in COMMANDS["id"]]
    for chat_id, roles in (await staff.telegram_roles()).items():
        mine = {c: d for role in sorted(roles) for c, d in ROLE_COMMANDS[role]}  # /masuk once
        extra = [BotCommand(c, t(d)) for c, d in mine.items()]
        try:
            await app.bot.set_my_commands(base + extra, scope=BotCommandScopeChat(chat_id))
        except TelegramError as error:  # e.g. they never opened the bot: no chat yet
            log.info("no command menu for a %s chat: %s", "/".join(sorted(roles)), error)


async def run_polling(
    settings: Settings, service: ConversationService, stop: asyncio.Event, poll_timeout: int = 10
) -> None:
    """Long polling until `stop` is set; needs only the token. The outbox is sent meanwhile.
    Refused while another process polls the same bot (storage/pollers.py)."""
    bot_id = bot_token(settings).split(":")[0]
    async with service.db.transaction() as conn:
        other = await pollers.take(conn, bot_id, service.clock())
    if other:
        holder, since = other
        raise Refused(
            f"another bpu-bot already polls this Telegram bot ({holder}, since {since[:19]}): "
            "two would take each other's updates. Stop it first; several instances take updates "
            "by webhook (bpu-bot serve)"
        )
    try:
        await _polling(settings, service, stop, poll_timeout, bot_id)
    finally:
        async with service.db.transaction() as conn:
            await pollers.release(conn, bot_id)


async def _polling(
    settings: Settings,
    service: ConversationService,
    stop: asyncio.Event,
    poll_timeout: int,
    bot_id: str,
) -> None:
    from bot.channels.messenger import messenger  # they import the channels themselves
    from bot.channels.outbox import run_outbox
    from bot.upkeep import Upkeep

    app = build_application(settings)
    staff = StaffChat(service, settings)
    TelegramChannel(service, staff).register(app)
    intake = TelegramIntake(app, service.db, service.clock)
    lease = asyncio.create_task(_keep_lease(service, bot_id, stop))
    async with app, messenger(settings, service.db, service.clock) as tell:
        await set_commands(app, staff)
        await app.start()
        outbox = asyncio.create_task(
            run_outbox(
                service.db, tell, service.clock, service.zone, stop, Upkeep.of(service, settings)
            )
        )
        try:
            await intake.start()
            log.info("Telegram: polling as @%s", app.bot.username)
            await poll(intake, stop, ALLOWED_UPDATES, poll_timeout)
        finally:
            await intake.drain()
            stop.set()
            await outbox
            await lease
            await app.stop()


async def _keep_lease(service: ConversationService, bot_id: str, stop: asyncio.Event) -> None:
    """Renew the polling lease until `stop`; lost (another took it over): stop polling."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pollers.RENEW.total_seconds())
        if stop.is_set():
            return
        try:
            async with service.db.transaction() as conn:
                ours = await pollers.renew(conn, bot_id, service.clock())
        except sql.Error as error:  # a busy database: try next round
            log.warning("Telegram: polling lease not renewed (%s)", error)
            continue
        if not ours:
            log.error("Telegram: another process took over polling this bot; stopping")
            stop.set()
