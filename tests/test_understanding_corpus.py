"""Every line of the understanding corpus is understood, through the real conversation engine.

Run `python -m tests.understanding_corpus --failures` for the whole picture at once.
"""

from __future__ import annotations

from pathlib import Path

import phonenumbers
import pytest

from conversations.nik import parse_nik
from tests import understanding_corpus as corpus
from tests.flowchat import TODAY, FlowChat
from tests.understanding_corpus import CATEGORIES, CorpusError, Entry, check, load

ENTRIES = load()


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.line}:{e.utterance}" for e in ENTRIES])
def test_understood(entry: Entry) -> None:
    result = check(entry)
    assert result.understood, result.detail


# --- the corpus itself ----------------------------------------------------------------------


def test_corpus_is_large_and_covers_every_category() -> None:
    assert len(ENTRIES) >= 300
    assert sum(e.expect == "refuse" for e in ENTRIES) >= 40
    assert {e.category for e in ENTRIES} == set(CATEGORIES)


def test_no_line_is_there_twice() -> None:
    seen = [(e.step, e.utterance) for e in ENTRIES if e.category != "nonanswer"]
    assert len(seen) == len(set(seen))


def test_every_nik_to_accept_is_a_valid_nik() -> None:
    niks = [e.value for e in ENTRIES if e.kind in ("nik", "early:nik")]
    assert niks
    for nik in niks:
        assert parse_nik(nik, TODAY).value == nik


def test_every_phone_to_accept_is_an_indonesian_mobile() -> None:
    phones = [e.value for e in ENTRIES if e.kind in ("phone", "early:phone")]
    assert phones
    for phone in phones:
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE, phone


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("occupation\tid\toccupation\tdagang\toccupation=trader", "cannot read"),
        ("income\tid\tname\t2 juta\tincome=2000000", "cannot be expected at step name"),
        ("region\tid\taddress\tSolo\tcity=99.99", "no kabupaten/kota 99.99"),
        ("name\tfr\tname\tBudi\tname=Budi", "unknown language"),
        ("name\tid\tname\tBudi", "4 columns"),
    ],
)
def test_a_malformed_line_is_reported_with_its_number(
    tmp_path: Path, line: str, problem: str
) -> None:
    path = tmp_path / "corpus.tsv"
    path.write_text("\t".join(corpus.HEADER) + "\n# a comment\n" + line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=f"line 3: .*{problem}"):
        load(path)


# --- the harness tells right from wrong, on answers the flow has always understood -----------


@pytest.mark.parametrize(
    ("step", "utterance", "expect", "understood"),
    [
        ("name", "Siti Aminah", "name=Siti Aminah", True),
        ("name", "Siti Aminah", "name=Siti", False),
        ("name", "Siti Aminah", "refuse", False),
        ("income", "2 juta", "income=2000000", True),
        ("income", "2 juta", "income=3000000", False),
        ("income", "2 juta", "income=2000000!", False),  # stored without asking to confirm
        ("income", "2 juta", "ask", False),
        ("birth_confirm", "ya", "yes", True),
        ("birth_confirm", "ya", "no", False),
        ("cancel", "ya", "yes", True),
        ("cancel", "ya", "no", False),
        ("name", "batal", "cmd=cancel", True),
        ("name", "batal", "cmd=back", False),
        ("occupation", "nelayan", "occupation=nelayan", True),
        ("occupation", "nelayan", "occupation=petani", False),
        ("occupation", "nelayan", "choose=nelayan,petani", False),
        ("phone", "0812 3456 7890", "phone=+6281234567890", True),
        ("nik", "3372055708800001", "nik=3372055708800001", True),
        ("address", "Jl. Mawar 5, Kota Surakarta", "city=33.72", True),
        ("address", "Jl. Mawar 5, Kota Surakarta", "city=33.11", False),
        ("address", "Jl. Mawar 5, Kota Surakarta", "cities=33.72,33.11", False),
        ("email", "tunggu", "refuse", True),
        ("name", "brp iurannya?", "faq=no_such_topic", False),
        ("name", "Siti Aminah", "early:phone=+6281234567890", False),
    ],
)
def test_the_harness_judges(step: str, utterance: str, expect: str, understood: bool) -> None:
    entry = Entry(0, "name", "id", step, utterance, expect)
    assert check(entry).understood is understood


def test_a_crash_is_a_line_not_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(self: FlowChat, text: str) -> None:
        raise AttributeError("no such thing")

    monkeypatch.setattr(FlowChat, "send", crash)
    result = check(Entry(0, "name", "id", "name", "Siti Aminah", "name=Siti Aminah"))
    assert not result.understood
    assert "crashed: AttributeError" in result.detail


def test_the_report_counts_per_category_and_language() -> None:
    results = [
        corpus.Result(Entry(1, "name", "id", "name", "a", "refuse"), True),
        corpus.Result(Entry(2, "name", "jv", "name", "b", "refuse"), False),
        corpus.Result(Entry(3, "income", "id", "income", "c", "ask"), False),
    ]
    report = corpus.report(results).splitlines()
    assert "income           1           0   0.0%" in report
    assert "name             2           1  50.0%" in report
    assert "jv               1           0   0.0%" in report
    assert report.count("total            3           1  33.3%") == 2
