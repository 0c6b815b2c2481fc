"""The ward pages in a real browser (Debian chromium) against the real ``sepsiscope serve``.

* An observation posted through the API shows on ``/ward`` and raises an alert there without a
  reload, while the keyboard focus stays where it was; acknowledging it from the page changes
  its state in the API and writes the audit entry.
* A nurse cannot reach the admin page; without a session no page or partial carries data.
* Keyboard only: sign in, open a patient, acknowledge and snooze, with a visible focus ring.
* axe-core: no serious or critical violation on any page.
* Screenshots of ``/ward`` and a patient page at 1,280 and 390 px go to the test run's temporary
  folder (``ward-artifacts``), never into the repository.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import AXE, PHONE
from tests.browser.ward_server import WardServer, ward_server

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
SICK = {"resp_rate": 28, "spo2": 91, "supplemental_o2": False, "sbp": 88, "heart_rate": 138, "consciousness": "V",
        "temp_c": 39.4}  # fmt: skip


@pytest.fixture(scope="module")
def ward(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WardServer]:
    """The server with a replayed synthetic ward (6 patients, 24 h) and a token per role."""
    with ward_server(tmp_path_factory.mktemp("ward-server")) as running:
        yield running


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots of this run (kept with pytest's temporary folders, not committed)."""
    return tmp_path_factory.mktemp("ward-artifacts")


def _context(browser: Any, viewport: dict[str, int] = DESK, **kw: Any) -> Any:
    return browser.new_context(viewport=viewport, device_scale_factor=1, locale="en-GB", **kw)


def sign_in(page: Any, ward: WardServer, role: str, target: str = "/ward") -> None:
    page.goto(f"{ward.url}{target}")
    assert "/ward/sign-in" in page.url
    page.get_by_label("Your token").fill(ward.tokens[role])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith(target), page.url


def _observations(pid: str, when: datetime, values: dict[str, Any]) -> dict[str, Any]:
    return {"observations": [{"patient_id": pid, "time": when.isoformat(), "variable": k, "value": v}
                             for k, v in values.items()]}  # fmt: skip


def _focus_ring(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.activeElement).outlineStyle"))


def test_new_alert_appears_without_reload_and_acknowledging_it_reaches_the_api(browser: Any, ward: WardServer) -> None:
    context = _context(browser)
    try:
        page = context.new_page()
        sign_in(page, ward, "nurse")
        first = page.locator("tbody#ward-rows a").first
        first.focus()
        focused = page.evaluate("document.activeElement.id")
        page.evaluate("window.__notReloaded = true")
        ward.api.call(
            "PUT", "/patients/NEW-1", "integration", {"age_years": 67, "location": {"ward": "4B", "bed": "21"}}
        )
        ward.api.call("POST", "/observations", "integration",
                      _observations("NEW-1", datetime.now(UTC) - timedelta(minutes=5), SICK))  # fmt: skip
        row = page.locator("tr#row-NEW-1")
        row.get_by_text("Emergency").wait_for(timeout=60_000)  # the 5-s poll, after the scorer
        assert page.evaluate("window.__notReloaded === true")  # no reload happened
        assert "21" in row.locator("th").inner_text()
        assert page.evaluate("document.activeElement.id") == focused  # focus kept across the swaps
        assert _focus_ring(page) != "none"
        status = page.locator("#ward-status").inner_text()
        assert "at emergency level" in status
        alert = next(a for a in ward.api.call("GET", "/alerts?patient_id=NEW-1", "nurse")["alerts"]
                     if a["rule"] == "news2")  # fmt: skip
        assert alert["state"] == "open"
        with page.expect_navigation():
            page.get_by_role("link", name="Alerts").click()
        card = page.locator(f"#alert-{alert['id']}")
        with page.expect_navigation():
            card.get_by_role("button", name="Acknowledge").click()
        assert page.locator("#done").inner_text() == f"Alert {alert['id']} acknowledged."
        after = next(a for a in ward.api.call("GET", "/alerts?patient_id=NEW-1", "nurse")["alerts"]
                     if a["id"] == alert["id"])  # fmt: skip
        assert after["state"] == "acknowledged" and after["history"][-1]["who"] == "nurse:ward-nurse"
        entries, after_seq = [], 0
        while True:
            page_ = ward.api.call("GET", f"/audit?after={after_seq}&limit=1000", "admin")
            entries += page_["entries"]
            if page_["next_after"] is None:
                break
            after_seq = page_["next_after"]
        acked = [e for e in entries if e["action"] == "alert.acknowledged" and e["target"] == f"alert/{alert['id']}"]
        assert len(acked) == 1 and acked[0]["actor"] == "nurse:ward-nurse"
    finally:
        context.close()


def test_nurse_cannot_reach_admin_pages(browser: Any, ward: WardServer) -> None:
    context = _context(browser)
    try:
        page = context.new_page()
        sign_in(page, ward, "nurse")
        assert page.get_by_role("link", name="Admin").count() == 0
        response = page.goto(f"{ward.url}/ward/admin")
        assert response.status == 403
        assert "may not open this page" in page.locator("main").inner_text()
        assert "ward-integration" not in page.content()
    finally:
        context.close()


