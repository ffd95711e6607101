"""Chat commands for campaigners (/kampanye, /rekap, /daftarkan) and staff (/ekspor, /statistik),
and for both /masuk: a one-time sign-in link to the staff console.

The role is checked in the database on every use. For anyone without it a command is just text
for the worker conversation, so nothing shows that it exists.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from bot.logs import pseudonym
from bot.service import ConversationService, Deliver
from bot.settings import Settings
from bot.staff.campaign_assets import campaign_links, poster_text
from bot.staff.exports import ExportFailed, Filters, NothingToExport, export
from bot.staff.graphics import funnel_chart, poster, qr_png
from bot.staff.stats_report import STAGE_LABELS, chat_summary
from conversations import Attachment, Incoming, Kind, Reply
from conversations.i18n import N_, translator
from storage import audit, campaigns, console, exports, inbound, people
from storage.files import private_dir
from storage.people import Person, Role
from storage.stats import campaigner_tally, funnel
from storage.times import day_start

log = logging.getLogger(__name__)

ROLES: dict[str, Role] = {
    "kampanye": "campaigner",
    "rekap": "campaigner",
    "daftarkan": "campaigner",
    "ekspor": "staff",
    "statistik": "staff",
    "masuk": "staff",  # or a campaigner: both have a console
}
_COMMAND = re.compile(r"^/([a-z]+)(?:@\w+)?\s*$")
TELEGRAM_FILE_LIMIT = 45 * 1024 * 1024  # bots may send 50 MB; keep a margin
OUTBOX = ".bpu-bot-ekspor"  # /ekspor files, next to the database, only while being sent


def _empty(folder: Path) -> None:
    """Make `folder` (0700), or remove what a killed bot left in it."""
    private_dir(folder)
    for leftover in folder.iterdir():
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


# The menu entries of each role's commands: (command, description).
ROLE_COMMANDS: dict[Role, list[tuple[str, str]]] = {
    "campaigner": [
        ("kampanye", N_("My campaign links and QR code")),
        ("rekap", N_("My sign-ups")),
        ("daftarkan", N_("Register a worker")),
        ("masuk", N_("Sign in to the staff console")),
    ],
    "staff": [
        ("ekspor", N_("Newest export for the main system")),
        ("statistik", N_("Funnel statistics")),
        ("masuk", N_("Sign in to the staff console")),
    ],
}


def _chat_id(telegram_id: str | None) -> bool:
    """A Telegram user id as stored: plain ASCII digits of a sane length (ids are 64-bit)."""
    return bool(
        telegram_id and len(telegram_id) <= 20 and telegram_id.isascii() and telegram_id.isdecimal()
    )


def _made_for(batch: exports.Batch, branch: str) -> bool:
    return json.loads(batch.filters).get("branch") == branch


def command_of(text: str) -> str | None:
    match = _COMMAND.match(text.strip().lower())
    return match[1] if match and match[1] in ROLES else None


@dataclass(frozen=True)
class Identity:
    """Who wrote, as the channel knows them: what a role may be held by."""

    telegram_id: str | None = None
    phone: str | None = None
    whatsapp_id: str | None = None


class StaffChat:
    def __init__(self, service: ConversationService, settings: Settings) -> None:
        self.service = service
        self.settings = settings
        self._outbox_lock = asyncio.Lock()  # one /ekspor at a time uses the outbox

    async def route(
        self,
        incoming: Incoming,
        deliver: Deliver,
        *,
        telegram_id: str | None = None,
        phone: str | None = None,
        whatsapp_id: str | None = None,
    ) -> None:
        """Everything a person sends: a command of their role, or else the conversation.

        The person's lock is taken first, before the role is looked up, so their messages are
        handled in the order they came, commands included. `whatsapp_id`: the business-scoped
        id WhatsApp gives with `phone`, to which a role held by that number is bound."""
        async with self.service.locks.hold((incoming.channel, incoming.user_key)):
            who = Identity(telegram_id, phone, whatsapp_id)
            if not await self._command(incoming, deliver, who):
                await self.service.handle_locked(incoming, deliver)

    async def _command(self, incoming: Incoming, deliver: Deliver, who: Identity) -> bool:
        """Run a staff or campaigner command; False if this is none for this person."""
        command = command_of(incoming.text) if incoming.kind is Kind.TEXT else None
        if command is None:
            return False
        role = ROLES[command]
        person = await self._person(role, who)
        if person is None and command == "masuk":
            role, person = "campaigner", await self._person("campaigner", who)
        if person is None:
            return False
        who = pseudonym(incoming.channel, incoming.user_key)
        log.info("user %s: /%s as %s %s", who, command, role, person.id)
        if command == "daftarkan":
            await self._assist(incoming, person, deliver)
            return True
        now = self.service.clock()
        ids = {"channel": incoming.channel, "message_id": incoming.message_id}
        if await self.service.db.run(partial(inbound.seen, **ids)):
            return True  # a redelivered command is not run twice
        if command == "masuk":
            replies = await self._sign_in_link(role, person, now)
        else:
            handler = {
                "kampanye": self._campaigns,
                "rekap": self._tally,
                "ekspor": self._export,
                "statistik": self._stats,
            }[command]
            replies = await handler(person, incoming, now)
        if await deliver(replies) is not False:
            # recorded once answered: a command cut off by a crash runs again when it is
            # redelivered (each is safe to repeat: /ekspor then sends the newest batch again)
            await self.service.db.run(partial(inbound.record, **ids, now=now))
        return True

    async def telegram_roles(self) -> dict[int, set[Role]]:
        """Telegram chats of active staff and campaigners, with their roles."""
        roles: dict[int, set[Role]] = {}
        async with self.service.db.reading() as conn:
            for role in ("staff", "campaigner"):
                for person in await people.listing(conn, role):
                    if person.active and _chat_id(person.telegram_id):
                        roles.setdefault(int(person.telegram_id), set()).add(role)
        for telegram_id in self.settings.first_staff:
            if _chat_id(telegram_id):
                roles.setdefault(int(telegram_id), set()).add("staff")
        return roles

    async def _person(self, role: Role, who: Identity) -> Person | None:
        if role == "staff" and who.telegram_id and who.telegram_id in self.settings.first_staff:
            return Person(0, "staff (settings)", who.telegram_id, None, True, admin=True)
        async with self.service.db.transaction() as conn:
            return await people.find(
                conn,
                role,
                telegram_id=who.telegram_id,
                phone=who.phone,
                whatsapp_id=who.whatsapp_id,
            )

    def _today(self, now: datetime) -> date:
        return now.astimezone(self.service.zone).date()

    async def _active_campaigns(self, person: Person, now: datetime) -> list[campaigns.Campaign]:
        async with self.service.db.transaction() as conn:
            found = await campaigns.listing(conn, person.id)
        return [c for c in found if c.active_on(self._today(now))]

    async def _campaigns(self, person: Person, incoming: Incoming, now: datetime) -> list[Reply]:
        t = translator(self.service.default_lang)
        active = await self._active_campaigns(person, now)
        if not active:
            return [Reply(t("You have no active campaign. Ask your branch office to create one."))]
        replies = []
        for campaign in active[:3]:
            links = campaign_links(self.settings, t, campaign.code)
            lines = [
                t("Campaign: {name}", name=campaign.name),
                t("Where: {place}", place=campaign.place),
            ]
            lines += [f"{channel.capitalize()}: {link}" for channel, link in links.pairs()]
            replies.append(Reply("\n".join(lines)))
            channel, link = links.pairs()[0]
            replies.append(
                Reply(
                    t("QR code for {channel}: show it or print it.", channel=channel.capitalize()),
                    attachment=Attachment(f"{campaign.code}-qr.png", qr_png(link), "photo"),
                )
            )
            today, rules = self._today(now), self.service.rules
            pdf = poster(poster_text(t, rules, today, campaign, links, campaigner=person))
            replies.append(
                Reply(
                    t("Poster to print (A4):"),
                    attachment=Attachment(f"{campaign.code}-poster.pdf", pdf, "document"),
                )
            )
        return replies

    async def _tally(self, person: Person, incoming: Incoming, now: datetime) -> list[Reply]:
        t = translator(self.service.default_lang)
        today = self._today(now)
        week = today - timedelta(days=today.weekday())
        async with self.service.db.reading() as conn:  # never holds up workers' writes
            tally = await campaigner_tally(
                conn,
                person.id,
                person.code or "",
                day_start(today, self.service.zone),
                day_start(week, self.service.zone),
            )
        return [
            Reply(
                t(
                    "Your sign-ups\ntoday: {today}\nthis week: {week}\nin total: {total}",
                    today=tally.today,
                    week=tally.week,
                    total=tally.total,
                )
            )
        ]

    async def _assist(self, incoming: Incoming, person: Person, deliver: Deliver) -> None:
        now = self.service.clock()
        active = await self._active_campaigns(person, now)
        opening = Incoming(
            incoming.channel,
            incoming.user_key,
            incoming.message_id,
            Kind.OPEN,
            payload=active[0].code if active else None,
            assisted_by=person.code,
        )
        await self.service.handle_locked(opening, deliver)

    async def _export(self, person: Person, incoming: Incoming, now: datetime) -> list[Reply]:
        """The file is written on a thread (exports.export), into a private folder next to the
        database that is emptied first: a copy left by a killed bot goes at the next /ekspor."""
        t = translator(self.service.default_lang)
        actor = f"{incoming.channel}:{person.telegram_id or person.phone} ({person.name})"
        outbox = self.service.db.folder / OUTBOX
        branch = None if person.admin else person.branch  # a branch's staff: their branch only
        async with self._outbox_lock:
            _empty(outbox)
            write = partial(
                export,
                self.service.db,
                fmt="xlsx",
                actor=actor,
                now=now,
                zone=self.service.zone,
                out=outbox,
            )
            try:
                try:
                    result = await write(filters=Filters(branch=branch))
                except NothingToExport:  # nothing new: the newest batch they may see again
                    async with self.service.db.reading() as conn:
                        batches = await exports.listing(conn)
                    mine = [b for b in batches if branch is None or _made_for(b, branch)]
                    if not mine:
                        return [Reply(t("There are no registrations to export yet."))]
                    result = await write(batch_id=mine[0].id)
            except ExportFailed as error:
                log.warning("/ekspor failed: %s", error)
                return [Reply(t("The export could not be written; nothing was exported."))]
            try:
                size = result.path.stat().st_size
                data = result.path.read_bytes() if size <= TELEGRAM_FILE_LIMIT else None
            finally:
                result.path.unlink(missing_ok=True)
        if data is None:
            return [
                Reply(
                    t(
                        "Batch {batch} is too large to send here. Use bpu-bot export "
                        "--batch {batch} on the server.",
                        batch=result.batch.id,
                    )
                )
            ]
        note = (
            t("New batch {batch}: {rows} registrations.", batch=result.batch.id, rows=result.rows)
            if result.new
            else t(
                "Nothing new since batch {batch} ({rows} registrations); here it is again.",
                batch=result.batch.id,
                rows=result.rows,
            )
        )
        return [
            Reply(
                f"{note}\nSHA-256: {result.sha256}",
                attachment=Attachment(result.path.name, data, "document"),
            )
        ]

    async def _sign_in_link(self, role: Role, person: Person, now: datetime) -> list[Reply]:
        """A link that signs this person in to the console, once, for a few minutes."""
        t = translator(self.service.default_lang)
        if person.id == 0:  # staff by the settings only: no record a session could name
            return [
                Reply(
                    t(
                        "Add yourself as staff first (bpu-bot staff add), then ask again: the "
                        "console needs your record."
                    )
                )
            ]
        async with self.service.db.transaction() as conn:
            token = await console.new_link(conn, role, person.id, now)
            await audit.record(conn, f"chat:{role}:{person.id}", "console.link", {}, now)
        minutes = int(console.LINK_LIFETIME.total_seconds() // 60)
        return [
            Reply(
                t(
                    "Your sign-in link to the staff console, valid once for {minutes} minutes. "
                    "Do not share it:\n{link}",
                    minutes=minutes,
                    link=f"{self.settings.console_url}masuk/{token}",
                )
            )
        ]

    async def _stats(self, person: Person, incoming: Incoming, now: datetime) -> list[Reply]:
        t = translator(self.service.default_lang)
        since = now - timedelta(days=30)
        async with self.service.db.reading() as conn:  # never holds up workers' writes
            result = await funnel(conn, since.astimezone(UTC).isoformat(), None)
        heading = t("Last 30 days, since {day}:", day=t.date(self._today(since)))
        chart = funnel_chart(
            heading,
            [(t(STAGE_LABELS[s]), n) for s, n in zip(STAGE_LABELS, result.total, strict=True)],
        )
        return [
            Reply(chat_summary(t, result, heading)),
            Reply(t("Funnel chart"), attachment=Attachment("funnel.png", chart, "photo")),
        ]
