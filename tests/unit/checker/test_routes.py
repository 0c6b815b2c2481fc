"""The checker's web pages through a TestClient: languages, results, privacy, safety texts."""

from __future__ import annotations

import logging
import re
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from sepsiscope.app import create_app
from sepsiscope.checker.catalogue import catalogue
from sepsiscope.scores.symptom_checker import LANGUAGES
from tests.live_server import live_server
from tests.unit.scores.test_symptom_checker import FORBIDDEN_EN, FORBIDDEN_ES

EMERGENCY = {"age_group": "y16", "infection": "yes", "confusion": "yes"}
URGENT = {"age_group": "y65", "infection": "yes", "fever_or_chills": "yes", "short_of_breath": "yes"}
MONITOR = {"age_group": "y16", "infection": "yes", "fever_or_chills": "yes"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


class _Text(HTMLParser):
    """Visible text of a page, in order (scripts and styles skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data) -> None:
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def pages(client: TestClient) -> dict[str, str]:
    out = {}
    for lang in LANGUAGES:
        out[f"check-{lang}"] = client.get(f"/check?lang={lang}").text
        out[f"learn-{lang}"] = client.get(f"/learn?lang={lang}").text
        for name, form in (("emergency", EMERGENCY), ("urgent", URGENT), ("monitor", MONITOR)):
            out[f"{name}-{lang}"] = client.post("/check", data={**form, "lang": lang}).text
        out[f"error-{lang}"] = client.post("/check", data={"temp_c": "98.6", "lang": lang}).text
        out[f"unreadable-{lang}"] = client.post("/check", data={"confusion": "on", "lang": lang}).text
        out[f"age-unknown-{lang}"] = client.post("/check", data={"age_group": "unknown", "lang": lang}).text
        out[f"404-{lang}"] = client.get(f"/nope?lang={lang}").text
    return out


def test_check_form_lists_danger_signs_first(client) -> None:
    html = client.get("/check").text
    t = catalogue("en")
    positions = [html.index(t("q." + key)) for key in ("confusion", "infection", "fast_breathing", "frail", "spo2")]
    assert positions == sorted(positions)
    assert 'method="post"' in html and 'action="/check"' in html


@pytest.mark.parametrize(
    ("form", "level"), [(EMERGENCY, "EMERGENCY"), (URGENT, "URGENT"), (MONITOR, "MONITOR")], ids=["e", "u", "m"]
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_result_page(client, form, level, lang) -> None:
    t = catalogue(lang)
    response = client.post("/check", data={**form, "lang": lang})
    assert response.status_code == 200
    text = text_of(response.text)
    assert f'class="level level-{level.lower()}"' in response.text
    assert t(f"level.{level}") in text and t(f"action.{level}") in text
    assert t("disclaimer.text") in text
    for key in ("fast", "cannot_tell", "trust", "say_sepsis", "pregnant"):
        assert t(f"safety_net.{key}") in text
    if level == "EMERGENCY":
        assert t("result.escalate_title") not in text
    else:
        assert t("result.escalate_EMERGENCY") in text and t("result.escalate_URGENT") in text


def test_emergency_advice_comes_first(client) -> None:
    """Item 5: with a danger sign, the call-now advice is the first thing in the page's main part."""
    t = catalogue("en")
    text = text_of(client.post("/check", data=EMERGENCY).text)
    main = text.split(t("nav.skip"), 1)[1]
    first = main.split(t("site.home"), 1)[1].split("English Español", 1)[1].strip()
    assert first.startswith(t("result.level_label") + " " + t("level.EMERGENCY") + " " + t("action.EMERGENCY"))


def test_reasons_shown_in_words_never_codes(client) -> None:
    t = catalogue("en")
    html = client.post("/check", data=URGENT).text
    assert t("reason.U01") in html and t("reason.U12") in html
    assert not re.search(r">\s*[EUM]\d\d\b", html)


def test_also_noted_and_infection_sites(client) -> None:
    t = catalogue("en")
    form = {"age_group": "m0", "temp_c": "38.2", "temp_unit": "C", "infection_sites": ["lungs", "urinary"]}
    text = text_of(client.post("/check", data=form).text)
    assert t("reason.E09") in text and t("result.also_noted") in text and t("reason.U09") in text
    assert "chest or lungs; bladder or kidney." in text


def test_not_sure_answers_show_the_safety_net_first(client) -> None:
    t = catalogue("en")
    text = text_of(client.post("/check", data={"confusion": "yes"}).text)
    assert t("result.unsure_note") in text
    assert text.index(t("safety_net.fast")) < text.index(t("result.why"))


def test_fahrenheit_is_converted(client) -> None:
    t = catalogue("en")
    form = {"age_group": "m3", "infection": "yes", "temp_c": "102.4", "temp_unit": "F"}
    text = text_of(client.post("/check", data=form).text)
    assert t("level.URGENT") in text and t("reason.U06") in text and t("reason.U09") in text


def test_unusual_value_asks_to_check_again_and_keeps_answers(client) -> None:
    t = catalogue("en")
    response = client.post("/check", data={"age_group": "y16", "temp_c": "98.6", "temp_unit": "C", "frail": "yes"})
    assert response.status_code == 422
    text = text_of(response.text)
    assert t("error.summary") in text and t("error.temp_c") in text
    assert 'value="98.6"' in response.text
    assert re.search(r'name="frail" value="yes" checked', response.text)
    assert 'aria-invalid="true"' in response.text


def test_measurements_without_age_are_not_silently_dropped(client) -> None:
    """D13: "I'm not sure" about the age: the pulse is read at its strictest (170 is a danger value at any age)."""
    t = catalogue("en")
    text = text_of(client.post("/check", data={"age_group": "unknown", "heart_rate": "170"}).text)
    assert t("level.EMERGENCY") in text and t("reason.E12") in text and t("note.age_unknown") in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_says_not_a_medical_device_and_no_sepsis_never(client, lang) -> None:
    t = catalogue(lang)
    forbidden = FORBIDDEN_EN if lang == "en" else FORBIDDEN_ES
    for name, html in pages(client).items():
        if not name.endswith(lang):
            continue
        text = text_of(html)
        assert t("notice.not_device") in text, name
        assert t("notice.privacy") in text, name
        assert f'<html lang="{lang}">' in html, name
        for phrase in forbidden:
            assert phrase not in text.lower(), (name, phrase)


def test_every_template_avoids_forbidden_phrases() -> None:
    """P1: a test scans every template (their own words must come from the catalogues)."""
    from importlib.resources import files

    folder = files("sepsiscope.checker").joinpath("templates")
    for item in folder.iterdir():
        source = item.read_text(encoding="utf-8").lower()
        for phrase in FORBIDDEN_EN + FORBIDDEN_ES:
            assert phrase not in source, (item.name, phrase)


def test_templates_hold_no_words_of_their_own() -> None:
    """All text is in the catalogues: outside tags and Jinja blocks a template has no letters."""
    from importlib.resources import files

    folder = files("sepsiscope.checker").joinpath("templates")
    for item in folder.iterdir():
        source = item.read_text(encoding="utf-8")
        source = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", source, flags=re.S)
        source = re.sub(r"<[^>]+>", " ", source)
        source = re.sub(r"[\w-]+=\"[^\"]*\"|\b(checked|data-emergency)\b", " ", source)  # attributes built by macros
        leftovers = re.findall(r"[A-Za-zÀ-ÿ]{2,}", source)
        assert leftovers == [], (item.name, leftovers)


def test_language_from_accept_language_and_switch(client) -> None:
    es = client.get("/check", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in es.text and catalogue("es")("check.title") in es.text
    switched = client.get("/check?lang=en", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in switched.text
    assert 'href="/check?lang=es" lang="es" hreflang="es"' in switched.text
    posted = client.post("/check", data={**MONITOR, "lang": "es"}, headers={"Accept-Language": "en"})
    assert catalogue("es")("level.MONITOR") in posted.text


def test_learn_page_covers_the_topics_and_cites_sources(client) -> None:
    t = catalogue("en")
    text = text_of(client.get("/learn").text)
    for section in ("what", "where", "shock", "signs", "risk", "prevent", "ask", "after", "numbers"):
        assert t(f"learn.{section}.title") in text
    for word in ("vaccines", "Wash your hands", "wounds", "long-term health problems", "septic shock"):
        assert word.lower() in text.lower()
    for url in ("https://www.cdc.gov/sepsis/", "https://www.nhs.uk/conditions/sepsis/", "nice.org.uk"):
        assert url in text


def test_education_text_is_the_doc_text(client, clinical_docs) -> None:
    doc = (clinical_docs / "symptom-checker.md").read_text(encoding="utf-8")
    section = doc.split("## 10.", 1)[1].split("## 11.", 1)[0]
    t = catalogue("en")
    flat = " ".join(section.split())
    for paragraph in t.items("learn.what.body") + t.items("learn.after.body") + t.items("learn.prevent.items"):
        assert paragraph in flat, paragraph


def test_no_cookies_and_privacy_headers(client) -> None:
    for response in (client.get("/check"), client.post("/check", data=URGENT), client.get("/learn")):
        assert "set-cookie" not in response.headers
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "script-src 'self'" in response.headers["content-security-policy"]
    assert not client.cookies


def test_answers_never_in_query_string(client) -> None:
    html = client.get("/check").text
    assert '<form class="checker" method="post"' in html
    assert client.get("/check?temp_c=39").status_code == 200  # ignored: GET never reads answers


def test_no_answers_in_app_logs(client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client.post("/check", data={"age_group": "y16", "infection": "yes", "heart_rate": "123.4", "temp_c": "38.76"})
    assert "123.4" not in caplog.text and "38.76" not in caplog.text


def test_static_files_and_health(client) -> None:
    assert client.get("/static/checker.css").status_code == 200
    assert "addEventListener" in client.get("/static/checker.js").text
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/", follow_redirects=False).headers["location"] == "/check"


def test_real_server_logs_no_answers_and_sets_no_cookie(tmp_path) -> None:
    """`sepsiscope serve` itself: the answers never reach its stdout/stderr (no access log)."""
    form = {"age_group": "y16", "infection": "yes", "heart_rate": "117.3", "temp_c": "38.64", "lang": "en"}
    with live_server(tmp_path) as server:
        request = urllib.request.Request(
            f"{server.url}/check", data=urllib.parse.urlencode(form).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
            assert response.headers.get("Set-Cookie") is None
        with urllib.request.urlopen(f"{server.url}/check?lang=es", timeout=10) as response:
            response.read()
        output = server.output()
    assert catalogue("en")("level.URGENT") in body
    for value in ("117.3", "38.64", "heart_rate", "POST /check", "lang=es", "GET /"):
        assert value not in output, (value, output)
