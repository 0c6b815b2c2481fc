"""Bundles: transaction all-or-nothing, batch per entry, conditional create, and FHIR scoring = JSON scoring."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from sepsiscope.service.db.models import Observation
from tests.ehr.conftest import bundle, entry, placed, post_fhir, spec_example
from tests.service.conftest import Service

T = "2026-12-05T03:10:00+00:00"
EXT_ENTRY = "https://sepsiscope.org/fhir/StructureDefinition/issue-entry"


def _count(svc: Service) -> int:
    with svc.ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(Observation)) or 0


def _good(patient: str = "pat1") -> dict[str, Any]:
    return placed(spec_example("Observation-heart-rate"), patient, T)


def _bad(patient: str = "pat1") -> dict[str, Any]:
    out = placed(spec_example("Observation-respiratory-rate"), patient, T)
    out["code"] = {"coding": [{"system": "http://loinc.org", "code": "99999-9"}]}
    return out


def _entries_of(issues: list[dict[str, Any]]) -> list[int]:
    return [e["valueInteger"] for i in issues for e in i.get("extension", []) if e["url"] == EXT_ENTRY]


def test_transaction_is_all_or_nothing(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    r = post_fhir(service, "/fhir", bundle("transaction", entry(_good()), entry(_bad()), entry(_bad())))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["resourceType"] == "OperationOutcome"
    assert _entries_of(body["issue"]) == [1, 2]
    assert [i["expression"] for i in body["issue"]] == [
        ["Bundle.entry[1].resource.code"],
        ["Bundle.entry[2].resource.code"],
    ]
    assert _count(service) == 0


def test_transaction_rolls_back_on_a_refusal_from_the_service(service: Service) -> None:
    """The second entry is refused by the service's ingest (plausible range), after the first was added."""
    service.put_patient("pat1", age_years=70)
    high = _good()
    high["valueQuantity"]["value"] = 400
    r = post_fhir(service, "/fhir", bundle("transaction", entry(_good()), entry(high)))
    assert r.status_code == 422, r.text
    assert r.json()["issue"][0]["expression"] == ["Bundle.entry[1].resource.valueQuantity.value"]
    assert _count(service) == 0


def test_batch_stores_the_good_and_reports_the_bad(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    r = post_fhir(service, "/fhir", bundle("batch", entry(_bad()), entry(_good()), {"resource": _good()}))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in body["entry"]]
    assert statuses == ["422 Unprocessable Entity", "201 Created", "422 Unprocessable Entity"]
    assert body["entry"][0]["response"]["outcome"]["issue"][0]["expression"] == ["Bundle.entry[0].resource.code"]
    assert body["entry"][2]["response"]["outcome"]["issue"][0]["expression"] == ["Bundle.entry[2].request"]
    assert _count(service) == 1


def _identified(value: float) -> dict[str, Any]:
    out = _good()
    out["identifier"] = [{"system": "urn:oid:1.2.3", "value": "obs-77"}]
    out["valueQuantity"]["value"] = value
    return out


