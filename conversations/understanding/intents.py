"""What a message does besides answering: yes or no, a command, a question (and its topic), or
a filler that answers nothing ("tunggu bentar", "ok", "makasih")."""

from __future__ import annotations

from functools import cache
from typing import Literal

from .reading import Phrase, Reading, cover, phrases
from .wordlists import load

YesNo = Literal["yes", "no"]
Filler = Literal["wait", "thanks", "greeting", "ack"]


@cache
def _answers() -> dict[str, frozenset[Phrase]]:
    return {kind: phrases(words) for kind, words in load().answers.items()}


_SHORT = 5  # words: "salah tanggalnya", "no that's wrong" are a no; a paragraph is not


def yes_no(reading: Reading) -> YesNo | None:
    """Yes or no when the whole message is one ("iya benar", "nggih", "gak jadi", "oke deh");
    a no word in it makes it a no ("belum benar"), and so does a no said with a few other words
    ("tgl lahir salah"). None for anything else ("ya tapi salah" is both)."""
    lists = _answers()
    # No typo correction here: "susah" is one letter from "sudah", "cowok" from "cocok".
    parts = cover(reading.words, lists["yes"] | lists["no"] | lists["softeners"])
    if parts is None:
        said_no = reading.has(lists["no"])
        said_yes = reading.has(lists["yes"])
        short = len(reading.words) <= _SHORT
        return "no" if short and said_no and not said_yes else None
    if any(p in lists["no"] for p in parts):
        return "no"
    if any(p in lists["yes"] for p in parts):
        return "yes"
    return None


@cache
def _commands() -> dict[Phrase, str]:
    lists = load().commands
    return {p: name for name, words in lists.items() if name != "softeners" for p in phrases(words)}


@cache
def _command_softeners() -> frozenset[Phrase]:
    return phrases(load().commands["softeners"])


def command(reading: Reading) -> str | None:
    """The command a whole message gives ("balik aja", "mau ganti bahasa"), if exactly one."""
    named = _commands()
    parts = cover(reading.words, named.keys() | _command_softeners())
    found = {named[p] for p in parts or () if p in named}
    return found.pop() if len(found) == 1 else None


@cache
def _fillers() -> dict[Phrase, Filler]:
    return {p: kind for kind, words in load().fillers.items() for p in phrases(words)}  # type: ignore[misc]


def filler(reading: Reading) -> Filler | None:
    """The kind of a message that answers nothing, made only of filler words; None otherwise.
    The first kind named wins: "oke tunggu" is a wait, "makasih kak" thanks."""
    known = _fillers()
    parts = cover(reading.words, known)
    if not parts:
        return None
    kinds = [known[p] for p in parts]
    return next((k for k in ("wait", "thanks", "greeting") if k in kinds), "ack")


@cache
def _question_words() -> frozenset[Phrase]:
    return phrases(load().question_words)


# "dapat pensiun gak", "sudah bisa belum": a question ending in a negation
_TAGS = frozenset({"gak", "tidak", "belum"})


def is_question(reading: Reading) -> bool:
    words = reading.words
    return (
        reading.asks
        or reading.has(_question_words()) is not None
        or (len(words) > 2 and words[-1] in _TAGS)
    )


@cache
def _topics() -> list[tuple[str, frozenset[Phrase]]]:
    return [(topic, phrases(words)) for topic, words in load().topics.items()]


def topic(reading: Reading) -> str | None:
    """The common question a message asks about: the topic of its longest matching phrase, the
    first listed when two match equally ("telat bayar" is about paying late)."""
    best, best_len = None, 0
    for name, words in _topics():
        found = reading.has(words, typos=True)
        if found and len(found) > best_len:
            best, best_len = name, len(found)
    return best
