"""The kabupaten/kota (and kecamatan) a worker names, as in the official list.

The list is Kepmendagri 300.2.2-2138/2025 (`conversations/data/wilayah.csv`); everyday names
("Solo", "Jaksel", "Purwokerto") and the words around places ("Kab.", "Jl.", "Kec.") are in
`locales/words/regions.toml`. Both are read once.

Text is read as words, without spaces inside names ("Tanjung Pinang" = "Tanjungpinang"):
- an address is read from its end backwards, part by part (commas), and the first kabupaten/kota
  found is the one; street parts ("Jl. Kota Baru 7", "Perumahan Kota Wisata Blok C", "RT 02")
  are never read as places, and a province ("Jawa Tengah") only helps to choose;
- a typo is matched to the nearest name only when it is long enough that few real words are that
  close (see `_max_edits`), with the same first letter (rarely mistyped), and never in Indonesian
  words (Sastrawi's dictionary: "pasar" is not Paser) or kecamatan names ("Wonosari" is not
  Wonogiri);
- a kecamatan is looked for only among those of the region found (or hinted at, e.g. from the
  NIK): the same kecamatan names recur across the country.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .stemming import roots, stem


@dataclass(frozen=True)
class Region:
    """A kabupaten/kota."""

    code: str  # "33.72"
    name: str  # "Kota Surakarta", as in the decree
    province: str  # "Jawa Tengah"


@dataclass(frozen=True)
class District:
    """A kecamatan."""

    code: str  # "33.72.03"
    name: str  # as in the decree
    region: Region


@dataclass(frozen=True)
class Place:
    """What an address or an answer names."""

    regions: tuple[Region, ...]  # candidates, most likely first; () when none is named
    district: District | None  # a kecamatan named, when it can be recognised

    @property
    def region(self) -> Region | None:
        """The region when exactly one candidate, else None."""
        return self.regions[0] if len(self.regions) == 1 else None


def region_by_code(code: str) -> Region | None:
    """The kabupaten/kota with this code: "33.72" (or "3372")."""
    digits = code.strip().replace(".", "")
    if len(digits) != 4 or not (digits.isascii() and digits.isdigit()):
        return None
    return _index().by_code.get(f"{digits[:2]}.{digits[2:]}")


def region_of_nik(nik: str) -> Region | None:
    """Where a 16-digit NIK was first issued: its first 4 digits. A first guess only, since
    people move and keep their NIK."""
    if len(nik) != 16 or not (nik.isascii() and nik.isdigit()):
        return None
    return region_by_code(nik[:4])


def find_region(text: str, hint: Region | None = None) -> Place:
    """The kabupaten/kota a short answer names: "Solo", "kab sukoharjo", "Jaksel", "surakrta".
    Several candidates when it is ambiguous ("Bogor"), `hint` first when among them; every
    region named when the answer names more than one."""
    ix = _index()
    runs = _runs(text, ix.words)
    found, fallback, provinces, used = _named(runs, ix)
    if not found and (typo := _fuzzy(_unused_spans(runs, used), runs, ix)):
        found.extend(typo.regions)
        provinces += [typo.province] if typo.province else []
        used.append((typo.run, typo.start, typo.end))
    if not found and not fallback and (village := _after_village(runs, ix)):
        found.extend(village.regions)
        used.append((village.run, village.start, village.end))
    regions = _unique(found or fallback)
    return _place(regions, _leftovers(runs, used), hint, provinces[0] if provinces else None)


def _named(
    runs: Sequence[_Run], ix: _Index
) -> tuple[list[Region], list[Region], list[str], list[tuple[int, int, int]]]:
    """Every region and province the runs name exactly: the regions, those named only by words
    that are also a province's name ("Jambi"), the provinces, and the spans used (run, start,
    end)."""
    found: list[Region] = []
    fallback: list[Region] = []
    provinces: list[str] = []
    used: list[tuple[int, int, int]] = []
    for i, run in enumerate(runs):
        if run.role != "free":
            continue
        for m in _matches(run.words, ix, joined=True):
            (found if m.regions and not m.province else fallback).extend(m.regions)
            provinces += [m.province] if m.province else []
            used.append((i, m.start, m.end))
    return found, fallback, provinces, used


def _unused_spans(
    runs: Sequence[_Run], used: Sequence[tuple[int, int, int]]
) -> Iterator[tuple[int, int, int]]:
    """Spans a typo may be in: in no street, village or "Kec." part, overlapping no name
    already read."""
    for i, run in enumerate(runs):
        if run.role == "free":
            for s, e in _spans(run.words):
                if not any(j == i and s < end and start < e for j, start, end in used):
                    yield i, s, e


def place_in_address(address: str, hint: Region | None = None) -> Place:
    """The kabupaten/kota (and kecamatan) an address names, read from its end backwards. When
    it names none, a kecamatan of `hint` it names makes `hint` the region."""
    ix = _index()
    runs = _runs(address, ix.words)
    province: str | None = None
    fallback: _Match | None = None  # a name that is also the province's ("..., Yogyakarta")
    for i in reversed(range(len(runs))):
        if runs[i].role != "free":
            continue
        match, named = _region_in_run(runs[i].words, ix)
        province = province or named
        if match and not match.province:
            words = runs[i].words[match.start : match.end]
            if inside := _kecamatan_of_province(words, match.regions, province):
                return Place(_ranked((inside.region,), hint), inside)
            return _address_place(runs, replace(match, run=i), hint, province)
        fallback = fallback or (replace(match, run=i) if match else None)
    if fallback := fallback or _after_village(runs, ix):
        return _address_place(runs, fallback, hint, province)
    return _place((), _leftovers(runs, []), hint, province)


def _after_village(runs: Sequence[_Run], ix: _Index) -> _Match | None:
    """The last resort: a region named after a village's name, in the same part ("Desa
    Ngargoyoso Karanganyar"); the first word after "Desa" is the village's, whatever it is."""
    for i in reversed(range(len(runs))):
        if runs[i].role == "village":
            for m in _matches(runs[i].words, ix):
                if m.regions and m.start > 0:
                    return replace(m, run=i)
    return None


