"""How much a worker reads on the golden path: words and characters per turn, per occupation.

    python -m tests.reading_load

A turn is everything the bot sends after one message or tap (the first is the welcome). Words
are the messages' words, as issue 11 counted them (about 440 before it; the budget is 250);
the button labels a worker also reads are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations import Reply
from tests.flowchat import FlowChat, golden

OCCUPATIONS = ("pedagang", "ojek_pangkalan", "ojek_online", "petani", "nelayan")
WORD_BUDGET = 250  # words of messages on the whole golden path
TURN_BUDGET = 600  # characters of messages in one turn


@dataclass(frozen=True)
class Turn:
    after: str  # what the worker sent ("" for opening the chat)
    text: str  # the messages of the turn, one after the other
    words: int
    label_words: int

    @property
    def chars(self) -> int:
        return len(self.text)


def measure(replies: tuple[Reply, ...], after: str) -> Turn:
    labels = [o.label for r in replies for o in r.options]
    return Turn(
        after,
        "\n\n".join(r.text for r in replies),
        sum(len(r.text.split()) for r in replies),
        sum(len(label.split()) for label in labels),
    )


def golden_path(occupation: str) -> tuple[FlowChat, list[Turn]]:
    """The chat after registering on the golden path, and what each turn said."""
    chat = FlowChat()
    turns = [measure(chat.open(), "")]
    for action, value in golden(pedagang=occupation):
        replies = chat.tap(value) if action == "tap" else chat.send(value)
        turns.append(measure(replies, value))
    return chat, turns


def main() -> None:
    print(f"{'occupation':16} {'words':>6} {'+ buttons':>10} {'largest turn (chars)':>22}")
    for occupation in OCCUPATIONS:
        _, turns = golden_path(occupation)
        largest = max(turns, key=lambda t: t.chars)
        words, labels = sum(t.words for t in turns), sum(t.label_words for t in turns)
        print(
            f"{occupation:16} {words:6d} {labels:10d} {largest.chars:8d} after "
            f"{largest.after or 'open'!r}"
        )


if __name__ == "__main__":
    main()
