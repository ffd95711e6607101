"""Forgiving parsers for what workers type: dates of birth, and the text helpers they share.

Each parser returns a value or raises `Invalid` with a short code; the flow turns the code into a
friendly message with an example.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from .text_input import ascii_digits


class Invalid(ValueError):
    """Input that cannot be accepted; `code` names why (e.g. "nik.province")."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalize(text: str) -> str:
    """Lower-case, digits in ASCII, control characters removed, white space folded."""
    text = ascii_digits(unicodedata.normalize("NFKC", text))
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return " ".join(text.lower().split())


def simplify(text: str) -> str:
    """`normalize`, then punctuation dropped: for matching words, not for reading values."""
    return " ".join(re.sub(r"[^\w\s+]", " ", normalize(text)).split())


# --- dates ----------------------------------------------------------------------------------

_MONTHS = {
    "januari": 1,
    "jan": 1,
    "january": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "february": 2,
    "maret": 3,
    "mar": 3,
    "march": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "june": 6,
    "juli": 7,
    "jul": 7,
    "july": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "agust": 8,
    "aug": 8,
    "august": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "oct": 10,
    "october": 10,
    "november": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
    "dec": 12,
    "december": 12,
}


def resolve_century(yy: int, month: int, day: int, today: date) -> int:
    """The most recent year ending in `yy` that is not after `today`."""
    year = today.year - (today.year - yy) % 100
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    return year


def _make_date(day: int, month: int, year: int, two_digit: bool, today: date) -> date:
    if two_digit:
        year = resolve_century(year, month, day, today)
    try:
        result = date(year, month, day)
    except ValueError:
        raise Invalid("date.invalid") from None
    if result > today:
        raise Invalid("date.future")
    if result.year < 1900:
        raise Invalid("date.invalid")
    return result


def parse_birth_date(text: str, today: date) -> date:
    """A past date from "17-8-80", "17/08/1980", "17 Agustus 1980", "1980-08-17", "17081980"."""
    s = normalize(text)
    if m := re.fullmatch(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})", s):
        return _make_date(int(m[3]), int(m[2]), int(m[1]), False, today)
    if m := re.fullmatch(r"([0-9]{1,2})[-/. ]+([0-9]{1,2})[-/. ]+([0-9]{2}|[0-9]{4})", s):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), len(m[3]) == 2, today)
    if m := re.fullmatch(r"([0-9]{1,2})[-/. ]*([a-z]+)[-/. ]*([0-9]{2}|[0-9]{4})", s):
        month = _MONTHS.get(m[2])
        if month is None:
            raise Invalid("date.format")
        return _make_date(int(m[1]), month, int(m[3]), len(m[3]) == 2, today)
    if m := re.fullmatch(r"([0-9]{2})([0-9]{2})([0-9]{4}|[0-9]{2})", s):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), len(m[3]) == 2, today)
    raise Invalid("date.format")