def test_conditional_create_makes_a_resend_safe(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    body = bundle("transaction", entry(_identified(44), ifNoneExist="identifier=urn:oid:1.2.3|obs-77"))
    first = post_fhir(service, "/fhir", body)
    again = post_fhir(service, "/fhir", body)
    assert first.json()["entry"][0]["response"]["status"] == "201 Created"
    assert again.json()["entry"][0]["response"]["status"] == "200 OK"
    assert _count(service) == 1
    header = {"If-None-Exist": "identifier=urn:oid:1.2.3|obs-77"}
    assert post_fhir(service, "/fhir/Observation", _identified(44), **header).status_code == 200
    assert _count(service) == 1
    changed = post_fhir(service, "/fhir/Observation", _identified(50), **header)
    assert changed.status_code == 409, changed.text
    assert changed.json()["issue"][0]["code"] == "duplicate"
    assert _count(service) == 1


def test_conditional_create_names_an_identifier_the_resource_carries(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    body = bundle("transaction", entry(_identified(44), ifNoneExist="identifier=urn:oid:9|other"))
    r = post_fhir(service, "/fhir", body)
    assert r.status_code == 422
    assert r.json()["issue"][0]["expression"] == ["Bundle.entry[0].resource.identifier"]
    unsupported = bundle("transaction", entry(_identified(44), ifNoneExist="code=8867-4"))
    assert post_fhir(service, "/fhir", unsupported).json()["issue"][0]["code"] == "not-supported"


# --- the same synthetic patient through the JSON API and through FHIR ------------------------------------------------

START = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
LOINC = {"heart_rate": "8867-4", "resp_rate": "9279-1", "temp_c": "8310-5", "spo2": "59408-5", "lactate": "2524-7",
         "creatinine": "2160-0", "platelets": "777-3"}  # fmt: skip


def _synthetic(seed: int = 7) -> list[dict[str, Any]]:
    """Eight hours of a deteriorating patient: vitals every hour, labs twice, some in non-canonical units."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for h in range(8):
        t = (START + timedelta(hours=h, minutes=rng.randint(0, 50))).isoformat()
        worse = h / 7
        out += [
            {"time": t, "variable": "heart_rate", "value": round(88 + 40 * worse + rng.uniform(-3, 3), 1),
             "unit": "/min"},
            {"time": t, "variable": "resp_rate", "value": round(16 + 12 * worse), "unit": "/min"},
            {"time": t, "variable": "temp_c", "value": round(99.0 + 4 * worse, 1), "unit": "[degF]"},
            {"time": t, "variable": "spo2", "value": round(97 - 6 * worse), "unit": "%"},
            {"time": t, "variable": "sbp", "value": round(124 - 40 * worse), "unit": "mm[Hg]"},
            {"time": t, "variable": "dbp", "value": round(76 - 22 * worse), "unit": "mm[Hg]"},
        ]  # fmt: skip
        if h in (1, 6):
            out += [
                {"time": t, "variable": "creatinine", "value": round(90 + 120 * worse), "unit": "umol/L"},
                {"time": t, "variable": "platelets", "value": round(220_000 - 120_000 * worse), "unit": "/uL"},
            ]
    return out


def _fhir_bundle(patient: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows as a transaction: Patient, Encounter, blood pressure as panels, the rest one by one."""
    q = lambda row: {"value": row["value"], "system": "http://unitsofmeasure.org", "code": row["unit"]}  # noqa: E731
    entries = [
        {"fullUrl": "urn:uuid:p", **entry({"resourceType": "Patient", "id": patient, "gender": "female",
                                           "birthDate": "1951-06-01"}, "PUT", f"Patient/{patient}")},
        entry({"resourceType": "Encounter", "status": "in-progress", "class": {"code": "IMP"},
               "subject": {"reference": "urn:uuid:p"}, "period": {"start": START.isoformat()}}),
    ]  # fmt: skip
    by_time: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["variable"] in ("sbp", "dbp"):
            by_time.setdefault(row["time"], {})[row["variable"]] = row
            continue
        code = {"coding": [{"system": "http://loinc.org", "code": LOINC[row["variable"]]}]}
        obs = {"resourceType": "Observation", "status": "final", "code": code, "subject": {"reference": "urn:uuid:p"},
               "effectiveDateTime": row["time"], "valueQuantity": q(row)}  # fmt: skip
        entries.append(entry(obs))
    for t, bp in by_time.items():
        panel = placed(spec_example("Observation-blood-pressure"), patient, t)
        panel["component"][0]["valueQuantity"] = q(bp["sbp"])
        panel["component"][1]["valueQuantity"] = q(bp["dbp"])
        entries.append(entry(panel))
    return bundle("transaction", *entries)


def _picture(svc: Service, patient: str) -> dict[str, Any]:
    svc.ctx.settle()
    detail = svc.get(f"/api/v1/patients/{patient}")
    timeline = svc.get(f"/api/v1/patients/{patient}/timeline")["hours"]
    detail.pop("patient")
    detail["open_alerts"] = [(a["rule"], a["level"], a["state"], a["reasons"]) for a in detail["open_alerts"]]
    detail["stale"] = [s["variable"] for s in detail["stale"]]  # ages differ by the moment of reading
    return {"detail": detail, "timeline": timeline}


def test_scoring_from_fhir_equals_scoring_from_the_json_api(service: Service) -> None:
    rows = _synthetic()
    service.put_patient("json-1", birth_date="1951-06-01", sex="female", admitted_at=START.isoformat())
    service.post_observations([{"patient_id": "json-1", **r} for r in rows])
    r = post_fhir(service, "/fhir", _fhir_bundle("fhir-1", rows))
    assert r.status_code == 200, r.text
    json_side, fhir_side = _picture(service, "json-1"), _picture(service, "fhir-1")
    assert json_side["detail"]["risk"]["probability"] is not None and len(json_side["timeline"]) == 8
    assert fhir_side == json_side


def test_concurrent_resends_store_once(service: Service) -> None:
    """Four feeds resend the same conditional create at once: every reply 2xx, one value stored."""
    service.put_patient("pat1", age_years=70)
    body = bundle("transaction", entry(_identified(44), ifNoneExist="identifier=urn:oid:1.2.3|obs-77"))
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda _: post_fhir(service, "/fhir", body), range(4)))
    assert [r.status_code for r in replies] == [200] * 4, [r.text for r in replies]
    statuses = sorted(r.json()["entry"][0]["response"]["status"] for r in replies)
    assert statuses == ["200 OK"] * 3 + ["201 Created"]
    assert _count(service) == 1
