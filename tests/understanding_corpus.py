"""The understanding corpus: what workers type, and what the bot must understand it as.

Each line of `tests/corpus/utterances.tsv` is sent through the real conversation engine from a
chat standing at one question of the golden path (`tests.flowchat.at_step`), and judged by what
the worker sees and what is stored, never by calling a reader directly: the corpus holds whatever
the understanding layer's internals become.

    python -m tests.understanding_corpus              accuracy per category and per language
    python -m tests.understanding_corpus --failures   and every line not understood, with what
                                                      happened instead

The corpus is a TSV file (UTF-8, a header line, `#` lines are comments) with the columns
`category  lang  step  utterance  expect`. `step` is where the chat stands; `cancel` is the
question "stop and delete?", reached by sending "batal" at the name question. `expect`:

- `occupation=KEY[ detail~WORD]`: this message stores the occupation (and a detail holding WORD).
- `choose=K1,K2`: nothing stored; buttons for exactly these two occupations (others allowed).
- `income=N`: stored at once. `income=N!`: first shown as "RpN" with a "yes" button, stored only
  when "yes" is tapped.
- `ask`: nothing stored for the question; a follow-up that is neither an error message nor
  "can't answer", nor the same question asked again.
- `refuse`: no answer changed, still at the same question, nothing saved.
- `faq=TOPIC`: the common answer for TOPIC given, no answer changed, still at the same question.
- `yes` / `no`: at birth_confirm, quote or cancel, the conversation goes where that answer leads.
- `cmd=NAME` (at name): back goes to birth_confirm; cancel/restart/faq/lang open that side question.
- `name=TEXT`, `phone=E164`, `nik=DIGITS`: that exact value stored.
- `city=CODE` (at address): the official name of kabupaten/kota CODE stored as the city.
  `cities=C1,C2`: nothing stored; buttons labelled with exactly these official names (others
  allowed).
- `early:FIELD=VALUE` (nik, phone, income): kept for its later question, the current question's
  answer untouched.

A line that crashes the engine or the check counts as not understood, so the harness measures the
code before the understanding layer too (attributes or topics it lacks simply fail).
"""

from __future__ import annotations

import argparse
import copy
import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from conversations import default_rules
from conversations.content import ERRORS, FAQ_TOPICS, faq_answer
from conversations.i18n import translator
from conversations.steps import FORM
from tests.flowchat import TODAY, FlowChat, at_step

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "utterances.tsv"
WILAYAH = ROOT / "conversations" / "data" / "wilayah.csv"

HEADER = ("category", "lang", "step", "utterance", "expect")
CATEGORIES = (
    "occupation",
    "income",
    "name",
    "yesno",
    "command",
    "region",
    "question",
    "nonanswer",
    "early",
    "phone",
    "nik",
)
LANGS = ("id", "jv", "en", "mix")
# The questions of the form a line may stand at, and the cancel question over the name.
STEPS = (*FORM, "cancel")
OCCUPATIONS = ("pedagang", "ojek_pangkalan", "ojek_online", "petani", "nelayan", "lainnya")
COMMANDS = ("back", "cancel", "restart", "faq", "lang")

# The answer fields each question sets: an answer given early must leave them alone.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "occupation": ("occupation", "occupation_detail"),
    "benefits": (),
    "income": ("income_stated",),
    "quote": ("with_jht",),
    "nik": ("nik", "birth_date", "gender"),
    "birth_confirm": ("birth_date", "gender", "birth_corrected"),
    "name": ("full_name",),
    "phone": ("phone",),
    "address": ("address", "city"),
    "email": ("email", "email_skipped"),
    "summary": (),
    "cancel": (),
}

# What each kind of expectation's value looks like, and where it may be sent.
_KEY = "|".join(OCCUPATIONS)
_CODE = r"\d\d\.\d\d"
_VALUES: dict[str, str] = {
    "occupation": rf"(?:{_KEY})(?: detail~\S+)?",
    "choose": rf"(?:{_KEY}),(?:{_KEY})",
    "income": r"[1-9][0-9]*!?",
    "faq": r"[a-z_]+",
    "cmd": "|".join(COMMANDS),
    "name": r"\S.*\S|\S",
    "city": _CODE,
    "cities": rf"{_CODE},{_CODE}",
    "phone": r"\+62[0-9]{8,13}",
    "nik": r"[0-9]{16}",
    "early:nik": r"[0-9]{16}",
    "early:phone": r"\+62[0-9]{8,13}",
    "early:income": r"[1-9][0-9]*",
    "ask": "",
    "refuse": "",
    "yes": "",
    "no": "",
}
_WHERE: dict[str, tuple[str, ...]] = {
    "occupation": ("occupation",),
    "choose": ("occupation",),
    "income": ("income",),
    "cmd": ("name",),
    "name": ("name",),
    "city": ("address",),
    "cities": ("address",),
    "phone": ("phone",),
    "nik": ("nik",),
    "yes": ("birth_confirm", "quote", "cancel"),
    "no": ("birth_confirm", "quote", "cancel"),
}


