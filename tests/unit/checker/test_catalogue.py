"""Message catalogues: same keys in every language, no empty text, no "no sepsis", plain words."""

from __future__ import annotations

import re

import pytest

from sepsiscope.checker.catalogue import catalogue, flatten, negotiate, screen_texts
from sepsiscope.checker.questions import questionnaire
from sepsiscope.scores.symptom_checker import LANGUAGES
from tests.unit.scores.test_symptom_checker import FORBIDDEN_EN, FORBIDDEN_ES


def _leaves(values: dict) -> dict[str, str]:
    out = {}
    for key, value in values.items():
        if isinstance(value, list):
            out.update({f"{key}[{i}]": v for i, v in enumerate(value)})
        else:
            out[key] = value
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogues_have_exactly_the_same_keys(lang) -> None:
    assert set(_leaves(catalogue(lang).values)) == set(_leaves(catalogue("en").values))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_empty_values(lang) -> None:
    leaves = _leaves(catalogue(lang).values)
    assert leaves and all(isinstance(v, str) and v.strip() for v in leaves.values())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_never_says_no_sepsis(lang) -> None:
    forbidden = FORBIDDEN_EN if lang == "en" else FORBIDDEN_ES
    for key, text in _leaves(catalogue(lang).values).items():
        for phrase in forbidden:
            assert phrase not in text.lower(), (lang, key, phrase)


def test_every_question_and_code_has_words() -> None:
    qn = questionnaire()
    for lang in LANGUAGES:
        t = catalogue(lang)
        for q in qn.questions:
            assert t.has(f"q.{q.key}"), (lang, q.key)
            for code in q.codes:
                assert t.has(f"code.{q.key}.{code}"), (lang, q.key, code)
        for g in qn.age_groups:
            assert t.has(f"age.{g.id}")
        for section in qn.sections:
            assert t.has(f"section.{section}.title")


def test_spanish_is_not_english() -> None:
    """A translation, not a copy: at most a handful of identical strings (units, 'No', names)."""
    en, es = _leaves(catalogue("en").values), _leaves(catalogue("es").values)
    same = {k for k in en if en[k] == es[k]}
    assert same <= {"unit.celsius", "unit.fahrenheit", "unit.percent", "unit.mmhg", "answer.no",
                    "code.chronic_conditions.diabetes", "learn.what.sources", "learn.where.sources",
                    "learn.shock.sources", "learn.signs.sources", "learn.risk.sources", "learn.prevent.sources",
                    "learn.ask.sources", "learn.after.sources", "learn.numbers.sources"}, same  # fmt: skip


def test_spanish_uses_usted() -> None:
    text = " ".join(_leaves(catalogue("es").values).values())
    assert "usted" in text.lower()
    assert not re.search(r"\b(tú|tienes|eres|puedes|llama|busca)\b", text), "use the usted form"


def test_screen_and_result_keys_do_not_clash() -> None:
    for lang in LANGUAGES:
        assert not set(screen_texts(lang)) & {"action", "reason", "safety_net", "escalate", "disclaimer"}


def test_flatten() -> None:
    assert flatten({"a": {"b": "x", "c": ["y"]}, "d": "z"}) == {"a.b": "x", "a.c": ["y"], "d": "z"}


@pytest.mark.parametrize(
    ("requested", "header", "expected"),
    [
        (None, None, "en"),
        (None, "es-MX,es;q=0.9,en;q=0.8", "es"),
        (None, "en-GB,en;q=0.9,es;q=0.8", "en"),
        (None, "fr-FR,fr;q=0.9,es;q=0.5", "es"),
        (None, "en;q=0.2, es;q=0.9", "es"),
        (None, "es;q=0", "en"),
        (None, "de", "en"),
        ("es", "en", "es"),
        ("en", "es", "en"),
        ("xx", "es", "es"),
        (None, "es;q=abc", "en"),
    ],
)
def test_negotiate(requested, header, expected) -> None:
    assert negotiate(requested, header) == expected
