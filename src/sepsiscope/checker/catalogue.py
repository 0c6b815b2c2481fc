"""Message catalogues: every word a person sees, per language, and choosing the language.

Two files per language, merged into one flat catalogue of dotted keys: the screens'
``sepsiscope/checker/messages/<lang>.toml`` (questions, buttons, education page) and the
rules' ``sepsiscope/scores/symptom_checker/messages/<lang>.toml`` (the result texts of
symptom-checker.md §7, which ``sepsiscope calc`` prints too). Templates only use keys.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from sepsiscope.errors import RegistryError
from sepsiscope.scores.symptom_checker import LANGUAGES, result_texts

DEFAULT_LANGUAGE = "en"
#: Name of each language in itself, for the visible switch.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}

Value = str | list[str]


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Value]:
    """``{"a": {"b": "x"}}`` -> ``{"a.b": "x"}``; lists of strings stay lists."""
    out: dict[str, Value] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


@dataclass(frozen=True)
class Catalogue:
    """All texts of one language; call it with a key to get the text."""

    lang: str
    values: dict[str, Value]

    def __call__(self, key: str) -> str:
        value = self.values[key]
        if not isinstance(value, str):
            raise TypeError(f"message {key!r} is a list; use .items()")
        return value

    def items(self, key: str) -> list[str]:
        """A list message (education page paragraphs and bullet points); ``[]`` if absent."""
        value = self.values.get(key, [])
        return [value] if isinstance(value, str) else list(value)

    def has(self, key: str) -> bool:
        """Whether ``key`` exists in this language."""
        return key in self.values


def screen_texts(lang: str) -> dict[str, Value]:
    """The screens' own catalogue for ``lang`` (without the result texts), flattened."""
    path = files("sepsiscope.checker").joinpath("messages", f"{lang}.toml")
    return flatten(tomllib.loads(path.read_text(encoding="utf-8")))


@cache
def catalogue(lang: str) -> Catalogue:
    """Screen texts and result texts of ``lang`` in one catalogue."""
    if lang not in LANGUAGES:
        raise KeyError(f"no catalogue for {lang!r}; choose one of {', '.join(LANGUAGES)}")
    screens = screen_texts(lang)
    results = flatten(dict(result_texts(lang)))
    clash = screens.keys() & results.keys()
    if clash:
        raise RegistryError(f"message keys defined twice: {sorted(clash)}")
    return Catalogue(lang, {**screens, **results})


def negotiate(requested: str | None, accept_language: str | None) -> str:
    """The language to use: an explicit choice, else the browser's Accept-Language, else English.

    Accept-Language entries are ranked by their ``q`` weight (RFC 9110 §12.5.4); only the
    primary subtag counts (``es-MX`` -> ``es``).
    """
    if requested in LANGUAGES:
        return str(requested)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, position, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE
