"""FHIR R4 in: the specification's example resources, mapping, and the refusals (each an OperationOutcome)."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from sqlalchemy import func, select

from sepsiscope.service.db.models import AuditEntry, Event, Observation
from tests.ehr.conftest import FHIR_JSON, bundle, entry, placed, post_fhir, spec_example
from tests.service.conftest import Service

T = "2026-12-05T03:10:00+00:00"
EXT_ENTRY = "https://sepsiscope.org/fhir/StructureDefinition/issue-entry"
EXT_VALUE = "https://sepsiscope.org/fhir/StructureDefinition/issue-value"


def _outcome(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The issues of a reply, after checking it is a valid R4B OperationOutcome."""
    OperationOutcome.model_validate(body)
    issues: list[dict[str, Any]] = body["issue"]
    return issues


def _ext(issue: dict[str, Any], url: str) -> Any:
    for e in issue.get("extension", []):
        if e["url"] == url:
            return e.get("valueInteger", e.get("valueString"))
    return None


def _stored(svc: Service) -> tuple[int, int]:
    with svc.ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(Observation)) or 0, s.scalar(
            select(func.count()).select_from(Event)
        ) or 0


def _values(svc: Service, patient: str) -> dict[str, Any]:
    rows = svc.get(f"/api/v1/patients/{patient}/observations", role="admin")["observations"]
    return {r["variable"]: r["value"] for r in rows}


