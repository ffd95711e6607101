"""An income read the way a worker says it: what it comes to in a month, how it was said, and the
figures to show the arithmetic. Nothing that is not clearly an income becomes one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.text_input import clean_text
from conversations.understanding.income import Figure, IncomeReading, read_income

JUTA = 1_000_000
RIBU = 1_000


def read(typed: str) -> IncomeReading:
    """As the bot reads it: cleaned first, like every message."""
    return read_income(clean_text(typed))


def monthly(amount: int) -> IncomeReading:
    return IncomeReading("month", amount, (Figure(amount, None),))


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [
        ("2 juta", 2 * JUTA),
        ("2jt", 2 * JUTA),
        ("2 jt", 2 * JUTA),
        ("  3 JUTA  ", 3 * JUTA),
        ("Rp 2.000.000", 2 * JUTA),
        ("Rp2.000.000,-", 2 * JUTA),
        ("Rp. 3.000.000,00", 3 * JUTA),
        ("IDR 5,000,000", 5 * JUTA),
        ("2000000", 2 * JUTA),
        ("2.000.000", 2 * JUTA),
        ("1 500 000", 1_500_000),
        ("1,5 juta", 1_500_000),
        ("1.5jt", 1_500_000),
        ("20,7 juta", 20_700_000),
        ("2", 2 * JUTA),  # a bare number below 100 means juta
        ("1,5", 1_500_000),
        ("750", 750 * RIBU),  # below 10.000, ribu
        ("1500", 1_500_000),
        ("750rb", 750 * RIBU),
        ("750 ribu", 750 * RIBU),
        ("750k", 750 * RIBU),
        ("1 juta 500 ribu", 1_500_000),
        ("1jt500rb", 1_500_000),
        ("1 juta 500", 1_500_000),
        ("gaji 2 juta", 2 * JUTA),
        ("penghasilan sy 2jt an", 2 * JUTA),
        ("kira2 2 juta", 2 * JUTA),
        ("sekitar 2,5jt", 2_500_000),
        ("± 3 juta", 3 * JUTA),
        ("+- 3 juta", 3 * JUTA),
        ("2 juta lebih", 2 * JUTA),
        ("2 jutaaa", 2 * JUTA),
        ("2 jutaa", 2 * JUTA),
        ("setahu saya 2 juta", 2 * JUTA),  # "as far as I know", not "setahun"
        ("2 aja pak", 2 * JUTA),
        ("untung bersih 2 juta", 2 * JUTA),  # a profit alone is the income
    ],
)
def test_an_amount_for_a_month(typed: str, rupiah: int) -> None:
    assert read(typed) == monthly(rupiah)


@pytest.mark.parametrize(
    "typed",
    [
        "sebulan 2 juta",
        "2 juta per bulan",
        "2jt/bln",
        "2 jt per bln",
        "2 million a month",
        "olehku sak wulan rong yuto",  # Javanese
    ],
)
def test_a_month_said(typed: str) -> None:
    assert read(typed) == IncomeReading("month", 2 * JUTA, (Figure(2 * JUTA, "month"),))


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [
        ("dua juta", 2 * JUTA),
        ("dua juta setengah", 2_500_000),
        ("dua setengah juta", 2_500_000),
        ("sejuta", JUTA),
        ("sejuta setengah", 1_500_000),
        ("satu setengah juta", 1_500_000),
        ("setengah juta", 500 * RIBU),
        ("koma lima juta", 500 * RIBU),
        ("satu koma lima", 1_500_000),
        ("satu koma lima juta", 1_500_000),
        ("tiga juta lima ratus", 3_500_000),  # "ratus" after "juta" is ratus ribu
        ("tiga juta lima ratus ribu", 3_500_000),
        ("dua ratus lima puluh ribu", 250 * RIBU),
        ("dua ratus ribuan", 200 * RIBU),
        ("lima belas juta", 15 * JUTA),
        ("sepuluh juta", 10 * JUTA),
        ("dua juta lima", 2_500_000),
        ("sejuta dua", 1_200_000),
        # Javanese
        ("rong juta", 2 * JUTA),
        ("rong yuto", 2 * JUTA),
        ("sak juta", JUTA),
        ("satus ewu", 100 * RIBU),
        ("rongatus ewu", 200 * RIBU),
        ("rong atus ewu", 200 * RIBU),
        ("telung atus ewu", 300 * RIBU),
        ("seket ewu", 50 * RIBU),
        ("selawe ewu", 25 * RIBU),
        ("limang atus ewu", 500 * RIBU),
        ("sewu", RIBU),
        ("100 ewu", 100 * RIBU),
        ("2 yuto", 2 * JUTA),
        ("1,5 yuta", 1_500_000),
        ("kurang luwih telung juta", 3 * JUTA),
        # English
        ("about 2 million", 2 * JUTA),
    ],
)
def test_amounts_in_words(typed: str, rupiah: int) -> None:
    assert read(typed) == monthly(rupiah)


@pytest.mark.parametrize(
    "typed",
    [
        "100rb sehari",
        "100 ribu per hari",
        "harian 100rb",
        "sehari dapat 100 ribu",
        "100rb/hari",
        "100rb/hr",
        "seratus ribu sehari",
        "100 sehari",  # a day's takings below 10.000 are ribu
        "100rb x 25 hari",
        "100rb perhri",  # one letter away from "perhari"
        "100 ribuu sehariii",
    ],
)
def test_a_days_takings_times_25_days(typed: str) -> None:
    assert read(typed) == IncomeReading("day", 2_500_000, (Figure(100 * RIBU, "day"),), 25)


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("100rb sehari, kerja 20 hari", 20),
        ("100rb sehari, 20 hari sebulan", 20),
        ("kerja 22 hari, sehari 100rb", 22),
        ("100rb sehari, 6 hari seminggu", 26),  # 6 × 52 / 12
        ("seminggu 5 hari, sehari 100rb", 22),
    ],
)
def test_the_days_worked_when_said(typed: str, days: int) -> None:
    assert read(typed) == IncomeReading(
        "day", days * 100 * RIBU, (Figure(100 * RIBU, "day"),), days
    )


@pytest.mark.parametrize(
    ("typed", "weeks"),
    [("500rb seminggu", 4), ("per minggu 500 ribu", 4), ("500rb seminggu, 3 minggu", 3)],
)
def test_a_weeks_takings(typed: str, weeks: int) -> None:
    assert read(typed) == IncomeReading(
        "week", weeks * 500 * RIBU, (Figure(500 * RIBU, "week"),), weeks
    )


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [
        ("setahun 30 juta", 30 * JUTA),
        ("30 juta per tahun", 30 * JUTA),
        ("30jt/thn", 30 * JUTA),
        ("pertahun 30jt", 30 * JUTA),
        ("per tahun 30", 30 * JUTA),
        ("panen setahun 24 juta", 24 * JUTA),
        ("setahun 25 juta", 25 * JUTA),
    ],
)
def test_a_year_divided_by_12(typed: str, rupiah: int) -> None:
    assert read(typed) == IncomeReading("year", round(rupiah / 12), (Figure(rupiah, "year"),), 12)


@pytest.mark.parametrize(
    ("typed", "low", "high"),
    [
        ("1-2 juta", JUTA, 2 * JUTA),
        ("1 - 2 jt", JUTA, 2 * JUTA),
        ("1 sampai 2 juta", JUTA, 2 * JUTA),
        ("1 sd 2 juta", JUTA, 2 * JUTA),
        ("1 s/d 2 juta", JUTA, 2 * JUTA),
        ("antara 1 dan 2 juta", JUTA, 2 * JUTA),
        ("1 atau 2 juta", JUTA, 2 * JUTA),
        ("2jt-3jt", 2 * JUTA, 3 * JUTA),
        ("1,5-2 juta", 1_500_000, 2 * JUTA),
        ("500-1 juta", 500 * RIBU, JUTA),  # 500 juta would not be the lower one
        ("1 juta - 2", JUTA, 2 * JUTA),
        ("kadang 1 juta kadang 3 juta", JUTA, 3 * JUTA),
        ("dua tiga juta", 2 * JUTA, 3 * JUTA),
        ("2.000.000 - 3.000.000", 2 * JUTA, 3 * JUTA),
        ("10.000.000-20.000.000", 10 * JUTA, 20 * JUTA),  # 16 digits, but not a NIK
    ],
)
def test_a_range_is_its_midpoint(typed: str, low: int, high: int) -> None:
    assert read(typed) == IncomeReading(
        "range", (low + high) // 2, (Figure(low, None), Figure(high, None))
    )


def test_a_range_a_day_is_its_midpoint_times_25() -> None:
    assert read("50-100rb sehari") == IncomeReading(
        "range", 1_875_000, (Figure(50 * RIBU, "day"), Figure(100 * RIBU, "day")), 25
    )


@pytest.mark.parametrize(
    ("typed", "good", "bad"),
    [
        ("musim ramai 6 juta, sepi 1 juta", 6 * JUTA, JUTA),
        ("kalau rame 5jt kalau sepi 1jt", 5 * JUTA, JUTA),
        ("pas panen 6 juta gak panen 1 juta", 6 * JUTA, JUTA),
        ("musim hujan 1 juta musim kemarau 3 juta", JUTA, 3 * JUTA),
    ],
)
def test_good_and_bad_times_are_averaged(typed: str, good: int, bad: int) -> None:
    assert read(typed) == IncomeReading(
        "seasonal", (good + bad) // 2, (Figure(good, None), Figure(bad, None))
    )


def test_good_and_bad_days_are_averaged_over_a_month() -> None:
    assert read("rame 300rb sehari sepi 100rb") == IncomeReading(
        "seasonal", 5 * JUTA, (Figure(300 * RIBU, "day"), Figure(100 * RIBU, "day")), 25
    )


@pytest.mark.parametrize(
    ("typed", "sales", "profit"),
    [
        ("omzet 8 juta untung 1,5 juta", 8 * JUTA, 1_500_000),
        ("omset 8jt, bersih 1,5jt", 8 * JUTA, 1_500_000),
        ("kotor 5 juta bersih 2 juta", 5 * JUTA, 2 * JUTA),
        ("pendapatan 8 juta keuntungan 1,5 juta", 8 * JUTA, 1_500_000),
        ("8 juta kotor 2 juta bersih", 8 * JUTA, 2 * JUTA),
        ("8 juta omzet, untung 1,5 juta", 8 * JUTA, 1_500_000),
        ("modal 5 juta untung 1 juta", 5 * JUTA, JUTA),
        ("omzet 8 juta keuntugan 1,5 juta", 8 * JUTA, 1_500_000),  # a typo, one letter away
    ],
)
def test_the_profit_is_the_income_not_the_sales(typed: str, sales: int, profit: int) -> None:
    assert read(typed) == IncomeReading(
        "profit", profit, (Figure(sales, None), Figure(profit, None))
    )


def test_a_profit_a_day_is_made_monthly() -> None:
    assert read("omzet 1 juta sehari untung 200rb") == IncomeReading(
        "profit", 5 * JUTA, (Figure(JUTA, "day"), Figure(200 * RIBU, "day")), 25
    )


@pytest.mark.parametrize(
    ("typed", "figures"),
    [
        ("omzet 8 juta sebulan", (Figure(8 * JUTA, "month"),)),
        ("omzet 8 juta", (Figure(8 * JUTA, None),)),
        ("omzet 1-2 juta", (Figure(JUTA, None), Figure(2 * JUTA, None))),
        ("omzet rame 10 juta sepi 5 juta", (Figure(10 * JUTA, None), Figure(5 * JUTA, None))),
    ],
)
def test_sales_alone_are_not_an_income(typed: str, figures: tuple[Figure, ...]) -> None:
    assert read(typed) == IncomeReading("turnover", None, figures)


@pytest.mark.parametrize(
    "typed",
    [
        "tidak tentu",
        "gak tentu",
        "ga nentu",
        "nggak pasti",
        "tergantung",
        "kadang2",
        "macem2",
        "gak tau",
        "lupa",
        "ra mesti",
        "ora tentu",
        "mboten tentu",
        "belum tahu",
        "naik turun",
    ],
)
def test_unsure(typed: str) -> None:
    assert read(typed) == IncomeReading("unsure", None)


@pytest.mark.parametrize("typed", ["UMR", "umr", "UMK", "ump", "sesuai UMR", "gaji umr"])
def test_the_minimum_wage_without_an_amount(typed: str) -> None:
    assert read(typed) == IncomeReading("minimum_wage", None)


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [("gak tentu, sekitar 2 juta", 2 * JUTA), ("UMR 2,1 juta", 2_100_000)],
)
def test_an_amount_said_with_doubt_is_still_the_amount(typed: str, rupiah: int) -> None:
    assert read(typed) == monthly(rupiah)


@pytest.mark.parametrize(
    ("typed", "how"),
    [
        ("3372055708800001", "nik"),
        ("3372 0557 0880 0001", "nik"),
        ("3372.0557.0880.0001", "nik"),
        ("3372-0557-0880-0001", "nik"),
        ("NIK saya 3372055708800001", "nik"),
        ("３３７２０５５７０８８００００１", "nik"),  # fullwidth, as a phone may type it
        ("0812 3456 7890", "phone"),
        ("+62 812-3456-7890", "phone"),
        ("6281234567890", "phone"),
        ("(0812) 3456-7890", "phone"),
        ("gaji 2 juta, hp 08123456789", "phone"),
        ("Rp 081234567890", "phone"),
        ("Rp 3372055708800001", "nik"),
    ],
)
def test_a_nik_or_phone_is_never_an_income(typed: str, how: str) -> None:
    assert read(typed) == IncomeReading(how, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "ok",
        "nanti",
        "tunggu",
        "brp iurannya",
        "sy petani",
        "0",
        "0 juta",
        "123456789",  # 9 digits or more, no unit, no "Rp", no dots: not written as money
        "9" * 5000,
        "081234567890123",
        "1e3",
        "1e9",
        "-5 juta",
        "1.2.3.4",
        "0,000001",
        "2 anak",
        "umur 45",
        "jam 8 sampai 5",
        "tahun 2020",
        "NaN",
        "∞",
        "٣ ملايين",
        "３ジュタ",
        "jutaan",
        "setengah",
        "2x",
    ],
)
def test_not_an_income(typed: str) -> None:
    assert read(typed) == IncomeReading("none", None)


def test_two_amounts_that_do_not_go_together_are_not_an_income() -> None:
    assert read("2 juta, 100rb") == IncomeReading(
        "none", None, (Figure(2 * JUTA, None), Figure(100 * RIBU, None))
    )


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [
        ("Rp 2.5OO.OOO", 2_500_000),  # letter O typed for zero
        ("1½ juta", 1_500_000),  # not 11/2
        ("½ juta", 500 * RIBU),
        ("1 1/2 juta", 1_500_000),
        ("١٫٥ juta", 1_500_000),  # Arabic decimal separator
        ("٢٬٥٠٠٬٠٠٠", 2_500_000),  # Arabic thousands separator
        ("sejuta setengah", 1_500_000),
        ("tiga juta lima ratus", 3_500_000),
        ("umur 45, gaji 2 juta", 2 * JUTA),
        ("sy punya 2 anak, gaji 2jt", 2 * JUTA),
        ("tahun 2020 gaji 2 juta", 2 * JUTA),
    ],
)
def test_what_was_misread_before(typed: str, rupiah: int) -> None:
    assert read(typed) == monthly(rupiah)


def test_amounts_are_capped_before_arithmetic() -> None:
    assert read("Rp " + "9" * 5000) == monthly(10**12)
    assert read("Rp 1.000.000.000.000.000") == monthly(10**12)
    assert read("9" * 400 + " juta sehari").monthly == 10**12


# --- properties -----------------------------------------------------------------------------

UNITS = st.sampled_from(["juta", "jt", " jt", "jt", " juta", "JT", " yuto"])


@given(n=st.integers(1, 20), unit=UNITS)
def test_any_n_juta_is_n_million_a_month(n: int, unit: str) -> None:
    assert read(f"{n}{unit}") == monthly(n * JUTA)


@given(n=st.integers(1, 999), unit=st.sampled_from(["rb", " ribu", "k", " rebu", " ewu"]))
def test_any_n_ribu_a_day_is_25_days(n: int, unit: str) -> None:
    assert read(f"{n}{unit} sehari") == IncomeReading(
        "day", n * RIBU * 25, (Figure(n * RIBU, "day"),), 25
    )


@given(
    low=st.integers(1, 19),
    step=st.integers(1, 10),
    joiner=st.sampled_from(["-", " - ", " sampai "]),
)
def test_any_range_in_juta_is_its_midpoint(low: int, step: int, joiner: str) -> None:
    high = low + step
    reading = read(f"{low}{joiner}{high} juta")
    assert reading.how == "range" and reading.monthly == (low + high) * JUTA // 2


@given(
    digits=st.text(alphabet="0123456789", min_size=16, max_size=16),
    separator=st.sampled_from(["", " ", ".", "-"]),
    group=st.sampled_from([4, 6]),
)
def test_a_16_digit_number_never_reads_as_income(digits: str, separator: str, group: int) -> None:
    typed = separator.join(digits[i : i + group] for i in range(0, 16, group))
    reading = read(typed)
    assert reading.monthly is None and reading.figures == ()


@given(digits=st.text(alphabet="0123456789", min_size=9, max_size=40))
def test_a_long_bare_number_never_reads_as_income(digits: str) -> None:
    assert read(digits).monthly is None


@given(text=st.text(max_size=300))
def test_anything_typed_reads_without_error_within_bounds(text: str) -> None:
    reading = read(text)
    assert reading.monthly is None or 0 < reading.monthly <= 10**12
    assert all(0 <= f.amount <= 10**12 for f in reading.figures)
    if reading.how in ("nik", "phone", "unsure", "minimum_wage", "none", "turnover"):
        assert reading.monthly is None
