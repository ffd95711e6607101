"""Indonesian stems from Sastrawi ("klaimnya" → klaim, "pertanian" → tani), with a bounded cache.

Sastrawi's factory stemmer keeps every word it has ever stemmed, which grows without end in a
bot that runs for months; this one remembers the most recent words only.
"""

from __future__ import annotations

from functools import cache, lru_cache

from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory


@cache
def roots() -> frozenset[str]:
    """Sastrawi's dictionary of Indonesian root words."""
    return frozenset(StemmerFactory().get_words())


@cache
def _stemmer() -> Stemmer:
    return Stemmer(ArrayDictionary(list(roots())))


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    return _stemmer().stem(word)
