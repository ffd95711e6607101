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


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [
        ("2 juta", 2_000_000),
        ("1,5 jt", 1_500_000),
        ("1.500.000", 1_500_000),
        ("Rp 2.000.000", 2_000_000),
        ("Rp2.000.000,-", 2_000_000),
        ("Rp. 3.000.000,00", 3_000_000),
        ("IDR 5,000,000", 5_000_000),
        ("750rb", 750_000),
        ("800 ribu", 800_000),
        ("dua juta", 2_000_000),
        ("satu setengah juta", 1_500_000),
        ("dua ratus lima puluh ribu", 250_000),
        ("sejuta", 1_000_000),
        ("1.5 juta", 1_500_000),
        ("2,5jt", 2_500_000),
        ("1 juta 500 ribu", 1_500_000),
        ("1jt500rb", 1_500_000),
        ("1 juta 500", 1_500_000),
        ("1 500 000", 1_500_000),
        ("1500000", 1_500_000),
        ("2", 2_000_000),  # a bare small number means juta
        ("1,5", 1_500_000),
        ("750", 750_000),  # hundreds mean ribu
        ("1500", 1_500_000),
        ("20,7 juta", 20_700_000),
        ("  3 JUTA  ", 3_000_000),
        ("300k", 300_000),
    ],
)
def test_money_in_the_forms_workers_type(typed: str, rupiah: int) -> None:
    assert parse_money(typed) == rupiah


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "money.format"),
        ("banyak", "money.format"),
        ("0", "money.zero"),
        ("100 ribu sehari", "money.not_monthly"),
        ("500rb per minggu", "money.not_monthly"),
        ("1.2.3.4", "money.format"),
    ],
)
def test_money_rejects_what_it_cannot_read(typed: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_money(typed)
    assert caught.value.code == code


def test_money_is_bounded_for_absurd_input() -> None:
    assert parse_money("9" * 400) == 10**12


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
