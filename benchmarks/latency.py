"""Printing reply latencies side by side: replies, p50, p95, p99 and the slowest, in ms."""

from __future__ import annotations

import statistics


def print_latencies(rows: list[tuple[str, list[float]]]) -> None:
    """One line per (name, seconds of each reply)."""
    width = max(len(name) for name, _ in rows) + 2
    print(f"{'':{width}}{'replies':>8}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  {'max ms':>7}")
    for name, values in rows:
        q = statistics.quantiles(values, n=100, method="inclusive")
        print(
            f"{name:{width}}{len(values):>8}  {q[49] * 1000:>7.1f}  {q[94] * 1000:>7.1f}"
            f"  {q[98] * 1000:>7.1f}  {max(values) * 1000:>7.1f}"
        )
