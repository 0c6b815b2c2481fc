"""P3: plain language. Flesch-Kincaid grade of every English page stays at or below 8.0.

Syllables are counted with the usual vowel-group heuristic (good to about half a grade),
so this is a guard against drift into long words and long sentences, not a precise score.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from sepsiscope.app import create_app
from sepsiscope.checker.catalogue import catalogue
from tests.unit.checker.test_routes import pages, text_of

MAX_GRADE = 8.0


def syllables(word: str) -> int:
    w = re.sub(r"[^a-z]", "", word.lower())
    if len(w) <= 3:
        return 1 if w else 0
    w = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


def fk_grade(text: str) -> float:
    """Flesch-Kincaid grade level: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    sentences = max(1, len(re.findall(r"[.!?…:]+(?:\s|$)", text)))
    words = re.findall(r"[A-Za-z][A-Za-z'-]*|\d+", text)
    syl = sum(syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syl / len(words) - 15.59


def test_grade_formula_on_known_text() -> None:
    assert fk_grade("The cat sat on the mat.") < 1
    assert fk_grade("Comprehensive interdisciplinary documentation necessitates considerable deliberation.") > 15


@pytest.mark.parametrize("name", sorted(k for k in pages(TestClient(create_app())) if k.endswith("-en")))
def test_every_english_page_reads_at_grade_8_or_below(name: str) -> None:
    html = pages(TestClient(create_app()))[name]
    assert fk_grade(text_of(html)) <= MAX_GRADE


def test_education_page_body_reads_at_grade_8_or_below() -> None:
    t = catalogue("en")
    text = " ".join(
        p
        for key in t.values
        if key.startswith("learn.") and key.endswith((".body", ".items", ".after"))
        for p in t.items(key)
    )
    assert fk_grade(text) <= MAX_GRADE
