"""Dates of birth as workers type them. (Amounts: test_income_reading.py; yes/no and menu
words: test_understanding.py.)"""

from datetime import date

import pytest

from conversations.parsing import Invalid, parse_birth_date

TODAY = date(2026, 11, 21)


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
