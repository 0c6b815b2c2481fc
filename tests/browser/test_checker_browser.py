"""The symptom checker in a real browser (Debian chromium) against the real ``sepsiscope serve``.

Journeys as a person would fill the form (emergency, urgent, monitor), keyboard-only
completion, the form without JavaScript, an axe-core accessibility audit (no serious or
critical violations) and phone-width screenshots saved to ``test-artifacts/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sepsiscope.checker.catalogue import catalogue
from tests.browser.conftest import AXE, PHONE

pytestmark = pytest.mark.browser

EN = catalogue("en")
ES = catalogue("es")


def _label(page: Any, text: str) -> Any:
    return page.get_by_label(text, exact=True)


def _submit(page: Any, button: str) -> None:
    """Press a submit button and wait for the next page (its <h1> would otherwise be the form's)."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def _result_heading(page: Any) -> str:
    return page.locator("main h1").inner_text().strip()


def _shot(page: Any, artifacts: Path, name: str) -> Path:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    return path


def test_emergency_journey(page: Any, server: Any, artifacts: Path) -> None:
    """Adult, new confusion: the call-now advice shows as soon as it is ticked, and on the result."""
    page.goto(f"{server.url}/check")
    _label(page, EN("age.y16")).check()
    _label(page, EN("q.confusion")).check()
    alert = page.locator("#sign-alert")
    assert alert.inner_text().strip() == EN("notice.sign_ticked")
    _shot(page, artifacts, "check-emergency-ticked-en")
    _submit(page, EN("button.advice_now"))
    assert _result_heading(page) == EN("level.EMERGENCY")
    first = page.locator("main > *").first
    assert EN("action.EMERGENCY") in first.inner_text()
    assert page.locator(".level-emergency").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    assert EN("reason.E01") in page.locator("main").inner_text()
    _shot(page, artifacts, "result-emergency-en")


def test_urgent_journey_baby_with_fahrenheit(page: Any, server: Any, artifacts: Path) -> None:
    """A 5-month-old with an infection and 102.4 °F: URGENT (U06, U09); baby questions appear."""
    page.goto(f"{server.url}/check")
    cry = page.get_by_label(EN("q.weak_high_pitched_cry"))  # its label also says who it is for
    _label(page, EN("age.y16")).check()
    assert not cry.is_visible()  # not asked for adults (JavaScript hides it)
    _label(page, EN("age.m3")).check()
    assert cry.is_visible()
    assert not page.get_by_label(EN("q.pregnant")).first.is_visible()
    page.locator("#f-infection").get_by_label(EN("answer.yes"), exact=True).check()
    _label(page, EN("code.infection_sites.lungs")).check()
    page.get_by_label(EN("q.temp_c"), exact=True).fill("102.4")
    _label(page, EN("unit.fahrenheit")).check()
    _shot(page, artifacts, "check-urgent-filled-en")
    _submit(page, EN("button.advice"))
    assert _result_heading(page) == EN("level.URGENT")
    main = page.locator("main").inner_text()
    assert EN("reason.U06") in main and EN("reason.U09") in main
    assert EN("escalate.cry") in main and EN("escalate.diaper_12") in main
    assert EN("code.infection_sites.lungs").lower() in main
    _shot(page, artifacts, "result-urgent-en")


def test_urgent_journey_older_adult_in_spanish(page: Any, server: Any, artifacts: Path) -> None:
    """70-year-old, chest infection, fever, short of breath, chosen in Spanish with the switch."""
    page.goto(f"{server.url}/check")
    with page.expect_navigation():
        page.get_by_role("link", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    _label(page, ES("age.y65")).check()
    page.locator("#f-infection").get_by_label(ES("answer.yes"), exact=True).check()
    _label(page, ES("q.fever_or_chills")).check()
    _label(page, ES("q.short_of_breath")).check()
    _shot(page, artifacts, "check-es")
    _submit(page, ES("button.advice"))
    assert _result_heading(page) == ES("level.URGENT")
    main = page.locator("main").inner_text()
    assert ES("reason.U01") in main and ES("reason.U12") in main
    _shot(page, artifacts, "result-urgent-es")


def test_monitor_journey(page: Any, server: Any, artifacts: Path) -> None:
    """Adult with an infection and a fever only: MONITOR, with what to watch for."""
    page.goto(f"{server.url}/check")
    _label(page, EN("age.y16")).check()
    page.locator("#f-infection").get_by_label(EN("answer.yes"), exact=True).check()
    _label(page, EN("q.fever_or_chills")).check()
    page.get_by_label(EN("q.temp_c"), exact=True).fill("38.3")
    page.get_by_label(EN("q.heart_rate"), exact=True).fill("84")
    _submit(page, EN("button.advice"))
    assert _result_heading(page) == EN("level.MONITOR")
    main = page.locator("main").inner_text()
    assert EN("reason.M01") in main and EN("result.escalate_EMERGENCY") in main
    assert EN("escalate.confusion") in main
    _shot(page, artifacts, "result-monitor-en")


def test_age_not_sure_journey(page: Any, server: Any, artifacts: Path) -> None:
    """ "I'm not sure" about the age (D13): every measurement stays asked; SpO2 80 % is EMERGENCY."""
    page.goto(f"{server.url}/check")
    _label(page, EN("age.m0")).check()
    assert not page.locator("#i-sbp").is_visible()  # blood pressure: 12 and over only
    page.locator("#i-age-unknown").check()  # "I'm not sure" (the same words as other answers)
    for key in ("heart_rate", "resp_rate", "spo2", "sbp"):
        field = page.locator(f"#i-{key}")
        assert field.is_visible() and field.is_enabled(), key
    assert page.get_by_label(EN("q.weak_high_pitched_cry")).is_visible()  # asked too
    page.get_by_label(EN("q.spo2"), exact=True).fill("80")
    _submit(page, EN("button.advice"))
    assert _result_heading(page) == EN("level.EMERGENCY")
    main = page.locator("main").inner_text()
    assert EN("reason.E13") in main and EN("note.age_unknown") in main
    _shot(page, artifacts, "result-age-unknown-en")


def test_keyboard_only(page: Any, server: Any, artifacts: Path) -> None:
    """Tab, arrow keys, Space and Enter only: an adult with a rash that does not fade."""
    page.goto(f"{server.url}/check")

    def tab_to(selector: str, limit: int = 150) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
                return
        pytest.fail(f"could not reach {selector} with the Tab key")

    tab_to('input[name="age_group"]')
    for _ in range(9):  # radio group: arrows move from "under 3 months" to "16 to 64 years"
        page.keyboard.press("ArrowRight")
    assert page.locator("#i-age-y16").is_checked()
    tab_to("#i-non_blanching_rash")
    page.keyboard.press("Space")
    assert page.locator("#i-non_blanching_rash").is_checked()
    assert page.locator("#sign-alert").inner_text().strip() == EN("notice.sign_ticked")
    focus_ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus_ring != "none"
    tab_to('button[value="now"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _result_heading(page) == EN("level.EMERGENCY")
    assert EN("reason.E04") in page.locator("main").inner_text()


def test_works_without_javascript(browser: Any, server: Any, artifacts: Path) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/check")
        assert page.get_by_label(EN("q.weak_high_pitched_cry")).is_visible()  # all shown, with a note
        assert EN("check.ages_under_5") in page.locator("#f-weak_high_pitched_cry").inner_text()
        _shot(page, artifacts, "check-no-js-en")
        page.get_by_label(EN("age.y8"), exact=True).check()
        page.locator("#f-infection").get_by_label(EN("answer.yes"), exact=True).check()
        page.get_by_label(EN("q.leg_pain")).check()
        _submit(page, EN("button.advice"))
        assert _result_heading(page) == EN("level.URGENT")
        assert EN("reason.U11") in page.locator("main").inner_text()
    finally:
        context.close()


def test_unusual_reading_is_asked_again(page: Any, server: Any) -> None:
    page.goto(f"{server.url}/check")
    _label(page, EN("age.y16")).check()
    page.get_by_label(EN("q.temp_c"), exact=True).fill("98.6")
    _submit(page, EN("button.advice"))
    summary = page.locator("#error-summary")
    assert EN("error.temp_c") in summary.inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    assert page.get_by_label(EN("q.temp_c"), exact=True).input_value() == "98.6"


AUDITED = [
    ("check-en", "GET", "/check?lang=en", None),
    ("check-es", "GET", "/check?lang=es", None),
    ("learn-en", "GET", "/learn?lang=en", None),
    ("learn-es", "GET", "/learn?lang=es", None),
    ("emergency-en", "POST", "/check", {"age_group": "y16", "confusion": "yes", "lang": "en"}),
    ("urgent-es", "POST", "/check", {"age_group": "y65", "infection": "yes", "fever_or_chills": "yes", "lang": "es"}),
    ("monitor-en", "POST", "/check", {"age_group": "y16", "infection": "no", "lang": "en"}),
    ("error-en", "POST", "/check", {"age_group": "y16", "temp_c": "98.6", "lang": "en"}),
]


@pytest.mark.parametrize(("name", "method", "path", "form"), AUDITED, ids=[a[0] for a in AUDITED])
def test_axe_audit(browser: Any, server: Any, artifacts: Path, name: str, method: str, path: str, form: Any) -> None:
    """axe-core finds no serious or critical accessibility violation (CSP bypassed only to inject axe)."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    try:
        page = context.new_page()
        if method == "GET":
            page.goto(f"{server.url}{path}")
        else:
            page.goto(f"{server.url}/check")
            with page.expect_navigation():
                page.evaluate(
                    """([action, fields]) => {
                        const f = document.createElement('form'); f.method = 'post'; f.action = action;
                        for (const [k, v] of Object.entries(fields)) {
                            const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;
                            f.appendChild(i);
                        }
                        document.body.appendChild(f); f.submit();
                    }""",
                    [path, form],
                )
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        detail = json.dumps(
            [{"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"][:3]]} for v in bad],
            indent=1,
        )
        assert bad == [], f"{name}: {detail}"
        _shot(page, artifacts, f"axe-{name}")
    finally:
        context.close()


def test_phone_width_pages_fit_and_no_cookies(context: Any, server: Any, artifacts: Path) -> None:
    """No sideways scrolling at 390 px; no cookie after a whole journey; learn page screenshot."""
    page = context.new_page()
    for path in ("/check", "/learn", "/learn?lang=es"):
        page.goto(f"{server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
    _shot(page, artifacts, "learn-es")
    page.goto(f"{server.url}/learn")
    _shot(page, artifacts, "learn-en")
    page.goto(f"{server.url}/check")
    _shot(page, artifacts, "check-en")
    _label(page, EN("age.y16")).check()
    _submit(page, EN("button.advice"))
    assert context.cookies() == []
    assert "117.9" not in server.output()
