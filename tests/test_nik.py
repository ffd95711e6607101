"""NIK rules from bpu-facts.md section 4."""

from datetime import date

import pytest

from conversations.nik import mask, parse_nik
from conversations.parsing import Invalid

TODAY = date(2026, 11, 21)


def test_a_man_s_nik_gives_his_birth_date() -> None:
    nik = parse_nik("3372051708800002", TODAY)
    assert (nik.birth_date, nik.gender) == (date(1980, 8, 17), "L")


def test_a_woman_s_day_has_forty_added() -> None:
    nik = parse_nik("3372055708800001", TODAY)
    assert (nik.birth_date, nik.gender) == (date(1980, 8, 17), "P")


@pytest.mark.parametrize(
    "typed",
    ["3372 0557 0880 0001", "3372.0557.0880.0001", "3372-0557-0880-0001", " 3372055708800001 "],
)
def test_spaces_dots_and_dashes_are_forgiven(typed: str) -> None:
    assert parse_nik(typed, TODAY).value == "3372055708800001"


def test_century_is_the_latest_not_in_the_future() -> None:
    assert parse_nik("3372051501050001", TODAY).birth_date == date(2005, 1, 15)
    assert parse_nik("3372051501300001", TODAY).birth_date == date(1930, 1, 15)


def test_29_february_picks_the_century_where_it_exists() -> None:
    assert parse_nik("3372012902000001", TODAY).birth_date == date(2000, 2, 29)


def test_new_papua_provinces_are_valid() -> None:
    assert parse_nik("9601011708800001", TODAY).value.startswith("96")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("337205570880000", "nik.length"),
        ("33720557088000011", "nik.length"),
        ("3372O55708800001", "nik.digits"),
        ("9972055708800001", "nik.province"),  # 99 is no province
        ("2072055708800001", "nik.province"),
        ("3300055708800001", "nik.regency"),  # regency 00
        ("3370055708800001", "nik.regency"),  # 70 is neither regency nor city
        ("3372053208800001", "nik.date"),  # day 32
        ("3372057208800001", "nik.date"),  # woman's day 72 = 32
        ("3372051713800001", "nik.date"),  # month 13
        ("3372053102900001", "nik.date"),  # 31 February
        ("3372051708800000", "nik.serial"),
        ("", "nik.digits"),
    ],
)
def test_invalid_niks(typed: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_nik(typed, TODAY)
    assert caught.value.code == code


def test_mask_keeps_only_the_ends() -> None:
    assert mask("3372055708800001") == "3372••••••••0001"
