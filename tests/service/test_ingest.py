"""Observation and event batches: atomic, idempotent, and every kind of bad input a clear 4xx storing nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.conftest import Service

GOOD = {"patient_id": "p1", "time": "2026-03-01T08:10:00+01:00", "variable": "heart_rate", "value": 92}


def _count(service: Service) -> int:
    return len(service.get("/api/v1/patients/p1/observations")["observations"])


def _timeline(service: Service) -> list[Any]:
    return service.get("/api/v1/patients/p1/timeline")["hours"]  # type: ignore[no-any-return]


@pytest.fixture
def ward(service: Service) -> Service:
    service.put_patient("p1", age_years=55)
    return service


BAD_ITEMS = [
    # (case id, bad item, status, code, field, value)
    ("unknown_variable", {"variable": "heartrate"}, 422, "unknown_variable", "variable", "heartrate"),
    ("unit_does_not_convert", {"variable": "heart_rate", "unit": "kPa"}, 422, "unit", "unit", "kPa"),
    ("unit_on_a_code", {"variable": "consciousness", "value": "A", "unit": "1"}, 422, "unit", "unit", "1"),
    ("time_without_offset", {"time": "2026-03-01T08:10:00"}, 422, "invalid", "time", "2026-03-01T08:10:00"),
    ("time_not_a_time", {"time": "yesterday"}, 422, "invalid", "time", "yesterday"),
    ("unknown_patient", {"patient_id": "nobody"}, 422, "unknown_patient", "patient_id", "nobody"),
    ("out_of_range_fahrenheit", {"variable": "temp_c", "value": 101}, 422, "out_of_range", "value", 101),
    ("fio2_percent_as_fraction", {"variable": "fio2", "value": 40}, 422, "out_of_range", "value", 40),
    ("wrong_type_number", {"variable": "heart_rate", "value": "fast"}, 422, "wrong_type", "value", "fast"),
    ("wrong_type_boolean", {"variable": "supplemental_o2", "value": 1}, 422, "wrong_type", "value", 1.0),
    ("invalid_code", {"variable": "consciousness", "value": "X"}, 422, "invalid_value", "value", "X"),
    ("integer_variable_fraction", {"variable": "gcs", "value": 12.5}, 422, "wrong_type", "value", 12.5),
    ("unknown_field", {"colour": "red"}, 422, "invalid", "colour", "red"),
    ("missing_value", {"value": None}, 422, "invalid", "value", None),
]


@pytest.mark.parametrize(("item", "status", "code", "field", "value"),
                         [pytest.param(*c[1:], id=c[0]) for c in BAD_ITEMS])  # fmt: skip
def test_bad_item_rejects_the_whole_batch(ward: Service, item: dict[str, Any], status: int, code: str,
                                          field: str, value: Any) -> None:  # fmt: skip
    bad = {**GOOD, **item}
    if item.get("value", 0) is None:
        del bad["value"]
    batch = [GOOD, dict(GOOD, variable="resp_rate", value=18), bad]
    r = ward.client.post("/api/v1/observations", json={"observations": batch}, headers=ward.headers("integration"))
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert (error["code"], error["index"], error["field"]) == (code, 2, field)
    assert error["value"] == value
    assert "2" in error["message"]
    assert _count(ward) == 0 and _timeline(ward) == []


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        pytest.param(b"{not json", "application/json", 422, "malformed_json", id="malformed_json"),
        pytest.param(b'{"observations": {}}', "application/json", 422, "invalid", id="not_a_list"),
        pytest.param(b'{"observations": []}', "application/json", 422, "invalid", id="empty"),
        pytest.param(b"[]", "application/json", 422, "invalid", id="array_body"),
    ],
)
def test_malformed_bodies(ward: Service, body: bytes, content_type: str, status: int, code: str) -> None:
    headers = {**ward.headers("integration"), "content-type": content_type}
    r = ward.client.post("/api/v1/observations", content=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert _count(ward) == 0


def test_oversize_batch_is_413_and_stores_nothing(database_url: str) -> None:
    from tests.service.conftest import make_service

    for small in make_service(database_url, max_batch=3):
        small.put_patient("p1", age_years=55)
        items = [dict(GOOD, time=f"2026-03-01T0{h}:00:00Z") for h in range(4)]
        r = small.client.post(
            "/api/v1/observations", json={"observations": items}, headers=small.headers("integration")
        )
        assert r.status_code == 413
        message = "4 observations in one batch; send at most 3"
        assert r.json()["error"] == {"code": "batch_too_large", "message": message, "field": "observations", "value": 4}
        assert _count(small) == 0
        small.post_observations(items[:3])
        assert _count(small) == 3


def test_resent_ids_are_counted_not_stored_twice(ward: Service) -> None:
    first = [dict(GOOD, id="mon-1"), dict(GOOD, id="mon-2", variable="resp_rate", value=20)]
    assert ward.post_observations(first) == {"accepted": 2, "duplicates": 0}
    again = [*first, dict(GOOD, id="mon-3", variable="spo2", value=95)]
    assert ward.post_observations(again) == {"accepted": 1, "duplicates": 2}
    assert ward.post_observations([dict(GOOD, id="mon-4"), dict(GOOD, id="mon-4")]) == {"accepted": 1, "duplicates": 1}
    ids = sorted(o["id"] for o in ward.get("/api/v1/patients/p1/observations")["observations"])
    assert ids == ["mon-1", "mon-2", "mon-3", "mon-4"]


def test_id_reused_for_other_data_is_409_and_stores_nothing(ward: Service) -> None:
    ward.post_observations([dict(GOOD, id="x-1")])
    batch = [dict(GOOD, id="x-2"), dict(GOOD, id="x-1", value=140)]
    r = ward.client.post("/api/v1/observations", json={"observations": batch}, headers=ward.headers("integration"))
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "id_conflict" and r.json()["error"]["index"] == 1
    assert _count(ward) == 1


def test_service_assigns_ids_and_keeps_receipt_time(ward: Service) -> None:
    ward.post_observations([GOOD])
    (o,) = ward.get("/api/v1/patients/p1/observations")["observations"]
    assert o["id"].startswith("svc-") and o["time"] == "2026-03-01T07:10:00Z" and o["received_at"] >= o["time"]
    assert (o["variable"], o["value"], o["unit"]) == ("heart_rate", 92.0, "/min")


def test_late_and_out_of_order_data_rescore_from_that_hour(ward: Service) -> None:
    """A value for an earlier hour rewrites that hour and the later ones it carries into."""
    ward.post_observations([dict(GOOD, time="2026-03-01T10:00:00Z", variable="resp_rate", value=18)])
    ward.post_observations([dict(GOOD, time="2026-03-01T12:00:00Z", variable="resp_rate", value=18)])
    before = {h["hour_start"]: h["scores"]["news2_points"] for h in _timeline(ward)}
    assert before == {"2026-03-01T10:00:00Z": 0, "2026-03-01T12:00:00Z": 0}
    ward.post_observations([dict(GOOD, time="2026-03-01T09:30:00Z", variable="heart_rate", value=135)])  # late
    ward.post_observations([dict(GOOD, time="2026-03-01T11:05:00Z", variable="temp_c", value=39.4)])  # between
    after = {h["hour_start"]: h["scores"]["news2_points"] for h in _timeline(ward)}
    # HR 135 (3 points) carries 4 h: into 10:00 and 11:00, and 12:00 (3 h later) too; temp 39.4 (+2) from 11:00.
    assert after == {"2026-03-01T09:00:00Z": 3, "2026-03-01T10:00:00Z": 3, "2026-03-01T11:00:00Z": 5,
                     "2026-03-01T12:00:00Z": 5}  # fmt: skip


def test_events_are_stored_checked_and_idempotent(ward: Service) -> None:
    h = ward.headers("integration")
    good = [
        {"id": "e1", "patient_id": "p1", "time": "2026-03-01T08:00:00Z", "kind": "blood_culture_drawn",
         "specimen": "blood"},
        {"id": "e2", "patient_id": "p1", "time": "2026-03-01T08:20:00Z", "kind": "antibiotic_given",
         "drug": "piperacillin_tazobactam", "route": "iv"},
        {"id": "e3", "patient_id": "p1", "time": "2026-03-01T08:30:00Z", "kind": "fluid_bolus",
         "fluid": "lactated_ringers", "volume_ml": 1000},
    ]  # fmt: skip
    r = ward.client.post("/api/v1/events", json={"events": good}, headers=h)
    assert r.json() == {"accepted": 3, "duplicates": 0}
    assert ward.client.post("/api/v1/events", json={"events": good}, headers=h).json() == {
        "accepted": 0,
        "duplicates": 3,
    }
    for bad, field in [
        ({"kind": "fluid_bolus", "fluid": "lactated_ringers", "volume_ml": -5}, "volume_ml"),
        ({"kind": "fluid_bolus", "volume_ml": 500}, "fluid"),
        ({"kind": "fluid_bolus", "fluid": "lemonade", "volume_ml": 500}, "fluid"),
        ({"kind": "antibiotic_given", "drug": "aspirin", "route": "iv"}, "drug"),
        ({"kind": "antibiotic_given", "drug": "cefazolin", "route": "nasal"}, "route"),
        ({"kind": "blood_culture_drawn", "specimen": "hair"}, "specimen"),
        ({"kind": "vasopressor_started", "drug": "norepinephrine", "rate": 0.1, "rate_unit": "drops"}, "rate_unit"),
        ({"kind": "vasopressor_stopped", "drug": "saline"}, "drug"),
        ({"kind": "antibiotic_given", "drug": "cefazolin"}, "route"),
        ({"kind": "vasopressor_started", "drug": "norepinephrine", "rate": 0.1}, "rate_unit"),
        ({"kind": "hugs"}, "kind"),
        ({"kind": "ventilation_started", "time": "2026-03-01 08:00"}, "time"),
    ]:
        item = {"patient_id": "p1", "time": "2026-03-01T09:00:00Z", **bad}
        r = ward.client.post("/api/v1/events", json={"events": [good[0], item]}, headers=h)
        assert r.status_code == 422, r.text
        assert (r.json()["error"]["index"], r.json()["error"]["field"]) == (1, field), r.text
        if field in item and field != "time":
            assert r.json()["error"]["value"] == item[field]
    assert ward.client.post("/api/v1/events", json={"events": good[:1]}, headers=h).json()["duplicates"] == 1
