"""Validators for the registration's free-text answers: name, phone, address, e-mail."""

from __future__ import annotations

import re

import phonenumbers

from .parsing import Invalid, normalize
from .text_input import ascii_digits

NAME_MAX = 80
ADDRESS_MAX = 200
EMAIL_MAX = 100


def clean_name(text: str) -> str:
    """A full name as on the KTP: letters with spaces, dots, apostrophes and hyphens."""
    name = " ".join(text.split())
    if not name or len(name) > NAME_MAX:
        raise Invalid("name.length")
    if re.search(r"[^\w .,'\-]", name) or re.search(r"[\d_]", name):
        raise Invalid("name.chars")
    if sum(ch.isalpha() for ch in name) < 2:
        raise Invalid("name.length")
    return name


def clean_phone(text: str) -> str:
    """An Indonesian mobile number in E.164, from "0812 3456 7890", "+62 812-..." or "62812..."."""
    raw = re.sub(r"[\s().\-/\u2010-\u2015\u2212]", "", ascii_digits(text))
    if not re.fullmatch(r"\+?[0-9]{6,16}", raw):
        raise Invalid("phone.format")
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        raise Invalid("phone.format") from None
    if number.country_code != 62:
        raise Invalid("phone.foreign")
    if not phonenumbers.is_valid_number(number):
        raise Invalid("phone.format")
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise Invalid("phone.not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    number = phonenumbers.parse(e164, "ID")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def masked_phone(phone: str) -> str:
    """ "0812-••••-7890": enough to recognise one's own number, not to call it."""
    shown = display_phone(phone)
    return f"{shown[:4]}{'•' * (len(shown) - 8)}{shown[-4:]}"


def masked_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:2]}{'•' * max(len(name) - 2, 1)}@{domain}"


def clean_address(text: str) -> str:
    """An address as on the KTP: a few words, at most ADDRESS_MAX characters."""
    address = " ".join(text.split())
    if len(address) > ADDRESS_MAX:
        raise Invalid("address.long")
    if sum(ch.isalpha() for ch in address) < 6 or len(address.split()) < 2:
        raise Invalid("address.short")
    return address


_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}")


def clean_email(text: str) -> str:
    email = normalize(text).replace(" ", "")
    if len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email) or ".." in email:
        raise Invalid("email.format")
    return email
