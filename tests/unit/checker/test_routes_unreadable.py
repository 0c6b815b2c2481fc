"""POST /check with values the form does not offer: 422, a page to start again, nothing logged.

Issue 13 item 2: a safety tool must not drop an answer silently. Every kind of unknown
value (tick box, age group, Yes/No choice, code, unit, button, field name, a number that
does not parse, two answers to one question), in both languages.
"""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from sepsiscope.app import create_app
from sepsiscope.checker.catalogue import catalogue
from sepsiscope.scores.symptom_checker import LANGUAGES
from tests.unit.checker.test_routes import text_of

#: (id, form fields) — each holds one value the form does not offer, next to readable answers.
UNKNOWN_VALUES = [
    ("tick-on", {"confusion": "on"}),
    ("age-group", {"age_group": "y200"}),
    ("yes-no", {"infection": "maybe"}),
    ("code", {"infection_sites": ["lungs", "heart"]}),
    ("recent-choice", {"weeks_postpartum_recent": "soon"}),
    ("unit", {"temp_c": "38", "temp_unit": "K"}),
    ("button", {"go": "later"}),
    ("field-name", {"confused": "yes"}),
    ("number", {"heart_rate": "fast"}),
    ("number-degree-sign", {"temp_c": "38.5°"}),
    ("weeks-number", {"recent_procedure_weeks_recent": "yes", "recent_procedure_weeks": "two"}),
    ("two-answers", {"age_group": ["y16", "y65"]}),
]
BASE = {"age_group": "y16", "infection": "yes", "fast_breathing": "yes"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("case", "fields"), UNKNOWN_VALUES, ids=[c for c, _ in UNKNOWN_VALUES])
def test_unknown_value_gives_422_and_a_page_to_start_again(client, case, fields, lang) -> None:
    t = catalogue(lang)
    response = client.post("/check", data={**BASE, **fields, "lang": lang})
    assert response.status_code == 422, case
    html = response.text
    text = text_of(html)
    assert f'<html lang="{lang}">' in html
    assert t("unreadable.title") in text and t("unreadable.body") in text
    assert f'href="/check?lang={lang}"' in html and t("button.again") in text
    # the emergency call-out is still the first thing after the header
    assert text.index(t("notice.emergency")) < text.index(t("unreadable.title"))
    # no advice is given from answers that could not be read, and no form is re-shown with them
    for level in ("EMERGENCY", "URGENT", "MONITOR"):
        assert t(f"level.{level}") not in text
    assert "<form" not in html


def test_readable_answers_next_to_the_same_fields_still_give_advice(client) -> None:
    """The other side of each case: the offered values give a result page (200)."""
    readable = {**BASE, "confusion": "yes", "infection_sites": ["lungs"], "temp_unit": "F", "go": "now"}
    response = client.post("/check", data=readable)
    assert response.status_code == 200
    assert catalogue("en")("level.EMERGENCY") in text_of(response.text)


def test_unreadable_page_logs_nothing(client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client.post("/check", data={**BASE, "confusion": "on-xq7", "heart_rate": "fast-zz9"})
    for secret in ("on-xq7", "fast-zz9", "confusion"):
        assert secret not in caplog.text
    assert not [r for r in caplog.records if r.name.startswith("sepsiscope")]


def test_unreadable_page_sets_no_cookie_and_is_not_cached(client) -> None:
    response = client.post("/check", data={"confusion": "on"})
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"