# --- reading text as runs of words ------------------------------------------------------------

_SEGMENTS = re.compile(r"[,;\n\r|]+")
_TOKENS = re.compile(r"[a-z0-9]+")
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc]")
_MAX_WORDS = 6  # "Kabupaten Kepulauan Siau Tagulandang Biaro" and one more


@dataclass(frozen=True)
class _Run:
    """Words not broken by a comma, a number or a street part."""

    words: tuple[str, ...]
    # "kecamatan": after "Kec.", names a kecamatan, never a kabupaten/kota; "village": after
    # "Desa", "Dusun"..., names a village, and a region only as a last resort
    role: Literal["free", "kecamatan", "village"] = "free"

    @property
    def marked(self) -> bool:
        return self.role == "kecamatan"


_Mode = Literal["free", "street", "district", "village"]
_ROLES: dict[_Mode, Literal["free", "kecamatan", "village"]] = {
    "free": "free",
    "district": "kecamatan",
    "village": "village",
}


def _fold(text: str) -> str:
    """Lower-case ASCII: accents dropped ("Kabupatèn"), apostrophes joined ("Jum'at")."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return _APOSTROPHES.sub("", plain.lower())


def _tokens(text: str, short: Mapping[str, str]) -> list[str]:
    """Folded words and numbers, shortened words in full ("kep" -> "kepulauan")."""
    return [word for token in _TOKENS.findall(text) for word in short.get(token, token).split()]


def _runs(text: str, words: _Words) -> list[_Run]:
    return [
        run
        for segment in _SEGMENTS.split(_fold(text))
        for run in _segment_runs(_tokens(segment, words.short), words)
    ]


def _segment_runs(tokens: Sequence[str], w: _Words) -> list[_Run]:
    """A street part runs from its word ("Jl", "RT", "Perum") to the first number after it, or
    to the segment's end; it stops early at a word that starts a region or kecamatan ("Kab.",
    "Kec."), but not at "kota", which is part of many street and estate names. A village part
    ("Desa", "Dusun") runs the same way, but is kept."""
    runs: list[_Run] = []
    current: list[str] = []
    mode: _Mode = "free"

    def close(then: _Mode) -> None:
        nonlocal mode
        if current and mode != "street":
            runs.append(_Run(tuple(current), _ROLES[mode]))
        current.clear()
        mode = then

    for token in tokens:
        if not token.isalpha():
            close("free")
        elif token in w.street:
            close("street")
        elif token in w.village:
            close("village")
        elif token in w.district:
            close("district")
        elif mode == "street" and token not in w.stops:
            continue
        elif mode in ("street", "village") and token in w.stops:
            close("free")
            current.append(token)
        elif mode == "district" and current and token in w.kinds:
            close("free")  # "Kec. Pasar Kliwon Kota Surakarta": the region starts
            current.append(token)
        else:
            current.append(token)
    close("free")
    return runs


# --- matching words to names --------------------------------------------------------------------


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    regions: tuple[Region, ...]
    province: str | None  # the words also (or only) name this province
    run: int = 0  # which run, when several were searched


def _split_kind(span: Sequence[str], w: _Words) -> tuple[str | None, Sequence[str]]:
    """The kind of place a span starts with ("kab", "kota", "prov") and the name after it."""
    first = span[0]
    kind = (
        "kabupaten"
        if first in w.kabupaten
        else "kota"
        if first in w.kota
        else "provinsi"
        if first in w.province
        else None
    )
    if kind is None:
        return None, span
    name = span[1:]
    return kind, name[1:] if name and name[0] in w.administrasi else name


def _of_kind(regions: tuple[Region, ...], kind: str | None) -> tuple[Region, ...]:
    """Those of the kind named, or all when that kind has none: "kota batang" is Kabupaten
    Batang, since workers often swap "kab" and "kota"."""
    if kind not in ("kabupaten", "kota"):
        return regions
    return tuple(r for r in regions if _kind(r) == kind) or regions


def _kind(region: Region) -> str:
    return "kota" if region.name.startswith("Kota ") else "kabupaten"


def _reduplicated(words: Sequence[str], start: int, end: int) -> bool:
    """Half of a doubled word ("buru-buru" = in a hurry) is not a name; both halves may be
    ("Bau-Bau", "Pare-Pare")."""
    before = start > 0 and words[start - 1] == words[start]
    after = end < len(words) and words[end] == words[end - 1]
    return before or after


def _exact(words: Sequence[str], start: int, end: int, ix: _Index, joined: bool) -> _Match | None:
    if _reduplicated(words, start, end):
        return None
    kind, name = _split_kind(words[start:end], ix.words)
    if not name:
        return None
    key = "".join(name)
    if kind == "provinsi":
        province = ix.provinces.get(key)
        return _Match(start, end, (), province) if province else None
    regions = _of_kind(ix.regions.get(key, ()), kind)
    if not regions and kind and joined:  # "kota baru" typed for Kabupaten Kotabaru
        regions = ix.regions.get("".join(words[start:end]), ())
    province = None if kind else ix.provinces.get(key)
    return _Match(start, end, regions, province) if regions or province else None


def _matches(words: Sequence[str], ix: _Index, joined: bool = False) -> Iterator[_Match]:
    """Names in the words, right to left, each the longest one ending where it ends."""
    end = len(words)
    while end > 0:
        match = next(
            (
                m
                for start in range(max(0, end - _MAX_WORDS), end)
                if (m := _exact(words, start, end, ix, joined))
            ),
            None,
        )
        if match:
            yield match
            end = match.start
        else:
            end -= 1


def _spans(words: Sequence[str], trailing: bool = False) -> Iterator[tuple[int, int]]:
    """Spans of up to three words a typo may be looked for in: those at the end, or all."""
    ends = [len(words)] if trailing else range(1, len(words) + 1)
    for end in ends:
        for start in range(max(0, end - 3), end):
            yield start, end


def _max_edits(key: str) -> int:
    """How many typos a name of this length may have. Short words have too many neighbours
    ("baru" is one letter from Kota Batu), and two typos turn many village names into another
    region's ("Wonosari" -> Wonogiri, "Sukakarya" -> Surakarta)."""
    return 0 if len(key) < 5 else 1 if len(key) < 11 else 2


