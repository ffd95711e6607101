"""Campaign links: Telegram deep links and WhatsApp click-to-chat links carrying the code."""

from __future__ import annotations

import re
from urllib.parse import quote

from conversations.i18n import Translator

# The campaign code inside a click-to-chat message, however it was edited ("kode: abc-123"): the
# short text of today's links ("DAFTAR KODE:ABC-123") and the long one of posters already printed
# ("Halo, saya mau ikut BPJS Ketenagakerjaan. Kode: abc-123").
# Issued codes end in "-" and six random characters (storage/campaigns.py issue_code), so a
# code holds a hyphen: "kode pos 57111" or "kode bayar" is no campaign.
WHATSAPP_CODE = re.compile(
    r"\b(?:kode|code)\s*[:=]?\s*([A-Za-z0-9][A-Za-z0-9_]*-[A-Za-z0-9_\-]{1,62})", re.I
)


def telegram_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def whatsapp_text(t: Translator, code: str) -> str:
    """The message a worker sends by scanning: short, and upper case like the code in it, so that
    all of it is in the QR code's alphanumeric mode (a translation should keep to A-Z, 0-9,
    space, colon and full stop too)."""
    return t("JOIN CODE:{code}", code=code.upper())


def whatsapp_link(number: str, t: Translator, code: str) -> str:
    """wa.me, the number's digits and the prefilled text, with ':' left as it is (a URL's query
    may hold it) so that the text needs no more percent signs than its spaces."""
    digits = re.sub(r"\D", "", number)
    return f"https://wa.me/{digits}?text={quote(whatsapp_text(t, code), safe=':')}"


def code_in_text(text: str) -> str | None:
    """The campaign code in a message, in lower case as codes are issued (storage/campaigns.py)
    whatever case the link or the worker wrote it in."""
    match = WHATSAPP_CODE.search(text)
    return match[1].lower() if match else None