class CorpusError(ValueError):
    """A line of the corpus that does not follow the format."""


@dataclass(frozen=True)
class Entry:
    line: int  # in the file, for finding it again
    category: str
    lang: str
    step: str
    utterance: str
    expect: str

    @property
    def kind(self) -> str:
        """ "income" for "income=2000000!", "early:nik" for "early:nik=…", "yes" for "yes"."""
        return self.expect.partition("=")[0]

    @property
    def value(self) -> str:
        return self.expect.partition("=")[2]


@dataclass(frozen=True)
class Result:
    entry: Entry
    understood: bool
    detail: str = ""  # what happened instead, when not understood


# --- reading the corpus ---------------------------------------------------------------------


@cache
def regions() -> dict[str, str]:
    """Official kabupaten/kota names by code ("33.72" → "Kota Surakarta")."""
    with WILAYAH.open(encoding="utf-8", newline="") as f:
        return {
            row["code"]: row["name"].strip()  # one name in the decree file ends in a space
            for row in csv.DictReader(f)
            if row["level"] == "kabupaten_kota"
        }


def load(path: Path = CORPUS) -> list[Entry]:
    """Every entry of the corpus, checked for format; raises CorpusError naming the line."""
    entries: list[Entry] = []
    lines = path.read_text(encoding="utf-8").split("\n")
    if tuple(lines[0].split("\t")) != HEADER:
        raise CorpusError(f"line 1: the header must be {' '.join(HEADER)}")
    for number, raw in enumerate(lines[1:], start=2):
        if raw.strip() and not raw.startswith("#"):
            entries.append(_entry(number, raw))
    return entries


def _entry(number: int, raw: str) -> Entry:
    fields = raw.split("\t")
    if len(fields) != len(HEADER):
        raise CorpusError(f"line {number}: {len(fields)} columns, not {len(HEADER)}")
    entry = Entry(number, *fields)
    problem = _problem(entry)
    if problem:
        raise CorpusError(f"line {number}: {problem}")
    return entry


def _problem(entry: Entry) -> str | None:
    if entry.category not in CATEGORIES:
        return f"unknown category {entry.category!r}"
    if entry.lang not in LANGS:
        return f"unknown language {entry.lang!r}"
    if entry.step not in STEPS:
        return f"unknown step {entry.step!r}"
    if not entry.utterance.strip():
        return "empty utterance"
    pattern = _VALUES.get(entry.kind)
    if pattern is None or not re.fullmatch(pattern, entry.value):
        return f"cannot read the expectation {entry.expect!r}"
    if entry.step not in _WHERE.get(entry.kind, STEPS):
        return f"{entry.kind} cannot be expected at step {entry.step}"
    codes = entry.value.split(",") if entry.kind in ("city", "cities") else []
    if unknown := [code for code in codes if code not in regions()]:
        return f"no kabupaten/kota {unknown[0]}"
    return None


# --- running one line -----------------------------------------------------------------------


@cache
def _base(step: str) -> FlowChat:
    """A chat standing at `step`, built once; every line runs on a copy."""
    if step == "cancel":
        chat = at_step("name")
        chat.send("batal")
        return chat
    return at_step(step)


def check(entry: Entry) -> Result:
    """Send the entry's utterance from its step and judge what the bot did."""
    try:
        base = _base(entry.step)
        chat = copy.deepcopy(base)
        chat.send(entry.utterance)
        happened = _happened(base, chat)
        problem = _JUDGES[entry.kind.partition(":")[0]](chat, base, entry)
    except Exception as error:  # a crash on one line is that line not understood
        return Result(entry, False, f"crashed: {type(error).__name__}: {error}")
    return Result(entry, problem is None, "" if problem is None else f"{problem}; {happened}")


def check_all(entries: Iterable[Entry]) -> list[Result]:
    return [check(entry) for entry in entries]


def _answers(chat: FlowChat) -> dict[str, object]:
    """The stored answers, without those kept for a later question."""
    assert chat.session is not None
    return chat.session.answers.model_dump(exclude={"early"})


