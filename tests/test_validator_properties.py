"""Validators accept the real-world variety and reject what they must, over generated input."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.fields import clean_phone
from conversations.nik import PROVINCES, parse_nik
from conversations.parsing import Invalid
from conversations.text_input import clean_text
from tests.test_bad_input import written_anyhow

TODAY = date(2026, 11, 21)
SEPARATORS = st.sampled_from(["", " ", ".", "-", "  "])


def nik_digits(
    province: int, regency: int, district: int, born: date, female: bool, serial: int
) -> str:
    day = born.day + 40 if female else born.day
    return (
        f"{province:02d}{regency:02d}{district:02d}{day:02d}{born.month:02d}"
        f"{born.year % 100:02d}{serial:04d}"
    )


def spaced(digits: str, separator: str) -> str:
    return separator.join(digits[i : i + 4] for i in range(0, len(digits), 4))


@settings(max_examples=200)
@given(
    province=st.sampled_from(sorted(PROVINCES)),
    regency=st.one_of(st.integers(1, 69), st.integers(71, 99)),
    district=st.integers(1, 99),
    born=st.dates(date(1927, 1, 1), date(2009, 12, 31)),
    female=st.booleans(),
    serial=st.integers(1, 9999),
    separator=SEPARATORS,
)
def test_every_valid_nik_is_read(
    province: int,
    regency: int,
    district: int,
    born: date,
    female: bool,
    serial: int,
    separator: str,
) -> None:
    digits = nik_digits(province, regency, district, born, female, serial)
    nik = parse_nik(spaced(digits, separator), TODAY)
    assert (nik.value, nik.birth_date, nik.gender) == (digits, born, "P" if female else "L")


@settings(max_examples=100)
@given(
    province=st.integers(0, 99).filter(lambda p: p not in PROVINCES),
    born=st.dates(date(1940, 1, 1), date(2008, 12, 31)),
)
def test_a_nik_outside_every_province_is_rejected(province: int, born: date) -> None:
    with pytest.raises(Invalid) as caught:
        parse_nik(nik_digits(province, 72, 5, born, False, 1), TODAY)
    assert caught.value.code == "nik.province"


@settings(max_examples=100)
@given(
    born=st.dates(date(1940, 1, 1), date(2008, 12, 31)),
    female=st.booleans(),
    day=st.integers(32, 40) | st.integers(72, 99),
)
def test_a_nik_with_an_impossible_day_is_rejected(born: date, female: bool, day: int) -> None:
    digits = nik_digits(33, 72, 5, born, female, 1)
    with pytest.raises(Invalid) as caught:
        parse_nik(digits[:6] + f"{day:02d}" + digits[8:], TODAY)
    assert caught.value.code == "nik.date"


MOBILES = ["81234567890", "8561234567", "82112345678", "895612345678", "8777123456"]


@settings(max_examples=200)
@given(
    number=st.sampled_from(MOBILES),
    prefix=st.sampled_from(["0", "62", "+62", "+62 ", "(0)"]),
    separator=SEPARATORS,
    group=st.integers(2, 4),
)
def test_mobiles_in_any_writing_become_the_same_e164(
    number: str, prefix: str, separator: str, group: int
) -> None:
    body = separator.join(number[i : i + group] for i in range(0, len(number), group))
    assert clean_phone(prefix + body) == "+62" + number


@settings(max_examples=100)
@given(
    country=st.sampled_from(["+1", "+44", "+60", "+65", "+61", "+91"]),
    rest=st.text(alphabet="0123456789", min_size=8, max_size=10),
)
def test_foreign_numbers_are_refused(country: str, rest: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_phone(country + rest)
    assert caught.value.code in ("phone.foreign", "phone.format")


# --- any script's digits, any invisible character ------------------------------------------


@settings(max_examples=200)
@given(data=st.data(), female=st.booleans(), serial=st.integers(1, 9999))
def test_a_nik_in_any_digits_is_the_same_ascii_nik(
    data: st.DataObject, female: bool, serial: int
) -> None:
    digits = nik_digits(33, 72, 5, date(1980, 8, 17), female, serial)
    assert parse_nik(data.draw(written_anyhow(digits)), TODAY).value == digits
    with_invisible = data.draw(written_anyhow(digits, invisible=True))
    assert parse_nik(clean_text(with_invisible), TODAY).value == digits


@settings(max_examples=200)
@given(data=st.data(), number=st.sampled_from(MOBILES))
def test_a_mobile_in_any_digits_is_the_same_e164(data: st.DataObject, number: str) -> None:
    assert clean_phone("0" + data.draw(written_anyhow(number))) == "+62" + number
    with_invisible = "0" + data.draw(written_anyhow(number, invisible=True))
    assert clean_phone(clean_text(with_invisible)) == "+62" + number


@settings(max_examples=300)
@given(text=st.text(alphabet=st.characters(exclude_categories=()), max_size=200))
def test_clean_text_leaves_ascii_digits_and_no_invisible_character(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # raises on a lone surrogate, which SQLite cannot store
    for ch in cleaned:
        assert unicodedata.category(ch) not in ("Cc", "Cf", "Cs") or ch == "\n"
        assert unicodedata.digit(ch, None) is None or ch in "0123456789"
    assert clean_text(cleaned) == cleaned
