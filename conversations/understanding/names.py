"""A person's name out of what they type at the name question: "Nama saya Budi Santoso" is Budi
Santoso, "Bu Sri" is Sri; "ok", "tunggu bentar" or a question is no name at all. Titles that are
on the KTP ("H.", "Hj.", "S.Pd.") stay."""

from __future__ import annotations

import re

from ..parsing import Invalid
from .intents import command, filler, yes_no
from .reading import read

_LONGEST = 200  # characters read: a name is at most 80, and the patterns stay fast
# How people introduce themselves, and the words of address used in talk but not on a KTP.
_INTRO = re.compile(
    r"^(?:(?:nama|nami|asma|jeneng)\s*(?:saya|sy|aku|kulo|kula|gw|gue|lengkapnya|lengkap saya|"
    r"lengkap|ktp|ku)?\s*(?:adalah|yaitu|:|=|-)?\s*|namaku\s*|jenengku\s*|my name is\s*|"
    r"(?:saya|sy|aku|kulo|kula|gw|gue)\s+(?:adalah\s+)?|i am\s+|i'm\s+)",
    re.IGNORECASE,
)
_ADDRESS_WORDS = (
    "bu|ibu|buk|bapak|pak|bpk|mas|mbak|mba|kak|kakak|bang|abang|dik|adik|om|tante|mbah|cak|"
    "ning|neng|teh|aa|akang|kang|uda|uni|sdr|sdri|saudara|saudari|mr|mrs|ms|miss"
)
_HONORIFIC = re.compile(rf"^(?:{_ADDRESS_WORDS})\.?\s+(?=\S)", re.IGNORECASE)
_TRAILING = re.compile(r"[\s,]+(?:ya|yah|kak|min|admin|nggih|pak|bu|mas|mbak)\.?$", re.IGNORECASE)


def strip_name(text: str) -> str:
    """The name without "nama saya", "Bu", "ya" around it."""
    name = _INTRO.sub("", " ".join(text[:_LONGEST].split()).strip(" ,:;!"))
    while (shorter := _TRAILING.sub("", name)) != name:  # "Siti ya kak"
        name = shorter
    name = _HONORIFIC.sub("", name).strip(" ,:;!")
    last = name.rsplit(" ", 1)[-1]
    if name.endswith(".") and last.count(".") == 1 and len(last) > 2:
        name = name[:-1]  # a full stop, not the end of "S.Pd." or "Budi S."
    return name


def looks_like_no_name(text: str) -> bool:
    """A filler, a yes or no or a command ("ok", "nanti dulu", "makasih"), or with a word no name
    has ("brp iurannya", "saya mau daftar"). A single word on a list ("Selamat") may be a name."""
    reading = read(text)
    return (
        not reading.words
        or any(w in _NEVER_IN_NAMES for w in reading.words)
        or filler(reading) is not None
        or yes_no(reading) is not None
        or command(reading) is not None
    )


# Words that never appear in a name, even beside name-like words ("saya Budi mau daftar").
_NEVER_IN_NAMES = frozenset(
    [
        "saya",
        "aku",
        "mau",
        "daftar",
        "iuran",
        "berapa",
        "apa",
        "kapan",
        "gimana",
        "bagaimana",
        "kenapa",
        "dimana",
        "tunggu",
        "sebentar",
        "nanti",
        "meninggal",
        "bayar",
        "nik",
        "ktp",
        "alamat",
        "nomor",
        "dapat",
        "kalau",
        "tidak",
        "gak",
        "belum",
        "sudah",
        "dengan",
        "untuk",
        "karena",
        "tapi",
        "atau",
        "lagi",
        "maaf",
        "sorry",
        "suami",
        "istri",
        "rt",
        "rw",
        "skip",
        "terserah",
        "otw",
        "gpp",
        "salah",
        "tanggal",
        "lahir",
        "tgl",
    ]
)


def read_name(text: str) -> str:
    """The name to store, or Invalid("name.not_a_name") when the text is not one. A name typed
    all in lower case gets capitals ("siti aminah" is Siti Aminah); any other is kept as typed."""
    name = strip_name(text)
    if not name or looks_like_no_name(name):
        raise Invalid("name.not_a_name")
    if name.islower():
        name = " ".join(word[0].upper() + word[1:] for word in name.split())
    return name