def _changed(base: FlowChat, chat: FlowChat) -> list[str]:
    before, after = _answers(base), _answers(chat)
    return [field for field in after if before.get(field) != after[field]]


def _step_fields_set(base: FlowChat, chat: FlowChat, step: str) -> list[str]:
    """The answers of the question at `step` that this message changed."""
    before, after = _answers(base), _answers(chat)
    return [field for field in STEP_FIELDS[step] if before.get(field) != after.get(field)]


def _early(chat: FlowChat) -> dict[str, str]:
    assert chat.session is not None
    return dict(getattr(chat.session.answers, "early", None) or {})


def _happened(base: FlowChat, chat: FlowChat) -> str:
    """What the message did, in one line, for the failure list."""
    assert chat.session is not None
    after = _answers(chat)
    stored = ", ".join(f"{field}={after[field]!r}" for field in _changed(base, chat))
    parts = [f"step {base.step} → {chat.step}"]
    if chat.session.pending:
        parts.append(f"pending {chat.session.pending}")
    parts.append(f"stored {stored or 'nothing'}")
    if early := _early(chat):
        parts.append(f"early {early}")
    if chat.saved:
        parts.append("saved a registration")
    if chat.option_keys:
        parts.append(f"buttons {chat.option_keys}")
    said = " ".join(chat.text.split())
    parts.append(f"said {said[:160] + ('…' if len(said) > 160 else '')!r}")
    return "; ".join(parts)


# --- judging --------------------------------------------------------------------------------

Judge = Callable[[FlowChat, FlowChat, Entry], str | None]  # None: understood; else why not


def _money(amount: int) -> str:
    return translator("id").money(amount)


@cache
def _error_texts() -> tuple[str, ...]:
    t = translator("id")
    return tuple(t(text) for text in ERRORS.values())


def _cannot_answer() -> str:
    return translator("id")(
        "Sorry, I can't answer that yet. Call Contact Center {cc} to talk to a person.",
        cc=default_rules().payment.contact_center,
    )


def _unmoved(base: FlowChat, chat: FlowChat) -> str | None:
    """Why the message did more than it may: stored an answer, moved on, saved a registration."""
    if changed := _changed(base, chat):
        return f"stored {', '.join(changed)}"
    if chat.step != base.step:
        return f"moved to {chat.step}"
    if chat.saved:
        return "saved a registration"
    return None


