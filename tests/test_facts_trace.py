"""Every worker-facing amount and rule traces to docs/bpu-facts.md, and no [U] item is stated as
fact (issue 11). The trace is tests/facts_trace.toml; `python -m tests.facts_trace` prints it."""

from datetime import date

import pytest

from tests import facts_trace as ft


def test_the_facts_are_the_shared_ones() -> None:
    if not ft.SHARED_FACTS.exists():
        pytest.skip("no shared/ beside the repo")
    assert ft.FACTS.read_bytes() == ft.SHARED_FACTS.read_bytes(), (
        "docs/bpu-facts.md differs from shared/domain/bpu-facts.md: copy it again"
    )


def test_every_sentence_with_an_amount_or_a_rule_is_traced() -> None:
    problems = ft.missing_entries()
    assert not problems, "\n".join(problems)


def test_every_traced_sentence_is_still_in_the_code() -> None:
    problems = ft.stale_entries()
    assert not problems, "\n".join(problems)


def test_every_reference_is_on_one_confirmed_line_of_the_facts() -> None:
    problems = ft.entries_problems()
    assert not problems, "\n".join(problems)


def test_no_uncertain_item_is_stated_as_fact() -> None:
    problems = ft.uncertain_problems()
    assert not problems, "\n".join(problems)


def test_the_selection_rule() -> None:
    def reason(english: str, indonesian: str) -> str | None:
        return ft.selection_reason(ft.Message(english, indonesian, ("conversations/x.py:1",)))

    assert reason("Only Rp99.000 a month.", "Hanya Rp99.000 sebulan.")
    assert reason("No fine.", "Tidak ada denda.")
    assert reason("Ask {cc}.", "Tanya {cc}.")
    assert reason("Paying late", "Telat bayar") is None  # a button
    assert reason("If I die?", "Kalau saya meninggal?") is None  # a bare question
    assert reason("Choose a language.", "Pilih bahasa.") is None


@pytest.mark.parametrize(
    ("path", "value", "written"),
    [
        ("premium.jkm_flat", 6_800, "Rp6.800 flat"),
        ("benefits.jkm_total", 42_000_000, "Rp42 juta in total"),
        ("income.minimum", 1_000_000, "minimum Rp1.000.000, maximum"),
        ("x.amount", 1_500_000, "cost Rp1,5 juta"),
        ("discounts.percent", 50, "Temporary 50% discount"),
        ("payment.card_days_after_payment", 7, "at most 7 days after payment"),
        ("payment.inactive_after_unpaid_months", 3, "after 3 consecutive unpaid months"),
        ("benefits.jht_payout_age", 56, "a lump sum at age 56, on death"),
        ("benefits.jkk_death_multiplier", 48, "48 × declared income"),
        ("discounts.end", date(2027, 3, 31), "Jan 2026 – Mar 2027"),
        ("payment.periods", [1, 3, 6, 12], "(1/3/6/12?)"),
    ],
)
def test_values_are_looked_for_as_the_facts_write_them(
    path: str, value: object, written: str
) -> None:
    assert any(p.search(written) for p in ft.notations(path, value))


def test_a_value_is_not_found_inside_another() -> None:
    assert not any(p.search("Rp16.800/month") for p in ft.notations("premium.x", 6_800))
    assert not any(p.search("Rp207.000") for p in ft.notations("premium.x", 20_700))
