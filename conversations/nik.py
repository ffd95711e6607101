"""NIK (Nomor Induk Kependudukan): `PP KK CC DDMMYY SSSS`, 16 digits, no check digit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from .parsing import Invalid, resolve_century
from .text_input import ascii_digits

# Province codes per Kepmendagri 300.2.2-2138/2025 (bpu-facts.md section 4).
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64}
    | {65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96}
)
Gender = Literal["L", "P"]  # laki-laki, perempuan


@dataclass(frozen=True)
class Nik:
    value: str
    birth_date: date
    gender: Gender

    @property
    def masked(self) -> str:
        return f"{self.value[:4]}{'•' * 8}{self.value[-4:]}"


def mask(nik: str) -> str:
    return f"{nik[:4]}{'•' * 8}{nik[-4:]}"


def parse_nik(text: str, today: date) -> Nik:
    """Validate a NIK typed with any spaces, dots or dashes, in any script's digits; derive
    birth date and gender. The value is always 16 ASCII digits, so one NIK is one key."""
    digits = re.sub(r"[\s.\-\u2010-\u2015\u2212]", "", ascii_digits(text))
    if not re.fullmatch(r"[0-9]+", digits):
        raise Invalid("nik.digits")
    if len(digits) != 16:
        raise Invalid("nik.length")
    if int(digits[:2]) not in PROVINCES:
        raise Invalid("nik.province")
    regency = int(digits[2:4])
    if not (1 <= regency <= 69 or 71 <= regency <= 99):
        raise Invalid("nik.regency")
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    gender: Gender = "P" if day > 40 else "L"
    if gender == "P":
        day -= 40
    birth = _birth_date(day, month, yy, today)
    if digits[12:] == "0000":
        raise Invalid("nik.serial")
    return Nik(digits, birth, gender)


def _birth_date(day: int, month: int, yy: int, today: date) -> date:
    """The century is not encoded: take the latest year that is not in the future."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise Invalid("nik.date")
    year = resolve_century(yy, month, min(day, 28), today)
    for candidate in (year, year - 100):
        try:
            born = date(candidate, month, day)
        except ValueError:
            continue  # 29 February exists in only one of the two centuries
        if born <= today:
            return born
    raise Invalid("nik.date")
