"""Which of the six kinds of work a worker's own words name, and the detail worth keeping
("jual gorengan keliling" is a trader who sells fried snacks on the move)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .reading import Phrase, Reading, contains, phrases
from .wordlists import load

OJEK = ("ojek_pangkalan", "ojek_online")
DETAIL_MAX = 60
MAX_WORDS = 12  # a longer message is not a description of one's work: never guessed from
# Words before the work itself: "saya", "kerja saya", "pekerjaan sy sebagai" are not the detail.
_LEAD = re.compile(
    r"^(?:(?:saya|sy|aku|kulo|kula|gw|gue|pekerjaan|kerjaan|kerja|profesi|sehari[- ]hari|"
    r"setiap hari|tiap hari|sebagai|jadi|adalah|seorang|cuma|hanya|nyambi)\b[\s,:.]*)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OccupationGuess:
    keys: tuple[str, ...]  # one key when clear; two to ask between; () when none is named
    detail: str | None  # the worker's words, when they say more than the kind of work


@cache
def _kinds() -> dict[str, frozenset[Phrase]]:
    return {key: phrases(words) for key, words in load().occupations.items()}


@cache
def _heavy() -> frozenset[Phrase]:
    return phrases(load().heavy)


@cache
def _ojek_words() -> frozenset[Phrase]:
    return phrases(load().ojek)


@cache
def _words_of(entries: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for p in phrases(entries) for w in p)


def read_occupation(reading: Reading) -> OccupationGuess:
    if len(reading.words) > MAX_WORDS:
        return OccupationGuess((), None)
    scores = _scores(reading)
    if not scores:
        return OccupationGuess((), None)
    top = max(scores.values())
    best = tuple(key for key, score in scores.items() if score == top)
    if len(best) > 2:  # no two of the kinds stand out: ask from the list
        return OccupationGuess((), None)
    return OccupationGuess(best, _detail(reading))


def _scores(reading: Reading) -> dict[str, int]:
    """Words of each kind found in the message; a phrase of several words counts for each word."""
    words, heavy = reading.fuzzy, _heavy()
    scores: dict[str, int] = {}
    for key, kind_words in _kinds().items():
        found = sum(len(p) * (3 if p in heavy else 1) for p in kind_words if contains(words, p))
        if found:
            scores[key] = found
    if any(contains(words, p) for p in _ojek_words()):
        for key in OJEK:  # "ojek" alone names both; "ojek online" tips it
            scores[key] = scores.get(key, 0) + 1
    return scores


def _detail(reading: Reading) -> str | None:
    """The worker's words when they add something to the kind of work ("petani kopi")."""
    lists = load()
    ignored, names = (
        _words_of(tuple(lists.occupation_ignore)),
        _words_of(tuple(lists.occupation_names)),
    )
    if all(w in ignored or w in names for w in reading.fuzzy):
        return None
    detail = _LEAD.sub("", " ".join(reading.text.split())).strip(" .,;:!?")
    if not detail or len(detail) > DETAIL_MAX:
        return detail[:DETAIL_MAX].rstrip() or None
    return detail
