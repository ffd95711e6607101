"""Which of the options on screen a typed message names: by a button's label or one of the words
for it, with softeners around it ("yang pertama aja kak" is not needed: "jht aja" is) and typos."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from rapidfuzz import fuzz, process

from .reading import Phrase, Reading, cover, phrase, phrases
from .wordlists import load

_CLOSE = 85  # rapidfuzz ratio for a whole message that is a label typed with a slip


@cache
def _softeners() -> frozenset[Phrase]:
    return phrases(load().answers["softeners"]) | phrases(load().commands["softeners"])


def choose(reading: Reading, candidates: Iterable[tuple[str, Sequence[str]]]) -> str | None:
    """The one option key whose label or words the message names; None when none or several."""
    by_phrase: dict[Phrase, set[str]] = {}
    for key, names in candidates:
        for name in (key, *names):
            if p := phrase(name):
                by_phrase.setdefault(p, set()).add(key)
    for words in (reading.words, reading.fuzzy):
        if words in by_phrase and len(by_phrase[words]) == 1:
            return next(iter(by_phrase[words]))
        parts = cover(words, by_phrase.keys() | _softeners())
        keys = {k for p in parts or () if p in by_phrase for k in by_phrase[p]}
        if len(keys) == 1:
            return keys.pop()
    return _close_label(reading, by_phrase)


def _close_label(reading: Reading, by_phrase: dict[Phrase, set[str]]) -> str | None:
    typed = " ".join(reading.words)
    if len(typed) < 4:
        return None
    names = {" ".join(p): keys for p, keys in by_phrase.items()}
    found = process.extract(typed, list(names), scorer=fuzz.ratio, score_cutoff=_CLOSE, limit=3)
    keys = {k for name, _, _ in found for k in names[name]}
    return keys.pop() if len(keys) == 1 else None
