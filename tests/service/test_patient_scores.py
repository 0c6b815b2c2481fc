"""GET /patients/{id} gives, for every score, exactly what ``sepsiscope calc`` gives on the same inputs.

The expected case is built here independently of the service: each variable's latest value
whose hour is within its ``carry_h`` of the latest hour (variables.toml), plus age and sex.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from sepsiscope.cli import app as cli
from sepsiscope.variables.registry import REGISTRY
from tests.service.conftest import Service

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def at(hours: float, minutes: int = 0) -> str:
    return (T0 + timedelta(hours=hours, minutes=minutes)).isoformat()


def calc(score: str, case: dict[str, Any]) -> dict[str, Any]:
    """The real ``sepsiscope calc SCORE`` on one case (an error's ``line 1:`` prefix dropped:
    the service has no input lines)."""
    result = CliRunner().invoke(cli, ["calc", score], input=json.dumps(case) + "\n")
    out: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    if "error" in out:
        out["error"]["message"] = out["error"]["message"].removeprefix("line 1: ")
    return out


def obs(pid: str, hours: float, variable: str, value: Any, unit: str | None = None, minutes: int = 0) -> dict[str, Any]:
    item = {"patient_id": pid, "time": at(hours, minutes), "variable": variable, "value": value}
    if unit:
        item["unit"] = unit
    return item


def expected_case(items: list[dict[str, Any]], age: dict[str, Any]) -> dict[str, Any]:
    """Values in force at the latest hour: latest per variable, within carry_h (None = for the stay)."""

    def hour(item: dict[str, Any]) -> int:
        return int((datetime.fromisoformat(item["time"]) - T0).total_seconds() // 3600)

    last_hour = max(hour(i) for i in items)
    latest: dict[str, dict[str, Any]] = {}
    for item in sorted(items, key=lambda i: i["time"]):
        latest[item["variable"]] = item
    case = dict(age)
    for name, item in latest.items():
        carry = REGISTRY[name].carry_h
        if carry is None or last_hour - hour(item) <= carry:
            case[name] = item["value"]
    return case


ADULT = [
    obs("a1", 0, "heart_rate", 88), obs("a1", 0, "temp_c", 38.4), obs("a1", 0, "creatinine", 2.4),
    obs("a1", 1, "platelets", 95), obs("a1", 1, "bilirubin_total", 2.2), obs("a1", 1, "pao2", 70),
    obs("a1", 1, "fio2", 0.5), obs("a1", 1, "ventilated", True), obs("a1", 1, "wbc", 14.2),
    obs("a1", 5, "resp_rate", 24), obs("a1", 5, "sbp", 96), obs("a1", 5, "map", 62), obs("a1", 5, "spo2", 93),
    obs("a1", 5, "supplemental_o2", True), obs("a1", 5, "consciousness", "V"), obs("a1", 5, "gcs", 12),
    obs("a1", 6, "heart_rate", 118, minutes=20), obs("a1", 6, "norepinephrine", 0.08),
    obs("a1", 6, "urine_output_ml_24h", 450), obs("a1", 6, "paco2", 30),
]  # fmt: skip


def test_adult_scores_equal_calc_with_carry_forward(service: Service) -> None:
    service.put_patient("a1", age_years=67, sex="female")
    service.post_observations(ADULT)
    body = service.get("/api/v1/patients/a1")
    case = expected_case(ADULT, {"age_years": 67.0, "sex": "female"})
    assert "temp_c" in case and case["heart_rate"] == 118  # temp carried 6 h (carry 8 h); the newer HR wins
    assert set(body["scores"]) == {"sirs", "qsofa", "news2", "mews", "sofa"}
    for score, got in body["scores"].items():
        assert got == calc(score, case), score
    assert body["as_of"] == "2026-03-01T12:00:00Z"
    assert body["latest"]["heart_rate"] == {
        "value": 118,
        "unit": "/min",
        "time": "2026-03-01T12:20:00Z",
        "in_force": True,
    }


def test_values_past_their_carry_age_are_not_in_force(service: Service) -> None:
    items = [obs("a2", 0, "heart_rate", 130), obs("a2", 0, "temp_c", 39.0), obs("a2", 9, "resp_rate", 22)]
    service.put_patient("a2", age_years=50)
    service.post_observations(items)
    body = service.get("/api/v1/patients/a2")
    assert body["latest"]["heart_rate"]["in_force"] is False  # 9 h old, carry 4 h
    assert body["latest"]["temp_c"]["in_force"] is False  # 9 h old, carry 8 h
    assert body["scores"]["sirs"]["components"]["heart_rate"] is None
    assert "heart_rate" in body["scores"]["sirs"]["missing"]
    for score, got in body["scores"].items():
        assert got == calc(score, expected_case(items, {"age_years": 50.0})), score


def test_edge_of_carry_age_both_sides(service: Service) -> None:
    """HR carries 4 h: at 4 h it is in force, at 5 h it is not (variables.toml, docs/cohort.md)."""
    service.put_patient("e1", age_years=40)
    service.post_observations([obs("e1", 0, "heart_rate", 120), obs("e1", 4, "resp_rate", 18)])
    assert service.get("/api/v1/patients/e1")["latest"]["heart_rate"]["in_force"] is True
    service.post_observations([obs("e1", 5, "resp_rate", 18)])
    assert service.get("/api/v1/patients/e1")["latest"]["heart_rate"]["in_force"] is False


def test_units_are_converted_before_scoring(service: Service) -> None:
    items = [obs("u1", 0, "temp_c", 101.3, "[degF]"), obs("u1", 0, "creatinine", 176.8, "umol/L"),
             obs("u1", 0, "platelets", 95000, "/uL")]  # fmt: skip
    service.put_patient("u1", age_years=70)
    service.post_observations(items)
    body = service.get("/api/v1/patients/u1")
    assert body["latest"]["temp_c"]["value"] == pytest.approx(38.5)
    assert body["latest"]["creatinine"]["value"] == pytest.approx(2.0)
    assert body["latest"]["platelets"]["value"] == pytest.approx(95.0)
    stored = service.get("/api/v1/patients/u1/observations")["observations"]
    assert {o["variable"]: (o["sent_value"], o["sent_unit"]) for o in stored}["temp_c"] == (101.3, "[degF]")
    case = {"age_years": 70.0, "temp_c": 38.5, "creatinine": 2.0, "platelets": 95.0}
    for score, got in body["scores"].items():
        assert got == calc(score, case), score


def test_child_gets_pediatric_scores_and_adult_scores_refuse(service: Service) -> None:
    born = (T0 - timedelta(days=400)).date().isoformat()
    items = [obs("c1", 0, "heart_rate", 190), obs("c1", 0, "resp_rate", 55), obs("c1", 0, "temp_c", 39.2),
             obs("c1", 0, "map", 40), obs("c1", 0, "lactate", 6.0), obs("c1", 0, "platelets", 80),
             obs("c1", 0, "suspected_infection", True)]  # fmt: skip
    service.put_patient("c1", birth_date=born, sex="male")
    service.post_observations(items)
    body = service.get("/api/v1/patients/c1")
    assert set(body["scores"]) == {"sirs", "qsofa", "news2", "mews", "sofa", "phoenix", "pediatric_sirs"}
    case = expected_case(items, {"age_years": 1.0, "age_days": 400.0, "sex": "male"})
    for score, got in body["scores"].items():
        assert got == calc(score, case), score
    assert body["scores"]["news2"]["error"]["code"] == "not_adult"
    assert body["risk"]["probability"] is None and "adults" in body["risk"]["note"]


def test_risk_matches_batch_predict(service: Service) -> None:
    """The risk shown equals ``predict_table`` on the same hourly table (the model's own path)."""
    from sepsiscope.model.predict import predict_table
    from sepsiscope.service.db.models import Patient
    from sepsiscope.service.monitor import load_state

    service.put_patient("a1", age_years=60, sex="male")
    service.post_observations(ADULT[:10])
    service.post_observations(ADULT[10:])
    body = service.get("/api/v1/patients/a1")
    with service.ctx.sessions() as session:
        patient = session.get(Patient, "a1")
        assert patient is not None
        table = load_state(session, patient, service.ctx.artifact, datetime.now(UTC)).hourly.table
    batch = predict_table(service.ctx.artifact, table).frame
    assert body["risk"]["probability"] == round(float(batch["probability"][-1]), 4)
    assert body["risk"]["alert"] == bool(batch["label"][-1])
    assert body["risk"]["threshold"] == round(service.ctx.artifact.threshold, 4)
    timeline = service.get("/api/v1/patients/a1/timeline")["hours"]
    assert [h["risk"] for h in timeline] == [round(float(p), 6) for p in batch["probability"]]
    assert [h["hour_start"][11:13] for h in timeline] == ["06", "07", "11", "12"]
