"""The understanding layer on its own: how words are read, and what a message is taken to mean.
(The corpus in tests/corpus/ checks the same through the conversation.)"""

from __future__ import annotations

import pytest

from conversations.parsing import Invalid
from conversations.understanding.choices import choose
from conversations.understanding.intents import command, filler, is_question, topic, yes_no
from conversations.understanding.names import read_name
from conversations.understanding.occupations import read_occupation
from conversations.understanding.reading import read
from conversations.understanding.wordlists import load


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Iyaaa kak", ("iya", "kak")),
        ("brp iurannya", ("berapa", "iuran")),
        ("piro iurane?", ("berapa", "iuran")),
        ("kulo sadean wonten peken", ("saya", "jualan", "di", "pasar")),
        ("cara ngurus klaimnya", ("cara", "urus", "klaim")),
        ("kadang2", ("kadang",)),
        ("OKEEE", ("oke",)),
    ],
)
def test_words_are_read_as_plain_indonesian(typed: str, words: tuple[str, ...]) -> None:
    assert read(typed).words == words


def test_typos_are_corrected_only_where_a_choice_is_expected() -> None:
    assert read("pedagagn").fuzzy == ("pedagang",)
    assert read("pedagagn").words == ("pedagagn",)
    # a name one letter from a command word stays a name
    assert read("Yanti").fuzzy == ("yanti",) and command(read("Yanti")) is None


@pytest.mark.parametrize(
    "typed",
    ["ok", "oke", "okeee", "siap", "boleh", "sudah", "udah", "sudah benar", "iya benar",
     "ya betul", "nggih", "injih", "iyo", "leres", "iya kak", "tidak salah", "bener bgt"],
)  # fmt: skip
def test_yes_as_people_say_it(typed: str) -> None:
    assert yes_no(read(typed)) == "yes"


@pytest.mark.parametrize(
    "typed", ["gak jadi", "ora", "mboten", "salah", "bukan", "belum benar", "tidak", "ga", "nope"]
)
def test_no_as_people_say_it(typed: str) -> None:
    assert yes_no(read(typed)) == "no"


@pytest.mark.parametrize("typed", ["ya tapi salah tanggalnya", "Budi", "mungkin", "2 juta"])
def test_not_a_plain_yes_or_no(typed: str) -> None:
    assert yes_no(read(typed)) is None


@pytest.mark.parametrize(
    ("typed", "name"),
    [("balik aja", "back"), ("mau ganti bahasa dong", "lang"), ("batal", "cancel"),
     ("ulang dari awal", "restart"), ("Budi Santoso", None), ("kembali ke pasar", None)],
)  # fmt: skip
def test_commands_are_whole_messages(typed: str, name: str | None) -> None:
    assert command(read(typed)) == name


@pytest.mark.parametrize(
    ("typed", "about"),
    [
        ("kalau meninggal dapat berapa?", "death"),
        ("misal sy meninggal ahli waris dpt brp", "death"),
        ("kartunya kapan jadi?", "card"),
        ("cara ngurus klaimnya?", "claim"),
        ("ini sama kayak KIS/BPJS kesehatan?", "kesehatan"),
        ("sakit biasa ditanggung?", "sickness"),
        ("piro iurane?", "cost"),
        ("bayar berapa sebulan", "cost"),
        ("kalau telat bayar gimana", "late"),
        ("dapat pensiun gak", "pension"),
    ],
)
def test_questions_and_their_topics(typed: str, about: str) -> None:
    reading = read(typed)
    assert is_question(reading) and topic(reading) == about


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("tunggu bentar", "wait"), ("nanti dulu", "wait"), ("makasih kak", "thanks"),
     ("assalamualaikum", "greeting"), ("ok", "ack"), ("wkwk", "ack"), ("Siti Aminah", None)],
)  # fmt: skip
def test_fillers(typed: str, kind: str | None) -> None:
    assert filler(read(typed)) == kind


@pytest.mark.parametrize(
    ("typed", "keys", "detail"),
    [
        ("jual gorengan keliling", ("pedagang",), "jual gorengan keliling"),
        ("buka warung", ("pedagang",), "buka warung"),
        ("saya petani kopi", ("petani",), "petani kopi"),
        ("pedagang", ("pedagang",), None),
        ("ojek", ("ojek_pangkalan", "ojek_online"), None),
        ("narik grab", ("ojek_online",), "narik grab"),
        ("jual hasil kebun", ("pedagang", "petani"), "jual hasil kebun"),
        ("nelayn", ("nelayan",), None),
        ("tukang jahit", ("lainnya",), "tukang jahit"),
        ("brp iurannya", (), None),
    ],
)
def test_occupation_in_own_words(typed: str, keys: tuple[str, ...], detail: str | None) -> None:
    guess = read_occupation(read(typed))
    assert guess.keys == keys
    if keys:
        assert guess.detail == detail


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Nama saya Budi Santoso", "Budi Santoso"),
        ("Bu Sri", "Sri"),
        ("nami kulo Sri Wahyuni", "Sri Wahyuni"),
        ("siti aminah ya kak", "Siti Aminah"),
        ("H. Ahmad Fauzi", "H. Ahmad Fauzi"),
        ("Drs. Bambang S.Pd.", "Drs. Bambang S.Pd."),
        ("Yanti", "Yanti"),
        ("Ma'ruf Amin", "Ma'ruf Amin"),
    ],
)
def test_names_without_what_is_said_around_them(typed: str, name: str) -> None:
    assert read_name(typed) == name


@pytest.mark.parametrize(
    "typed", ["ok", "brp iurannya", "tunggu bentar", "nanti dulu", "saya mau daftar", "Bu", "?"]
)
def test_non_answers_are_no_name(typed: str) -> None:
    with pytest.raises(Invalid):
        read_name(typed)


def test_a_choice_by_label_word_or_slip() -> None:
    options = [("reg", ("Daftar", "daftar")), ("reg_jht", ("Daftar dengan JHT", "jht"))]
    assert choose(read("jht aja kak"), options) == "reg_jht"
    assert choose(read("Daftar dengan JTH"), options) == "reg_jht"
    assert choose(read("daftar"), options) == "reg"
    assert choose(read("apa bedanya"), options) is None


def test_every_word_list_entry_is_readable() -> None:
    """A staff member's entry that reads as nothing (say, only punctuation) would never match."""
    lists = load()
    for entry in lists.all_entries():
        assert read(entry).words, entry
    assert all(typed == typed.lower() and meant for typed, meant in lists.spelling.items())
