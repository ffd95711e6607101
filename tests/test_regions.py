"""Kabupaten/kota and kecamatan read from workers' answers and addresses, as the official list
names them (what is stored and exported as `city`, `city_code`, `district`, `district_code`)."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from conversations.understanding.regions import (
    Place,
    Region,
    find_region,
    place_in_address,
    region_by_code,
    region_of_nik,
)


def region(name: str) -> Region:
    """The region of that official name (found through its code, so the list is checked)."""
    codes = {
        "Kota Surakarta": "33.72",
        "Kabupaten Sukoharjo": "33.11",
        "Kabupaten Klaten": "33.10",
        "Kabupaten Bogor": "32.01",
        "Kota Bogor": "32.71",
        "Kabupaten Sleman": "34.04",
        "Kabupaten Gunungkidul": "34.03",
    }
    found = region_by_code(codes[name])
    assert found is not None and found.name == name
    return found


def names(place: Place) -> list[str]:
    return [r.name for r in place.regions]


def district(place: Place) -> tuple[str, str] | None:
    return (place.district.name, place.district.code) if place.district else None


# --- the list ----------------------------------------------------------------------------------


def test_regions_by_code_and_by_nik() -> None:
    solo = region_by_code("33.72")
    assert solo == Region("33.72", "Kota Surakarta", "Jawa Tengah")
    assert region_by_code("3372") == solo
    assert region_of_nik("3372051708800001") == solo
    assert region_of_nik("3325010101900001") == Region("33.25", "Kabupaten Batang", "Jawa Tengah")
    # decree names as written, without the stray space the source has after "Jakarta Utara"
    assert region_by_code("31.72") == Region(
        "31.72", "Kota Administrasi Jakarta Utara", "Daerah Khusus Ibukota Jakarta"
    )


@pytest.mark.parametrize(
    "nik", ["3370055708800001", "337205170880000", "33720517088000011", "", "33a2051708800001"]
)
def test_no_region_from_a_nik_that_names_none(nik: str) -> None:
    """70 is neither a kabupaten (01-69) nor a kota (71-99) code; the others are no NIK."""
    assert region_of_nik(nik) is None


@pytest.mark.parametrize("code", ["33.70", "99.99", "33", "33.72.03", "abcd", ""])
def test_no_region_for_a_code_not_in_the_list(code: str) -> None:
    assert region_by_code(code) is None


def test_every_everyday_name_in_the_word_list_reads_as_its_regions() -> None:
    """What data staff add to locales/words/regions.toml works as they wrote it."""
    text = resources.files("locales").joinpath("words/regions.toml").read_text("utf-8")
    entries = tomllib.loads(text)["regions"]
    assert len(entries) > 50
    for alias, official in entries.items():
        expected = [official] if isinstance(official, str) else official
        assert names(find_region(alias)) == expected, alias


# --- short answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Solo", ["Kota Surakarta"]),
        ("solo mas", ["Kota Surakarta"]),
        ("di Solo", ["Kota Surakarta"]),
        ("Kota Surakarta", ["Kota Surakarta"]),
        ("kodya surakarta", ["Kota Surakarta"]),
        ("kab sukoharjo", ["Kabupaten Sukoharjo"]),
        ("Kab. Sukoharjo", ["Kabupaten Sukoharjo"]),
        ("sukoharjo", ["Kabupaten Sukoharjo"]),
        ("Klaten", ["Kabupaten Klaten"]),
        ("Sragen", ["Kabupaten Sragen"]),
        ("Purwokerto", ["Kabupaten Banyumas"]),
        ("jogja", ["Kota Yogyakarta"]),
        ("Yogya", ["Kota Yogyakarta"]),
        ("Jogjakarta", ["Kota Yogyakarta"]),
        ("Yogyakarta", ["Kota Yogyakarta"]),
        ("Tanjung Pinang", ["Kota Tanjung Pinang"]),
        ("tanjungpinang", ["Kota Tanjung Pinang"]),
        ("Bau-Bau", ["Kota Bau Bau"]),
        ("Kab. Gn. Kidul", ["Kabupaten Gunungkidul"]),
        ("sleman jogja", ["Kabupaten Sleman"]),
        ("Klaten, Jawa Tengah", ["Kabupaten Klaten"]),
        ("solo baru", ["Kabupaten Sukoharjo"]),
    ],
)
def test_a_short_answer_names_a_region(answer: str, expected: list[str]) -> None:
    place = find_region(answer)
    assert names(place) == expected
    assert place.region is not None and place.region.name == expected[0]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("kota batang", "Kabupaten Batang"),  # there is no Kota Batang
        ("kab surakarta", "Kota Surakarta"),  # nor a Kabupaten Surakarta
        ("kota sleman", "Kabupaten Sleman"),
        ("kabupaten medan", "Kota Medan"),
    ],
)
def test_kab_and_kota_swapped_take_the_one_that_exists(answer: str, expected: str) -> None:
    assert names(find_region(answer)) == [expected]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Surakrta", "Kota Surakarta"),
        ("sukoharji", "Kabupaten Sukoharjo"),
        ("kab. klatenn", "Kabupaten Klaten"),
        ("klatn", "Kabupaten Klaten"),
        ("menado", "Kota Manado"),
        ("makasar", "Kota Makassar"),
        ("di surakrta pak", "Kota Surakarta"),
        ("purwokert", "Kabupaten Banyumas"),
        ("klatn jateng", "Kabupaten Klaten"),
    ],
)
def test_typos_resolve(answer: str, expected: str) -> None:
    assert names(find_region(answer)) == [expected]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Bogor", ["Kabupaten Bogor", "Kota Bogor"]),
        ("Semarang", ["Kabupaten Semarang", "Kota Semarang"]),
        ("Bandung", ["Kabupaten Bandung", "Kota Bandung"]),
        ("Bekasi", ["Kabupaten Bekasi", "Kota Bekasi"]),
        ("Tasik", ["Kabupaten Tasikmalaya", "Kota Tasikmalaya"]),
        ("Medan", ["Kota Medan"]),  # only a kota by that name
        ("Makassar", ["Kota Makassar"]),
        ("Palembang", ["Kota Palembang"]),
        ("Depok", ["Kota Depok"]),
    ],
)
def test_a_name_both_kabupaten_and_kota_have_gives_both(answer: str, expected: list) -> None:
    place = find_region(answer)
    assert names(place) == expected
    assert place.region == (place.regions[0] if len(expected) == 1 else None)


def test_the_hint_comes_first_among_candidates() -> None:
    kota_bogor = region("Kota Bogor")
    place = find_region("Bogor", hint=kota_bogor)
    assert names(place) == ["Kota Bogor", "Kabupaten Bogor"] and place.region is None
    assert names(find_region("Kota Bogor")) == ["Kota Bogor"]
    assert names(find_region("kab bogor", hint=kota_bogor)) == ["Kabupaten Bogor"]
    # a hint in the same province puts that province's Banjar first
    banjarmasin = region_by_code("63.71")
    assert names(find_region("Banjar", hint=banjarmasin)) == ["Kabupaten Banjar", "Kota Banjar"]


def test_jakarta_by_its_everyday_names() -> None:
    selatan = ["Kota Administrasi Jakarta Selatan"]
    for answer in (
        "Jaksel",
        "Jakarta Selatan",
        "kota jakarta selatan",
        "Kota Adm. Jakarta Selatan",
    ):
        assert names(find_region(answer)) == selatan, answer
    assert names(find_region("jakut")) == ["Kota Administrasi Jakarta Utara"]
    seribu = ["Kabupaten Administrasi Kepulauan Seribu"]
    for answer in ("Kepulauan Seribu", "Pulau Seribu", "Kab. Adm. Kep. Seribu"):
        assert names(find_region(answer)) == seribu, answer
    jakarta = find_region("Jakarta")
    assert len(jakarta.regions) == 5 and jakarta.region is None
    assert {r.province for r in jakarta.regions} == {"Daerah Khusus Ibukota Jakarta"}


@pytest.mark.parametrize(
    "answer", ["Jawa Tengah", "jateng", "Prov. Jawa Timur", "DIY", "Sumatera Utara", "kalsel"]
)
def test_a_province_alone_is_no_kabupaten_kota(answer: str) -> None:
    assert find_region(answer) == Place((), None)


def test_a_province_that_shares_its_name_with_a_kota() -> None:
    assert names(find_region("Jambi")) == ["Kota Jambi"]
    assert names(find_region("muaro jambi")) == ["Kabupaten Muaro Jambi"]


def test_an_answer_naming_two_regions_gives_both_for_the_worker_to_choose() -> None:
    place = find_region("solo atau sukoharjo")
    assert set(names(place)) == {"Kota Surakarta", "Kabupaten Sukoharjo"}
    assert place.region is None


def test_a_kecamatan_in_the_answer() -> None:
    place = find_region("pasar kliwon solo")
    assert names(place) == ["Kota Surakarta"] and district(place) == ("Pasar Kliwon", "33.72.03")
    # a "Kec." answer with a name found only once in the country
    assert names(find_region("Kec. Laweyan")) == ["Kota Surakarta"]
    # naming the kabupaten is not naming its kecamatan of the same name
    assert find_region("kab sukoharjo").district is None
    # one found in many regions only with the hint's
    assert find_region("Wonosari") == Place((), None)
    gunungkidul = region("Kabupaten Gunungkidul")
    place = find_region("Wonosari", hint=gunungkidul)
    assert names(place) == ["Kabupaten Gunungkidul"] and place.district
    assert place.district.region == gunungkidul


# --- never from unrelated words ----------------------------------------------------------------

NOT_PLACES = [
    # street, estate and village words and flowers, birds and heroes streets are named after
    "mawar", "melati", "kenanga", "anggrek", "dahlia", "cempaka", "kamboja", "flamboyan",
    "merpati", "rajawali", "cendrawasih", "kauman", "gang", "blok", "pasar", "baru", "lama",
    "raya", "utara", "selatan", "timur", "barat", "tengah", "sawah", "sungai", "pantai", "rumah",
    "kontrakan", "belakang", "depan", "dekat", "masjid", "sekolah", "terminal", "stasiun",
    "jembatan", "perempatan", "pertigaan", "sekarang", "seberang", "kota", "kab", "kabupaten",
    "kecamatan", "desa", "dusun", "kampung", "alun alun",
    # chat: what workers send while the bot waits for a place
    "ok", "oke", "iya", "ya", "tidak", "gak", "belum", "sudah", "tunggu", "tunggu sebentar",
    "sebentar", "nanti", "besok", "makasih", "terima kasih", "halo", "pagi", "brp iurannya",
    "berapa iurannya", "gimana", "kenapa", "dimana", "bisa", "boleh", "lanjut", "batal", "ulang",
    "mas", "mbak", "pak", "bu", "kak", "saya", "murah", "mahal", "lihat", "kurang", "buru-buru",
    "buru2", "bantu", "bantuan", "bayarnya", "pedagang", "ojek", "petani", "nelayan", "sayur",
    "warung", "kebun", "ladang", "tambak", "serangan",
    # names people have
    "budi", "slamet", "sutrisno", "wahyu", "bambang", "joko", "siti", "yanti", "karto", "tukiyem",
]  # fmt: skip


@pytest.mark.parametrize("words", NOT_PLACES)
def test_unrelated_words_name_no_region(words: str) -> None:
    assert find_region(words) == Place((), None)
    assert place_in_address(f"Jl. Mawar 5, {words}") == Place((), None)


@pytest.mark.parametrize("words", NOT_PLACES)
def test_unrelated_words_name_no_kecamatan_of_the_hint(words: str) -> None:
    for hint in (region("Kota Surakarta"), region("Kabupaten Sleman")):
        assert find_region(words, hint=hint) == Place((), None)


def test_enough_unrelated_words_are_checked() -> None:
    assert len(set(NOT_PLACES)) >= 100


# --- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Jl. Kota Baru 7, Kota Jambi", "Kota Jambi"),
        ("Perumahan Kota Wisata Blok C, Kab. Bogor", "Kabupaten Bogor"),
        ("Jl. Kota Lama No 5, Kab. Sleman", "Kabupaten Sleman"),
        ("Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta", "Kota Surakarta"),
        ("Desa Mulyo RT 2, kab. sukoharjo", "Kabupaten Sukoharjo"),
        ("Jl Mawar 5 RT 02 RW 03 Kauman Solo", "Kota Surakarta"),
        ("Jl. Bogor Raya 12, Solo", "Kota Surakarta"),  # a street named after a city
        ("Jl Raya Bogor Km 5, Jakarta Timur", "Kota Administrasi Jakarta Timur"),
        ("Gg. Semarang 3, Klaten Jawa Tengah 57411", "Kabupaten Klaten"),
        ("Jl Mawar 5, Surakrta", "Kota Surakarta"),
        ("Jl Mawar 5, Kab Klatenn, Jateng", "Kabupaten Klaten"),
        ("Jl Mawar 5, Sleman, Yogyakarta", "Kabupaten Sleman"),
        ("Jl Mawar 5, Kab. Muaro Jambi, Jambi", "Kabupaten Muaro Jambi"),
        ("Jl Mawar 5, Jambi", "Kota Jambi"),
        ("Jl Mawar 5, Banjar, Kalimantan Selatan", "Kabupaten Banjar"),
        ("Jl Mawar 5, Jakarta Selatan, DKI Jakarta", "Kota Administrasi Jakarta Selatan"),
        ("Jl. Mawar 5\nKota Surakarta", "Kota Surakarta"),
        ("RT 3 RW 1 Desa Ngargoyoso Karanganyar", "Kabupaten Karanganyar"),
        ("dusun krajan desa sidomulyo kecamatan ambarawa kab semarang", "Kabupaten Semarang"),
        ("griya kula wonten Kartasura, Sukoharjo", "Kabupaten Sukoharjo"),
        ("I live in Klaten, Jl Mawar 5", "Kabupaten Klaten"),
        ("rumah sy di jogja deket malioboro", "Kota Yogyakarta"),
    ],
)
def test_the_region_an_address_names(address: str, expected: str) -> None:
    assert names(place_in_address(address)) == [expected]


@pytest.mark.parametrize(
    "address",
    [
        "Jl Mawar 5 RT 02 RW 03, Kauman",  # Kauman is a kelurahan (and kecamatan in 2 regencies)
        "Jl. Kota Baru 7",
        "Perumahan Kota Wisata Blok C",
        "Jl. Semarang No 5",
        "Jl Solo Baru 3, Jawa Tengah",
        "Jl Raya Bogor",  # a street named after a city, without a number
        "Desa Klaten RT 2",  # a village named after one
        "",
    ],
)
def test_an_address_naming_no_region(address: str) -> None:
    assert place_in_address(address) == Place((), None)


def test_an_ambiguous_region_in_an_address() -> None:
    place = place_in_address("Jl Mawar 5, Bogor", hint=region("Kota Bogor"))
    assert names(place) == ["Kota Bogor", "Kabupaten Bogor"] and place.region is None
    # its kecamatan tells which
    place = place_in_address("Jl Mawar 5, Cibinong, Bogor")
    assert names(place) == ["Kabupaten Bogor"] and district(place) == ("Cibinong", "32.01.01")


def test_the_kecamatan_an_address_names() -> None:
    place = place_in_address("Jl Mawar 5, Pasar Kliwon, Surakarta")
    assert names(place) == ["Kota Surakarta"] and district(place) == ("Pasar Kliwon", "33.72.03")
    place = place_in_address("Kel. Kauman Kec. Pasar Kliwon Kota Surakarta")
    assert district(place) == ("Pasar Kliwon", "33.72.03")
    place = place_in_address("Jl Mawar 5, Kec. Pasar Kliwn, Kota Surakarta")  # a typo
    assert district(place) == ("Pasar Kliwon", "33.72.03")
    place = place_in_address("Jl Mawar 5, Depok, Sleman, DIY")
    assert names(place) == ["Kabupaten Sleman"] and district(place) == ("Depok", "34.04.07")
    # "Kota Baru" is a kecamatan of Kota Jambi, not Kabupaten Kotabaru
    place = place_in_address("Kec. Kota Baru, Kota Jambi")
    assert names(place) == ["Kota Jambi"] and district(place) == ("Kota Baru", "15.71.07")
    # a kecamatan of the same name as its kabupaten, named before it
    place = place_in_address("Jl Mawar 5, Sukoharjo, Kab. Sukoharjo")
    assert district(place) == ("Sukoharjo", "33.11.04")
    assert place_in_address("Jl Mawar 5, Kab. Sukoharjo").district is None


def test_a_kecamatan_named_like_a_region_elsewhere_in_the_province_the_address_ends_with() -> None:
    """Depok is a kota in Jawa Barat and a kecamatan of Sleman (DIY)."""
    for address in ("Jl Mawar 5, Depok, Yogyakarta", "Jl Mawar 5, Depok, DIY"):
        place = place_in_address(address)
        assert names(place) == ["Kabupaten Sleman"] and district(place) == ("Depok", "34.04.07")
    assert names(place_in_address("Jl Mawar 5, Depok, Jawa Barat")) == ["Kota Depok"]


def test_a_kecamatan_of_the_hint_names_the_region() -> None:
    solo = region("Kota Surakarta")
    place = place_in_address("Jl Mawar 5, Pasar Kliwon", hint=solo)
    assert names(place) == ["Kota Surakarta"] and district(place) == ("Pasar Kliwon", "33.72.03")
    assert place_in_address("Jl Mawar 5, Pasar Kliwon") == Place((), None)
    # Depok is a kecamatan of Sleman and of Cirebon: only the hint says which
    assert names(place_in_address("Jl Mawar 5, Depok")) == ["Kota Depok"]  # the kota itself
    assert place_in_address("Jl Mawar 5, Kec. Depok") == Place((), None)
    place = place_in_address("Jl Mawar 5, Kec. Depok", hint=region("Kabupaten Sleman"))
    assert names(place) == ["Kabupaten Sleman"] and district(place) == ("Depok", "34.04.07")
    # a kecamatan of another region than the one named is not taken
    place = place_in_address("Jl Mawar 5, Laweyan, Kab. Klaten", hint=solo)
    assert names(place) == ["Kabupaten Klaten"] and place.district is None
