"""Workers registering at human pace through the real service while something else runs (an
export, the reminder sender), and their reply latencies, printed side by side."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.service import ConversationService
from conversations import Incoming, Kind

GOLDEN = [
    ("choice", "pedagang"),
    ("choice", "next"),
    ("text", "2 juta"),
    ("choice", "reg"),
    ("text", "{nik}"),
    ("choice", "yes"),
    ("text", "Siti Aminah"),
    ("text", "0812 3456 7890"),
    ("text", "Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta"),
    ("choice", "skip"),
    ("choice", "ok"),
]


def script(i: int) -> list[tuple[Kind, dict[str, str]]]:
    """One whole registration for worker identity i, as Incoming kinds and fields."""
    nik = f"3372{i // 9999 % 99 + 1:02d}170880{i % 9999 + 1:04d}"  # distinct from seeded NIKs
    steps: list[tuple[Kind, dict[str, str]]] = [(Kind.OPEN, {})]
    for kind, value in GOLDEN:
        field = "choice" if kind == "choice" else "text"
        steps.append((Kind[field.upper()], {field: value.format(nik=nik)}))
    return steps


class Replies:
    """When each reply was asked for, and how long it took (perf_counter seconds)."""

    def __init__(self) -> None:
        self.timings: list[tuple[float, float]] = []

    def between(self, start: float, end: float) -> list[float]:
        return [took for at, took in self.timings if start <= at < end]


@asynccontextmanager
async def registering(
    service: ConversationService, workers: int, first: int = 0
) -> AsyncIterator[Replies]:
    """`workers` workers (identities from `first`) registering one after another, 0-0.5 s
    between messages, until the block ends; under way when it starts."""
    replies, stop = Replies(), asyncio.Event()

    async def worker(i: int) -> None:
        rng, person = random.Random(i), first + i
        while not stop.is_set():
            for n, (kind, value) in enumerate(script(person)):
                await asyncio.sleep(rng.uniform(0, 0.5))
                incoming = Incoming("bench", str(person), f"{person}-{n}", kind, **value)  # type: ignore[arg-type]
                started = time.perf_counter()
                await service.handle(incoming)
                replies.timings.append((started, time.perf_counter() - started))
            person += workers

    fleet = [asyncio.create_task(worker(i)) for i in range(workers)]
    await asyncio.sleep(1)  # everyone under way
    try:
        yield replies
    finally:
        stop.set()
        await asyncio.gather(*fleet)


def print_latencies(rows: list[tuple[str, list[float]]]) -> None:
    """One line per (name, seconds of each reply): replies, p50, p95, p99 and the slowest."""
    width = max(len(name) for name, _ in rows) + 2
    print(f"{'':{width}}{'replies':>8}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  {'max ms':>7}")
    for name, values in rows:
        q = statistics.quantiles(values, n=100, method="inclusive")
        print(
            f"{name:{width}}{len(values):>8}  {q[49] * 1000:>7.1f}  {q[94] * 1000:>7.1f}"
            f"  {q[98] * 1000:>7.1f}  {max(values) * 1000:>7.1f}"
        )
