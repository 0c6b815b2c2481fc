"""Alert rules as data, and the lifecycle: one active alert per rule, no re-fire while handled,
re-arm after clearing."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from sepsiscope.errors import UsageError
from sepsiscope.scores.news2 import RISK_LABELS
from sepsiscope.service.alert_rules import load_rules, parse_rules
from tests.service.conftest import Service, make_service

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
CALM = {
    "resp_rate": 16,
    "spo2": 97,
    "supplemental_o2": False,
    "sbp": 125,
    "heart_rate": 75,
    "consciousness": "A",
    "temp_c": 37.0,
}  # NEWS2 0
MEDIUM = {**CALM, "resp_rate": 22, "heart_rate": 112, "temp_c": 38.6}  # 2 + 2 + 1 = 5: urgent
SINGLE_THREE = {**CALM, "resp_rate": 25}  # one parameter scoring 3: urgent (low-medium)
HIGH = {**CALM, "resp_rate": 26, "heart_rate": 135, "sbp": 95, "consciousness": "V"}  # 3 + 3 + 2 + 3 = 11


def vitals(pid: str, hour: int, values: dict[str, Any]) -> list[dict[str, Any]]:
    t = (T0 + timedelta(hours=hour)).isoformat()
    return [{"patient_id": pid, "time": t, "variable": k, "value": v} for k, v in values.items()]


@pytest.fixture
def news2_only(database_url: str, tmp_path: Path) -> Any:
    """The packaged NEWS2 rule alone (so qSOFA and the model do not add alerts to these stories)."""
    text = files("sepsiscope.service").joinpath("alert_rules.toml").read_text("utf-8")
    rules = tmp_path / "news2.toml"
    rules.write_text(text.split('[[rule]]\nid = "qsofa"')[0])
    yield from make_service(database_url, alert_rules=rules)


def alerts(service: Service, **params: str) -> list[dict[str, Any]]:
    r = service.client.get("/api/v1/alerts", params=params, headers=service.headers("nurse"))
    assert r.status_code == 200
    return r.json()["alerts"]  # type: ignore[no-any-return]


def act(
    service: Service, alert_id: int, action: str, body: dict[str, Any], role: str = "nurse", expect: int = 200
) -> Any:
    r = service.client.post(f"/api/v1/alerts/{alert_id}/{action}", json=body, headers=service.headers(role))
    assert r.status_code == expect, r.text
    return r.json()


@pytest.mark.parametrize(("values", "level"), [(CALM, None), (SINGLE_THREE, "urgent"), (MEDIUM, "urgent"),
                                               (HIGH, "emergency")])  # fmt: skip
def test_news2_levels(news2_only: Service, values: dict[str, Any], level: str | None) -> None:
    news2_only.put_patient("p1", age_years=60)
    news2_only.post_observations(vitals("p1", 0, values))
    got = alerts(news2_only)
    assert [a["level"] for a in got] == ([level] if level else [])


def test_edges_of_news2_thresholds_both_sides(news2_only: Service) -> None:
    """NEWS2 4 (no single 3): nothing; 5: urgent; 6: urgent; 7: emergency (RCP Chart 2)."""
    stories = {4: {**CALM, "resp_rate": 22, "heart_rate": 112}, 5: MEDIUM, 6: {**MEDIUM, "spo2": 95},
               7: {**MEDIUM, "spo2": 95, "sbp": 105}}  # fmt: skip
    expected = {4: [], 5: ["urgent"], 6: ["urgent"], 7: ["emergency"]}
    for total, values in stories.items():
        pid = f"n{total}"
        news2_only.put_patient(pid, age_years=60)
        news2_only.post_observations(vitals(pid, 0, values))
        assert news2_only.get(f"/api/v1/patients/{pid}")["scores"]["news2"]["total"] == total
        assert [a["level"] for a in alerts(news2_only, patient_id=pid)] == expected[total]


def test_missing_component_never_hides_a_trigger(news2_only: Service) -> None:
    """Seven points from the parameters measured fire the emergency even with temperature missing (D-5)."""
    values = {k: v for k, v in HIGH.items() if k != "temp_c"}
    news2_only.put_patient("p1", age_years=60)
    news2_only.post_observations(vitals("p1", 0, values))
    (alert,) = alerts(news2_only)
    assert alert["level"] == "emergency"
    assert alert["reasons"] == ["NEWS2 trigger: NEWS2 11 without temp_c (not measured) (≥ 7)"]


def test_lifecycle_acknowledge_escalate_snooze_resolve_rearm(news2_only: Service) -> None:
    s = news2_only
    s.put_patient("p1", age_years=60)
    s.post_observations(vitals("p1", 0, MEDIUM))
    (a,) = alerts(s)
    assert (a["rule"], a["level"], a["state"]) == ("news2", "urgent", "open")
    act(s, a["id"], "acknowledge", {"note": "on my way"})
    s.post_observations(vitals("p1", 1, MEDIUM))  # still urgent: no new alert while acknowledged
    assert [(x["id"], x["state"]) for x in alerts(s)] == [(a["id"], "acknowledged")]
    s.post_observations(vitals("p1", 2, HIGH))  # the level rises: escalated and open again
    (b,) = alerts(s)
    assert (b["id"], b["level"], b["state"]) == (a["id"], "emergency", "open")
    act(s, a["id"], "snooze", {"minutes": 30, "note": "doctor at bedside"})
    s.post_observations(vitals("p1", 3, HIGH))
    assert alerts(s)[0]["state"] == "snoozed"
    act(s, a["id"], "resolve", {"reason": "sepsis pathway started"}, role="clinician")
    s.post_observations(vitals("p1", 4, HIGH))  # condition still holds: no new alert after a resolve
    assert [x["state"] for x in alerts(s)] == ["resolved"]
    s.post_observations(vitals("p1", 5, CALM))  # clears...
    s.post_observations(vitals("p1", 6, HIGH))  # ...and returns: fires again
    new = alerts(s, state="open")
    assert len(new) == 1 and new[0]["id"] != a["id"]
    history = [(h["action"], h["who"]) for h in alerts(s, state="resolved")[0]["history"]]
    assert history == [("opened", "system:monitor"), ("acknowledged", "nurse:test-nurse"),
                       ("escalated", "system:monitor"), ("snoozed", "nurse:test-nurse"),
                       ("resolved", "clinician:test-clinician")]  # fmt: skip


def test_snooze_ends_and_reopens(news2_only: Service) -> None:
    from sepsiscope.service.db.models import Alert

    s = news2_only
    s.put_patient("p1", age_years=60)
    s.post_observations(vitals("p1", 0, MEDIUM))
    (a,) = alerts(s)
    act(s, a["id"], "snooze", {"minutes": 5})
    with s.ctx.sessions.begin() as session:  # let the snooze run out
        row = session.get(Alert, a["id"])
        assert row is not None and row.snoozed_until is not None
        row.snoozed_until = datetime.now(UTC) - timedelta(seconds=1)
    (b,) = alerts(s)
    assert b["state"] == "open" and b["history"][-1]["note"] == "snooze ended"


def test_invalid_transitions_are_409(news2_only: Service) -> None:
    s = news2_only
    s.put_patient("p1", age_years=60)
    s.post_observations(vitals("p1", 0, MEDIUM))
    (a,) = alerts(s)
    act(s, a["id"], "resolve", {"reason": "false alarm: probe off"})
    err = act(s, a["id"], "acknowledge", {}, expect=409)["error"]
    assert err["code"] == "invalid_transition"
    assert act(s, 999, "acknowledge", {}, expect=404)["error"]["code"] == "unknown_alert"
    assert act(s, a["id"], "snooze", {"minutes": 0}, expect=422)["error"]["field"] == "minutes"
    assert act(s, a["id"], "resolve", {}, expect=422)["error"]["field"] == "reason"


def test_qsofa_and_model_rules_from_the_packaged_file(service: Service) -> None:
    service.put_patient("p1", age_years=60)
    service.post_observations(vitals("p1", 0, {"resp_rate": 24, "sbp": 95, "consciousness": "C"}))
    rules = {a["rule"]: a["level"] for a in alerts(service)}
    assert rules["qsofa"] == "urgent"
    risk = service.get("/api/v1/patients/p1")["risk"]
    assert ("model" in rules) == bool(risk["alert"])


def test_phoenix_rule_needs_child_and_suspected_infection(service: Service) -> None:
    born = (T0 - timedelta(days=900)).date().isoformat()
    sick = {"heart_rate": 190, "map": 35, "lactate": 6.0, "platelets": 80}
    for pid, infection in (("c1", False), ("c2", True)):
        service.put_patient(pid, birth_date=born)
        items = vitals(pid, 0, sick)
        if infection:
            items += vitals(pid, 0, {"suspected_infection": True})
        service.post_observations(items)
        phoenix = service.get(f"/api/v1/patients/{pid}")["scores"]["phoenix"]
        assert sum(v for v in phoenix["components"].values() if v) >= 2
    assert [a["patient_id"] for a in alerts(service, state="open") if a["rule"] == "phoenix"] == ["c2"]


def test_packaged_news2_rule_agrees_with_the_news2_risk_bands() -> None:
    """The alert levels restate RCP Chart 2; they must match news2's own risk labels."""
    from sepsiscope.scores.calculator import score_line
    from sepsiscope.scores.registry import SCORES
    from sepsiscope.service.alert_rules import facts
    from sepsiscope.service.snapshot import Snapshot

    rule = next(r for r in load_rules() if r.id == "news2")
    for values in (
        CALM,
        SINGLE_THREE,
        MEDIUM,
        HIGH,
        {**MEDIUM, "spo2": 95},
        {**CALM, "resp_rate": 22, "heart_rate": 112},
    ):
        obj = score_line(SCORES["news2"], json.dumps(values))
        fired = rule.evaluate(facts(Snapshot(as_of=T0, scores={"news2": obj})))
        level = fired[0] if fired else None
        assert level == {"high": "emergency", "medium": "urgent", "low-medium": "urgent", "low": None}[obj["risk"]]
    assert set(RISK_LABELS) == {"low", "low-medium", "medium", "high"}


@pytest.mark.parametrize(("text", "message"), [
    ("[[rule]]\nid='x'\ntitle='t'\nsource='s'\n[[rule.level]]\nlevel='red'\nall=[{fact='a', ge=1}]", "level must be"),
    ("[[rule]]\nid='x'\ntitle='t'\nsource='s'\n[[rule.level]]\nlevel='urgent'\nall=[{fact='a', ge=1, le=2}]",
     "exactly one"),
    ("[[rule]]\nid='x'\ntitle='t'\nsource='s'\n[[rule.level]]\nlevel='urgent'", "give 'all' or 'any'"),
    ("[[rule]]\nid='x'\ntitle='t'\n", "missing 'source'"),
    ("rule = [", "not valid TOML"),
    ("", "no [[rule]]"),
])  # fmt: skip
def test_bad_rule_files_are_refused_with_the_place(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        parse_rules(text, "my-rules.toml")
