"""The WhatsApp channel (Cloud API): webhook, message mapping, replies within WhatsApp's limits.

A webhook POST is checked against its signature, kept in the inbox table and acknowledged at
once; it is processed in the background and removed from the inbox when done, so a crash after
the acknowledgement loses nothing (leftovers are processed at the next start, and message ids
make a replay harmless).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.channels.inbox_tasks import InboxTasks
from bot.channels.whatsapp_api import (
    BODY_LIMIT,
    BUTTON_TITLE_LIMIT,
    INTERACTIVE_BODY_LIMIT,
    LIST_BUTTON_LIMIT,
    LIST_ROWS_LIMIT,
    MAX_BUTTONS,
    ROW_DESCRIPTION_LIMIT,
    ROW_TITLE_LIMIT,
    Button,
    GraphClient,
    GraphError,
    Message,
    Outgoing,
    Row,
    Value,
    Webhook,
)
from bot.links import code_in_text
from bot.logs import pseudonym
from bot.service import ConversationService
from bot.staff.chat import StaffChat
from conversations import Incoming, Kind, Reply
from conversations.i18n import translator
from conversations.turn import split_message
from storage import inbound, whatsapp_templates
from storage import whatsapp as book

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WEBHOOK_PATH = "/whatsapp/webhook"
SIGNATURE_HEADER = "X-Hub-Signature-256"
WINDOW = timedelta(hours=24)  # free-form messages only within 24 h of the worker's last message
MEDIA_TYPES = {"photo": ("image", "image/png"), "document": ("document", "application/pdf")}
_MIME_BY_SUFFIX = {
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- labels and bodies that fit -----------------------------------------------------------------


def fit(label: str, limit: int) -> str:
    """Shorten at a word boundary with an ellipsis; never in the middle of a word if avoidable."""
    if len(label) <= limit:
        return label
    words, kept = label.split(), ""
    for word in words:
        candidate = f"{kept} {word}".strip()
        if len(candidate) + 1 > limit:
            break
        kept = candidate
    return (kept or label[: limit - 1]).rstrip(" ,.·-") + "…"


def render(reply: Reply) -> list[Outgoing]:
    """A reply as WhatsApp messages: reply buttons for up to 3 options whose titles fit, a list
    for more (or longer titles), plain text otherwise; long text goes first as plain text."""
    options, text = reply.options, reply.text
    if len(options) > LIST_ROWS_LIMIT:
        raise ValueError(f"{len(options)} options do not fit a WhatsApp list")
    limit = INTERACTIVE_BODY_LIMIT if options else BODY_LIMIT
    parts = split_message(text, limit)
    messages = [Outgoing(kind="text", body=part) for part in parts[:-1]]
    body = parts[-1]
    if not options:
        return [*messages, Outgoing(kind="text", body=body)]
    if len(options) <= MAX_BUTTONS and all(len(o.label) <= BUTTON_TITLE_LIMIT for o in options):
        buttons = [Button(id=o.key, title=o.label) for o in options]
        return [*messages, Outgoing(kind="buttons", body=body, buttons=buttons)]
    rows = []
    for option in options:
        title = fit(option.label, ROW_TITLE_LIMIT)
        description = fit(option.label, ROW_DESCRIPTION_LIMIT) if title != option.label else None
        rows.append(Row(id=option.key, title=title, description=description))
    t = translator(reply.lang)
    label = fit(t("Choose"), LIST_BUTTON_LIMIT)
    return [*messages, Outgoing(kind="list", body=body, list_button=label, rows=rows)]


# --- messages in ------------------------------------------------------------------------------


def to_incoming(message: Message, key: str, own_number: str | None) -> Incoming | None:
    """The channel-neutral message for a WhatsApp message, or None for ones that carry none.

    `own_number` (E.164) is the number the person writes from, when Meta shares it."""
    make = partial(Incoming, CHANNEL, key, message.id, sender_phone=own_number)
    if message.type == "text" and message.text is not None:
        code = code_in_text(message.text.body)  # the prefilled text of a campaign link
        if code:
            return make(Kind.OPEN, payload=code)
        return make(Kind.TEXT, text=message.text.body)
    if message.type == "interactive" and message.interactive is not None:
        chosen = message.interactive.button_reply or message.interactive.list_reply
        if chosen is None:
            return make(Kind.UNSUPPORTED, media="interactive")
        return make(Kind.CHOICE, choice=chosen.id)
    if message.type == "button" and message.button is not None:
        return make(Kind.TEXT, text=message.button.text)
    if message.type == "contacts" and message.contacts:
        phones = [p for c in message.contacts for p in c.phones]
        if phones:
            shared = phones[0]
            number = shared.wa_id or shared.phone or ""
            own = bool(own_number and shared.wa_id and f"+{shared.wa_id}" == own_number)
            return make(Kind.CONTACT, contact_phone=number, contact_is_own=own)
    if message.type == "system":
        return None  # e.g. "the user changed their number": nothing to answer
    return make(Kind.UNSUPPORTED, media=message.type)


def messages_of(hook: Webhook) -> list[Message]:
    return [m for e in hook.entry for c in e.changes for m in c.value.messages]


def by_message(body: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """A notification (decoded JSON) as one body per message, with whom it is from (their
    business-scoped id, else their number), and one for the rest (statuses, template news:
    from no one). Meta may put several people's messages in one notification; kept apart,
    each person's are processed in order in their own queue (storage/webhook_inbox.py)."""
    parts: list[tuple[str | None, dict[str, Any]]] = []
    rest = []
    for entry in body.get("entry") or []:
        kept = []
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            for message in value.get("messages") or []:
                who = message.get("from_user_id") or message.get("from")
                one = {**change, "value": _one_message(value, message, who)}
                parts.append((who, {**body, "entry": [{**entry, "changes": [one]}]}))
            if not value.get("messages") or value.get("statuses"):
                without = {k: v for k, v in value.items() if k != "messages"}
                kept.append({**change, "value": without})
        if kept:
            rest.append({**entry, "changes": kept})
    if rest:
        parts.append((None, {**body, "entry": rest}))
    return parts


