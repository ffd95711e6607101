"""How much a worker reads on the golden path: words and characters per turn, per occupation.

    python -m tests.reading_load

A turn is everything the bot sends after one message or tap (the first is the welcome). Words
count the messages and the button labels, since a worker reads both.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations import Reply
from tests.flowchat import FlowChat, golden

OCCUPATIONS = ("pedagang", "ojek_pangkalan", "ojek_online", "petani", "nelayan")


@dataclass(frozen=True)
class Turn:
    after: str  # what the worker sent ("" for opening the chat)
    words: int
    chars: int


def measure(replies: tuple[Reply, ...], after: str) -> Turn:
    texts = [r.text for r in replies] + [o.label for r in replies for o in r.options]
    return Turn(after, sum(len(t.split()) for t in texts), sum(len(r.text) for r in replies))


def golden_path(occupation: str) -> list[Turn]:
    chat = FlowChat()
    turns = [measure(chat.open(), "")]
    for action, value in golden(pedagang=occupation):
        replies = chat.tap(value) if action == "tap" else chat.send(value)
        turns.append(measure(replies, value))
    return turns


def main() -> None:
    print(f"{'occupation':16} {'words':>6} {'largest turn (chars)':>22}")
    for occupation in OCCUPATIONS:
        turns = golden_path(occupation)
        largest = max(turns, key=lambda t: t.chars)
        total = sum(t.words for t in turns)
        print(f"{occupation:16} {total:6d} {largest.chars:8d} after {largest.after or 'open'!r}")


if __name__ == "__main__":
    main()
