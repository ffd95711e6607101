"""Keep the catalogs in step with the code.

python -m locales.catalogs update   # add new msgids to every .po, keep translations
python -m locales.catalogs check    # list msgids a catalog does not translate (exit 1 if any)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from . import DOMAIN, LOCALE_DIR

SOURCES = ("conversations", "bot")
KEYWORDS = {"t": None, "N_": None, "plural": (1, 2), "tr": (2,)}  # tr(request, msgid)
TRANSLATED = ("id",)  # English is the source language: its msgids are the English text


def template() -> Catalog:
    catalog = Catalog(domain=DOMAIN, project="bpu-bot")
    root = LOCALE_DIR.parent
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            root / source,
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")],
            keywords=KEYWORDS,
        ):
            catalog.add(
                message,
                locations=[(f"{source}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def missing(lang: str) -> list[str]:
    """Msgids used in the code that the catalog lacks, leaves empty, or marks fuzzy."""
    catalog = read(lang)
    gaps = []
    for message in template():
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = found.string if found else None
        if (
            not found
            or found.fuzzy
            or not all(strings if isinstance(strings, tuple) else [strings])
        ):
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def update(lang: str) -> None:
    path = po_path(lang)
    catalog = read(lang) if path.exists() else Catalog(locale=lang, domain=DOMAIN)
    catalog.update(template(), no_fuzzy_matching=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False, ignore_obsolete=True)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        for lang in TRANSLATED:
            update(lang)
        return 0
    gaps = {lang: missing(lang) for lang in TRANSLATED}
    for lang, ids in gaps.items():
        for msgid in ids:
            print(f"{lang}: untranslated: {msgid!r}")
    return 1 if any(gaps.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
