"""Every text a worker sends is cleaned once, before the conversation reads it.

What comes out has ASCII digits only (a NIK typed in Arabic-Indic, fullwidth or bold digits is
the same NIK), line breaks as "\\n", and no control, format or surrogate character: no terminal
escape, bell, NUL, bidi override or zero-width character can reach storage or an export, and
SQLite never meets a string it cannot encode.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from fractions import Fraction
from functools import lru_cache

from .model import Incoming

MAX_CHARS = 4096  # Telegram's and WhatsApp's own limit; no answer comes near it
_LINE_BREAKS = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# controls, format (bidi, zero-width), surrogates, private use, unassigned: nothing to read
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# What phones type for ' and - ("smart" punctuation): a name like Ma'ruf must read the same.
# Arabic keyboards' decimal and thousands separators as Indonesian writes them ("١٫٥" is 1,5), and
# the fraction slash as "/".
_PUNCTUATION = str.maketrans(
    dict.fromkeys("\u2018\u2019\u02bc\u0060\u00b4\u2032", "'")
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")
    | {"\u066b": ",", "\u066c": ".", "\u2044": "/"}
)


def _vulgar(fraction: str) -> tuple[str, str]:
    """ "½" → ("5", "1/2"): its decimal digits ("" when no short decimal is exact), and its
    ASCII form."""
    top, bottom = unicodedata.normalize("NFKC", fraction).split("\u2044")
    thousandths = Fraction(int(top), int(bottom)) * 1000
    exact = thousandths.denominator == 1
    return (f"{int(thousandths):03d}".rstrip("0") if exact else ""), f"{top}/{bottom}"


# NFKC turns "½" into "1⁄2", so "1½" would read as 11/2: the vulgar fractions are written out first.
_VULGAR = {fraction: _vulgar(fraction) for fraction in "¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"}
# Starting only where a run of digits starts: from inside one, every position would scan the run
# again (quadratic on a 4,096-digit message).
_FRACTION = re.compile(f"(?<![0-9])([0-9]*) ?([{''.join(_VULGAR)}])")


def _write_fraction(match: re.Match[str]) -> str:
    """ "1½" → "1,5", "½" → "0,5", "1⅓" → "1 1/3", "⅓" → "1/3"."""
    whole, (digits, ascii_form) = match[1], _VULGAR[match[2]]
    if digits:
        return f"{whole or 0},{digits}"
    return f"{whole} {ascii_form}" if whole else ascii_form


@lru_cache(maxsize=4096)
def _clean_char(ch: str) -> str:
    if ch == "\n":
        return ch
    if ch in _LINE_BREAKS:
        return "\n"
    category = unicodedata.category(ch)
    if ch == "\t" or category == "Zs":
        return " "
    if category in _INVISIBLE:
        return ""
    digit = unicodedata.digit(ch, None)  # any script's digits, superscripts, circled digits
    return ch if digit is None else str(digit)


def ascii_digits(text: str) -> str:
    """`text` with every digit of any script as its ASCII digit; nothing else changed."""
    if text.isascii():
        return text
    return "".join(ch if (d := unicodedata.digit(ch, None)) is None else str(d) for ch in text)


def clean_text(text: str) -> str:
    """Compatibility forms folded (NFKC), digits in ASCII, phones' curly apostrophes and
    dashes as ' and -, vulgar fractions as decimals ("1½" → "1,5"), Arabic decimal and thousands
    separators as "," and ".", invisible characters removed, line breaks as "\\n", at most
    MAX_CHARS characters."""
    # Digits, phone punctuation and fractions first: NFKC would turn "⒎" into "7.", "´" into a
    # space and an accent, and "1½" into "11⁄2".
    text = ascii_digits(text[:MAX_CHARS].replace("\r\n", "\n")).translate(_PUNCTUATION)
    if any(ch in _VULGAR for ch in text):
        text = _FRACTION.sub(_write_fraction, text)
    text = unicodedata.normalize("NFKC", text)  # fullwidth, ligatures, compatibility letters
    # and once more: NFKC makes some of them ("﹘" is "—"), so cleaning twice changes nothing
    text = text.translate(_PUNCTUATION)
    return visible(text)[:MAX_CHARS]


def visible(text: str) -> str:
    """`text` without invisible characters (controls, a NUL, bidi and zero-width marks), its
    line breaks as "\\n" and its tabs and odd spaces as " "; nothing else changed."""
    return "".join(map(_clean_char, text.replace("\r\n", "\n")))


def clean_incoming(incoming: Incoming) -> Incoming:
    """The message as the flow should read it: its text and shared number cleaned."""
    phone = incoming.contact_phone
    return dataclasses.replace(
        incoming,
        text=clean_text(incoming.text),
        contact_phone=None if phone is None else clean_text(phone),
    )
