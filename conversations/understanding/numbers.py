"""A NIK or a mobile number inside a longer message ("NIK 3372 0557 0880 0001", "no hp sy
0812-3456-7890 ya"), for answers given before or around their question."""

from __future__ import annotations

import re
from datetime import date

from ..fields import clean_phone
from ..nik import parse_nik
from ..parsing import Invalid

_RUN = re.compile(r"\+?[0-9][0-9 .\-]{7,}[0-9]")


def find_nik(text: str, today: date) -> str | None:
    """A valid 16-digit NIK written anywhere in the text."""
    for run in _RUN.findall(text):
        if len(re.sub(r"[^0-9]", "", run)) == 16:
            try:
                return parse_nik(run, today).value
            except Invalid:
                continue
    return None


def find_phone(text: str) -> str | None:
    """An Indonesian mobile number written anywhere in the text, in E.164."""
    for run in _RUN.findall(text):
        try:
            return clean_phone(run)
        except Invalid:
            continue
    return None
