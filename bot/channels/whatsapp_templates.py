"""The WhatsApp templates bpu-bot sends outside the 24-hour window, from
locales/whatsapp_templates.toml (their names, language, exact body and parameters)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    language: str
    body: str
    params: tuple[str, ...]  # what fills {{1}}, {{2}}, ... in order


@cache
def templates() -> dict[str, Template]:
    text = resources.files("locales").joinpath("whatsapp_templates.toml").read_text("utf-8")
    return {
        key: Template(key, t["name"], t["language"], t["body"], tuple(t["params"]))
        for key, t in tomllib.loads(text).items()
    }


def params_for(key: str, values: dict[str, object]) -> tuple[str, ...]:
    """The template's parameters in its order, from named values."""
    # Meta refuses a parameter with a line break, a tab or more than four spaces in a row
    return tuple(" ".join(str(values[name]).split()) or "-" for name in templates()[key].params)
