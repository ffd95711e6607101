"""A sponsored program as staff ask for it (`bpu-bot sponsor add`, the console's form), checked
against the rules and the official regions before it is stored (storage/sponsors.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from conversations import Rules
from conversations.content import OCCUPATIONS
from conversations.nik import parse_nik
from conversations.parsing import Invalid
from conversations.understanding.regions import region_by_code
from storage.sponsors import NewProgram


def checked_program(
    rules: Rules,
    today: date,
    *,
    code: str,
    sponsor: str,
    kind: str,
    income: int,
    seats: int,
    start: date,
    end: date,
    with_jht: bool,
    occupations: Iterable[str],
    city_codes: Iterable[str],
    campaigns: Iterable[str],
    nik_lines: Iterable[str] | None,
    nik_source: str = "the NIK list",
) -> NewProgram:
    """The program, checked; ValueError says what is wrong, in one line for staff."""
    occupations, city_codes = tuple(occupations), tuple(city_codes)
    if not (code := code.strip().upper()) or not (sponsor := " ".join(sponsor.split())):
        raise ValueError("a program needs a code and a sponsor")
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{0,39}", code):  # it names files and web addresses
        raise ValueError(f"code {code}: use letters, digits and - only (e.g. SPN-PPU-2027)")
    if rules.sponsor_kind(kind) is None:
        kinds = ", ".join(k.key for k in rules.sponsor_kinds)
        raise ValueError(f"unknown kind {kind}: one of {kinds}")
    if not rules.income.minimum <= income <= rules.income.maximum:
        raise ValueError(
            f"income {income} is outside {rules.income.minimum}-{rules.income.maximum}"
        )
    if seats <= 0:
        raise ValueError("seats must be at least 1")
    if end < start:
        raise ValueError(f"the program ends ({end:%Y-%m}) before it starts")
    if unknown := [o for o in occupations if o not in OCCUPATIONS]:
        raise ValueError(f"unknown occupation {unknown[0]}: one of {', '.join(OCCUPATIONS)}")
    if unknown := [c for c in city_codes if region_by_code(c) is None]:
        raise ValueError(f"no kabupaten/kota has the code {unknown[0]} (e.g. 64.09)")
    return NewProgram(
        code=code,
        sponsor=sponsor,
        kind=kind,
        with_jht=with_jht,
        declared_income=income,
        seats=seats,
        start=start,
        end=end,
        occupations=occupations,
        city_codes=city_codes,
        campaigns=tuple(c.strip() for c in campaigns if c.strip()),
        niks=_niks(nik_lines, nik_source, today) if nik_lines is not None else (),
    )


def _niks(lines: Iterable[str], source: str, today: date) -> tuple[str, ...]:
    """One NIK a line (the first field of a CSV line); any other line is refused."""
    niks = []
    for number, line in enumerate(lines, 1):
        if not (text := line.strip().split(",")[0].split(";")[0].strip()):
            continue
        try:
            niks.append(parse_nik(text, today).value)
        except Invalid:
            raise ValueError(f"{source}: line {number} is not a NIK") from None
    if not niks:
        raise ValueError(f"{source} holds no NIK")
    return tuple(niks)
