"""What a campaigner takes to the market: links, QR codes and the A4 poster of a campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.links import telegram_link, whatsapp_link
from bot.settings import Settings
from bot.staff.graphics import PosterText, poster, qr_png, qr_svg
from conversations import Rules
from conversations.content import lowest_premium_today
from conversations.fields import display_phone
from conversations.i18n import Translator
from storage import people
from storage.campaigns import Campaign
from storage.people import Person
from storage.sql import AsyncConnection


@dataclass(frozen=True)
class Links:
    telegram: str | None
    whatsapp: str | None

    def pairs(self) -> list[tuple[str, str]]:
        """(channel, link) for each channel that is set up, WhatsApp first: most workers use it."""
        found = [("whatsapp", self.whatsapp), ("telegram", self.telegram)]
        return [(channel, link) for channel, link in found if link]


def campaign_links(settings: Settings, t: Translator, code: str) -> Links:
    links = Links(
        telegram_link(settings.telegram_bot_username, code)
        if settings.telegram_bot_username
        else None,
        whatsapp_link(settings.whatsapp_number, t, code) if settings.whatsapp_number else None,
    )
    if not links.pairs():
        raise ValueError("set TELEGRAM_BOT_USERNAME and/or BPU_WHATSAPP_NUMBER for campaign links")
    return links


def price_note(t: Translator, rules: Rules, today: date) -> str | None:
    """The discount running today, said so that it is true for everyone it names."""
    first = today.replace(day=1)
    active = [d for d in rules.discounts if d.start <= first <= d.end]
    if not active:
        return None
    sectors = {sector for d in active for sector in d.sectors}
    end = t.month(min(d.end for d in active))
    if sectors >= {"transport", "other"}:
        return t("Now {percent}% off JKK and JKM, until {end}", percent=active[0].percent, end=end)
    return t(
        "Now {percent}% off JKK and JKM for ojek, drivers and couriers, until {end}",
        percent=active[0].percent,
        end=end,
    )


def campaign_dates(t: Translator, campaign: Campaign) -> str:
    start = t.date(campaign.starts_on)
    if campaign.ends_on is None:
        return t("When: from {start} until it ends", start=start)
    return t("When: {start} to {end}", start=start, end=t.date(campaign.ends_on))


def campaigner_line(t: Translator, campaigner: Person | None) -> str | None:
    """The campaigner's own name and number, which they give out at the market anyway."""
    if campaigner is None:
        return None
    if not campaigner.phone:
        return t("Field officer: {name}", name=campaigner.name)
    return t(
        "Field officer: {name}, {phone}",
        name=campaigner.name,
        phone=display_phone(campaigner.phone),
    )


async def poster_campaigner(conn: AsyncConnection, campaign: Campaign) -> Person | None:
    """The campaigner the poster names: the campaign's own, while they are still one."""
    if campaign.campaigner_id is None:
        return None
    found = await people.get(conn, "campaigner", campaign.campaigner_id)
    return found if found and found.active else None


def poster_text(
    t: Translator,
    rules: Rules,
    today: date,
    campaign: Campaign,
    links: Links,
    campaigner: Person | None = None,
) -> PosterText:
    captions = {"whatsapp": t("Register on WhatsApp"), "telegram": t("Register on Telegram")}
    return PosterText(
        title="BPJS Ketenagakerjaan",
        subtitle=t("for people who work for themselves: traders, ojek, farmers, fishers"),
        slogan="Kerja Keras Bebas Cemas",
        pitch=t("Protection from work accidents and death. No waiting period."),
        # the price that applies today (a poster is read at the stall now, not at the list price)
        price=t(
            "From {amount} a month",
            amount=t.money(lowest_premium_today(rules, today, None).monthly_total),
        ),
        price_note=price_note(t, rules, today),
        place=t("Where: {place}", place=campaign.place),
        when=campaign_dates(t, campaign),
        campaigner=campaigner_line(t, campaigner),
        footer=t(
            "Code: {code} · Contact Center {cc}",
            code=campaign.code,
            cc=rules.payment.contact_center,
        ),
        codes=[
            (captions[channel], link.removeprefix("https://").split("?text=")[0], link)
            for channel, link in links.pairs()
        ],
    )


def write_assets(
    folder: Path,
    t: Translator,
    rules: Rules,
    today: date,
    campaign: Campaign,
    links: Links,
    campaigner: Person | None = None,
) -> list[Path]:
    """QR codes (PNG and SVG) for each link, and the poster (a vector PDF), into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for channel, link in links.pairs():
        for suffix, data in (("png", qr_png(link)), ("svg", qr_svg(link))):
            path = folder / f"{campaign.code}-qr-{channel}.{suffix}"
            path.write_bytes(data)
            written.append(path)
    path = folder / f"{campaign.code}-poster.pdf"
    path.write_bytes(poster(poster_text(t, rules, today, campaign, links, campaigner)))
    written.append(path)
    return written
