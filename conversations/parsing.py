"""Forgiving parsers for what workers type: amounts of money, dates, yes/no, menu choices.

Each parser returns a value or raises `Invalid` with a short code; the flow turns the code into a
friendly message with an example.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
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


# --- money ----------------------------------------------------------------------------------

_UNITS = {
    "juta": 1_000_000,
    "jt": 1_000_000,
    "jta": 1_000_000,
    "jeti": 1_000_000,
    "j": 1_000_000,
    "ribu": 1_000,
    "rb": 1_000,
    "rbu": 1_000,
    "rebu": 1_000,
    "k": 1_000,
}
_DIGIT_WORDS = {
    "nol": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "sebelas": 11,
    "seratus": 100,
}
_SCALE_WORDS = {"ribu": 1_000, "seribu": 1_000, "juta": 1_000_000, "sejuta": 1_000_000}
_MAX_AMOUNT = 10**12
_NUMBER_UNIT = re.compile(
    r"([0-9]+(?:[.,][0-9]+)*)\s*(juta|jta|jt|jeti|ribu|rebu|rbu|rb|k|j)?(?![a-z])"
)


def _number(token: str, has_unit: bool) -> float:
    """'1.500.000' and '1,500' are thousands; '1,5' and (with a unit) '1.5' are decimals."""
    groups = re.split(r"[.,]", token)
    if len(groups) == 1:
        return float(token)
    if all(len(g) == 3 for g in groups[1:]) and not (
        has_unit and len(groups) == 2 and "," in token
    ):
        return float("".join(groups))
    if len(groups) == 2:
        return float(f"{groups[0]}.{groups[1]}")
    raise Invalid("money.format")


def _scale_bare(value: float) -> float:
    """A bare number means juta below 100 ("2", "1,5") and ribu below 10.000 ("750", "1500")."""
    if value < 100:
        return value * 1_000_000
    if value < 10_000:
        return value * 1_000
    return value


def _words_amount(words: Sequence[str]) -> float | None:
    total = group = last = 0.0
    half = seen = False
    for word in words:
        if word in _DIGIT_WORDS:
            last, seen = float(_DIGIT_WORDS[word]), True
        elif word == "belas":
            group, last = group + last + 10, 0.0
        elif word == "puluh":
            group, last = group + last * 10, 0.0
        elif word == "ratus":
            group, last = group + last * 100, 0.0
        elif word == "setengah":
            half, seen = True, True
        elif word in _SCALE_WORDS:
            base = group + last
            if word.startswith("se"):
                base = base or 1
            total += (base + (0.5 if half else 0)) * _SCALE_WORDS[word]
            group = last = 0.0
            half, seen = False, True
        elif word.isdecimal():  # ASCII: `words` come from [a-z]+|[0-9]+
            last, seen = float(word), True
    return total + group + last if seen else None


def parse_money(text: str) -> int:
    """Rupiah from "2 juta", "1,5 jt", "Rp 2.000.000", "750rb", "dua juta", "1 juta 500 ribu"."""
    s = normalize(text)
    if re.search(r"\b(hari|sehari|harian|minggu|seminggu|mingguan|day|week)\b", s):
        raise Invalid("money.not_monthly")
    s = re.sub(r"\b(rp|idr)\.?\s*", " ", s)
    s = re.sub(r"[,.]-|[,.]00\b(?![.,][0-9])", "", s)
    s = re.sub(r"(?<=[0-9]) (?=[0-9]{3}\b)", "", s)  # "1 500 000"
    words = re.findall(r"[a-z]+|[0-9]+", s)
    if any(
        w in _DIGIT_WORDS or w in ("setengah", "belas", "puluh", "ratus", "sejuta", "seribu")
        for w in words
    ):
        amount = _words_amount(words)
        if amount is None:
            raise Invalid("money.format")
    else:
        matches = list(_NUMBER_UNIT.finditer(s))
        if not matches:
            raise Invalid("money.format")
        amount = 0.0
        previous_unit = None
        for m in matches:
            unit = m.group(2)
            value = _number(m.group(1), has_unit=unit is not None)
            if unit:
                amount += value * _UNITS[unit]
            elif previous_unit in ("juta", "jt", "jta", "jeti", "j") and value < 1000:
                amount += value * 1_000  # "1 juta 500" = 1.500.000
            elif len(matches) == 1:
                amount += _scale_bare(value)
            else:
                raise Invalid("money.format")
            previous_unit = unit
    if amount <= 0:
        raise Invalid("money.zero")
    return round(min(amount, _MAX_AMOUNT))


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


# --- yes / no and menu choices --------------------------------------------------------------

YES_WORDS = {
    "ya",
    "y",
    "iya",
    "iyah",
    "yes",
    "yup",
    "benar",
    "betul",
    "bener",
    "ok",
    "oke",
    "okay",
    "setuju",
    "sip",
    "siap",
    "boleh",
    "lanjut",
    "mau",
}
NO_WORDS = {
    "tidak",
    "tdk",
    "nggak",
    "ngga",
    "gak",
    "ga",
    "enggak",
    "engga",
    "no",
    "n",
    "salah",
    "bukan",
    "jangan",
    "tidak mau",
    "gak mau",
    "nanti",
}


def match_option(text: str, candidates: Iterable[tuple[str, Sequence[str]]]) -> str | None:
    """The key whose label or synonyms the text names: exactly, or by a close spelling.

    `candidates` pairs each option key with the words that name it. Returns None when nothing, or
    more than one option, matches.
    """
    s = simplify(text)
    if not s:
        return None
    names: dict[str, set[str]] = {}
    for key, words in candidates:
        for word in (key, *words):
            names.setdefault(simplify(word), set()).add(key)
    if s in names and len(names[s]) == 1:
        return next(iter(names[s]))
    close = difflib.get_close_matches(s, list(names), n=2, cutoff=0.82)
    keys = {k for name in close for k in names[name]}
    return keys.pop() if len(keys) == 1 else None
