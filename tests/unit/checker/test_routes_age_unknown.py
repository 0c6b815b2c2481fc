"""The web form with "I'm not sure" as the age (symptom-checker.md §6, decision D13).

Both sides of every edge that D13 or the 12+ gap rule changed, through POST /check: with
the age unknown every age-limited rule is read at its strictest, and the result page
adds the D13 sentence. Expected levels come from the doc's §5 bands, not from the code.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sepsiscope.app import create_app
from sepsiscope.checker.catalogue import catalogue
from sepsiscope.scores.symptom_checker import LANGUAGES
from tests.unit.checker.test_routes import text_of

UNSURE = {"age_group": "unknown"}
INF = {"infection": "yes"}

#: (form fields, level) with the age unknown. Any band of §5 counts (D13).
AGE_UNKNOWN = [
    ({"spo2": "80"}, "EMERGENCY"),  # CX26
    ({"spo2": "91.5"}, "EMERGENCY"),
    ({"spo2": "92"}, "URGENT"),
    ({"spo2": "94.5"}, "URGENT"),
    ({"spo2": "95"}, "MONITOR"),
    ({**INF, "resp_rate": "8.5"}, "EMERGENCY"),  # 12+ ≤ 8, gap to 9
    ({**INF, "resp_rate": "9"}, "MONITOR"),
    ({**INF, "resp_rate": "20"}, "MONITOR"),
    ({**INF, "resp_rate": "20.5"}, "URGENT"),  # 12+ 21-24, gap from 20
    ({**INF, "resp_rate": "24"}, "URGENT"),
    ({**INF, "resp_rate": "24.5"}, "EMERGENCY"),  # 8-11 y ≥ 25; 12+ gap to 25
    ({**INF, "resp_rate": "30"}, "EMERGENCY"),  # CX27
    ({**INF, "heart_rate": "40.5"}, "EMERGENCY"),
    ({**INF, "heart_rate": "59.9"}, "EMERGENCY"),  # child < 60
    ({**INF, "heart_rate": "60"}, "MONITOR"),
    ({**INF, "heart_rate": "90"}, "MONITOR"),
    ({**INF, "heart_rate": "90.5"}, "URGENT"),  # 12+ 91-130, gap from 90
    ({**INF, "heart_rate": "100"}, "URGENT"),  # CX28
    ({**INF, "heart_rate": "114.9"}, "URGENT"),
    ({**INF, "heart_rate": "115"}, "EMERGENCY"),  # 8-11 y ≥ 115
    ({"sbp": "90.5"}, "EMERGENCY"),
    ({"sbp": "91"}, "URGENT"),
    ({"sbp": "100.5"}, "URGENT"),
    ({"sbp": "101"}, "MONITOR"),
    ({"temp_c": "37.9", "temp_unit": "C"}, "MONITOR"),
    ({"temp_c": "38.0", "temp_unit": "C"}, "EMERGENCY"),  # under 3 months ≥ 38.0 (D13 example 38.3)
    ({"temp_c": "36.0", "temp_unit": "C"}, "MONITOR"),
    ({"temp_c": "35.9", "temp_unit": "C"}, "EMERGENCY"),  # under 5 < 36.0
    ({**INF, "leg_pain": "yes"}, "URGENT"),  # U11, under 12
    ({**INF}, "MONITOR"),  # no age group is assumed (U09 needs a known age)
]

#: (form fields, level) at a known 12+ age: values between two published bands go up (§6).
AGE_16 = [
    ({"spo2": "91.5"}, "EMERGENCY"),
    ({"spo2": "94.5"}, "URGENT"),
    ({"spo2": "95"}, "MONITOR"),
    ({**INF, "resp_rate": "8.5"}, "EMERGENCY"),
    ({**INF, "resp_rate": "9"}, "MONITOR"),
    ({**INF, "heart_rate": "40.5"}, "EMERGENCY"),
    ({**INF, "heart_rate": "41"}, "MONITOR"),
    ({**INF, "heart_rate": "90.5"}, "URGENT"),
    ({**INF, "heart_rate": "90"}, "MONITOR"),
    ({"sbp": "90.5"}, "EMERGENCY"),
    ({"sbp": "91"}, "URGENT"),
    ({"sbp": "100.5"}, "URGENT"),
    ({"sbp": "101"}, "MONITOR"),
]


def _ids(rows: list) -> list[str]:
    return ["-".join(f"{k}={v}" for k, v in form.items() if k not in ("temp_unit", "infection")) for form, _ in rows]


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _level(html: str) -> str:
    return next(level for level in ("EMERGENCY", "URGENT", "MONITOR") if f'class="level level-{level.lower()}"' in html)


@pytest.mark.parametrize(("form", "level"), AGE_UNKNOWN, ids=_ids(AGE_UNKNOWN))
def test_not_sure_about_the_age_reads_every_age(client, form, level) -> None:
    response = client.post("/check", data={**UNSURE, **form})
    assert response.status_code == 200
    assert _level(response.text) == level
    assert catalogue("en")("note.age_unknown") in text_of(response.text)


@pytest.mark.parametrize(("form", "level"), AGE_16, ids=_ids(AGE_16))
def test_values_between_published_12_plus_bands_go_up(client, form, level) -> None:
    response = client.post("/check", data={"age_group": "y16", **form})
    assert response.status_code == 200
    assert _level(response.text) == level
    assert catalogue("en")("note.age_unknown") not in text_of(response.text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_d13_sentence_in_each_language_and_not_with_an_age(client, lang) -> None:
    t = catalogue(lang)
    unsure = text_of(client.post("/check", data={**UNSURE, "spo2": "80", "lang": lang}).text)
    no_answer = text_of(client.post("/check", data={"spo2": "80", "lang": lang}).text)
    aged = text_of(client.post("/check", data={"age_group": "m0", "spo2": "80", "lang": lang}).text)
    assert t("note.age_unknown") in unsure and t("note.age_unknown") in no_answer
    assert t("note.age_unknown") not in aged
    assert unsure.index(t("reason.E13")) < unsure.index(t("note.age_unknown"))


def test_form_asks_every_measurement_without_javascript(client) -> None:
    """The measurements are no longer hidden for "I'm not sure" (no needs-age note)."""
    html = client.get("/check").text
    for key in ("heart_rate", "resp_rate", "spo2", "sbp"):
        assert f'name="{key}"' in html
    assert "data-unknown" not in html and "needs-age" not in html