def _one_message(value: dict[str, Any], message: dict[str, Any], who: str | None) -> dict:
    """A notification's value with only `message`, and its sender's contact card."""
    contacts = value.get("contacts") or []
    own = [c for c in contacts if who in (c.get("user_id"), c.get("wa_id"))]
    others = {k: v for k, v in value.items() if k not in ("messages", "contacts", "statuses")}
    return {**others, "contacts": own, "messages": [message]}


# --- the channel --------------------------------------------------------------------------------


class WhatsAppChannel:
    def __init__(
        self,
        service: ConversationService,
        client: GraphClient,
        app_secret: str,
        verify_token: str,
        staff: StaffChat | None = None,
    ) -> None:
        self.service = service
        self.client = client
        self.app_secret = app_secret.encode()
        self.verify_token = verify_token
        self.staff = staff
        self.tasks: InboxTasks[Webhook] = InboxTasks(
            service.db,
            CHANNEL,
            service.clock,
            read=Webhook.model_validate_json,
            message_ids=lambda hook: [m.id for m in messages_of(hook)],
            process=self.process,
        )

    def routes(self, app: web.Application) -> None:
        app.router.add_get(WEBHOOK_PATH, self.verify)
        app.router.add_post(WEBHOOK_PATH, self.receive)

    async def verify(self, request: web.Request) -> web.Response:
        """Meta's subscription check: echo the challenge when the verify token is ours."""
        query = request.query
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode(), self.verify_token.encode()
        ):
            return web.Response(text=query.get("hub.challenge", ""))
        log.warning("WhatsApp webhook verification refused")
        return web.Response(status=403)

    def signed(self, body: bytes, header: str) -> bool:
        expected = "sha256=" + hmac.new(self.app_secret, body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(header.encode(), expected.encode())

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self.signed(body, request.headers.get(SIGNATURE_HEADER, "")):
            log.warning("WhatsApp webhook: bad or missing signature; nothing processed")
            return web.Response(status=403)
        try:
            Webhook.model_validate_json(body)
        except ValidationError:
            return web.Response(status=400)
        parts = by_message(json.loads(body))
        await self.tasks.take([(json.dumps(part, ensure_ascii=False), who) for who, part in parts])
        return web.Response(status=200)

    async def start(self) -> None:
        """Take up what a restart left, before anything new (see InboxTasks.start)."""
        await self.tasks.start()

    async def drain(self) -> None:
        await self.tasks.drain()

    async def process(self, hook: Webhook) -> None:
        for entry in hook.entry:
            for change in entry.changes:
                if change.field == "messages":
                    await self._value(change.value)
                elif change.field.startswith("message_template_"):
                    await self._template_news(change.value)

    async def _template_news(self, value: Value) -> None:
        """Meta approved, paused or disabled a template, or its quality changed: kept, so a
        template that may not be sent is not (bot/channels/messenger.py)."""
        if not (value.message_template_name and value.message_template_language):
            return
        log.info(
            "WhatsApp template %s: %s",
            value.message_template_name,
            value.event or f"quality {value.new_quality_score}",
        )
        async with self.service.db.transaction() as conn:
            await whatsapp_templates.record(
                conn,
                value.message_template_name,
                value.message_template_language,
                self.service.clock(),
                status=value.event,
                quality=value.new_quality_score,
            )

    async def _value(self, value: Value) -> None:
        for status in value.statuses:
            if status.status == "failed":
                reasons = ", ".join(f"{e.code} {e.title}" for e in status.errors)
                log.warning("WhatsApp message %s failed: %s", status.id, reasons or "no reason")
        by_phone = {c.wa_id: c.user_id for c in value.contacts if c.wa_id}
        only_ids = [c.user_id for c in value.contacts if c.user_id and not c.wa_id]
        for message in value.messages:
            user_id = message.from_user_id or by_phone.get(message.from_)
            if not (message.from_ or user_id) and len(only_ids) == 1:
                user_id = only_ids[0]  # the one sender this notification names
            if not (message.from_ or user_id):
                log.warning("WhatsApp message %s without a sender it can be told from", message.id)
                continue
            try:  # one message that fails must not cost the others in the same notification
                await self._message(message, message.from_, user_id)
            except Exception:
                log.exception("WhatsApp message %s could not be processed", message.id)

    async def _message(self, message: Message, wa_id: str | None, user_id: str | None) -> None:
        now = self.service.clock()
        sent_at = _sent_at(message.timestamp, now)
        if sent_at is None or now - sent_at > inbound.KEEP_FOR:
            # older than the ids kept against redelivery: a replay, not a new message
            log.warning("WhatsApp message %s refused: sent %s, a replay", message.id, sent_at)
            return
        person = await self.service.db.run(
            partial(book.identify, wa_id=wa_id, user_id=user_id, message_time=sent_at)
        )
        own_number = f"+{person.wa_id}" if person.wa_id else None
        incoming = to_incoming(message, person.key, own_number)
        if incoming is None:
            return
        deliver = partial(self._deliver, person)
        if self.staff:
            await self.staff.route(incoming, deliver, phone=own_number, whatsapp_id=person.user_id)
        else:
            await self.service.handle(incoming, deliver)

    async def _deliver(
        self, person: book.Contact, replies: Sequence[Reply], *, refused_choice: bool = False
    ) -> bool:
        """Send; False when WhatsApp cannot take them for now (kept to be sent again)."""
        who = pseudonym(CHANNEL, person.key)
        if self.service.clock() - person.last_inbound_at > WINDOW:
            # Outside the customer service window only an approved template may be sent.
            log.warning(
                "user %s: %d repl(ies) not sent, outside the 24-hour window (a template "
                "would be needed)",
                who,
                len(replies),
            )
            return True  # never sendable as they are
        to, recipient = person.wa_id, person.user_id
        try:
            for reply in replies:
                for message in render(reply):
                    await self.client.send(message, to, recipient)
                if reply.attachment:
                    await self._send_file(reply, to, recipient)
        except GraphError as error:
            if error.transient:
                log.warning("user %s: WhatsApp unreachable (%s); replies kept", who, error)
                return False
            log.warning("user %s: WhatsApp refused a reply (%s); answers are saved", who, error)
        return True

    async def _send_file(self, reply: Reply, to: str | None, recipient: str | None) -> None:
        file = reply.attachment
        assert file is not None
        kind, default_mime = MEDIA_TYPES[file.kind]
        mime = next(
            (m for s, m in _MIME_BY_SUFFIX.items() if file.filename.endswith(s)), default_mime
        )
        media_id = await self.client.upload(file.data, mime, file.filename)
        await self.client.send(
            Outgoing(kind=kind, media_id=media_id, filename=file.filename), to, recipient
        )


def _sent_at(timestamp: str, now: datetime) -> datetime | None:
    """When Meta says a message was sent, never later than now (a clock ahead would otherwise
    stretch the 24-hour window); None if it is no time at all."""
    try:
        sent = datetime.fromtimestamp(int(timestamp), UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return min(sent, now)