def _occupation(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    key, _, word = entry.value.partition(" detail~")
    assert chat.session is not None
    answers = chat.session.answers
    if answers.occupation != key:
        return f"occupation is not {key}"
    if word and word.lower() not in (answers.occupation_detail or "").lower():
        return f"the detail does not say {word!r}"
    return None


def _choose(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    if changed := _changed(base, chat):
        return f"stored {', '.join(changed)}"
    offered = {key for key in chat.option_keys if key in OCCUPATIONS}
    wanted = set(entry.value.split(","))
    return None if offered == wanted else f"offered {sorted(offered)}, not {sorted(wanted)}"


def _income(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    amount, confirm = int(entry.value.rstrip("!")), entry.value.endswith("!")
    assert chat.session is not None and base.session is not None
    stated = chat.session.answers.income_stated
    if not confirm:
        return None if stated == amount else f"income is {stated}, not {amount}"
    if stated != base.session.answers.income_stated:
        return f"stored {stated} without asking to confirm"
    if "yes" not in chat.option_keys:
        return "no button to confirm"
    if _money(amount) not in chat.text:
        return f"{_money(amount)} is not shown"
    chat.tap("yes")
    stated = chat.session.answers.income_stated
    return None if stated == amount else f"after yes the income is {stated}, not {amount}"


def _ask(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    if moved := _step_fields_set(base, chat, entry.step):
        return f"stored {', '.join(moved)}"
    if chat.saved:
        return "saved a registration"
    if error := next((text for text in _error_texts() if text in chat.text), None):
        return f"answered with the error {error!r}"
    if _cannot_answer() in chat.text:
        return "said it cannot answer"
    if base.replies and chat.text.strip() == base.replies[-1].text.strip():
        return "only asked the same question again"
    return None


def _refuse(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    return _unmoved(base, chat)


def _faq(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    if entry.value not in FAQ_TOPICS:
        return f"the bot has no topic {entry.value!r}"
    occupation = base.session.answers.occupation if base.session else None  # answered for them
    if faq_answer(translator("id"), default_rules(), entry.value, TODAY, occupation) not in (
        chat.text
    ):
        return f"did not give the answer about {entry.value}"
    return _unmoved(base, chat)


def _yes_no(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    assert chat.session is not None
    yes, step, pending = entry.kind == "yes", chat.step, chat.session.pending
    if entry.step == "birth_confirm":
        wanted = "name" if yes else "birth_date"
        return None if step == wanted else f"went to {step}, not {wanted}"
    if entry.step == "quote" and yes:
        if step != "nik":
            return f"went to {step}, not nik"
        jht = chat.session.answers.with_jht
        return None if jht is False else f"with_jht is {jht}, not False"
    if entry.step == "quote" or yes:  # declining the quote, or confirming the cancel
        return None if step == "ended" else f"went to {step}, not ended"
    if pending is not None or step != "name":  # "no, continue" at the cancel question
        return f"still at {pending or step}, not back at the name question"
    return None


def _command(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    assert chat.session is not None
    if changed := _changed(base, chat):
        return f"stored {', '.join(changed)}"
    if entry.value == "back":
        return None if chat.step == "birth_confirm" else f"went to {chat.step}, not back"
    pending = chat.session.pending
    return None if pending == entry.value else f"side question is {pending}, not {entry.value}"


def _city(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    assert chat.session is not None
    city, wanted = (chat.session.answers.city or "").strip(), regions()[entry.value]
    return None if city == wanted else f"city is {city!r}, not {wanted!r}"


def _cities(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    assert chat.session is not None
    if chat.session.answers.city is not None:
        return f"stored the city {chat.session.answers.city!r}"
    official = set(regions().values())
    offered = {label.strip() for label in chat.option_labels if label.strip() in official}
    wanted = {regions()[code] for code in entry.value.split(",")}
    return None if offered == wanted else f"offered {sorted(offered)}, not {sorted(wanted)}"


def _kept_early(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
    if moved := _step_fields_set(base, chat, entry.step):
        return f"set {', '.join(moved)} from this message"
    field = entry.kind.removeprefix("early:")
    kept = _early(chat).get(field)
    return None if kept == entry.value else f"early {field} is {kept!r}"


def _stored(field: str) -> Judge:
    """The check that `field` of the answers holds exactly the expected value."""

    def check(chat: FlowChat, base: FlowChat, entry: Entry) -> str | None:
        assert chat.session is not None
        value = getattr(chat.session.answers, field)
        return None if value == entry.value else f"{field} is {value!r}"

    return check


_JUDGES: dict[str, Judge] = {
    "occupation": _occupation,
    "choose": _choose,
    "income": _income,
    "ask": _ask,
    "refuse": _refuse,
    "faq": _faq,
    "yes": _yes_no,
    "no": _yes_no,
    "cmd": _command,
    "name": _stored("full_name"),
    "city": _city,
    "cities": _cities,
    "early": _kept_early,
    "phone": _stored("phone"),
    "nik": _stored("nik"),
}


# --- reporting ------------------------------------------------------------------------------


def table(results: Sequence[Result], title: str, key: Callable[[Entry], str]) -> str:
    """Accuracy per group (category, language...), in the order the groups first appear."""
    groups: dict[str, list[bool]] = {}
    for result in results:
        groups.setdefault(key(result.entry), []).append(result.understood)
    rows = [(name, len(oks), sum(oks)) for name, oks in groups.items()]
    rows.append(("total", len(results), sum(r.understood for r in results)))
    lines = [f"{title:<12} {'n':>5} {'understood':>11} {'%':>6}"]
    for name, n, understood in rows:
        lines.append(f"{name:<12} {n:>5} {understood:>11} {100 * understood / n:>5.1f}%")
    return "\n".join(lines)


def report(results: Sequence[Result]) -> str:
    by_category = sorted(results, key=lambda r: CATEGORIES.index(r.entry.category))
    by_lang = sorted(results, key=lambda r: LANGS.index(r.entry.lang))
    return "\n\n".join(
        [
            table(by_category, "category", lambda e: e.category),
            table(by_lang, "language", lambda e: e.lang),
        ]
    )


def failures(results: Sequence[Result]) -> str:
    return "\n".join(
        f"line {r.entry.line} [{r.entry.category}/{r.entry.lang}] at {r.entry.step}: "
        f"{r.entry.utterance!r} → expected {r.entry.expect}: {r.detail}"
        for r in results
        if not r.understood
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--failures", action="store_true", help="list the lines not understood")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="another corpus file")
    args = parser.parse_args(argv)
    results = check_all(load(args.corpus))
    print(report(results))
    if args.failures:
        print("\n" + failures(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
