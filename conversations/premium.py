"""Premium (iuran) calculation: whole rupiah, per calendar month, with the PP 50/2025 discount."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from .rules import Discount, Rules, Sector


def percent_of(amount: int, percent: int) -> int:
    """`percent`% of `amount`, rounded half up to whole rupiah."""
    return (amount * percent + 50) // 100


def add_months(month_start: date, months: int) -> date:
    index = month_start.year * 12 + month_start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class DeclaredIncome:
    stated: int
    declared: int
    adjusted: Literal["raised", "lowered", "level", None]


def declare_income(rules: Rules, stated: int) -> DeclaredIncome:
    """Clamp the stated income to the allowed range and, if a level table is set, to its level."""
    low, high = rules.income.minimum, rules.income.maximum
    if stated < low:
        return DeclaredIncome(stated, low, "raised")
    if stated > high:
        return DeclaredIncome(stated, high, "lowered")
    level = next((lv for lv in sorted(rules.income.levels) if lv >= stated), stated)
    return DeclaredIncome(stated, level, "level" if level != stated else None)


@dataclass(frozen=True)
class MonthPremium:
    month: date
    jkk: int
    jkm: int
    jht: int
    discount: int

    @property
    def total(self) -> int:
        return self.jkk + self.jkm + self.jht - self.discount


@dataclass(frozen=True)
class Quote:
    tariff_version: str
    income: DeclaredIncome
    with_jht: bool
    months: tuple[MonthPremium, ...]
    discount_rule: Discount | None  # the discount applied to the first month, if any

    @property
    def first(self) -> MonthPremium:
        return self.months[0]

    @property
    def monthly_total(self) -> int:
        return self.first.total

    @property
    def period_total(self) -> int:
        return sum(m.total for m in self.months)

    @property
    def period_months(self) -> int:
        return len(self.months)


def _discount_for(rules: Rules, sector: Sector, month_start: date) -> Discount | None:
    return next((d for d in rules.discounts if d.covers(sector, month_start)), None)


def month_premium(
    rules: Rules,
    declared: int,
    sector: Sector,
    with_jht: bool,
    month: date,
    discounted: bool = True,
) -> MonthPremium:
    """One month's premium; `discounted` False where its payer gets no discount (APBN/APBD)."""
    p = rules.premium
    jkk = percent_of(declared, p.jkk_percent)
    jkm = p.jkm_flat
    jht = percent_of(declared, p.jht_percent) if with_jht else 0
    discount = 0
    rule = _discount_for(rules, sector, month) if discounted else None
    if rule:
        parts = {"jkk": jkk, "jkm": jkm, "jht": jht}
        discount = sum(percent_of(parts[prog], rule.percent) for prog in rule.programs)
    return MonthPremium(month, jkk, jkm, jht, discount)


@lru_cache(maxsize=4096)  # pure, and asked for the same figures many times per conversation
def quote(
    rules: Rules,
    stated_income: int,
    sector: Sector,
    with_jht: bool,
    today: date,
    months: int = 1,
) -> Quote:
    """Price `months` calendar months starting with the month of `today`.

    Each month is priced on its own, so a period that runs past the end of a discount is not
    promised the discount for the months after it.
    """
    income = declare_income(rules, stated_income)
    first = today.replace(day=1)
    priced = tuple(
        month_premium(rules, income.declared, sector, with_jht, add_months(first, i))
        for i in range(max(1, months))
    )
    return Quote(
        tariff_version=rules.version,
        income=income,
        with_jht=with_jht,
        months=priced,
        discount_rule=_discount_for(rules, sector, first),
    )
