"""Premium amounts (bpu-facts.md section 1), including both sides of every discount date."""

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from conversations import default_rules, load_rules
from conversations.premium import declare_income, quote

RULES = default_rules()


def test_minimum_premium_without_discount() -> None:
    q = quote(RULES, 1_000_000, "other", with_jht=False, today=date(2026, 3, 15))
    assert (q.first.jkk, q.first.jkm, q.first.discount, q.monthly_total) == (
        10_000,
        6_800,
        0,
        16_800,
    )
    assert quote(RULES, 1_000_000, "other", True, date(2026, 3, 15)).monthly_total == 36_800


def test_two_million_worked_example() -> None:
    q = quote(RULES, 2_000_000, "other", with_jht=True, today=date(2026, 3, 15))
    assert (q.first.jkk, q.first.jkm, q.first.jht) == (20_000, 6_800, 40_000)
    assert q.monthly_total == 66_800


def test_trader_on_21_november_2026_pays_13400() -> None:
    q = quote(RULES, 2_000_000, "other", with_jht=False, today=date(2026, 11, 21))
    assert (q.monthly_total, q.first.discount) == (13_400, 13_400)
    assert q.discount_rule is not None and q.discount_rule.end == date(2026, 12, 31)


def test_discount_never_touches_jht() -> None:
    q = quote(RULES, 2_000_000, "other", with_jht=True, today=date(2026, 11, 21))
    assert q.monthly_total == 13_400 + 40_000


def test_minimum_with_discount_is_8400() -> None:
    assert quote(RULES, 1_000_000, "transport", False, date(2026, 11, 21)).monthly_total == 8_400


def test_maximum_income_is_clamped() -> None:
    q = quote(RULES, 50_000_000, "other", with_jht=True, today=date(2027, 6, 1))
    assert q.income.declared == 20_700_000 and q.income.adjusted == "lowered"
    assert (q.first.jkk, q.first.jht, q.monthly_total) == (207_000, 414_000, 627_800)


def test_income_below_minimum_is_raised() -> None:
    income = declare_income(RULES, 750_000)
    assert (income.stated, income.declared, income.adjusted) == (750_000, 1_000_000, "raised")


@pytest.mark.parametrize(
    ("sector", "day", "monthly"),
    [
        ("transport", date(2025, 12, 31), 26_800),  # before PP 50/2025
        ("transport", date(2026, 1, 1), 13_400),
        ("transport", date(2027, 3, 31), 13_400),
        ("transport", date(2027, 4, 1), 26_800),
        ("other", date(2026, 3, 31), 26_800),
        ("other", date(2026, 4, 1), 13_400),
        ("other", date(2026, 12, 31), 13_400),
        ("other", date(2027, 1, 1), 26_800),
    ],
)
def test_discount_boundaries(sector: str, day: date, monthly: int) -> None:
    assert quote(RULES, 2_000_000, sector, False, day).monthly_total == monthly  # type: ignore[arg-type]


def test_a_period_is_priced_month_by_month() -> None:
    # Nov and Dec 2026 are discounted for a trader, Jan 2027 is not.
    q = quote(RULES, 2_000_000, "other", False, date(2026, 11, 21), months=3)
    assert [m.total for m in q.months] == [13_400, 13_400, 26_800]
    assert q.period_total == 53_600


def test_transport_words_in_other_work() -> None:
    assert RULES.sector_of("lainnya", "kurir paket") == "transport"
    assert RULES.sector_of("lainnya", "penjahit") == "other"
    assert RULES.sector_of("ojek_online") == "transport"


def test_level_table_is_replaceable_data(tmp_path: Path) -> None:
    text = resources.files("conversations").joinpath("rules.toml").read_text("utf-8")
    text = text.replace("levels = []", "levels = [1_000_000, 1_200_000, 1_500_000]")
    path = tmp_path / "rules.toml"
    path.write_text(text.replace('version = "', 'version = "test-'), "utf-8")
    rules = load_rules(path)
    q = quote(rules, 1_100_000, "other", False, date(2026, 3, 1))
    assert (q.income.declared, q.income.adjusted, q.first.jkk) == (1_200_000, "level", 12_000)
    assert q.tariff_version.startswith("test-")
