"""GET /patients: the ward ranked by open alert level, then model risk, then NEWS2; stale vitals flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.service.conftest import Service

NOW = datetime.now(UTC).replace(microsecond=0)
CALM = {"resp_rate": 16, "spo2": 97, "supplemental_o2": False, "sbp": 125, "heart_rate": 75, "consciousness": "A",
        "temp_c": 37.0}  # fmt: skip


def vitals(pid: str, when: datetime, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"patient_id": pid, "time": when.isoformat(), "variable": k, "value": v} for k, v in values.items()]


def test_ranking_and_stale_flags(service: Service) -> None:
    stories = {
        "calm": {**CALM},
        "urgent": {**CALM, "resp_rate": 22, "heart_rate": 112, "temp_c": 38.6},  # NEWS2 5: urgent
        "emergency": {**CALM, "resp_rate": 26, "heart_rate": 135, "sbp": 95, "consciousness": "V"},
        "three": {**CALM, "heart_rate": 95},  # NEWS2 1, no alert
    }
    for bed, (pid, values) in enumerate(stories.items()):
        service.put_patient(pid, age_years=60, location={"ward": "4B", "bed": str(bed + 1)})
        service.post_observations(vitals(pid, NOW - timedelta(minutes=10), values))
    service.put_patient("old", age_years=60, location={"ward": "4B", "bed": "9"})
    service.post_observations(vitals("old", NOW - timedelta(hours=5), {"heart_rate": 80, "resp_rate": 16}))
    ward = service.get("/api/v1/patients")["patients"]
    order = [row["patient_id"] for row in ward]
    assert order[:2] == ["emergency", "urgent"]
    alerting = {r["patient_id"] for r in ward if r["alert_level"]}
    rest = [r for r in ward if r["patient_id"] not in alerting]
    risks = [r["risk"] for r in rest]
    assert risks == sorted(risks, reverse=True)  # without an alert, the model's risk ranks
    row = {r["patient_id"]: r for r in ward}
    assert row["emergency"]["alert_level"] == "emergency" and row["emergency"]["location"] == {"ward": "4B", "bed": "3"}
    assert row["old"]["stale"] == ["heart_rate", "resp_rate"]  # 5 h old; carry 4 h
    assert row["calm"]["stale"] == [] and row["calm"]["scores"]["news2"] == 0
    detail = service.get("/api/v1/patients/old")
    assert [s["variable"] for s in detail["stale"]] == ["heart_rate", "resp_rate"]
    assert detail["stale"][0]["age_minutes"] >= 300
