"""Translations and number/date formatting for every string a worker reads.

The .po catalogs are compiled in memory when first used, so there is no build step and no
committed .mo file that could go stale. English is the source language (the msgids).
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from datetime import date
from functools import cache, lru_cache
from io import BytesIO

from babel.dates import format_date
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from locales import DOMAIN, LOCALE_DIR

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class Translator:
    """Translates and formats for one language; pass it around instead of a global locale."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._t = _catalog(self.lang)
        self._numbers: dict[float, str] = {}

    def __call__(self, message: str, **values: object) -> str:
        text = self._t.gettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        return self._t.ngettext(singular, plural, n).format(n=n, **values)

    def number(self, value: float) -> str:
        """Babel's formatting is slow and the same amounts recur: remembered per translator."""
        if (text := self._numbers.get(value)) is None:
            if len(self._numbers) > 10_000:
                self._numbers.clear()
            text = self._numbers[value] = format_decimal(value, locale=self.lang)
        return text

    def money(self, amount: int) -> str:
        return "Rp" + self.number(amount)

    def juta(self, amount: int) -> str:
        """Round millions in words, "Rp42 juta" / "Rp42 million"; other amounts as `money`."""
        if amount % 100_000 == 0 and amount >= 1_000_000:
            return self(N_("Rp{amount} million"), amount=self.number(amount / 1_000_000))
        return self.money(amount)

    def date(self, day: date) -> str:
        return format_date(day, format="long", locale=self.lang)

    def month(self, day: date) -> str:
        return _month(day, self.lang)

    def months(self, days: Sequence[date]) -> str:
        """ "Oktober 2026 dan November 2026"."""
        return format_list([self.month(d) for d in days], locale=self.lang)


@lru_cache(maxsize=256)  # month names of discount ends, in every quote
def _month(day: date, lang: str) -> str:
    return format_date(day, format="MMMM y", locale=lang)


@cache
def translator(lang: str) -> Translator:
    return Translator(lang)


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later."""
    return message
