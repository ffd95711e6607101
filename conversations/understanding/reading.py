"""A message as words bpu-bot knows: lower case, elongations undone ("iyaaa"), chat spelling and
Javanese read as plain Indonesian (`locales/words/spelling.toml`), particles and affixes taken off
("klaimnya", "ditanggung"), and typos matched to the nearest known word.

Two sequences come out. `words` only maps what is certain (spelling, affixes) and is what decides
whether a message is a non-answer: a name like "Yanti" must never be read as "ganti". `fuzzy`
also corrects typos ("pedagagn", "nelayn") and is used where the answer is one of a few choices.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .stemming import stem
from .wordlists import load

Phrase = tuple[str, ...]

_TOKEN = re.compile(r"[a-z]+|[0-9]+")
_REDUPLICATED = re.compile(r"\b([a-z]{2,})(?:-\1\b|2\b)")  # "kadang-kadang", "kadang2"
_ELONGATED = re.compile(r"([a-z])\1{2,}")  # "iyaaa", "okeee"
# Particles and possessives people add to any word: "klaimnya", "bisakah", "iurane" (Javanese).
_SUFFIXES = ("nya", "lah", "kah", "pun", "ku", "mu", "ne", "e")
_MIN_FUZZY = 4  # shorter words have too many neighbours one letter away
# Stems and typos are looked for in short messages only: an answer is a few words, and a long
# paragraph of unknown words would cost a stemming and a search of the vocabulary for each.
_MAX_DEEP_WORDS = 30


@dataclass(frozen=True)
class Reading:
    text: str  # the message as sent (cleaned), for values
    words: Phrase  # known words, without typo correction
    fuzzy: Phrase  # known words, typos corrected
    asks: bool  # ends with "?"

    def has(self, phrases: Iterable[Phrase], typos: bool = False) -> Phrase | None:
        """The longest of `phrases` found in the message, or None."""
        return longest_match(self.fuzzy if typos else self.words, phrases)


def longest_match(seq: Sequence[str], phrases: Iterable[Phrase]) -> Phrase | None:
    best: Phrase | None = None
    for phrase in phrases:
        if (best is None or len(phrase) > len(best)) and contains(seq, phrase):
            best = phrase
    return best


def contains(seq: Sequence[str], phrase: Phrase) -> bool:
    n = len(phrase)
    if n == 1:
        return phrase[0] in seq
    return any(tuple(seq[i : i + n]) == phrase for i in range(len(seq) - n + 1))


def cover(seq: Sequence[str], phrases: Iterable[Phrase]) -> list[Phrase] | None:
    """`seq` cut into `phrases` (longest first at each place), or None when a word is left over."""
    by_start: dict[str, list[Phrase]] = {}
    for phrase in phrases:
        by_start.setdefault(phrase[0], []).append(phrase)
    for options in by_start.values():
        options.sort(key=len, reverse=True)
    parts, i = [], 0
    while i < len(seq):
        found = next((p for p in by_start.get(seq[i], ()) if tuple(seq[i : i + len(p)]) == p), None)
        if found is None:
            return None
        parts.append(found)
        i += len(found)
    return parts


@lru_cache(maxsize=8192)
def read(text: str) -> Reading:
    typed = tokens(text)
    deep = len(typed) <= _MAX_DEEP_WORDS
    words = [w for token in typed for w in (canonical(token) if deep else known(token))]
    fuzzy = list(map(corrected, words)) if deep else words
    return Reading(text, tuple(words), tuple(fuzzy), text.rstrip().endswith("?"))


def tokens(text: str) -> list[str]:
    s = _REDUPLICATED.sub(r"\1", text.lower())
    return [_ELONGATED.sub(r"\1", t) for t in _TOKEN.findall(s)]


@lru_cache(maxsize=4096)  # option labels and word-list entries are read again on every message
def phrase(text: str) -> Phrase:
    """A word-list entry read the way messages are, so both sides compare alike."""
    return tuple(w for token in tokens(text) for w in canonical(token))


def phrases(entries: Iterable[str]) -> frozenset[Phrase]:
    return frozenset(p for p in map(phrase, entries) if p)


@lru_cache(maxsize=16384)
def canonical(token: str) -> Phrase:
    """The known word(s) a typed word stands for, its stem if that is known; the word itself
    when none is known."""
    found = known(token)
    if found != (token,) or token in _vocabulary() or token.isdigit() or len(token) < 4:
        return found
    root = stem(token)
    return (root,) if root in _vocabulary() else (token,)


@lru_cache(maxsize=16384)
def known(token: str) -> Phrase:
    """The known word(s) a typed word stands for by its spelling or without its particle."""
    spelling, vocabulary = load().spelling, _vocabulary()
    if token in spelling:
        return spelling[token]
    if token in vocabulary or token.isdigit() or len(token) < 4:
        return (token,)
    if token[-1] in "aiueo" and token[-2] == token[-1]:  # "iyaa", "okee"
        return known(token[:-1])
    for suffix in _SUFFIXES:
        base = token.removesuffix(suffix)
        if base != token and len(base) >= 3 and (base in spelling or base in vocabulary):
            return spelling.get(base, (base,))
    return (token,)


@lru_cache(maxsize=16384)
def corrected(word: str) -> str:
    """The known word one typo away (two for long words), if exactly one is nearest."""
    vocabulary = _vocabulary()
    if word in vocabulary or word.isdigit() or len(word) < _MIN_FUZZY:
        return word
    limit = 1 if len(word) < 8 else 2
    near = process.extract(
        word, _vocabulary_list(), scorer=Levenshtein.distance, score_cutoff=limit, limit=None
    )
    # "pdagang" is one letter from both "pedagang" and "dagang": the closer in proportion wins
    scored = sorted(((fuzz.ratio(word, w), w) for w, _, _ in near), reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return word
    return scored[0][1]


@cache
def _vocabulary() -> frozenset[str]:
    """Every word of every word list (in the form messages are read into)."""
    lists = load()
    known = {w for target in lists.spelling.values() for w in target}
    for entry in lists.all_entries():
        known.update(tokens(entry))
    return frozenset(known)


@cache
def _vocabulary_list() -> list[str]:
    return sorted(_vocabulary())
