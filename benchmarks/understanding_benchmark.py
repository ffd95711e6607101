"""What reading workers' own words costs per message.

    python benchmarks/understanding_benchmark.py [--rounds 20] [--code DIR]

Two measurements, in this process:

- the layer alone: every corpus utterance (tests/corpus/utterances.tsv) through every reader a
  step may call (words, yes/no, command, filler, question and topic, occupation, income, NIK,
  phone, region, name), with the message cache emptied before each one: each utterance is read as
  if it were new. The first round also fills the word caches (and loads the stemmer's
  dictionary), so it is reported on its own as "cold".
- advance() per message: the tapped golden path through the whole pure engine, and (when the
  code has the layer) a registration typed the way workers talk, and the slowest kind of message
  (4,096 characters) at six questions. Run it once with `--code` set to a checkout from before
  the layer to see what the layer adds to a message.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import statistics
import sys
import time
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "utterances.tsv"
TODAY = date(2026, 11, 21)


def scripts(has_layer: bool) -> dict[str, list[tuple[str, str]]]:
    """The tapped golden path and (with the layer) the registration typed as workers talk, from
    the tests, as (kind, value) with each tap tagged as the channels send it."""
    from tests.flowchat import GOLDEN, as_pressed

    kinds = {"tap": "choice", "send": "text"}
    found = {"golden path, tapped": [(kinds[a], v) for a, v in as_pressed(GOLDEN)]}
    if has_layer:
        from tests.test_understanding_flows import TYPED

        found["registration typed as workers talk"] = [("text", typed) for typed, _ in TYPED]
    return found


def ms(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (
        f"median {statistics.median(ordered) * 1000:.3f} ms, p95 {p95 * 1000:.3f} ms, "
        f"max {ordered[-1] * 1000:.3f} ms ({len(ordered)} messages)"
    )


def utterances() -> list[str]:
    with CORPUS.open(encoding="utf-8") as f:
        rows = (line for line in f if line.strip() and not line.startswith("#"))
        return [row["utterance"] for row in csv.DictReader(rows, delimiter="\t")]


def layer_alone(rounds: int) -> None:
    from conversations.parsing import Invalid
    from conversations.understanding import intents
    from conversations.understanding.income import read_income
    from conversations.understanding.names import read_name
    from conversations.understanding.numbers import find_nik, find_phone
    from conversations.understanding.occupations import read_occupation
    from conversations.understanding.reading import read
    from conversations.understanding.regions import find_region, place_in_address

    def understand(text: str) -> None:
        reading = read(text)
        intents.yes_no(reading), intents.command(reading), intents.filler(reading)
        intents.is_question(reading), intents.topic(reading), read_occupation(reading)
        read_income(text), find_nik(text, TODAY), find_phone(text)
        find_region(text), place_in_address(text)
        with contextlib.suppress(Invalid):
            read_name(text)

    texts = utterances()
    for n in range(rounds):
        seconds = []
        for text in texts:
            read.cache_clear()
            started = time.perf_counter()
            understand(text)
            seconds.append(time.perf_counter() - started)
        if n == 0:
            print(f"layer alone, cold: {ms(seconds)}")
        elif n == rounds - 1:
            print(f"layer alone, every reader, round {rounds}: {ms(seconds)}")


def per_message(name: str, script: list[tuple[str, str]], rounds: int) -> None:
    from conversations import Context, Incoming, Kind, NeedData, advance, default_rules

    seconds: list[float] = []
    for r in range(rounds):
        session = None
        for i, (kind, value) in enumerate([("open", ""), *script]):
            incoming = Incoming(
                "bench",
                f"u{r}",
                f"m{r}-{i}",
                Kind(kind),
                text=value if kind == "text" else "",
                choice=value if kind == "choice" else None,
            )
            ctx = Context(
                now=datetime.combine(TODAY, clock(3), UTC),
                today=TODAY,
                rules=default_rules(),
                new_id=f"s{r}",
                new_reference=f"BPU-{r}",
            )
            started = time.perf_counter()
            while True:
                try:
                    outcome = advance(session, incoming, ctx)
                    break
                except NeedData as need:
                    ctx.answers[need.query] = None if "Nik" in type(need.query).__name__ else True
            if r:  # the first run fills caches; a running bot has them full
                seconds.append(time.perf_counter() - started)
            session = outcome.session
        assert session is not None and session.step == "done", (name, session and session.step)
    print(f"advance(), {name}: {ms(seconds)}")


def longest_inputs() -> None:
    """The slowest kind of message: 4,096 characters (the channels' limit) at each question."""
    import random
    import string

    from tests.flowchat import at_step

    rng = random.Random(1)
    gibberish = " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
        for _ in range(800)
    )
    inputs = {
        "4,096 digits": "9" * 4096,
        "800 unknown words": gibberish[:4096],
        "1,365 known words": "iya " * 1024,
        "digits and fractions": "1½ " * 1365,
    }
    worst = 0.0
    for step in ("occupation", "income", "name", "address", "quote", "summary"):
        for text in inputs.values():
            chat = at_step(step)
            started = time.perf_counter()
            chat.send(text)
            worst = max(worst, time.perf_counter() - started)
    print(f"advance(), 4,096-character messages at six questions: at most {worst * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose code to time")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    import conversations

    has_layer = (args.code / "conversations" / "understanding" / "reading.py").exists()
    where = Path(conversations.__file__).parent.parent
    print(f"code: {where}  (understanding layer: {'yes' if has_layer else 'no'})")
    for name, script in scripts(has_layer).items():
        per_message(name, script, args.rounds * 10)
    if has_layer:
        layer_alone(args.rounds)
        longest_inputs()


if __name__ == "__main__":
    main()
