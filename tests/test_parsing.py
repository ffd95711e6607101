"""What workers really type: amounts, dates, yes/no and menu words."""

from datetime import date

import pytest

from conversations.parsing import (
    Invalid,
    match_option,
    parse_birth_date,
    parse_money,
)
from conversations.steps import YES_NO

TODAY = date(2026, 11, 21)


# Every form of amount is in test_income_reading.py; these are what the income step gets from
# `parse_money` until it reads `read_income` itself.
@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [
        ("2 juta", 2_000_000),
        ("1,5 jt", 1_500_000),
        ("Rp2.000.000,-", 2_000_000),
        ("dua juta setengah", 2_500_000),  # was 2.000.000
        ("Rp 2.5OO.OOO", 2_500_000),  # was 2.000.000
        ("1½ juta", 1_500_000),  # was refused
        ("sebulan 2 juta", 2_000_000),
    ],
)
def test_money_for_a_month(typed: str, rupiah: int) -> None:
    assert parse_money(typed) == rupiah


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "money.format"),
        ("banyak", "money.format"),
        ("0", "money.zero"),
        ("100 ribu sehari", "money.not_monthly"),
        ("500rb per minggu", "money.not_monthly"),
        ("setahun 30 juta", "money.not_monthly"),  # was taken as 30 juta a month
        ("1.2.3.4", "money.format"),
        ("1-2 juta", "money.format"),  # a range, seasons, a profit: confirmed by the new step
        ("musim ramai 6 juta, sepi 1 juta", "money.format"),  # was added up: 7 juta
        ("omzet 8 juta untung 1,5 juta", "money.format"),  # was added up: 9,5 juta
        ("tidak tentu", "money.format"),
        ("3372055708800001", "money.format"),  # a NIK was read as an income
        ("9" * 400, "money.format"),
    ],
)
def test_money_refuses_what_is_not_a_months_amount(typed: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_money(typed)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("typed", "born"),
    [
        ("17-8-80", date(1980, 8, 17)),
        ("17/08/1980", date(1980, 8, 17)),
        ("17.08.1980", date(1980, 8, 17)),
        ("17 8 1980", date(1980, 8, 17)),
        ("17 Agustus 1980", date(1980, 8, 17)),
        ("17 agt 80", date(1980, 8, 17)),
        ("17-aug-1980", date(1980, 8, 17)),
        ("1980-08-17", date(1980, 8, 17)),
        ("17081980", date(1980, 8, 17)),
        ("1 Januari 2001", date(2001, 1, 1)),
        ("5-5-27", date(1927, 5, 5)),  # 2027 would be in the future
        ("29 Februari 2000", date(2000, 2, 29)),
    ],
)
def test_birth_dates(typed: str, born: date) -> None:
    assert parse_birth_date(typed, TODAY) == born


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("31 02 1990", "date.invalid"),
        ("29-2-2001", "date.invalid"),
        ("32-1-1990", "date.invalid"),
        ("1-13-1990", "date.invalid"),
        ("1-1-2030", "date.future"),
        ("kemarin", "date.format"),
        ("17 bulan 1980", "date.format"),
    ],
)
def test_birth_dates_rejected(typed: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_birth_date(typed, TODAY)
    assert caught.value.code == code


@pytest.mark.parametrize("typed", ["ya", "Iya", "ok", "Benar", "setuju", "Y"])
def test_yes(typed: str) -> None:
    assert match_option(typed, YES_NO.items()) == "yes"


@pytest.mark.parametrize("typed", ["tidak", "gak", "Salah", "bukan", "no"])
def test_no(typed: str) -> None:
    assert match_option(typed, YES_NO.items()) == "no"


def test_yes_no_unknown() -> None:
    assert match_option("mungkin", YES_NO.items()) is None


OCCUPATIONS = [
    ("pedagang", ("Pedagang", "dagang", "jualan")),
    ("ojek_pangkalan", ("Ojek pangkalan", "opang")),
    ("ojek_online", ("Ojek online", "ojol")),
]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Pedagang", "pedagang"),
        ("  PEDAGANG! ", "pedagang"),
        ("pedagan", "pedagang"),  # a typo
        ("jualan", "pedagang"),
        ("ojol", "ojek_online"),
        ("ojek online", "ojek_online"),
        ("ojek", None),  # ambiguous: which ojek?
        ("dokter", None),
        ("", None),
    ],
)
def test_option_matching(typed: str, key: str | None) -> None:
    assert match_option(typed, OCCUPATIONS) == key