def test_blood_pressure_panel_components_become_sbp_and_dbp(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    r = post_fhir(service, "/fhir/Observation", placed(spec_example("Observation-blood-pressure"), "pat1", T))
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith(FHIR_JSON)
    _outcome(r.json())
    assert _values(service, "pat1") == {"sbp": 107.0, "dbp": 60.0}


@pytest.mark.parametrize(
    ("example", "variable", "value"),
    [
        ("Observation-heart-rate", "heart_rate", 44.0),
        ("Observation-respiratory-rate", "resp_rate", 26.0),
        ("Observation-body-temperature", "temp_c", 36.5),
    ],
)
def test_vital_sign_examples_map_by_loinc(service: Service, example: str, variable: str, value: float) -> None:
    service.put_patient("pat1", age_years=70)
    r = post_fhir(service, "/fhir/Observation", placed(spec_example(example), "pat1", T))
    assert r.status_code == 201, r.text
    assert _values(service, "pat1") == {variable: value}


def test_vitals_panel_of_members_stores_nothing_itself_and_says_so(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    r = post_fhir(service, "/fhir/Observation", placed(spec_example("Observation-vitals-panel"), "pat1", T))
    assert r.status_code == 200, r.text
    texts = [i["details"]["text"] for i in _outcome(r.json())]
    assert any("panel of 4 members" in t for t in texts), texts
    assert _stored(service) == (0, 0)


def _refused(svc: Service, resource: dict[str, Any], status: int, code: str, expression: str, value: Any) -> str:
    before = _stored(svc)
    r = post_fhir(svc, f"/fhir/{resource['resourceType']}", resource)
    assert r.status_code == status, r.text
    (issue,) = _outcome(r.json())
    assert (issue["severity"], issue["code"]) == ("error", code), issue
    assert issue["expression"] == [expression]
    assert _ext(issue, EXT_VALUE) == value
    assert _stored(svc) == before, "a refused resource stored something"
    text: str = issue["details"]["text"]
    assert text.startswith(expression)
    return text


def _hr(**changes: Any) -> dict[str, Any]:
    out = placed(spec_example("Observation-heart-rate"), "pat1", T)
    out.update(changes)
    return out


ERROR_CASES = [
    # (case id, resource, status, issue code, element, value sent, words in the message)
    ("unknown_code", _hr(code={"coding": [{"system": "http://loinc.org", "code": "99999-9"}]}), 422, "code-invalid",
     "Observation.code", '["http://loinc.org|99999-9"]', "no coding maps"),
    ("unit_does_not_convert", _hr(valueQuantity={"value": 90, "system": "http://unitsofmeasure.org", "code": "kPa"}),
     422, "value", "Observation.valueQuantity.code", "kPa", "kPa"),
    ("missing_subject", {k: v for k, v in _hr().items() if k != "subject"}, 422, "required", "Observation.subject",
     None, "patient is missing"),
    ("bad_date", _hr(effectiveDateTime="2026-13-45T10:00:00Z"), 400, "value", "Observation.effectiveDateTime",
     "2026-13-45T10:00:00Z", "does not match"),
    ("date_without_time", _hr(effectiveDateTime="2026-12-05"), 422, "value", "Observation.effectiveDateTime",
     "2026-12-05", "date without a time"),
    ("ambiguous_codes", placed(spec_example("Observation-satO2"), "pat1", T), 422, "code-invalid", "Observation.code",
     '["http://loinc.org|2708-6", "http://loinc.org|59408-5", "urn:iso:std:iso:11073:10101|150456"]', "sao2, spo2"),
    ("cancelled", placed(spec_example("Observation-blood-pressure-cancel"), "pat1", T), 422, "not-supported",
     "Observation.status", "cancelled", "not stored"),
    ("out_of_range", _hr(valueQuantity={"value": 400, "system": "http://unitsofmeasure.org", "code": "/min"}), 422,
     "value", "Observation.valueQuantity.value", "400.0", "heart_rate"),
    ("unknown_patient", placed(spec_example("Observation-heart-rate"), "nobody", T), 422, "not-found",
     "Observation.subject", "nobody", "not known"),
    ("no_ucum_code", _hr(valueQuantity={"value": 90, "unit": "beats/minute"}), 422, "value",
     "Observation.valueQuantity.code", None, "UCUM"),
    ("unknown_element", _hr(colour="red"), 400, "structure", "Observation.colour", "red", "Extra inputs"),
]  # fmt: skip


@pytest.mark.parametrize(("resource", "status", "code", "expression", "value", "words"),
                         [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])  # fmt: skip
def test_each_error_is_a_clear_outcome_with_nothing_stored(
    service: Service, resource: dict[str, Any], status: int, code: str, expression: str, value: Any, words: str
) -> None:
    service.put_patient("pat1", age_years=70)
    text = _refused(service, resource, status, code, expression, value)
    assert words in text, text


def test_administrations_become_events(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    vanco = placed(spec_example("MedicationAdministration-medadmin0301"), "pat1", T)
    azithro = placed(spec_example("MedicationAdministration-medadmin0306"), "pat1", T)
    for resource in (vanco, azithro):
        r = post_fhir(service, "/fhir/MedicationAdministration", resource)
        assert r.status_code == 201, r.text
    with service.ctx.sessions() as s:
        rows = [(e.kind, e.drug, e.route) for e in s.scalars(select(Event).order_by(Event.seq))]
    assert rows == [("antibiotic_given", "vancomycin", "iv"), ("antibiotic_given", "azithromycin", "oral")]


def test_a_drug_the_rules_do_not_use_is_refused_by_name(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    paracetamol = placed(spec_example("MedicationAdministration-medadmin0313"), "pat1", T)
    text = _refused(service, paracetamol, 422, "code-invalid", "MedicationAdministration.medicationCodeableConcept",
                    '["Paracetamol 240mg suppository (product)"]')  # fmt: skip
    assert "no antibiotic, vasoactive drug or IV fluid" in text


def test_vasopressor_rate_and_stop(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    adm = {
        "resourceType": "MedicationAdministration", "status": "completed",
        "medicationCodeableConcept": {"text": "Noradrenaline 8 mg in 50 mL"}, "subject": {"reference": "Patient/pat1"},
        "effectivePeriod": {"start": "2026-12-05T03:00:00Z", "end": "2026-12-05T05:00:00Z"},
        "dosage": {"rateQuantity": {"value": 0.1, "system": "http://unitsofmeasure.org", "code": "ug/kg/min"}},
    }  # fmt: skip
    assert post_fhir(service, "/fhir/MedicationAdministration", adm).status_code == 201
    with service.ctx.sessions() as s:
        rows = [(e.kind, e.drug, e.rate, e.rate_unit) for e in s.scalars(select(Event).order_by(Event.seq))]
    assert rows == [("vasopressor_started", "norepinephrine", 0.1, "ug/kg/min"),
                    ("vasopressor_stopped", "norepinephrine", None, None)]  # fmt: skip


def test_a_specimen_counts_as_a_culture_only_when_it_says_so(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    spec = placed(spec_example("Specimen-101"), "pat1", T)
    _refused(service, spec, 422, "not-supported", "Specimen.type", None)
    spec["request"] = [{"reference": "ServiceRequest/example", "display": "Blood culture x2"}]
    assert post_fhir(service, "/fhir/Specimen", spec).status_code == 201
    with service.ctx.sessions() as s:
        assert [(e.kind, e.specimen) for e in s.scalars(select(Event))] == [("blood_culture_drawn", "blood")]


def test_patient_and_encounter_are_the_service_patient(service: Service) -> None:
    patient = spec_example("Patient-example")
    patient["id"] = "MRN-0042"
    enc = spec_example("Encounter-example")
    enc["subject"] = {"reference": "urn:uuid:6a8b"}
    enc["period"] = {"start": "2026-12-05T01:40:00+00:00"}
    body = bundle("transaction", {"fullUrl": "urn:uuid:6a8b", **entry(patient, "PUT", "Patient/MRN-0042")},
                  entry(enc))  # fmt: skip
    r = post_fhir(service, "/fhir", body)
    assert r.status_code == 200, r.text
    got = service.get("/api/v1/patients/MRN-0042")["patient"]
    assert (got["birth_date"], got["sex"], got["admitted_at"]) == ("1974-12-25", "male", "2026-12-05T01:40:00Z")


def test_every_write_is_audited(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    post_fhir(service, "/fhir/Observation", placed(spec_example("Observation-heart-rate"), "pat1", T))
    with service.ctx.sessions() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last is not None and (last.actor, last.action) == ("integration:test-integration", "fhir.Observation")


@pytest.mark.parametrize(
    ("headers", "body", "status", "code"),
    [
        ({"Content-Type": "text/plain"}, "{}", 415, "not-supported"),
        ({"Content-Type": FHIR_JSON}, "{not json", 400, "structure"),
        ({"Content-Type": FHIR_JSON}, '{"resourceType": "Observation"}', 400, "not-supported"),
        ({"Content-Type": FHIR_JSON}, '{"resourceType": "Bundle", "type": "collection"}', 400, "not-supported"),
        ({"Content-Type": FHIR_JSON}, '{"resourceType": "Bundle", "type": "batch", "foo": 1}', 400, "structure"),
    ],
)
def test_bodies_that_are_not_a_bundle_we_take(
    service: Service, headers: dict[str, str], body: str, status: int, code: str
) -> None:
    r = service.client.post("/fhir", content=body, headers={**service.headers("integration"), **headers})
    assert r.status_code == status, r.text
    assert _outcome(r.json())[0]["code"] == code


@pytest.mark.parametrize(("role", "status", "code"), [(None, 401, "login"), ("nurse", 403, "forbidden")])
def test_auth_refusals_are_outcomes(service: Service, role: str | None, status: int, code: str) -> None:
    headers = {"Content-Type": FHIR_JSON, **(service.headers(role) if role else {})}
    r = service.client.post("/fhir/Observation", content="{}", headers=headers)
    assert r.status_code == status
    assert _outcome(r.json())[0]["code"] == code
    assert "pat" not in r.text


def _med(rtype: str, text: str, **extra: Any) -> dict[str, Any]:
    out = {"resourceType": rtype, "status": "completed" if rtype == "MedicationAdministration" else "active",
           "medicationCodeableConcept": {"text": text}, "subject": {"reference": "Patient/pat1"}}  # fmt: skip
    if rtype == "MedicationRequest":
        out.update(intent="order", authoredOn=T)
    else:
        out["effectiveDateTime"] = T
    out.update(extra)
    return out


def test_orders_and_culture_procedures_become_events(service: Service) -> None:
    service.put_patient("pat1", age_years=70)
    code = {"coding": [{"system": "http://snomed.info/sct", "code": "30088009"}]}
    culture = {"resourceType": "Procedure", "status": "completed", "subject": {"reference": "Patient/pat1"},
               "code": code, "performedDateTime": T}  # fmt: skip
    assert (
        post_fhir(service, "/fhir/MedicationRequest", _med("MedicationRequest", "Ceftriaxone 2 g")).status_code == 201
    )
    assert post_fhir(service, "/fhir/Procedure", culture).status_code == 201
    with service.ctx.sessions() as s:
        rows = [(e.kind, e.drug, e.specimen) for e in s.scalars(select(Event).order_by(Event.seq))]
    assert rows == [("antibiotic_ordered", "ceftriaxone", None), ("blood_culture_drawn", None, "blood")]


EVENT_ERRORS = [
    ("antibiotic_without_route", _med("MedicationAdministration", "Meropenem 1 g"), "required",
     "MedicationAdministration.dosage.route"),
    ("vasopressor_without_rate", _med("MedicationAdministration", "Norepinephrine"), "required",
     "MedicationAdministration.dosage.rateQuantity"),
    ("fluid_in_litres", _med("MedicationAdministration", "Lactated Ringer's", dosage={"dose": {
        "value": 1, "system": "http://unitsofmeasure.org", "code": "L"}}), "required",
     "MedicationAdministration.dosage.dose"),
    ("order_not_an_antibiotic", _med("MedicationRequest", "Norepinephrine"), "not-supported",
     "MedicationRequest.medication[x]"),
    ("two_drugs", _med("MedicationRequest", "Meropenem and vancomycin"), "code-invalid",
     "MedicationRequest.medicationCodeableConcept"),
    ("route_unknown", _med("MedicationAdministration", "Meropenem", dosage={"route": {"text": "intrathecal"}}),
     "code-invalid", "MedicationAdministration.dosage.route"),
    ("order_without_time", {k: v for k, v in _med("MedicationRequest", "Meropenem").items() if k != "authoredOn"},
     "required", "MedicationRequest.authoredOn"),
]  # fmt: skip


@pytest.mark.parametrize(("resource", "code", "expression"), [c[1:] for c in EVENT_ERRORS],
                         ids=[c[0] for c in EVENT_ERRORS])  # fmt: skip
def test_event_refusals(service: Service, resource: dict[str, Any], code: str, expression: str) -> None:
    service.put_patient("pat1", age_years=70)
    r = post_fhir(service, f"/fhir/{resource['resourceType']}", resource)
    assert r.status_code == 422, r.text
    (issue,) = _outcome(r.json())
    assert (issue["code"], issue["expression"]) == (code, [expression])
    assert _stored(service) == (0, 0)


def test_capability_statement(service: Service) -> None:
    r = service.client.get("/fhir/metadata")
    assert r.status_code == 200 and r.headers["content-type"].startswith(FHIR_JSON)
    cap = CapabilityStatement.model_validate(r.json())
    assert {res.type for res in cap.rest[0].resource} >= {"Observation", "Patient", "MedicationAdministration"}
