"""Gettext catalogs, one `<lang>/LC_MESSAGES/bpu.po` each. English is the source language."""

from pathlib import Path

LOCALE_DIR = Path(__file__).parent
DOMAIN = "bpu"
