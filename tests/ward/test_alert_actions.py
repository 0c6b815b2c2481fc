"""Alert actions from the pages: the API's lifecycle, who and when in history and audit, CSRF, bad input."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.ward.conftest import CALM, Ward, sick_patient


def _alerts(w: Ward) -> dict[str, dict[str, Any]]:
    return {a["rule"]: a for a in w.api("GET", "/api/v1/alerts", role="nurse")["alerts"]}


def _post(w: Ward, c: TestClient, alert_id: int, action: str, **fields: str) -> Any:
    data = {"csrf": w.csrf(c, "/ward/alerts"), "back": "/ward/alerts", **fields}
    return c.post(f"/ward/alerts/{alert_id}/{action}", data=data)


@pytest.mark.parametrize("role", ["nurse", "clinician", "admin"])
def test_acknowledge_from_the_page_is_the_api_lifecycle_step(ward_db: Ward, role: str) -> None:
    ward = ward_db
    sick_patient(ward)
    alert = _alerts(ward)["news2"]
    c = ward.sign_in(role)
    inbox = c.get("/ward/alerts").text
    assert f'id="alert-{alert["id"]}"' in inbox and f'id="ack-{alert["id"]}"' in inbox
    r = _post(ward, c, alert["id"], "acknowledge", note="on my way")
    assert r.status_code == 303
    assert r.headers["location"] == f"/ward/alerts?done=acknowledged-{alert['id']}#alert-{alert['id']}"
    assert f"Alert {alert['id']} acknowledged." in c.get(r.headers["location"]).text
    after = _alerts(ward)["news2"]
    assert after["state"] == "acknowledged"
    last = after["history"][-1]
    assert (last["action"], last["who"], last["note"]) == ("acknowledged", f"{role}:test-{role}", "on my way")
    assert datetime.fromisoformat(last["when"]) == ward.clock.now  # the ward's clock, as the API's
    entries = ward.api("GET", "/api/v1/audit", role="admin", params={"limit": 1000})["entries"]
    acted = [e for e in entries if e["action"] == "alert.acknowledged"]
    assert len(acted) == 1 and acted[0]["actor"] == f"{role}:test-{role}"
    assert acted[0]["target"] == f"alert/{alert['id']}" and acted[0]["detail"]["note"] == "on my way"


@pytest.mark.parametrize("csrf", [None, "", "not-the-token"])
def test_actions_without_the_csrf_token_change_nothing(ward: Ward, csrf: str | None) -> None:
    sick_patient(ward)
    alert = _alerts(ward)["news2"]
    c = ward.sign_in("nurse")
    for action, extra in (("acknowledge", {}), ("snooze", {"minutes": "30"}), ("resolve", {"reason": "x"})):
        data = {"back": "/ward/alerts", **extra} | ({"csrf": csrf} if csrf is not None else {})
        r = c.post(f"/ward/alerts/{alert['id']}/{action}", data=data)
        assert r.status_code == 403 and "nothing was changed" in r.text
    assert _alerts(ward)["news2"]["state"] == "open" and len(_alerts(ward)["news2"]["history"]) == 1


def test_an_action_needs_a_session(ward: Ward) -> None:
    sick_patient(ward)
    alert = _alerts(ward)["news2"]
    r = ward.client().post(f"/ward/alerts/{alert['id']}/acknowledge", data={"csrf": "x"})
    assert r.status_code == 303 and r.headers["location"] == "/ward/sign-in"
    assert _alerts(ward)["news2"]["state"] == "open"


def test_snooze_with_minutes_and_resolve_with_reason(ward: Ward) -> None:
    sick_patient(ward)
    alerts = _alerts(ward)
    c = ward.sign_in("nurse")
    assert _post(ward, c, alerts["news2"]["id"], "snooze", minutes="45").status_code == 303
    snoozed = _alerts(ward)["news2"]
    assert snoozed["state"] == "snoozed"
    assert datetime.fromisoformat(snoozed["snoozed_until"]) == ward.clock.now + timedelta(minutes=45)
    assert "Snoozed until 04:15 UTC" in c.get("/ward/alerts").text
    r = _post(ward, c, alerts["qsofa"]["id"], "resolve", reason="reviewed by the outreach team", back="/patients/p1")
    assert r.headers["location"].startswith("/patients/p1?done=resolved-")
    page = c.get(r.headers["location"]).text
    assert f"Alert {alerts['qsofa']['id']} resolved." in page
    history = page[page.index('id="history-h"') :]  # a resolved alert keeps its reasons and who closed it
    assert "qSOFA positive" in history and "reviewed by the outreach team" in history and "nurse:test-nurse" in history
    resolved = _alerts(ward)["qsofa"]
    assert resolved["state"] == "resolved" and resolved["history"][-1]["note"] == "reviewed by the outreach team"


@pytest.mark.parametrize(
    ("action", "fields", "words"),
    [
        ("snooze", {"minutes": "0"}, "minutes"),
        ("snooze", {"minutes": "1441"}, "minutes"),
        ("snooze", {"minutes": "soon"}, "minutes"),
        ("snooze", {}, "minutes"),
        ("resolve", {"reason": "   "}, "reason"),
        ("resolve", {}, "reason"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(ward: Ward, action: str, fields: dict[str, str], words: str) -> None:
    sick_patient(ward)
    alert = _alerts(ward)["news2"]
    r = _post(ward, ward.sign_in("nurse"), alert["id"], action, **fields)
    assert r.status_code == 422 and words in r.text and "Nothing was changed" in r.text
    assert _alerts(ward)["news2"]["state"] == "open"


def test_a_transition_the_state_does_not_allow_is_409(ward: Ward) -> None:
    sick_patient(ward)
    alert = _alerts(ward)["news2"]
    c = ward.sign_in("nurse")
    assert _post(ward, c, alert["id"], "acknowledge").status_code == 303
    r = _post(ward, c, alert["id"], "acknowledge")
    assert r.status_code == 409 and "only an open or snoozed alert can be acknowledged" in r.text


@pytest.mark.parametrize(("alert_id", "action"), [("999", "acknowledge"), ("1", "delete"), ("abc", "acknowledge")])
def test_unknown_alert_or_action_is_404(ward: Ward, alert_id: str, action: str) -> None:
    c = ward.sign_in("nurse")
    r = c.post(f"/ward/alerts/{alert_id}/{action}", data={"csrf": ward.csrf(c), "back": "/ward/alerts"})
    assert r.status_code == 404


def test_inbox_groups_by_state(ward: Ward) -> None:
    sick_patient(ward, bed="7")
    alerts = _alerts(ward)
    c = ward.sign_in("nurse")
    _post(ward, c, alerts["qsofa"]["id"], "snooze", minutes="30")
    html = c.get("/ward/alerts").text
    open_part = html[html.index('id="open"') : html.index('id="acknowledged"', html.index('id="open"') + 1)]
    snoozed_part = html[html.index('<h2 id="snoozed"') :]
    assert f'id="alert-{alerts["news2"]["id"]}"' in open_part and "Bed 7 · p1" in open_part
    assert f'id="alert-{alerts["qsofa"]["id"]}"' in snoozed_part
    assert "NEWS2 trigger" in open_part


def test_inbox_lists_emergency_before_a_newer_urgent_alert(ward: Ward) -> None:
    sick_patient(ward, "older-emergency", bed="1")
    ward.patient("newer-urgent", bed="2")
    ward.vitals("newer-urgent", ward.clock.now - timedelta(minutes=5),
                {**CALM, "resp_rate": 22, "heart_rate": 112, "temp_c": 38.6})  # fmt: skip  # NEWS2 5
    html = ward.sign_in("nurse").get("/ward/alerts").text
    open_part = html[html.index('<h2 id="open"') : html.index('<h2 id="acknowledged"')]
    levels = re.findall(r'class="alert alert-(\w+)"', open_part)
    assert levels[0] == "emergency" and "urgent" in levels
    assert open_part.index("older-emergency") < open_part.index("newer-urgent")
