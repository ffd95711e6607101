"""Campaign links: Telegram deep links and WhatsApp click-to-chat links carrying the code."""

from __future__ import annotations

import re
from urllib.parse import quote

from conversations.i18n import Translator

# The campaign code inside a click-to-chat message, however it was edited ("kode: abc-123").
WHATSAPP_CODE = re.compile(r"\b(?:kode|code)\s*[:=]?\s*([A-Za-z0-9][A-Za-z0-9_\-]{2,63})", re.I)


def telegram_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def whatsapp_text(t: Translator, code: str) -> str:
    return t("Hello, I want to join BPJS Ketenagakerjaan. Code: {code}", code=code)


def whatsapp_link(number: str, t: Translator, code: str) -> str:
    digits = re.sub(r"\D", "", number)
    return f"https://wa.me/{digits}?text={quote(whatsapp_text(t, code))}"


def code_in_text(text: str) -> str | None:
    match = WHATSAPP_CODE.search(text)
    return match[1] if match else None
