"""The word lists in `locales/words/*.toml`, loaded once. Staff edit those files; this module only
reads them (their comments say what each holds)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from locales import WORDS_DIR


@dataclass(frozen=True)
class WordLists:
    spelling: dict[str, tuple[str, ...]]  # a word as typed -> the plain Indonesian word(s)
    answers: dict[str, list[str]]  # yes, no, softeners
    commands: dict[str, list[str]]  # help, back, ..., softeners
    fillers: dict[str, list[str]]  # wait, thanks, greeting, ack
    occupations: dict[str, list[str]]  # occupation key -> words
    ojek: list[str]  # words naming an ojek without saying which kind
    heavy: list[str]  # occupation words that count three times
    occupation_ignore: list[str]  # words that say nothing about the work
    occupation_names: list[str]  # words that only name its kind
    question_words: list[str]
    topics: dict[str, list[str]]  # FAQ topic -> words, in the order they are checked

    def all_entries(self) -> Iterator[str]:
        for group in (self.answers, self.commands, self.fillers, self.occupations, self.topics):
            for entries in group.values():
                yield from entries
        yield from self.ojek
        yield from self.heavy
        yield from self.occupation_ignore
        yield from self.occupation_names
        yield from self.question_words


def _toml(name: str) -> dict:
    with (WORDS_DIR / f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


@cache
def load() -> WordLists:
    spelling: dict[str, tuple[str, ...]] = {}
    for table in _toml("spelling").values():
        for typed, meant in table.items():
            spelling.setdefault(typed.lower(), tuple(re.findall(r"[a-z]+", meant.lower())))
    occupations = _toml("occupations")
    topics = _toml("topics")
    return WordLists(
        spelling=spelling,
        answers=_toml("answers"),
        commands=_toml("commands"),
        fillers=_toml("fillers"),
        occupations=occupations["kinds"],
        ojek=occupations["groups"]["both_ojek"],
        heavy=occupations["weights"]["heavy"],
        occupation_ignore=occupations["detail"]["ignore"],
        occupation_names=occupations["detail"]["names"],
        question_words=topics["question_words"],
        topics=topics["topics"],
    )
