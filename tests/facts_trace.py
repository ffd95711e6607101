"""Every amount and rule a worker reads traces to a line of docs/bpu-facts.md.

tests/facts_trace.toml holds, for each worker-facing sentence that states an amount, a period or a
rule, where it comes from: fragments of text found on one line of the facts, and rules.toml keys
whose comment cites a facts section and whose value is written there. It also lists, for every item
the facts mark [U], the wordings that would state it as fact. tests/test_facts_trace.py runs the
checks below; this module prints the trace:

    python -m tests.facts_trace
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from locales.catalogs import read, template

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "docs" / "bpu-facts.md"
RULES = ROOT / "conversations" / "rules.toml"
TRACE = Path(__file__).with_name("facts_trace.toml")
SHARED_FACTS = ROOT.parent / "shared" / "domain" / "bpu-facts.md"  # the original, beside the repo
WORKER_SOURCES = ("conversations/", "bot/staff/notices.py")  # what workers read outside a chat

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_CITATION = re.compile(r"\[(\d[^\]]*)\]")
_UNCERTAIN = re.compile(r"\[U\]|not confirmed", re.IGNORECASE)


# --- the sentences ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    msgid: str  # the English text (a plural's singular)
    text: str  # what an Indonesian worker reads (a plural's forms joined by " / ")
    locations: tuple[str, ...]


@cache
def worker_messages() -> dict[str, Message]:
    """Every msgid used in conversations/, with its Indonesian text ("" when untranslated)."""
    catalog = read("id")
    found: dict[str, Message] = {}
    for message in template():
        if not message.id:
            continue
        places = tuple(f"{f}:{n}" for f, n in message.locations)
        if not any(p.startswith(WORKER_SOURCES) for p in places):
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        translated = catalog.get(message.id)
        strings = translated.string if translated else ""
        text = " / ".join(strings) if isinstance(strings, tuple) else (strings or "")
        found[msgid] = Message(msgid, text, places)
    return found


@cache
def catalog_texts() -> tuple[tuple[str, str], ...]:
    """(location, Indonesian text) of every message in the catalog, bot/ included."""
    found = []
    for message in read("id"):
        if message.id:
            strings = message.string
            text = " / ".join(strings) if isinstance(strings, tuple) else (strings or "")
            where = (
                f"{message.locations[0][0]}:{message.locations[0][1]}" if message.locations else ""
            )
            found.append((where, text))
    return tuple(found)


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


# --- the trace file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    msgid: str
    facts: tuple[str, ...] = ()
    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)  # placeholder → key paths
    derived: dict[str, str] = field(default_factory=dict)  # placeholder → how it is computed
    given: tuple[str, ...] = ()  # placeholders that carry the worker's own data or a label
    hedged: bool = False
    hedge_by: str | None = None  # the msgid that carries the hedge (a button's question)
    only_if: str | None = None  # a rules.toml key: the sentence is said only when it is set
    note: str | None = None  # anything a reader of the trace should know
    no_fact: str | None = None  # why this selected sentence states nothing the facts could back
    untraced: str | None = None  # a statement the facts do not back: a failure until reworded
    sources: tuple[str, ...] = ()  # rules.toml [sources] keys: official sources beside the facts


def _keys(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@cache
def trace() -> dict[str, Any]:
    with TRACE.open("rb") as f:
        return tomllib.load(f)


@cache
def entries() -> tuple[Entry, ...]:
    loaded = []
    for raw in trace().get("statement", []):
        raw = dict(raw)
        raw["facts"] = tuple(raw.get("facts", ()))
        raw["given"] = tuple(raw.get("given", ()))
        raw["sources"] = tuple(raw.get("sources", ()))
        raw["rules"] = {name: _keys(keys) for name, keys in raw.get("rules", {}).items()}
        loaded.append(Entry(**raw))
    return tuple(loaded)


# --- which sentences must be traced -------------------------------------------------------------


def selection_reason(message: Message) -> str | None:
    """Why a sentence must be traced, or None when it states nothing that could be a fact.

    Selected: the English or Indonesian text has a digit, "Rp" or "%", or one of the placeholders
    filled with amounts, periods or contacts, or one of the rule words (money, protection, payment,
    eligibility, membership). Not selected: labels and bare questions, i.e. at most `label_words`
    words, no digit, "Rp", "%" or placeholder, and not ending like a statement ("." or "!").
    """
    rule = trace()["selection"]
    english, indonesian = message.msgid, message.text
    both = f"{english}\n{indonesian}"
    if m := re.search(r"\d|Rp|%", both):
        return f"has {m.group()!r}"
    if found := sorted(placeholders(both) & set(rule["placeholders"])):
        return "fills {" + found[0] + "}"
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", indonesian or english)
    if len(words) <= rule["label_words"] and not re.search(r"[.!]\s*$", indonesian or english):
        return None
    lowered_id, lowered_en = indonesian.lower(), english.lower()
    for word in rule["words_id"]:
        if word in lowered_id:
            return f"says {word!r}"
    for word in rule["words_en"]:
        if re.search(rf"\b{re.escape(word)}", lowered_en):
            return f"says {word!r}"
    return None


def selected() -> dict[str, str]:
    """msgid → why it must be traced."""
    return {
        msgid: reason
        for msgid, message in worker_messages().items()
        if (reason := selection_reason(message))
    }


# --- the facts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactLine:
    number: int
    text: str
    section: str | None  # "1" for "## 1. Programs ...", None before the first section
    block: int  # the bullet, table row or paragraph it belongs to
    uncertain: bool  # the line or its block says [U] or "not confirmed"


def _starts_block(line: str) -> bool:
    return line.startswith(("#", "- ", "|", "**", "`"))


@cache
def fact_lines() -> tuple[FactLine, ...]:
    raw = FACTS.read_text(encoding="utf-8").splitlines()
    blocks: list[int] = []
    sections: list[str | None] = []
    block, section, previous = 0, None, ""
    for line in raw:
        if not line.strip() or _starts_block(line) or not previous.strip():
            block += 1
        if heading := re.match(r"## (\d+)\.", line):
            section = heading.group(1)
        elif line.startswith("## "):
            section = None
        blocks.append(block)
        sections.append(section)
        previous = line
    uncertain_blocks = {
        b for b, line, s in zip(blocks, raw, sections, strict=True) if s and _UNCERTAIN.search(line)
    }
    return tuple(
        FactLine(n, line, s, b, b in uncertain_blocks)
        for n, (line, s, b) in enumerate(zip(raw, sections, blocks, strict=True), start=1)
    )


def fragment_lines(fragment: str) -> list[FactLine]:
    return [line for line in fact_lines() if fragment in line.text]


def _plain(text: str) -> str:
    return text.replace("*", "")


# --- rules.toml ---------------------------------------------------------------------------------


@cache
def rules_data() -> dict[str, Any]:
    with RULES.open("rb") as f:
        return tomllib.load(f)


_MISSING = object()


def rules_value(path: str) -> Any:
    """`payment.card_days_after_payment`, `discounts[0].end`; _MISSING when there is none."""
    value: Any = rules_data()
    for part in path.split("."):
        m = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", part)
        if not m or not isinstance(value, dict) or m.group(1) not in value:
            return _MISSING
        value = value[m.group(1)]
        if m.group(2) is not None:
            index = int(m.group(2))
            if not isinstance(value, list) or index >= len(value):
                return _MISSING
            value = value[index]
    return value


def _table_of(path: str) -> tuple[str, int, str]:
    *table, key = path.split(".")
    m = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", ".".join(table)) if table else None
    return (m.group(1), int(m.group(2) or 0), key) if m else ("", 0, key)


def rules_citation(path: str) -> tuple[int, str] | None:
    """The line of a key in rules.toml and the facts citation of its comment: the comment on its
    line, else the comment block above it (keys and the table's own headers in between)."""
    table, index, key = _table_of(path)
    lines = RULES.read_text(encoding="utf-8").splitlines()
    current, seen = "", -1
    for number, line in enumerate(lines, start=1):
        if header := re.match(r"\s*\[\[?([\w.]+)\]\]?", line):
            seen = seen + 1 if header.group(1) == table and current == table else 0
            current = header.group(1)
            continue
        if current != table or seen != index or not re.match(rf"\s*{key}\s*=", line):
            continue
        if "#" in line and (m := _CITATION.search(line.split("#", 1)[1])):
            return number, m.group(1)
        in_comment = False  # the nearest comment block above is the key's: it cites or not
        for above in reversed(lines[: number - 1]):
            if above.lstrip().startswith("#"):
                if m := _CITATION.search(above):
                    return number, m.group(1)
                in_comment = True
            elif in_comment or (
                above.strip() and not re.match(rf"\s*(\[\[?{table}\]\]?\s*$|\w+\s*=)", above)
            ):
                break
        return number, ""
    return None


def notations(path: str, value: Any) -> list[re.Pattern[str]]:
    """The ways the facts may write one rules.toml value (matched on a line with its ** removed);
    a list of strings is written item by item (see `trace_key`)."""
    name = path.rsplit(".", 1)[-1]
    if isinstance(value, list):
        return [re.compile(re.escape("/".join(map(str, value))))]
    if isinstance(value, date):
        return [re.compile(value.strftime("%b %Y"))]
    if isinstance(value, str):
        return [re.compile(re.escape(trace().get("notation", {}).get(value, value)))]
    if not isinstance(value, int):
        return []
    if "percent" in name:
        return [re.compile(rf"(?<![\d.,]){value}%")]
    for unit in ("days", "months", "years"):
        if unit in name:
            return [re.compile(rf"(?<![\d.,]){value} (?:\w+ ){{0,2}}{unit[:-1]}s?\b")]
    if name.endswith("age"):
        return [re.compile(rf"\bage {value}\b")]
    if "multiplier" in name:
        return [re.compile(rf"(?<![\d.,]){value} ×")]
    if value >= 1000:  # rupiah: Rp6.800, Rp1.000.000, Rp42 juta, Rp1,5 juta
        forms = ["Rp" + f"{value:,}".replace(",", ".")]
        if value % 100_000 == 0 and value >= 1_000_000:
            forms.append(f"Rp{value / 1_000_000:g}".replace(".", ",") + " juta")
        return [re.compile(rf"{re.escape(form)}(?![\d.,]\d)") for form in forms]
    return [re.compile(rf"(?<![\d.,]){value}(?![\d.,]\d)")]


@dataclass(frozen=True)
class KeyTrace:
    path: str
    rules_line: int | None
    citation: str  # "1", "1, U", "" when the comment cites nothing
    line: FactLine | None  # where the facts write the value, in the cited section
    problem: str | None


def _written(path: str, value: Any, lines: list[FactLine], near: set[int]) -> FactLine | None:
    """The line that writes the value: one the statement's fragments are on, else the first."""
    patterns = notations(path, value)
    found = [x for x in lines if any(p.search(_plain(x.text)) for p in patterns)]
    return next((x for x in found if x.number in near), found[0] if found else None)


def trace_key(path: str, allow_uncertain: bool = False, near: set[int] | None = None) -> KeyTrace:
    """Where the facts write a rules.toml value: in the section its comment cites, on a line not
    [U] (unless allowed), preferring the lines in `near`."""
    value = rules_value(path)
    cited = rules_citation(path)
    if value is _MISSING or cited is None:
        return KeyTrace(path, None, "", None, f"rules.toml has no key {path}")
    number, citation = cited
    parts = [p.strip() for p in citation.split(",")]
    if not citation or not parts[0].isdigit():
        return KeyTrace(path, number, citation, None, f"rules.toml:{number} cites no facts section")
    if "U" in parts and not allow_uncertain:
        return KeyTrace(path, number, citation, None, f"{path} is [U] in rules.toml:{number}")
    usable = [
        line
        for line in fact_lines()
        if line.section == parts[0] and (allow_uncertain or not line.uncertain)
    ]
    items = value if isinstance(value, list) and all(isinstance(v, str) for v in value) else [value]
    found = [_written(path, item, usable, near or set()) for item in items]
    if all(found):
        return KeyTrace(path, number, citation, found[0], None)
    value = items[found.index(None)]
    patterns = notations(path, value)
    return KeyTrace(
        path,
        number,
        citation,
        None,
        f"{path} = {value!r}: not written in section {parts[0]} of bpu-facts.md "
        f"(looked for {', '.join(p.pattern for p in patterns) or 'nothing'})",
    )


# --- checks: each returns what is wrong, one line per problem -----------------------------------


def _short(text: str, width: int = 72) -> str:
    flat = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def missing_entries() -> list[str]:
    traced = {e.msgid for e in entries()}
    return [
        f"not traced ({reason}): {msgid!r} at {worker_messages()[msgid].locations[0]}"
        for msgid, reason in selected().items()
        if msgid not in traced
    ]


def stale_entries() -> list[str]:
    problems, seen = [], set()
    for e in entries():
        if e.msgid not in worker_messages():
            problems.append(f"no longer in conversations/: {e.msgid!r}")
        if e.msgid in seen:
            problems.append(f"traced twice: {e.msgid!r}")
        seen.add(e.msgid)
    return problems


def _hedge_text(e: Entry) -> str:
    if e.hedge_by is None:
        return worker_messages()[e.msgid].text
    message = worker_messages().get(e.hedge_by)
    return message.text if message else ""


def _near(e: Entry) -> set[int]:
    return {line.number for fragment in e.facts for line in fragment_lines(fragment)}


def entry_problems(e: Entry) -> list[str]:
    """What is wrong with one entry (its msgid exists)."""
    name = _short(e.msgid, 50)
    if e.untraced:
        return [f"untraced {name!r}: {e.untraced}"]
    if e.no_fact is not None:
        if not e.no_fact.strip() or e.facts or e.rules or e.sources:
            return [f"{name!r}: no_fact needs a reason and no references"]
        return []
    problems = []
    allow_uncertain = e.hedged or e.only_if is not None
    if not (e.facts or e.rules or e.sources):
        problems.append(f"{name!r}: no reference to the facts or rules.toml")
    cited = rules_data().get("sources", {})
    for source in e.sources:
        if not isinstance(cited.get(source), str) or not cited[source].strip():
            problems.append(f"{name!r}: rules.toml [sources] has no {source!r}")
    hedges = trace()["hedge"]["words"]
    if e.hedged and not any(h in _hedge_text(e).lower() for h in hedges):
        where = "its text" if e.hedge_by is None else repr(_short(e.hedge_by, 40))
        problems.append(f"{name!r}: hedged, but {where} has none of {hedges}")
    for fragment in e.facts:
        lines = fragment_lines(fragment)
        if len(lines) != 1:
            where = ", ".join(str(line.number) for line in lines) or "no line"
            problems.append(f"{name!r}: {fragment!r} is on {where} of bpu-facts.md, not one")
        elif lines[0].uncertain and not allow_uncertain:
            problems.append(
                f"{name!r}: {fragment!r} is on bpu-facts.md:{lines[0].number}, which is [U]"
            )
    for path in dict.fromkeys(p for paths in e.rules.values() for p in paths):
        if problem := trace_key(path, allow_uncertain, _near(e)).problem:
            problems.append(f"{name!r}: {problem}")
    if (
        e.hedged
        and not any(line.uncertain for fragment in e.facts for line in fragment_lines(fragment))
        and not any(
            "U" in trace_key(p, True).citation.split(", ")
            for paths in e.rules.values()
            for p in paths
        )
    ):
        problems.append(f"{name!r}: marked hedged but points at no [U] item")
    named = set(e.rules) | set(e.derived) | set(e.given)
    if unknown := placeholders(e.msgid) - named:
        problems.append(f"{name!r}: placeholders not accounted for: {sorted(unknown)}")
    if extra := named - placeholders(e.msgid):
        problems.append(f"{name!r}: no such placeholders: {sorted(extra)}")
    if empty := [k for k, why in e.derived.items() if not why.strip()]:
        problems.append(f"{name!r}: derived without saying how: {empty}")
    if e.only_if is not None:
        value = rules_value(e.only_if)
        if value is _MISSING:
            problems.append(f"{name!r}: rules.toml has no key {e.only_if}")
        elif value:
            problems.append(
                f"{name!r}: said now that {e.only_if} is set, and states [U] data as fact"
            )
    return problems


def entries_problems() -> list[str]:
    return [p for e in entries() if e.msgid in worker_messages() for p in entry_problems(e)]


def uncertain_blocks() -> dict[int, FactLine]:
    """The first line of every [U] bullet or paragraph in the numbered sections."""
    found: dict[int, FactLine] = {}
    for line in fact_lines():
        if line.uncertain and line.block not in found:
            found[line.block] = line
    return found


def uncertain_problems() -> list[str]:
    """Every [U] item has forbidden wordings; they catch their examples; no Indonesian text of
    the catalog matches them."""
    problems = []
    covered = set()
    for item in trace().get("uncertain", []):
        lines = fragment_lines(item["fact"])
        if len(lines) != 1:
            problems.append(f"[U] item {item['name']!r}: {item['fact']!r} not on one line")
        else:
            covered.add(lines[0].block)
        patterns = [re.compile(p, re.IGNORECASE) for p in item["forbidden"]]
        for example in item.get("examples", []):
            if not any(p.search(example) for p in patterns):
                problems.append(f"[U] item {item['name']!r}: no pattern catches {example!r}")
        for where, text in catalog_texts():
            for p in patterns:
                if m := p.search(text):
                    problems.append(
                        f"[U] {item['name']} stated as fact ({m.group()!r}): "
                        f"{_short(text)!r} at {where}"
                    )
    for block, line in uncertain_blocks().items():
        if block not in covered:
            problems.append(f"bpu-facts.md:{line.number} is [U] and has no forbidden wordings")
    return problems


# --- the listing --------------------------------------------------------------------------------


def references(e: Entry) -> str:
    """`bpu-facts.md:41,42 · rules.toml:benefits.jkm_total→52`"""
    lines = [
        str(found[0].number) if len(found := fragment_lines(f)) == 1 else f"?{f!r}" for f in e.facts
    ]
    keys = []
    for path in dict.fromkeys(p for paths in e.rules.values() for p in paths):
        key = trace_key(path, e.hedged or e.only_if is not None, _near(e))
        keys.append(f"{path}→{key.line.number if key.line else '?'}")
    parts = [f"bpu-facts.md:{','.join(dict.fromkeys(lines))}"] if lines else []
    parts += [f"rules.toml:{', '.join(keys)}"] if keys else []
    parts += [f"rules.toml:sources.{source}" for source in e.sources]
    return " · ".join(parts) or "-"


def listing() -> list[str]:
    """A line per traced statement: its Indonesian text, shortened, and where it comes from."""
    out, quiet = [], []
    for e in entries():
        message = worker_messages().get(e.msgid)
        text = _short((message.text if message else "") or e.msgid, 60)
        if e.no_fact is not None:
            quiet.append(f"  {text!r}: {e.no_fact}")
            continue
        marks = " [hedged]" if e.hedged else ""
        marks += f" [only if {e.only_if}]" if e.only_if else ""
        marks += " [UNTRACED]" if e.untraced else ""
        out.append(f"{text!r}{marks}  {references(e)}")
    untraced = sum(1 for e in entries() if e.untraced)
    hedged = sum(1 for e in entries() if e.hedged)
    return [
        *out,
        "",
        f"{len(out) - untraced} statements traced ({hedged} hedged), {untraced} untraced; "
        f"{len(quiet)} selected but state no fact:",
        *quiet,
    ]


def main() -> int:
    for line in listing():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
