"""Logging that never shows personal data or secrets: NIKs, phone numbers and bot tokens are
masked in every record."""

from __future__ import annotations

import hashlib
import logging
import re
from typing import TextIO

_NIK = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){15}(?!\d)")
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_\-]{8,}")
_PHONE = re.compile(r"(?<![\d\w])(?:\+?62|0)[ .\-]?8(?:[ .\-]?\d){7,11}(?!\d)")


def redact(text: str) -> str:
    text = _BOT_TOKEN.sub("[token]", text)
    return _PHONE.sub("[phone]", _NIK.sub("[nik]", text))


def pseudonym(channel: str, user_key: str) -> str:
    """A stable short tag for a user in logs; the key itself may be a phone number."""
    return hashlib.sha256(f"{channel}:{user_key}".encode()).hexdigest()[:10]


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiosqlite logs every statement with its parameters at DEBUG (personal data); httpx logs
    # every request URL at INFO, and Telegram's URLs contain the bot token.
    logging.getLogger("aiosqlite").setLevel(max(root.level, logging.INFO))
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(root.level, logging.WARNING))
