"""Logging that never shows personal data or secrets, at any level.

- Libraries never log below INFO, whatever BPU_LOG_LEVEL says: at DEBUG python-telegram-bot
  dumps whole updates and API calls (names, addresses, e-mails), aiosqlite every statement with
  its parameters, httpx/httpcore/hpack requests and headers. httpx and httpcore stay at WARNING
  even then: their INFO lines hold request URLs, and Telegram's contain the bot token.
- The access log shows method, path, status and time: never the query string (Meta sends the
  verify token in it), headers or the client's address.
- Every record is scrubbed: NIKs, phone numbers, e-mail addresses, bot tokens, and the exact
  secrets from the settings (`hide`), in the message, its arguments and any traceback.
- A warning or error repeated in a flood (one per refused request, per broken socket) is written
  at most `BURST` times a minute, then counted.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import TextIO
from urllib.parse import quote, quote_plus, unquote

from pydantic import BaseModel, SecretStr

from storage.database import url_password

OWN_LOGGERS = ("bot", "storage", "conversations", "locales", "__main__")
LIBRARY_FLOOR = logging.INFO  # the lowest level any library may log at
LIBRARY_FLOORS = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "hpack": logging.WARNING}
QUIETED = ("telegram", "aiohttp", "aiosqlite", "asyncio", "h11", *LIBRARY_FLOORS)
BURST = 10  # records of one kind per minute before the rest are only counted
WINDOW = 60.0

_NIK = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){15}(?!\d)")
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_\-]{8,}")
_PHONE = re.compile(r"(?<![\d\w])(?:\+?62|0)[ .\-]?8(?:[ .\-]?\d){7,11}(?!\d)")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_secrets: set[str] = set()
_SECRET: re.Pattern[str] | None = None


def hide(values: Iterable[str]) -> None:
    """Mask these exact values (tokens, webhook secrets) in every record from now on."""
    global _SECRET
    for value in values:
        if value:  # also as they look in a URL
            _secrets.update({value, quote(value, safe=""), quote_plus(value)})
    longest_first = sorted(_secrets, key=len, reverse=True)
    _SECRET = re.compile("|".join(map(re.escape, longest_first))) if _secrets else None


def hide_secrets_of(settings: BaseModel) -> None:
    """Hide every SecretStr setting, and the password inside one that is a URL."""
    values = (getattr(settings, name) for name in type(settings).model_fields)
    secrets = [v.get_secret_value() for v in values if isinstance(v, SecretStr)]
    passwords = [url_password(v) for v in secrets]
    hide([*secrets, *(p for p in passwords if p), *(unquote(p) for p in passwords if p)])


def redact(text: str) -> str:
    if _SECRET is not None:
        text = _SECRET.sub("[secret]", text)
    text = _BOT_TOKEN.sub("[token]", text)
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub("[phone]", _NIK.sub("[nik]", text))


def pseudonym(channel: str, user_key: str) -> str:
    """A stable short tag for a user in logs; the key itself may be a phone number."""
    return hashlib.sha256(f"{channel}:{user_key}".encode()).hexdigest()[:10]


def _own(name: str) -> bool:
    return name.split(".", 1)[0] in OWN_LOGGERS


class LibraryFloor(logging.Filter):
    """Drops library records below their floor (for loggers not quieted by name)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _own(record.name):
            return True
        return record.levelno >= LIBRARY_FLOORS.get(record.name.split(".", 1)[0], LIBRARY_FLOOR)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


class FloodFilter(logging.Filter):
    """At most BURST warnings or errors of one kind (logger and message template) a minute; the
    next one written says how many were left out."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.clock = clock
        self.seen: dict[tuple[str, str], tuple[float, int, int]] = {}  # start, written, dropped

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        if len(self.seen) > 1000:  # messages formatted before logging: each its own kind
            self.seen.clear()
        key, now = (record.name, str(record.msg)), self.clock()
        start, written, dropped = self.seen.get(key, (now, 0, 0))
        if now - start >= WINDOW:
            start, written = now, 0
        if written >= BURST:
            self.seen[key] = (start, written, dropped + 1)
            return False
        if dropped:
            note = f" ({dropped} more like this not logged)"
            record.msg, record.args = record.getMessage() + note, None
        self.seen[key] = (start, written + 1, 0)
        return True


def setup_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for guard in (LibraryFloor(), FloodFilter(), RedactingFilter()):
        handler.addFilter(guard)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in QUIETED:  # also saves formatting what would be dropped
        floor = LIBRARY_FLOORS.get(name, LIBRARY_FLOOR)
        logging.getLogger(name).setLevel(max(root.level, floor))
