"""The funnel as text: terminal tables for `bpu-bot stats`, a short summary for staff in chat."""

from __future__ import annotations

from collections.abc import Callable

from conversations.i18n import N_, Translator
from storage.stats import DIMENSIONS, NONE, STAGES, Funnel

STAGE_LABELS = {
    "started": N_("started"),
    "occupation_chosen": N_("occupation chosen"),
    "benefits_read": N_("benefits read"),
    "quote_seen": N_("quote seen"),
    "registration_started": N_("registration started"),
    "registered": N_("registered"),
}
SHORT_LABELS = ("started", "occupation", "benefits", "quote", "reg. started", "registered")


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def funnel_table(counts: list[int], label: Callable[[str], str] = str) -> str:
    """Each stage with its count, its share of the stage before, and how many dropped off."""
    rows = [("stage", "count", "of previous", "dropped")]
    for index, stage in enumerate(STAGES):
        previous = counts[index - 1] if index else None
        rows.append(
            (
                label(STAGE_LABELS[stage]),
                str(counts[index]),
                _percent(counts[index], previous) if previous is not None else "",
                str(previous - counts[index]) if previous is not None else "",
            )
        )
    return _table(rows)


def split_table(funnel: Funnel, dimension: str, none_label: str) -> str:
    """One row per group: how many started, reached each later stage, and the conversion."""
    header = (dimension, *SHORT_LABELS, "conversion")
    groups = sorted(funnel.by[dimension].items(), key=lambda item: (-item[1][0], item[0]))
    rows = [header] + [
        (name or none_label, *(str(n) for n in counts), _percent(counts[-1], counts[0]))
        for name, counts in groups
    ]
    return _table(rows)


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(funnel: Funnel, heading: str) -> str:
    parts = [heading, "", funnel_table(funnel.total)]
    for dimension in DIMENSIONS:
        parts += ["", f"By {dimension}", split_table(funnel, dimension, "(none)")]
    return "\n".join(parts)


def chat_summary(t: Translator, funnel: Funnel, heading: str) -> str:
    """Short lines for a phone screen: the funnel and the best campaigns."""
    total = funnel.total
    lines = [heading]
    for index, stage in enumerate(STAGES):
        share = f" ({_percent(total[index], total[0])})" if index else ""
        lines.append(f"{t(STAGE_LABELS[stage])}: {total[index]}{share}")
    campaigns = sorted(
        ((counts[-1], name) for name, counts in funnel.by["campaign"].items() if name != NONE),
        reverse=True,
    )[:5]
    if campaigns:
        lines += ["", t("Registered per campaign:")]
        lines += [f"{name}: {registered}" for registered, name in campaigns]
    return "\n".join(lines)