def test_no_session_no_patient_data(browser: Any, ward: WardServer) -> None:
    ids = [r["patient_id"] for r in ward.api.call("GET", "/patients", "nurse")["patients"]]
    context = _context(browser)
    try:
        page = context.new_page()
        for path in ("/ward", "/ward/alerts", f"/patients/{ids[0]}", "/ward/admin", "/ward/rows"):
            page.goto(f"{ward.url}{path}")
            assert "/ward/sign-in" in page.url, path
            html = re.sub(r'<input type="hidden" name="next" value="[^"]*">', "", page.content())  # the URL asked for
            assert not [pid for pid in ids if pid in html], path
        partial = context.request.get(f"{ward.url}/ward/rows", headers={"HX-Request": "true"}, max_redirects=0)
        assert partial.status == 401 and partial.body() == b""
        assert partial.headers["hx-redirect"].startswith("/ward/sign-in")
    finally:
        context.close()
    request = urllib.request.Request(f"{ward.url}/ward/rows", headers={"HX-Request": "true"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    with refused.value as reply:  # an HTTPError holds the connection until closed
        assert reply.code == 401 and reply.read() == b""


def test_keyboard_only(browser: Any, ward: WardServer) -> None:
    """Sign in, open the most urgent patient, snooze then acknowledge an alert: keys only."""
    ward.api.call("PUT", "/patients/KEY-1", "integration", {"age_years": 70, "location": {"ward": "4B", "bed": "22"}})
    ward.api.call("POST", "/observations", "integration",
                  _observations("KEY-1", datetime.now(UTC) - timedelta(minutes=5), SICK))  # fmt: skip
    deadline = time.monotonic() + 60
    while not ward.api.call("GET", "/alerts?patient_id=KEY-1", "nurse")["alerts"]:  # the scorer runs after the write
        assert time.monotonic() < deadline, "no alert for KEY-1 within 60 s"
        time.sleep(0.3)
    context = _context(browser)
    try:
        page = context.new_page()
        page.goto(f"{ward.url}/ward")

        def tab_to(selector: str, limit: int = 200) -> None:
            for _ in range(limit):
                page.keyboard.press("Tab")
                if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
                    assert _focus_ring(page) != "none", selector
                    return
            pytest.fail(f"could not reach {selector} with the Tab key")

        tab_to("#token")
        page.keyboard.type(ward.tokens["clinician"])
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/ward")
        tab_to("a#link-KEY-1")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/patients/KEY-1")
        tab_to("input[id^='minutes-']")
        page.keyboard.press("Control+A")
        page.keyboard.type("20")
        tab_to("button[id^='snooze-']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "done=snoozed-" in page.url
        tab_to("button[id^='ack-']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "done=acknowledged-" in page.url
        tab_to("form.who button")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/ward/sign-in" in page.url
    finally:
        context.close()


PAGES = [
    ("sign-in", None, "/ward/sign-in"),
    ("ward", "nurse", "/ward"),
    ("alerts", "nurse", "/ward/alerts"),
    ("patient", "nurse", "PATIENT"),
    ("admin", "admin", "/ward/admin"),
    ("forbidden", "nurse", "/ward/admin"),
]


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1280", "390"])
@pytest.mark.parametrize(("name", "role", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_and_width(browser: Any, ward: WardServer, name: str, role: str | None, path: str,
                       viewport: dict[str, int]) -> None:  # fmt: skip
    """axe-core finds no serious or critical violation; nothing scrolls sideways (CSP bypassed only for axe)."""
    if path == "PATIENT":
        path = "/patients/" + ward.api.call("GET", "/patients", "nurse")["patients"][0]["patient_id"]
    context = _context(browser, viewport, bypass_csp=True)
    try:
        page = context.new_page()
        if role is not None:
            sign_in(page, ward, role)
        page.goto(f"{ward.url}{path}")
        page.wait_for_load_state("networkidle")
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        detail = json.dumps(
            [{"id": v["id"], "nodes": [n["html"][:200] for n in v["nodes"][:3]]} for v in bad], indent=1
        )
        assert bad == [], f"{name}: {detail}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (name, width)
    finally:
        context.close()


def test_charts_draw_under_the_csp_and_screenshots(browser: Any, ward: WardServer, shots: Path) -> None:
    """uPlot charts draw with the page's own CSP (no violation); screenshots at both widths."""
    top = ward.api.call("GET", "/patients", "nurse")["patients"][0]["patient_id"]
    for label, viewport in (("1280", DESK), ("390", PHONE)):
        context = _context(browser, viewport)
        try:
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda m, seen=problems: seen.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, seen=problems: seen.append(str(e)))
            sign_in(page, ward, "nurse")
            page.screenshot(path=str(shots / f"ward-{label}.png"), full_page=True)
            page.goto(f"{ward.url}/patients/{top}")
            page.locator("#charts canvas").first.wait_for()
            assert page.locator("#charts figure").count() == 4
            assert page.locator("#tables").get_attribute("open") is None  # tables fold away once drawn
            page.screenshot(path=str(shots / f"patient-{label}.png"), full_page=True)
            assert problems == [], problems
        finally:
            context.close()
    for name in ("ward-1280", "ward-390", "patient-1280", "patient-390"):
        assert (shots / f"{name}.png").stat().st_size > 10_000, name


def test_pages_work_without_javascript(browser: Any, ward: WardServer) -> None:
    context = _context(browser, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, ward, "nurse")
        assert page.locator("tbody#ward-rows tr").count() >= 6
        with page.expect_navigation():
            page.get_by_role("link", name="Refresh").click()
        page.locator("tbody#ward-rows a").first.click()
        page.wait_for_load_state()
        assert page.locator("#tables").get_attribute("open") is not None  # the tables are the charts
        assert page.locator("#charts").is_hidden()
    finally:
        context.close()
