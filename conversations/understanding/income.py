"""Reading an income the way a worker says it: "2jt", "100rb sehari", "setahun 30 juta",
"1-2 juta", "musim ramai 6 juta, sepi 1 juta", "omzet 8 juta untung 1,5 juta", "dua juta
setengah", "rong atus ewu", "gak tentu", "UMR", or a NIK typed at the wrong question.

`read_income` says how the income was given, what it comes to in a month, and the figures as said
so the bot can show its arithmetic and ask the worker to confirm it. Anything that is not clearly
an income (a NIK, a phone number, a long number, "1e3", "2 anak", two unrelated amounts) has no
monthly figure: a wrong income is a wrong premium.

The text given is already cleaned (`text_input.clean_text`: ASCII digits, NFKC, vulgar fractions
as decimals, no control characters), not lower-cased. Pure: no I/O.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

How = Literal[
    "month",
    "day",
    "week",
    "year",
    "range",
    "seasonal",
    "profit",
    "turnover",
    "unsure",
    "minimum_wage",
    "nik",
    "phone",
    "none",
]
Per = Literal["day", "week", "month", "year"]


@dataclass(frozen=True)
class Figure:
    amount: int  # rupiah, as said
    per: Per | None  # the period said with it, None when none was said


@dataclass(frozen=True)
class IncomeReading:
    how: How
    monthly: int | None  # what it comes to in a month, whole rupiah; None when there is none
    figures: tuple[Figure, ...] = ()  # the figures as said, to show the arithmetic
    factor: int | None = None  # days (day), weeks (week) or 12 (year) used to convert


MAX_AMOUNT = 10**12  # any amount is capped here before arithmetic: no huge ints from long input
DAYS_A_MONTH = 25  # a worker's usual working days in a month, shown to be confirmed
WEEKS_A_MONTH = 4
MAX_FIGURES = 8  # more amounts than this in one message is not an answer about an income
_NONE = IncomeReading("none", None)

# --- the words, as data ---------------------------------------------------------------------
# Indonesian, Javanese (ngoko, some krama) and the abbreviations workers type. Each table is a
# string so that it reads as a list; `_words` and `_valued` turn it into a set or a dict.


def _words(table: str) -> frozenset[str]:
    return frozenset(table.split())


def _valued(table: str) -> dict[str, int]:
    """ "sepuluh sedasa 10 | sebelas 11" → {"sepuluh": 10, "sedasa": 10, "sebelas": 11}."""
    entries = (entry.split() for entry in table.split("|"))
    return {word: int(words[-1]) for words in entries for word in words[:-1]}


# A digit waits for a multiplier or a scale: "dua" ratus, "telung" atus, "rong" juta.
DIGITS = _valued(
    """nol kosong 0 | se sak satu siji setunggal 1 | dua loro rong kalih 2 | tiga telu telung 3
    | empat papat patang sekawan 4 | lima limo limang 5 | enam enem nem 6 | tujuh pitu pitung 7
    | delapan wolu wolung 8 | sembilan songo sanga sangang 9"""
)
# A compound is a whole number already: "seratus", "satus", "seket" 50, "selawe" 25.
COMPOUNDS = _valued(
    """sepuluh sedasa 10 | sebelas sewelas 11 | rolas 12 | telulas 13 | patbelas 14
    | limalas 15 | nembelas 16 | pitulas 17 | wolulas 18 | sangalas 19 | selikur 21
    | rolikur 22 | telulikur 23 | patlikur 24 | selawe 25 | nemlikur 26 | pitulikur 27
    | wolulikur 28 | sangalikur 29 | seket 50 | sewidak suwidak 60 | seratus satus 100
    | rongatus 200 | telungatus 300 | patangatus 400 | limangatus 500 | nemangatus 600
    | pitungatus 700 | wolungatus 800 | sangangatus 900"""
)
TEENS = _words("belas welas las")  # "lima belas" = 15
MULTIPLIERS = _valued("puluh 10 | ratus atus 100")
# Scales, written out or abbreviated; the "-an" forms ("jutaan", "2jtan") say "about".
SCALES = _valued(
    """ribu rb rbu rebu ewu k ribuan rban rebuan thousand 1000
    | juta jt jta jut jeti j yuto yuta juto jutaan jtan million millions mio 1000000
    | miliar milyar 1000000000"""
)
ONE_SCALES = _valued("seribu sewu 1000 | sejuta sakjuta seyuto sayuto sakyuto 1000000")
HALVES = _words("setengah stengah setenga separuh")
POINTS = _words("koma")  # "satu koma lima" = 1,5

# Periods. A bound form always names one ("sehari", "perbulan"); a noun names one after "per",
# "/" or "tiap" ("100rb per hari") and counts after a bare number ("kerja 20 hari").
_PERIOD_WORDS: dict[Per, tuple[str, str]] = {
    "day": ("sehari perhari harian sedino sedina sedinten daily", "hari hr day dino dina dinten"),
    "week": (
        "seminggu semingu perminggu mingguan sepekan perpekan weekly",
        "minggu mgg mg pekan week minggon",
    ),
    "month": (
        "sebulan perbulan bulanan perbln sewulan sesasi monthly",
        "bulan bln bl month wulan sasi",
    ),
    "year": (
        "setahun pertahun tahunan setaun pertaun setaon yearly",
        "tahun thn th year taun taon",
    ),
}
BOUND_PERIODS: dict[str, Per] = {w: p for p, (b, _) in _PERIOD_WORDS.items() for w in b.split()}
NOUN_PERIODS: dict[str, Per] = {w: p for p, (_, n) in _PERIOD_WORDS.items() for w in n.split()}
PERIOD_PREFIXES = _words("per / tiap setiap saben dalam a every")  # "a month", "every day"
TIMES = _words("x × kali")  # "100rb x 25 hari"

# Roles: sales and capital are not an income; a profit is. "pendapatan" is sales only when a
# profit is also said ("pendapatan 8 juta keuntungan 1,5 juta").
TURNOVER = _words("omzet omset omzetnya omsetnya kotor bruto penjualan modal kulakan")
GROSS_WHEN_PROFIT = _words(
    "pendapatan pendapatannya penghasilan penghasilannya pemasukan pemasukannya"
)
PROFIT = _words(
    "untung untungnya keuntungan keuntungannya bersih bersihnya laba labanya netto nett net "
    "sisa sisanya bathi bati"
)
# Good and bad times: two figures with one of these are a season each.
SEASONS = _words(
    "ramai rame rami ramainya ramenya laris laku lancar panen musim sepi sepinya paceklik "
    "kemarau hujan normal biasa biasanya"
)
# Two figures joined by one of these are a range ("1 sampai 2 juta"); "dan" after "antara".
RANGE_WORDS = _words("- ~ sampai sampe smp sd hingga atau ato to nganti ngantos sampek")
# "tidak tentu", "ga nentu", "ra mesti", "gak tau", "belum tahu": a negation, then one of these.
NEGATIONS = _words(
    "tidak tdk tak gak ga gk g gx nggak ngga ngak enggak engga ndak nda ra ora mboten belum blm "
    "durung"
)
NEGATED_UNSURE = _words("tentu nentu menentu pasti mesti tau tahu tw ngerti tetap tetep")
UNSURE = _words(
    "tergantung tgantung kadang macem macam bermacam variasi bervariasi lupa entah ntah embuh "
    "mbuh gatau gatw gtw gktau gaktau fluktuatif relatif berubah"
)
MINIMUM_WAGE = _words("umr umk ump umsk ums")
# Words that make the bare number after them something else: "anak 2", "jam 8", "tahun 2020".
COUNT_CONTEXT = _words(
    "umur usia anak jam pukul tgl tanggal no nomor nomer nmr rt rw kelas lantai blok gang gg km "
    "kg ke nik hp wa telp kode pin sejak tahun thn th taun"
)
# Words that may follow a bare number in an answer about money. After any other word, the bare
# number counts something else ("2 anak", "3 ekor") and is not read as an amount.
FILLERS = _words(
    "an lebih kurang lbh aja saja doang tok thok wae ae sih kok deh lah dong ya yah kan pak bu "
    "mas mbak mba kak bang gan bos mungkin kayaknya kyknya kayanya sepertinya kira sekitar "
    "rupiah perak rp idr dapat dapet dpt paling palingan cuma cuman cm hanya kalau kalo klo kl "
    "pas waktu wkt dan antara juga jg tapi tp itu gitu untuk buat dari di yang yg kerja rata "
    "ratarata kisaran kurleb gaji hasil"
)
_KNOWN = frozenset().union(
    DIGITS,
    COMPOUNDS,
    TEENS,
    MULTIPLIERS,
    SCALES,
    ONE_SCALES,
    HALVES,
    POINTS,
    BOUND_PERIODS,
    NOUN_PERIODS,
    PERIOD_PREFIXES,
    TIMES,
    TURNOVER,
    GROSS_WHEN_PROFIT,
    PROFIT,
    SEASONS,
    RANGE_WORDS,
    NEGATIONS,
    NEGATED_UNSURE,
    UNSURE,
    MINIMUM_WAGE,
    FILLERS,
)

# --- normalising ----------------------------------------------------------------------------

_APPROX_SIGNS = re.compile(r"\+\s*/?\s*-|-\s*\+|±")  # "+-", "+/-", "-+": about
_SD = re.compile(r"\bs\s*[/.]\s*d\b\.?")  # "s/d", "s.d.": sampai dengan
# Javanese "sak tahun", "sak wulan": one year, one month (setahun, sewulan)
_SAK_PERIOD = re.compile(
    r"\bsak\s+(?=(?:tahun|taun|taon|wulan|sasi|bulan|minggu|dino|dina|hari)\b)"
)
# "2.5OO.OOO": O typed for 0. Possessive, from the start of a run only: linear on long input.
_LETTER_O = re.compile(r"(?<![\d.,o])\d[\d.,]*+o[\d.,o]*+(?![a-z])")
_ELONGATED = re.compile(r"([a-z])\1{2,}")  # "jutaaa"
_REDUPLICATED = re.compile(r"\b([a-z]{3,})(?:2|-\1)\b")  # "kira2", "kadang-kadang"
_CENTS = re.compile(r"(?<=\d)[,.](?:-|00\b(?![.,]\d))")  # "Rp2.000.000,-", "3.000.000,00"
_SPACED_THOUSANDS = re.compile(r"\b\d{1,3}(?: \d{3})* 000\b")  # "1 500 000"
_TYPED_HALF = re.compile(r"(?<!\d)(?:(\d+) )?\b([13])/([24])\b")  # "1 1/2", "1/2", "3/4"


def _typed_fraction(match: re.Match[str]) -> str:
    whole, top, bottom = match[1] or "0", int(match[2]), int(match[3])
    if top >= bottom:
        return match[0]
    return f"{whole},{top * 100 // bottom:02d}".rstrip("0")


def normalise(text: str) -> str:
    """Lower-case, with the ways money is typed evened out: "2.5OO.OOO" → "2.500.000", "kira2"
    → "kira", "jutaaa" → "juta", "Rp2.000.000,-" → "rp2.000.000", "1 500 000" → "1500000",
    "1 1/2" → "1,5", "+-" → "±", "s/d" → "sd"."""
    s = text.lower()
    s = _APPROX_SIGNS.sub(" ± ", s)
    s = _SD.sub(" sd ", s)
    s = _SAK_PERIOD.sub("se", s)
    s = _LETTER_O.sub(lambda m: m[0].replace("o", "0"), s)
    s = _ELONGATED.sub(r"\1", s)
    s = _REDUPLICATED.sub(r"\1", s)
    s = _CENTS.sub("", s)
    s = _SPACED_THOUSANDS.sub(lambda m: m[0].replace(" ", ""), s)
    return _TYPED_HALF.sub(_typed_fraction, s)


# --- NIK, phone numbers ---------------------------------------------------------------------

_DIGIT_RUN = re.compile(r"\+?\d(?:[ .\-]?\d)*")  # digits with single spaces, dots or dashes
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")
_MOBILE = re.compile(r"08\d{8,11}")


def _written_as_money(run: str) -> bool:
    """ "1.000.000.000", "10.000.000-20.000.000": amounts in thousands, not one long number."""
    return all(_THOUSANDS.fullmatch(piece) for piece in re.split(r"[ \-]", run))


def _identity(s: str) -> How | None:
    """ "nik" or "phone" when the text holds a NIK (16 digits) or an Indonesian mobile number."""
    s = s.replace("(", "").replace(")", "")  # "(0812) 3456-7890"
    for match in _DIGIT_RUN.finditer(s):
        run = match[0]
        if _written_as_money(run):
            continue
        digits = re.sub(r"\D", "", run)
        if len(digits) == 16:
            return "nik"
        if digits.startswith("62"):
            digits = digits[2:] if digits[2:3] == "0" else "0" + digits[2:]
        if _MOBILE.fullmatch(digits):
            return "phone"
    return None


# --- tokens ---------------------------------------------------------------------------------


class Token(NamedTuple):
    kind: str  # "num", "word", "sym" or "punct"
    text: str
    start: int
    end: int


_TOKEN = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*)|(?P<word>[^\W\d_]+)|(?P<sym>[-~/±×])|(?P<punct>[,;:!?\n()]|\.)"
)


def tokens(s: str) -> list[Token]:
    """Numbers, words (as the known word they were meant to be), symbols and punctuation."""
    return [
        Token(kind, _known_spelling(m[0]) if kind == "word" else m[0], m.start(), m.end())
        for m in _TOKEN.finditer(s)
        if (kind := m.lastgroup or "")
    ]


_DOUBLED = re.compile(r"(.)\1+")
# Typos are corrected only towards these longer words (periods, profit, sales), by one letter.
_TYPO_TARGETS = sorted(w for w in BOUND_PERIODS.keys() | PROFIT | TURNOVER if len(w) >= 6)
_REAL_WORDS = frozenset({"setahu"})  # a letter away from a target, and meaning something else


@lru_cache(maxsize=4096)
def _known_spelling(word: str) -> str:
    """ "jutaa" → "juta", "sebulam" → "sebulan": an unknown word as the known word meant."""
    if word in _KNOWN:
        return word
    if (single := _DOUBLED.sub(r"\1", word)) in _KNOWN:
        return single
    if len(word) >= 6 and word not in _REAL_WORDS:
        close = process.extractOne(word, _TYPO_TARGETS, scorer=Levenshtein.distance, score_cutoff=1)
        if close is not None:
            return close[0]
    return word


def _glued(a: Token, b: Token) -> bool:
    return a.end == b.start


# --- numbers --------------------------------------------------------------------------------


def _capped(digits: str) -> float:
    digits = digits.lstrip("0") or "0"
    return float(MAX_AMOUNT) if len(digits) > 13 else min(float(int(digits)), MAX_AMOUNT)


def number(raw: str, has_unit: bool) -> float | None:
    """ "1.500.000" and "1,500" are thousands; "1,5" and (with a unit) "1.5" and "1,250" are
    decimals. None when it is neither ("1.2.3", "0,000001")."""
    groups = re.split(r"[.,]", raw)
    if len(groups) == 1:
        return _capped(raw)
    comma_decimal = has_unit and len(groups) == 2 and "," in raw
    if len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and not comma_decimal:
        return _capped("".join(groups))
    if len(groups) == 2 and len(groups[1]) <= 3:
        return _capped(groups[0]) + int(groups[1]) / 10 ** len(groups[1])
    return None


# --- figures as said ------------------------------------------------------------------------


@dataclass
class Said:
    """One amount as the worker said it, while it is being read."""

    start: int  # token indexes
    end: int
    value: float = 0.0  # rupiah, or the number said when `bare`
    bare: bool = True  # no scale said: "2", "750", "dua"
    lead: float = 0.0  # the first number said: for "1-2 juta" and "dua tiga juta"
    scale: int = 1  # the last scale said
    words: bool = False  # spelled in words
    per: Per | None = None
    role: str | None = None


_Numeric = tuple[str, float]  # ("num", 2.0), ("digit", 2), ("scale", 1e6), ...


def _numeric(toks: Sequence[Token], i: int) -> _Numeric | None:
    """What token `i` is as part of a number, or None when it is not one."""
    tok = toks[i]
    if tok.kind == "num":
        unit = i + 1 < len(toks) and toks[i + 1].text in SCALES
        value = number(tok.text, unit)
        return ("bad", 0.0) if value is None else ("num", value)
    if tok.kind != "word":
        return None
    w = tok.text
    for kind, table in (("digit", DIGITS), ("compound", COMPOUNDS), ("mult", MULTIPLIERS)):
        if w in table:
            return kind, float(table[w])
    if w in SCALES:
        return "scale", float(SCALES[w])
    if w in ONE_SCALES:
        return "one", float(ONE_SCALES[w])
    if w in TEENS:
        return "teen", 10.0
    if w in HALVES:
        return "half", 0.5
    if w in POINTS:
        return "point", 0.0
    return None


@dataclass
class _Reader:
    """Reads one run of number tokens ("dua juta setengah", "1 juta 500 ribu") into figures."""

    figures: list[Said] = field(default_factory=list)
    total: float = 0.0  # the scaled part of the current figure
    scale: int | None = None  # the last scale applied in the current figure
    group: float = 0.0  # a number below 1000 being built: "dua ratus lima puluh"
    last: float | None = None  # a number waiting for a multiplier or scale
    fraction: str | None = None  # digits after "koma"
    half: bool = False
    start: int = -1
    pending_start: int = -1
    end: int = -1
    lead: float | None = None
    words: bool = False
    bad: bool = False

    def _pending(self) -> float:
        value = self.group + (self.last or 0.0) + (0.5 if self.half else 0.0)
        if self.fraction:
            value += int(self.fraction) / 10 ** len(self.fraction)
        return value

    def _has_pending(self) -> bool:
        return bool(self.group or self.last is not None or self.half)

    def _begin(self, i: int) -> None:
        if self.start < 0:
            self.start = i
        if not self._has_pending():
            self.pending_start = i

    def feed(self, kind: str, value: float, i: int) -> None:
        if kind == "bad":
            self.bad = True
        elif self.fraction is not None and kind in ("num", "digit") and value == int(value):
            self.fraction += str(int(value))
        elif kind in ("num", "digit"):
            self._number(value, i, kind == "digit")
        elif kind == "compound":
            self._compound(value, i)
        elif kind in ("teen", "mult"):
            self._multiply(kind, value)
        elif kind in ("scale", "one"):
            self._scale(int(value), i, kind == "one")
        elif kind == "half":
            self._half(i)
        elif kind == "point":
            self._point(i)
        self.end = max(self.end, i)

    def _number(self, value: float, i: int, word: bool) -> None:
        if self.last is not None or self.fraction is not None or (self.group and not word):
            self.close()
        self._begin(i)
        self.last = value
        self.words = self.words or word
        if self.lead is None:
            self.lead = value

    def _compound(self, value: float, i: int) -> None:
        if self.last is not None or self.group >= value or self.fraction is not None:
            self.close()
        self._begin(i)
        self.group += value
        self.words = True
        if self.lead is None:
            self.lead = value

    def _multiply(self, kind: str, value: float) -> None:
        if self.last is None:
            return
        self.group += self.last + 10 if kind == "teen" else self.last * value
        self.last = None

    def _scale(self, scale: int, i: int, with_one: bool) -> None:
        if with_one:
            if self._has_pending():
                self.close()
            self._begin(i)
            self.last, self.words = 1.0, True
            self.lead = 1.0 if self.lead is None else self.lead
        if not self._has_pending():
            return  # a scale with no number: "juta" alone
        if self.scale is not None and scale >= self.scale:
            self._split()  # "2 juta 3 juta": two figures
        self.total = min(self.total + self._pending() * scale, MAX_AMOUNT)
        self.scale = scale
        self._clear_pending()

    def _half(self, i: int) -> None:
        if self._has_pending():
            self.half = True
        elif self.scale is not None:
            self.total = min(self.total + 0.5 * self.scale, MAX_AMOUNT)  # "dua juta setengah"
        else:
            self._begin(i)
            self.half = True  # "setengah juta"; alone, "setengah" is no amount
            self.lead = 0.5

    def _point(self, i: int) -> None:
        """ "satu koma lima", "koma lima" (0,5)."""
        if not self._has_pending():
            self._begin(i)
            self.last = 0.0
        self.fraction = ""

    def _clear_pending(self) -> None:
        self.group, self.last, self.fraction, self.half = 0.0, None, None, False

    def _split(self) -> None:
        """Close the scaled part as a figure; what is pending starts the next one."""
        pending = (self.group, self.last, self.fraction, self.half, self.pending_start)
        self.figures.append(self._said(self.total, self.pending_start - 1))
        self.total, self.scale, self.start, self.lead = 0.0, None, pending[4], None
        self.group, self.last, self.fraction, self.half = pending[:4]
        self.lead = self._pending()

    def _said(self, value: float, end: int, bare: bool = False) -> Said:
        return Said(
            start=self.start,
            end=end,
            value=value,
            bare=bare,
            lead=self.lead or value,
            scale=self.scale or 1,
            words=self.words,
        )

    def close(self, tail_alone: bool = False) -> None:
        """End the current figure. A number after a scale is part of it ("1 juta 500", "dua juta
        lima") unless `tail_alone` ("2 juta 20 hari") or it is too big to be."""
        pending = self._has_pending()
        if self.scale is None and pending and (self.group or self.last is not None):
            self.figures.append(self._said(self._pending(), self.end, bare=True))
        elif self.scale is not None:
            tail = self._pending() if pending else 0.0
            extra = _tail(tail, self.scale) if pending and not tail_alone else None
            if pending and extra is None:
                self._split()
                self.figures.append(self._said(self._pending(), self.end, bare=True))
            else:
                self.figures.append(
                    self._said(min(self.total + (extra or 0), MAX_AMOUNT), self.end)
                )
        self._clear_pending()
        self.total, self.scale, self.start, self.lead, self.words = 0.0, None, -1, None, False


def _tail(tail: float, scale: int) -> float | None:
    """What a number after a scale adds: "dua juta lima" 500.000, "1 juta 500" 500.000, "1 juta
    50" 50.000, "1 juta 250.000" 250.000; None when it cannot belong ("2 juta 3000000")."""
    if scale >= 1_000_000 and tail < 10 and tail == int(tail):
        return tail * scale / 10
    if tail < 1000:
        return tail * scale / 1000
    return tail if tail < scale else None


def _runs(toks: Sequence[Token]) -> Iterable[tuple[int, int]]:
    """The (first, last) indexes of each run of number tokens."""
    i = 0
    while i < len(toks):
        if _numeric(toks, i) is None:
            i += 1
            continue
        j = i
        while j + 1 < len(toks) and _numeric(toks, j + 1) is not None:
            j += 1
        yield i, j
        i = j + 1


def _read_run(toks: Sequence[Token], first: int, last: int) -> tuple[list[Said], bool]:
    """The figures in one run, and whether a number in it could not be read."""
    reader = _Reader()
    for i in range(first, last + 1):
        kind_value = _numeric(toks, i)
        assert kind_value is not None
        reader.feed(*kind_value, i)
    after = toks[last + 1] if last + 1 < len(toks) else None
    reader.close(tail_alone=after is not None and _counts_after(after))
    has_number = [f for f in reader.figures if f.value or f.bare]
    return has_number, reader.bad


def _counts_after(tok: Token) -> bool:
    """A bare number followed by this counts it, not money: "20 hari", "2 anak", "2x"."""
    return tok.text in TIMES or (
        tok.kind == "word" and (tok.text in NOUN_PERIODS or tok.text not in _KNOWN)
    )


# --- what surrounds a figure ----------------------------------------------------------------


@dataclass
class Scan:
    figures: list[Said] = field(default_factory=list)
    days: int | None = None  # working days a month, as said
    weeks: int | None = None  # working weeks a month, as said
    used: set[int] = field(default_factory=set)  # token indexes read as counts
    counted: set[int] = field(default_factory=set)  # where numbers counting other things end
    periods: dict[int, Per] = field(default_factory=dict)  # periods said by a count: "x 25 hari"
    junk: bool = False  # a number that cannot be an amount: "1e3", "-5", "1.2.3"


def _word(toks: Sequence[Token], i: int) -> str:
    return toks[i].text if 0 <= i < len(toks) else ""


def _long_bare_number(toks: Sequence[Token], f: Said) -> bool:
    """ "3372055708800001", "081234567": 9 digits or more with no unit, no "Rp", no dots."""
    tok = toks[f.start]
    return (
        f.bare
        and f.start == f.end
        and tok.kind == "num"
        and tok.text.isdigit()
        and len(tok.text) >= 9
        and _word(toks, f.start - 1) not in ("rp", "idr")
    )


def _glued_junk(toks: Sequence[Token], f: Said) -> bool:
    """ "1e3", "2x", "-5 juta": a number glued to a word it cannot go with, or negative."""
    first, last = toks[f.start], toks[f.end]
    if f.end + 1 < len(toks):
        after = toks[f.end + 1]
        if _glued(last, after) and after.kind == "word" and after.text not in _KNOWN:
            return True
    if f.start > 0:
        before = toks[f.start - 1]
        if _glued(before, first) and before.kind == "word" and before.text not in _KNOWN:
            return True
        if before.text == "-" and _glued(before, first):
            return f.start < 2 or _numeric(toks, f.start - 2) is None
    return False


def _count(scan: Scan, toks: Sequence[Token], f: Said) -> bool:
    """Take a bare number that counts days, weeks or other things; True when it did."""
    after, before = _word(toks, f.end + 1), _word(toks, f.start - 1)
    context = before in COUNT_CONTEXT and _period(toks, f.start - 1) is None  # not "per tahun"
    if context or (before in RANGE_WORDS and f.start - 2 in scan.counted):
        scan.counted.add(f.end)  # "jam 8 sampai 5": both counted
        return True
    if after in NOUN_PERIODS:
        if before in TIMES:  # "100rb x 25 hari": the figure before is a day's
            scan.periods[f.start - 1] = NOUN_PERIODS[after]
        _working_time(scan, toks, f, NOUN_PERIODS[after])
        return True
    return f.end + 1 < len(toks) and _counts_after(toks[f.end + 1])


# The periods a count of days or weeks can be "in": "6 hari seminggu", "3 minggu sebulan".
_LONGER: dict[Per, frozenset[Per]] = {
    "day": frozenset({"week", "month"}),
    "week": frozenset({"month"}),
    "month": frozenset({"year"}),
    "year": frozenset(),
}


def _working_time(scan: Scan, toks: Sequence[Token], f: Said, per: Per) -> None:
    """ "kerja 20 hari", "20 hari sebulan", "6 hari seminggu", "3 minggu": the days or weeks a
    month the worker works."""
    n, noun = f.value, f.end + 1
    scan.used.add(noun)
    longer = _LONGER[per]
    near = [(j, _period(toks, j)) for j in (noun + 1, noun + 2, f.start - 1) if j >= 0]
    within = next(((j, p) for j, p in near if p in longer), None)
    if within is not None:
        scan.used.add(within[0])
    if n != int(n) or n < 1:
        return
    if per == "day" and within is not None and within[1] == "week" and n <= 7:
        scan.days = round(n * 52 / 12)  # "6 hari seminggu": 26 days a month
    elif per == "day" and n <= 31:
        scan.days = int(n)
    elif per == "week" and n <= 5:
        scan.weeks = int(n)


def _period(toks: Sequence[Token], i: int) -> Per | None:
    """The period token `i` names: "sehari", "per hari", "/bln", "bulanan"."""
    w = _word(toks, i)
    if w in BOUND_PERIODS:
        return BOUND_PERIODS[w]
    before = _word(toks, i - 1)
    if w in NOUN_PERIODS and (before in PERIOD_PREFIXES or before in SCALES):
        return NOUN_PERIODS[w]  # "per hari", "/bln", "100rb hari"; not "tahun 2020"
    return None


def scan(toks: Sequence[Token]) -> Scan:
    """The figures in the text, with the working days or weeks said and anything unreadable."""
    result = Scan()
    for first, last in _runs(toks):
        figures, bad = _read_run(toks, first, last)
        result.junk = result.junk or bad
        for f in figures:
            if _glued_junk(toks, f) or _long_bare_number(toks, f):
                result.junk = True
            elif not (f.bare and _count(result, toks, f)):
                result.figures.append(f)
        if len(result.figures) > MAX_FIGURES:  # and no more time spent on a long message
            result.junk = True
            break
    return result


def _attach_periods(toks: Sequence[Token], found: Scan) -> None:
    """Each period said goes with the figure next to it: the one before ("100rb sehari") or,
    when that has one or is further, the one after ("sehari dapat 100 ribu")."""
    figures = found.figures
    for i in range(len(toks)):
        per = found.periods.get(i) or (None if i in found.used else _period(toks, i))
        if per is None:
            continue
        before = next((f for f in reversed(figures) if f.end < i), None)
        after = next((f for f in figures if f.start > i), None)
        if before and before.per is None and (not after or i - before.end <= after.start - i):
            before.per = per
        elif after and after.per is None:
            after.per = per
    said = {f.per for f in figures if f.per}
    if len(said) == 1:  # "rame 300rb sehari sepi 100rb": both a day
        for f in figures:
            f.per = f.per or next(iter(said))


def _attach_roles(toks: Sequence[Token], figures: list[Said]) -> None:
    """Omzet, profit: each figure takes the role word next to it, on the side the worker puts
    them: before ("omzet 8 juta untung 1,5 juta") when one comes before the first figure, else
    after ("8 juta kotor 2 juta bersih"); then the other side for a figure still without."""
    roles = {i: role for i, t in enumerate(toks) if (role := _role(t.text))}
    if not roles:
        return
    claimed: set[int] = set()
    prefix = min(roles) < figures[0].start
    for side in (prefix, not prefix):
        for k, f in enumerate(figures):
            low = figures[k - 1].end if k else -1
            high = figures[k + 1].start if k + 1 < len(figures) else len(toks)
            near = [i for i in roles if (low < i < f.start if side else f.end < i < high)]
            near = [i for i in (reversed(near) if side else near) if i not in claimed]
            if f.role is None and near:
                f.role = roles[near[0]]
                claimed.add(near[0])


def _role(word: str) -> str | None:
    if word in TURNOVER:
        return "turnover"
    if word in PROFIT:
        return "profit"
    return "gross" if word in GROSS_WHEN_PROFIT else None


def _scale_bare(f: Said) -> None:
    """A bare number means juta below 100 ("2", "1,5") and ribu below 10.000 ("750", "1500"); a
    day's takings are ribu below 10.000 ("50 sehari")."""
    if not f.bare:
        return
    if f.per == "day" and f.value < 10_000:
        f.value *= 1_000
    elif f.value < 100:
        f.value *= 1_000_000
    elif f.value < 10_000:
        f.value *= 1_000
    f.bare = False


# --- how it was said ------------------------------------------------------------------------


def _figure(f: Said) -> Figure:
    return Figure(int(f.value + 0.5), f.per)


def _factor(per: Per | None, found: Scan) -> int | None:
    if per == "day":
        return found.days or DAYS_A_MONTH
    if per == "week":
        return found.weeks or WEEKS_A_MONTH
    return 12 if per == "year" else None


def _monthly(value: float, per: Per | None, found: Scan) -> float:
    factor = _factor(per, found)
    if per == "year":
        return value / 12
    return value * factor if factor else value


def _whole(value: float) -> int:
    return int(min(value, MAX_AMOUNT) + 0.5)


def _single(f: Said, found: Scan) -> IncomeReading:
    how: How = f.per or "month"
    return IncomeReading(
        how, _whole(_monthly(f.value, f.per, found)), (_figure(f),), _factor(f.per, found)
    )


def _combined(how: How, figures: Sequence[Said], found: Scan) -> IncomeReading:
    """Range and seasons: the average of what each figure comes to in a month."""
    monthly = sum(_monthly(f.value, f.per, found) for f in figures) / len(figures)
    factors = {_factor(f.per, found) for f in figures} - {None}
    factor = factors.pop() if len(factors) == 1 else None
    return IncomeReading(how, _whole(monthly), tuple(map(_figure, figures)), factor)


def _connected(toks: Sequence[Token], a: Said, b: Said) -> bool:
    """ "1-2 juta", "1 sampai 2 juta", "antara 1 dan 2 juta", "kadang 1 juta kadang 3 juta",
    "dua tiga juta"."""
    between = [t.text for t in toks[a.end + 1 : b.start]]
    joins = RANGE_WORDS | ({"dan"} if _word(toks, a.start - 1) == "antara" else set())
    if between and any(w in joins for w in between) and all(w in _KNOWN for w in between):
        return not any(w in BOUND_PERIODS or w in NOUN_PERIODS for w in between)
    if _word(toks, a.start - 1) == "kadang" and _word(toks, b.start - 1) == "kadang":
        return True
    return not between and a.bare and a.words and not b.bare and b.lead == a.value + 1


def _share_scale(a: Said, b: Said) -> None:
    """ "1-2 juta": the first number takes the second's scale when that keeps it the lower one;
    "500-1 juta" is 500 ribu to 1 juta. And "1 juta - 2": the second takes the first's."""
    if a.bare and not b.bare and a.value * b.scale <= b.value:
        a.value, a.bare, a.scale = a.value * b.scale, False, b.scale
    elif b.bare and not a.bare and b.value * a.scale >= a.value:
        b.value, b.bare, b.scale = b.value * a.scale, False, a.scale


def _with_roles(figures: list[Said], found: Scan) -> IncomeReading | None:
    """ "omzet 8 juta untung 1,5 juta" → profit. Sales with no profit said ("omzet 8 juta",
    "omzet 1-2 juta", "omzet rame 10 juta sepi 5 juta") → turnover: never read as an income."""
    profits = [f for f in figures if f.role == "profit"]
    sales = [f for f in figures if f.role == "turnover" or (profits and f.role == "gross")]
    if len(profits) == 1 and sales and len(profits) + len(sales) == len(figures):
        p = profits[0]
        return IncomeReading(
            "profit",
            _whole(_monthly(p.value, p.per, found)),
            tuple(map(_figure, figures)),
            _factor(p.per, found),
        )
    if sales and not profits:
        return IncomeReading("turnover", None, tuple(map(_figure, figures)))
    return None


def _classify(toks: Sequence[Token], found: Scan) -> IncomeReading:
    figures = found.figures
    _attach_periods(toks, found)
    ranged = len(figures) == 2 and _connected(toks, *figures)
    if ranged:
        _share_scale(*figures)
    for f in figures:
        _scale_bare(f)
    _attach_roles(toks, figures)
    if (by_role := _with_roles(figures, found)) is not None:
        return by_role
    if ranged:
        return _combined("range", sorted(figures, key=lambda f: f.value), found)
    if len(figures) == 1:
        return _single(figures[0], found)
    if any(t.text in SEASONS for t in toks):
        return _combined("seasonal", figures, found)
    return IncomeReading("none", None, tuple(map(_figure, figures)))


def _without_figures(toks: Sequence[Token]) -> IncomeReading:
    """ "UMR", "tidak tentu", "gak tau", or nothing about money."""
    words = [t.text for t in toks if t.kind == "word"]
    if any(w in MINIMUM_WAGE for w in words) or "upah minimum" in " ".join(words):
        return IncomeReading("minimum_wage", None)
    pairs = itertools.pairwise(words)
    if any(w in UNSURE for w in words) or any(
        a in NEGATIONS and b in NEGATED_UNSURE for a, b in pairs
    ):
        return IncomeReading("unsure", None)
    if "naik turun" in " ".join(words):
        return IncomeReading("unsure", None)
    return _NONE


@lru_cache(maxsize=1024)  # a message may be read at its question and again as an early answer
def read_income(text: str) -> IncomeReading:
    """How the worker gave an income, and what it comes to in a month."""
    s = normalise(text)
    if (identity := _identity(s)) is not None:
        return IncomeReading(identity, None)
    toks = tokens(s)
    found = scan(toks)
    if found.junk:
        return _NONE
    if not found.figures:
        return _without_figures(toks)
    reading = _classify(toks, found)
    if reading.monthly == 0 or any(
        f.amount == 0 for f in reading.figures if reading.how != "range"
    ):
        return _NONE
    return reading