def _nearest(key: str, choices: Mapping[str, list[str]]) -> tuple[int, list[str]]:
    """The choices nearest to `key` within its edit budget (same first letter), and how many
    edits away; (0, []) when none."""
    limit = _max_edits(key)
    if not limit:
        return 0, []
    found = process.extract(
        key, choices.get(key[0], []), scorer=OSA.distance, score_cutoff=limit, limit=None
    )
    if not found:
        return 0, []
    best = min(distance for _, distance, _ in found)
    return best, [choice for choice, distance, _ in found if distance == best]


@lru_cache(maxsize=4096)
def _is_word(word: str) -> bool:
    """An Indonesian word, perhaps with affixes ("pasar", "melati", "iurannya"): Sastrawi's
    stemmer finds its root in its dictionary, or gives the word back unchanged."""
    return stem(word) in roots()


def _may_be_typo(words: tuple[str, ...], start: int, end: int, name: Sequence[str]) -> bool:
    """Whether a name close to a place's may be that name mistyped: not when it is part of a
    kecamatan's name ("Sindang Jaya" is no typo of Sintang, "Wonosari" none of Wonogiri), nor
    when it is made only of Indonesian words (checked last: stemming is the slow part)."""
    if any(start < e and s < end for s, e in _kecamatan_names(words)):
        return False
    return not all(_is_word(word) for word in name)


