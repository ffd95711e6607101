"""What the real bot quotes today, for tests that run it as a process on the real clock.

Premiums change with the discount dates in rules.toml; those tests must not break when a
discount ends, so they ask the tariff data instead of hard-coding a figure.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from conversations import default_rules
from conversations.i18n import translator
from conversations.premium import quote


def premium_today(occupation: str = "pedagang", income: int = 2_000_000) -> int:
    """The monthly JKK+JKM premium quoted today (WIB) for this occupation and income."""
    rules = default_rules()
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    return quote(rules, income, rules.sector_of(occupation), False, today).monthly_total


def money(amount: int, lang: str = "id") -> str:
    return translator(lang).money(amount)
