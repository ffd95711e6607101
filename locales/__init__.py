"""Gettext catalogs, one `<lang>/LC_MESSAGES/bpu.po` each (English is the source language), and the
word lists the bot reads messages with, in `words/`."""

from pathlib import Path

LOCALE_DIR = Path(__file__).parent
DOMAIN = "bpu"
WORDS_DIR = LOCALE_DIR / "words"