@lru_cache(maxsize=1024)
def _kecamatan_names(words: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Where the words name a kecamatan somewhere in the country."""
    names = _index().district_names
    return tuple(
        (start, end)
        for end in range(1, len(words) + 1)
        for start in range(max(0, end - _MAX_WORDS), end)
        if "".join(words[start:end]) in names
    )


def _fuzzy(
    spans: Iterable[tuple[int, int, int]], runs: Sequence[_Run], ix: _Index
) -> _Match | None:
    """The region or province nearest to one of the spans (run, start, end), fewest edits
    first, then the longest span; None when none is close enough. A typo makes a word that is
    not Indonesian, so spans made only of real words ("pasar", "sekarang") are left alone:
    they are one letter from Paser and Semarang."""
    best: tuple[tuple[int, int], _Match] | None = None
    for i, start, end in spans:
        words = runs[i].words
        kind, name = _split_kind(words[start:end], ix.words)
        if not name or _reduplicated(words, start, end):
            continue
        distance, keys = _nearest("".join(name), ix.fuzzy)
        if not keys or (best and best[0] <= (distance, start - end)):
            continue
        if not _may_be_typo(words, start, end, name):
            continue
        regions = _unique(sorted((r for k in keys for r in ix.regions.get(k, ())), key=_code))
        provinces = [ix.provinces[key] for key in keys if key in ix.provinces]
        if kind == "provinsi":
            regions = ()
        elif kind:
            regions, provinces = _of_kind(regions, kind), []
        if regions or provinces:
            province = provinces[0] if provinces else None
            best = ((distance, start - end), _Match(start, end, regions, province, i))
    return best[1] if best else None


def _region_in_run(words: Sequence[str], ix: _Index) -> tuple[_Match | None, str | None]:
    """The last kabupaten/kota a run of an address names, and a province it names after it.
    Words naming both a province and a region ("Jambi", "Yogyakarta") come back as a match
    with its province, for the caller to use only if nothing before names a region."""
    province: str | None = None
    both: _Match | None = None
    cut = len(words)  # the words before any province at the run's end
    for m in _matches(words, ix):
        if m.regions and not m.province:
            return m, province
        province = province or m.province
        both = both or (m if m.regions else None)
        cut = m.start if m.end == cut else cut
    spans = ((0, s, e) for s, e in _spans(words[:cut], trailing=True))
    fuzzy = _fuzzy(spans, [_Run(tuple(words), False)], ix)
    if fuzzy and fuzzy.regions:
        return fuzzy, province
    return both, province or (fuzzy.province if fuzzy else None)


# --- the kecamatan, and putting it together --------------------------------------------------


def _kecamatan_of_province(
    words: Sequence[str], regions: tuple[Region, ...], province: str | None
) -> District | None:
    """The kecamatan the words name in the province the address ends with, when the region of
    that name is elsewhere: "Depok, Yogyakarta" is Kec. Depok of Sleman, not Kota Depok."""
    if not province or any(r.province == province for r in regions):
        return None
    named = _index().district_names.get("".join(words), ())
    inside = [d for d in named if d.region.province == province]
    return inside[0] if len(inside) == 1 else None


def _address_place(
    runs: Sequence[_Run], match: _Match, hint: Region | None, province: str | None
) -> Place:
    """The region found: only what comes before it (and any "Kec." part) may name its
    kecamatan."""
    i = match.run
    after = [(i, match.start, len(runs[i].words))]
    after += [(j, 0, len(runs[j].words)) for j in range(i + 1, len(runs)) if not runs[j].marked]
    return _place(match.regions, _leftovers(runs, after), hint, province or match.province)


def _leftovers(runs: Sequence[_Run], used: Sequence[tuple[int, int, int]]) -> list[_Run]:
    """The runs' words other than the spans used for the region, "Kec." parts first, then the
    others from the end backwards; not villages, whose names often are their kecamatan's."""
    pieces: list[_Run] = []
    for i in reversed(range(len(runs))):
        cuts = sorted((s, e) for j, s, e in used if j == i)
        words, at = runs[i].words, 0
        parts = []
        for start, end in cuts:
            parts.append(words[at:start])
            at = max(at, end)
        parts.append(words[at:])
        pieces += [_Run(p, runs[i].role) for p in reversed(parts) if p]
    return [r for r in pieces if r.marked] + [r for r in pieces if r.role == "free"]


def _place(
    regions: tuple[Region, ...], rest: Sequence[_Run], hint: Region | None, province: str | None
) -> Place:
    if province:  # "Banjar, Kalsel": Kabupaten Banjar, not Kota Banjar in Jawa Barat
        regions = tuple(r for r in regions if r.province == province) or regions
    district = _district(rest, regions or ((hint,) if hint else ()), hint)
    if district:
        regions = (district.region,)
    return Place(_ranked(regions, hint), district)


def _ranked(regions: tuple[Region, ...], hint: Region | None) -> tuple[Region, ...]:
    """The hint first, then those in its province, then in the decree's order."""
    if hint is None:
        return regions
    return tuple(sorted(regions, key=lambda r: (r != hint, r.province != hint.province)))


def _district(
    runs: Sequence[_Run], regions: tuple[Region, ...], hint: Region | None
) -> District | None:
    """The kecamatan the runs name among those of `regions`: exact names first, then typos."""
    pool: dict[str, list[District]] = {}
    for region in regions:
        for key, district in _index().districts[region.code].items():
            pool.setdefault(key, []).append(district)
    return _district_named(runs, pool, hint) or _district_mistyped(runs, pool, hint)


def _district_named(
    runs: Sequence[_Run], pool: Mapping[str, list[District]], hint: Region | None
) -> District | None:
    """A kecamatan of the pool named exactly; or a "Kec." part naming one anywhere, when that
    name is the only one of its kind (or the hint's)."""
    for run in runs:
        for found in _district_matches(run.words, pool):
            if chosen := _one(found, hint):
                return chosen
        if run.marked:
            everywhere = _index().district_names.get("".join(run.words), ())
            if chosen := _one(everywhere, hint):
                return chosen
    return None


def _district_mistyped(
    runs: Sequence[_Run], pool: Mapping[str, list[District]], hint: Region | None
) -> District | None:
    """A kecamatan of the pool with a typo: in a "Kec." part, or at the end of another part."""
    choices: dict[str, list[str]] = {}
    for key in pool:
        choices.setdefault(key[0], []).append(key)
    for run in runs:
        for start, end in _spans(run.words, trailing=not run.marked):
            _, keys = _nearest("".join(run.words[start:end]), choices)
            if not keys or all(_is_word(word) for word in run.words[start:end]):
                continue  # "serangan" is a word, not a typo of Serengan
            if chosen := _one([d for key in keys for d in pool[key]], hint):
                return chosen
    return None


def _district_matches(
    words: Sequence[str], pool: Mapping[str, list[District]]
) -> Iterator[list[District]]:
    """Kecamatan named in the words, right to left, longest first."""
    end = len(words)
    while end > 0:
        for start in range(max(0, end - _MAX_WORDS), end):
            if found := pool.get("".join(words[start:end])):
                yield found
                end = start
                break
        else:
            end -= 1


def _one(districts: Sequence[District], hint: Region | None) -> District | None:
    """The district if the name identifies one; of several, the hint's."""
    if len(districts) == 1:
        return districts[0]
    return next((d for d in districts if hint and d.region == hint), None)


def _code(region: Region) -> str:
    return region.code


def _unique(regions: Iterable[Region]) -> tuple[Region, ...]:
    return tuple(dict.fromkeys(regions))


# --- the indexes, built once ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    """The words around place names, from regions.toml [words]."""

    kabupaten: frozenset[str]
    kota: frozenset[str]
    administrasi: frozenset[str]
    province: frozenset[str]
    district: frozenset[str]
    street: frozenset[str]
    village: frozenset[str]
    short: Mapping[str, str]

    @property
    def kinds(self) -> frozenset[str]:
        return self.kabupaten | self.kota

    @property
    def stops(self) -> frozenset[str]:
        """Words that end a street part: every kind word but "kota" itself, and "prov"."""
        return self.kabupaten | (self.kota - {"kota"}) | self.province


@dataclass(frozen=True)
class _Index:
    words: _Words
    by_code: dict[str, Region]
    regions: dict[str, tuple[Region, ...]]  # name without spaces -> candidates
    provinces: dict[str, str]  # name without spaces -> province
    fuzzy: dict[str, list[str]]  # first letter -> region and province names, for typos
    districts: dict[str, dict[str, District]]  # region code -> name -> its kecamatan
    district_names: dict[str, tuple[District, ...]]  # name -> every kecamatan so named


_KIND_PREFIXES = ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota ")


def _key(name: str, short: Mapping[str, str]) -> str:
    return "".join(_tokens(_fold(name), short))


def _core(name: str) -> str:
    """The name without its kind: "Kota Administrasi Jakarta Selatan" -> "Jakarta Selatan"."""
    return next((name[len(p) :] for p in _KIND_PREFIXES if name.startswith(p)), name)


def _words_of(table: dict[str, Any]) -> _Words:
    def words(name: str) -> frozenset[str]:
        return frozenset(_fold(w) for w in table[name])

    return _Words(
        kabupaten=words("kabupaten"),
        kota=words("kota"),
        administrasi=words("administrasi"),
        province=words("province"),
        district=words("district"),
        street=words("street"),
        village=words("village"),
        short={_fold(k): _fold(v) for k, v in table["short"].items()},
    )


def _official(names: str | list[str], known: Container[str], entry: str) -> list[str]:
    """The official names an entry of regions.toml gives, each checked against the list."""
    listed = [names] if isinstance(names, str) else names
    for name in listed:
        if name not in known:
            raise ValueError(f"regions.toml: {entry} = {name!r} is not in wilayah.csv")
    return listed


def _rows() -> list[tuple[str, str, str]]:
    """wilayah.csv as (code, level, name); names stripped (one has a trailing space)."""
    text = resources.files("conversations").joinpath("data/wilayah.csv").read_text("utf-8")
    return [
        (row["code"].strip(), row["level"].strip(), row["name"].strip())
        for row in csv.DictReader(io.StringIO(text))
    ]


def _region_keys(
    by_code: Mapping[str, Region], aliases: Mapping[str, str | list[str]], short: Mapping[str, str]
) -> dict[str, tuple[Region, ...]]:
    """Every name without its kind, and every everyday name, to its regions in the decree's
    order (or the order the word list gives; its entries win)."""
    keys: dict[str, tuple[Region, ...]] = {}
    for region in by_code.values():
        key = _key(_core(region.name), short)
        keys[key] = (*keys.get(key, ()), region)
    by_name = {r.name: r for r in by_code.values()}
    for alias, names in aliases.items():
        keys[_key(alias, short)] = tuple(by_name[n] for n in _official(names, by_name, alias))
    return keys


def _province_keys(
    names: Iterable[str], aliases: Mapping[str, str], short: Mapping[str, str]
) -> dict[str, str]:
    keys = {_key(name, short): name for name in names}
    official = set(keys.values())
    for alias, name in aliases.items():
        keys[_key(alias, short)] = _official(name, official, alias)[0]
    return keys


def _kecamatan(
    rows: Iterable[tuple[str, str, str]], by_code: Mapping[str, Region], short: Mapping[str, str]
) -> tuple[dict[str, dict[str, District]], dict[str, tuple[District, ...]]]:
    """The kecamatan by region and name, and every kecamatan of each name."""
    of_region: dict[str, dict[str, District]] = {code: {} for code in by_code}
    by_name: dict[str, tuple[District, ...]] = {}
    for code, level, name in rows:
        if level == "kecamatan":
            district = District(code, name, by_code[code[:5]])
            key = _key(name, short)
            of_region[code[:5]][key] = district
            by_name[key] = (*by_name.get(key, ()), district)
    return of_region, by_name


@cache
def _index() -> _Index:
    rows = _rows()
    toml = resources.files("locales").joinpath("words/regions.toml").read_text("utf-8")
    lists = tomllib.loads(toml)
    words = _words_of(lists["words"])
    province_of = {code: name for code, level, name in rows if level == "provinsi"}
    by_code = {
        code: Region(code, name, province_of[code[:2]])
        for code, level, name in rows
        if level == "kabupaten_kota"
    }
    regions = _region_keys(by_code, lists["regions"], words.short)
    provinces = _province_keys(province_of.values(), lists["provinces"], words.short)
    fuzzy: dict[str, list[str]] = {}
    for key in sorted(regions.keys() | provinces.keys()):
        if _max_edits(key):  # a typo is not looked for in short names either ("karto": Karo)
            fuzzy.setdefault(key[0], []).append(key)
    districts, district_names = _kecamatan(rows, by_code, words.short)
    return _Index(words, by_code, regions, provinces, fuzzy, districts, district_names)
