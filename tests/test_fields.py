"""Name, phone, address and e-mail as workers type them."""

import pytest

from conversations.fields import (
    clean_address,
    clean_email,
    clean_name,
    clean_phone,
)
from conversations.parsing import Invalid


@pytest.mark.parametrize(
    "typed",
    [
        "0812 3456 7890",
        "0812-3456-7890",
        "+62 812-3456-7890",
        "6281234567890",
        "81234567890",
        "(0812) 3456.7890",
        "+6281234567890",
    ],
)
def test_mobile_numbers_become_e164(typed: str) -> None:
    assert clean_phone(typed) == "+6281234567890"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("021 5551234", "phone.not_mobile"),  # a Jakarta landline
        ("+65 8123 4567", "phone.foreign"),  # Singapore
        ("+1 415 555 0100", "phone.foreign"),
        ("08123", "phone.format"),
        ("nomor saya", "phone.format"),
        ("", "phone.format"),
    ],
)
def test_phone_rejections(typed: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_phone(typed)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "typed",
    [
        "Siti Aminah",
        "  siti   aminah ",
        "Moh. Ali",
        "Ni Made Sri",
        "I Gusti Ngurah Rai",
        "Sukarno",
        "Ma'ruf",
        "Jean-Luc",
    ],
)
def test_names(typed: str) -> None:
    assert clean_name(typed) == " ".join(typed.split())


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "name.length"),
        ("A", "name.length"),
        ("Siti 123", "name.chars"),
        ("<b>x</b>", "name.chars"),
        ("x" * 81, "name.length"),
    ],
)
def test_name_rejections(typed: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_name(typed)
    assert caught.value.code == code


def test_address_spacing() -> None:
    address = clean_address("Jl. Mawar 5 RT 02/RW 03,  Kauman, Kota Surakarta")
    assert address == "Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta"


@pytest.mark.parametrize(
    ("typed", "code"), [("rumah", "address.short"), ("x" * 201 + " y", "address.long")]
)
def test_address_rejections(typed: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_address(typed)
    assert caught.value.code == code


def test_email() -> None:
    assert clean_email(" Budi.Santoso@Gmail.com ") == "budi.santoso@gmail.com"
    for bad in ("budi", "budi@", "budi@gmail", "budi@@gmail.com", "bu di@gmail.com x@y"):
        with pytest.raises(Invalid):
            clean_email(bad)
