"""CDS Hooks 2.0: discovery, patient-view and order-sign cards (golden JSON), prefetch and EHR reads, feedback."""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy import select

from sepsiscope.ehr.cds.discovery import ORDER_SIGN, PATIENT_VIEW
from sepsiscope.service.db.ehr_models import CdsFeedback
from sepsiscope.service.db.models import AuditEntry
from tests.ehr.conftest import NOW
from tests.ehr.fake_ehr import FHIR_BASE, JWKS_URL, FakeEhr, hook_request
from tests.service.conftest import Service

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def call(svc: Service, ehr: FakeEhr, service_id: str, body: dict[str, Any], **claims: Any) -> Any:
    r = svc.client.post(f"/cds-services/{service_id}", json=body,
                        headers={"Authorization": f"Bearer {ehr.token(service_id, **claims)}"})  # fmt: skip
    assert r.status_code == 200, r.text
    return r.json()


def septic(svc: Service, patient: str = "MRN-7") -> None:
    """A patient whose vitals worsen over six hours (NEWS2 emergency by the end)."""
    svc.put_patient(patient, age_years=67, sex="female", admitted_at=(NOW - timedelta(hours=8)).isoformat())
    rows = []
    for h in range(7):
        t = (NOW - timedelta(hours=6, minutes=20) + timedelta(hours=h)).isoformat()
        w = h / 6
        rows += [{"patient_id": patient, "time": t, "variable": v, "value": x} for v, x in (
            ("resp_rate", round(16 + 12 * w)), ("heart_rate", round(86 + 40 * w)), ("sbp", round(124 - 38 * w)),
            ("spo2", round(97 - 6 * w)), ("temp_c", round(37.0 + 2.2 * w, 1)), ("supplemental_o2", False),
            ("consciousness", "A"),
        )]  # fmt: skip
    rows.append({"patient_id": patient, "time": (NOW - timedelta(hours=3)).isoformat(), "variable": "weight_kg",
                 "value": 70})  # fmt: skip
    svc.post_observations(rows)


#: What the shipped model decides (risk, its trend, its alert and reasons) changes when the model is
#: retrained; the golden cards pin everything else, and these parts are checked by shape instead.
_MODEL_LINES = re.compile(r"\n\n\*\*(Open alert\*\* \(model|Top reasons\*\*)[^\n]*")


def _normal(card: dict[str, Any]) -> dict[str, Any]:
    """The card with its random uuids and the model's numbers and words replaced (golden files compare the rest)."""
    card = copy.deepcopy(card)
    if "detail" in card:
        card["detail"] = _MODEL_LINES.sub("", card["detail"])
    for key in ("summary", "detail"):
        if key in card:
            card[key] = re.sub(r"\d+(\.\d+)?%", "N%", card[key])
            card[key] = re.sub(r"\b(rising|falling|steady)\b", "TREND", card[key])
    text = json.dumps(card, sort_keys=True)
    ids = list(dict.fromkeys(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)))
    for i, u in enumerate(ids):
        text = text.replace(u, f"uuid-{i}")
    out: dict[str, Any] = json.loads(text)
    return out


def golden(name: str, card: dict[str, Any]) -> None:
    path = GOLDEN / f"ehr_card_{name}.json"
    text = json.dumps(_normal(card), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("SEPSISCOPE_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with SEPSISCOPE_UPDATE_GOLDEN=1 and review the diff"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)


def _drafts_are_fhir(card: dict[str, Any]) -> list[str]:
    kinds = []
    for s in card.get("suggestions", []):
        for a in s["actions"]:
            get_fhir_model_class(a["resource"]["resourceType"]).model_validate(a["resource"])
            assert a["resource"]["status"] == "draft" and a["resource"]["intent"] == "proposal"
            kinds.append(a["resource"]["resourceType"])
    return kinds


def test_discovery_lists_both_services_with_prefetch(cds: Service) -> None:
    r = cds.client.get("/cds-services")
    assert r.status_code == 200
    services = {s["id"]: s for s in r.json()["services"]}
    assert {s["hook"] for s in services.values()} == {"patient-view", "order-sign"}
    for s in services.values():
        assert {"title", "description", "prefetch"} <= set(s)
        assert all("{{context.patientId}}" in t for t in s["prefetch"].values())


def test_patient_view_card(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    body = call(cds, ehr, PATIENT_VIEW, hook_request("patient-view", "MRN-7"))
    (card,) = body["cards"]
    assert card["indicator"] == "critical"
    assert len(card["summary"]) <= 140 and card["summary"].startswith("Sepsis alert (emergency)")
    assert "NEWS2" in card["detail"] and "resp_rate 28 /min → 3" in card["detail"]
    labels = [s["label"] for s in card["suggestions"]]
    assert labels[:3] == ["Order a lactate", "Draw blood cultures (before antibiotics)",
                          "Give broad-spectrum IV antibiotics"]  # fmt: skip
    assert "Begin IV crystalloid 30 mL/kg" in labels  # SBP < 90
    assert _drafts_are_fhir(card)
    fluids = next(s for s in card["suggestions"] if s["label"].startswith("Begin IV"))
    dose = fluids["actions"][0]["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
    assert dose["value"] == 2100  # 30 mL/kg × 70 kg
    assert card["selectionBehavior"] == "any" and card["overrideReasons"]
    assert re.search(r"\*\*Risk\*\* \d+% \(alerts at \d+%\); trend (rising|falling|steady)", card["detail"])
    assert "**Top reasons**: " in card["detail"]
    golden("patient_view", card)


def test_elements_done_in_the_ehr_are_not_suggested(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    t = (NOW - timedelta(minutes=40)).isoformat()
    ehr.resources["MedicationAdministration"] = [{
        "resourceType": "MedicationAdministration", "status": "completed", "subject": {"reference": "Patient/MRN-7"},
        "medicationCodeableConcept": {"text": "Piperacillin/tazobactam 4.5 g"}, "effectiveDateTime": t,
        "dosage": {"route": {"coding": [{"system": "http://snomed.info/sct", "code": "47625008"}]}},
    }]  # fmt: skip
    ehr.resources["Procedure"] = [{
        "resourceType": "Procedure", "status": "completed", "subject": {"reference": "Patient/MRN-7"},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "30088009"}]},
        "performedDateTime": (NOW - timedelta(minutes=50)).isoformat(),
    }]  # fmt: skip
    (card,) = call(cds, ehr, PATIENT_VIEW, hook_request("patient-view", "MRN-7"))["cards"]
    labels = [s["label"] for s in card["suggestions"]]
    assert "Draw blood cultures (before antibiotics)" not in labels
    assert "Give broad-spectrum IV antibiotics" not in labels
    assert "Order a lactate" in labels
    reads = [r for r in ehr.requests if "/fhir/" in str(r.url)]
    assert reads and all(r.method == "GET" for r in reads)
    assert all(r.headers["authorization"] == "Bearer ehr-access-token-123" for r in reads)


def test_prefetch_given_means_no_ehr_reads(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    empty = {"resourceType": "Bundle", "type": "searchset", "entry": []}
    prefetch = dict.fromkeys(("patient", "administrations", "orders", "cultures", "lactate"), empty)
    body = call(cds, ehr, PATIENT_VIEW, hook_request("patient-view", "MRN-7", prefetch=prefetch, fhir=False))
    assert len(body["cards"]) == 1
    assert not [r for r in ehr.requests if "/fhir/" in str(r.url)]


def test_an_ehr_that_times_out_is_named_on_the_card(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    ehr.fail.add("MedicationAdministration")
    (card,) = call(cds, ehr, PATIENT_VIEW, hook_request("patient-view", "MRN-7"))["cards"]
    assert "Not read from the EHR**: administrations (ReadTimeout)" in card["detail"]
    assert "Give broad-spectrum IV antibiotics" in [s["label"] for s in card["suggestions"]]
    assert sum("MedicationAdministration" in str(r.url) for r in ehr.requests) == 1  # no retry


@pytest.mark.parametrize(
    "server",
    ["https://attacker.example/fhir", "https://ehr.example/fhir/../admin", "https://ehr.example/fhir2"],
)
def test_an_unregistered_fhir_server_gets_no_request_and_no_token(cds: Service, ehr: FakeEhr, server: str) -> None:
    """The hook's fhirServer must be one registered for the calling issuer (cds_fhir_servers)."""
    septic(cds)
    body = hook_request("patient-view", "MRN-7")
    body["fhirServer"] = server
    (card,) = call(cds, ehr, PATIENT_VIEW, body)["cards"]
    assert not [r for r in ehr.requests if str(r.url) != JWKS_URL], "nothing but the issuer's keys was fetched"
    assert "the EHR's FHIR server is not registered here" in card["detail"]
    assert "Give broad-spectrum IV antibiotics" in [s["label"] for s in card["suggestions"]]


def test_the_registered_server_matches_with_or_without_its_trailing_slash(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    body = hook_request("patient-view", "MRN-7")
    body["fhirServer"] = FHIR_BASE + "/"
    call(cds, ehr, PATIENT_VIEW, body)
    assert [r for r in ehr.requests if str(r.url).startswith(FHIR_BASE + "/")]


@pytest.mark.parametrize("patient", ["MRN-well", "never-seen"])
def test_no_card_when_there_is_nothing_to_say(cds: Service, ehr: FakeEhr, patient: str) -> None:
    cds.put_patient("MRN-well", age_years=40)
    t = (NOW - timedelta(hours=1)).isoformat()
    cds.post_observations([{"patient_id": "MRN-well", "time": t, "variable": v, "value": x} for v, x in (
        ("resp_rate", 14), ("heart_rate", 72), ("sbp", 126), ("spo2", 98), ("temp_c", 36.8), ("consciousness", "A"),
        ("supplemental_o2", False),
    )])  # fmt: skip
    assert call(cds, ehr, PATIENT_VIEW, hook_request("patient-view", patient)) == {"cards": []}


def _order(text: str) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "MedicationRequest", "status": "draft", "intent": "order",
        "medicationCodeableConcept": {"text": text}, "subject": {"reference": "Patient/MRN-7"},
    }}]}  # fmt: skip


def test_order_sign_warns_when_no_culture_was_drawn(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    req = hook_request("order-sign", "MRN-7", draftOrders=_order("Ceftriaxone 2 g IV"))
    (card,) = call(cds, ehr, ORDER_SIGN, req)["cards"]
    assert card["indicator"] == "warning"
    assert "Do not delay the antibiotic" in card["detail"] and "never blocks" in card["detail"]
    assert _drafts_are_fhir(card) == ["ServiceRequest"]
    assert {r["code"] for r in card["overrideReasons"]} >= {"delay-would-harm"}
    golden("order_sign", card)


def test_order_sign_is_quiet_with_a_culture_or_without_an_antibiotic(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    quiet = call(cds, ehr, ORDER_SIGN, hook_request("order-sign", "MRN-7", draftOrders=_order("Paracetamol 1 g")))
    assert quiet == {"cards": []}
    events = [{"patient_id": "MRN-7", "time": (NOW - timedelta(hours=23)).isoformat(), "kind": "blood_culture_drawn"}]
    r = cds.client.post("/api/v1/events", json={"events": events}, headers=cds.headers("integration"))
    assert r.status_code == 200
    req = hook_request("order-sign", "MRN-7", draftOrders=_order("Ceftriaxone 2 g IV"))
    assert call(cds, ehr, ORDER_SIGN, req) == {"cards": []}


def test_feedback_is_stored_and_audited(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    (card,) = call(cds, ehr, PATIENT_VIEW, hook_request("patient-view", "MRN-7"))["cards"]
    first = card["suggestions"][0]["uuid"]
    feedback = {"feedback": [
        {"card": card["uuid"], "outcome": "accepted", "acceptedSuggestions": [{"id": first}],
         "outcomeTimestamp": NOW.isoformat()},
        {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": NOW.isoformat(), "overrideReason": {
            "reason": card["overrideReasons"][0], "userComment": "seen by the outreach team"}},
    ]}  # fmt: skip
    headers = {"Authorization": f"Bearer {ehr.token(PATIENT_VIEW)}"}
    r = cds.client.post(f"/cds-services/{PATIENT_VIEW}/feedback", json=feedback, headers=headers)
    assert r.status_code == 200, r.text
    with cds.ctx.sessions() as s:
        rows = [(f.outcome, f.accepted_suggestions, f.override_code, f.user_comment) for f in s.scalars(
            select(CdsFeedback).order_by(CdsFeedback.id))]  # fmt: skip
        actions = [a for (a,) in s.execute(select(AuditEntry.action).order_by(AuditEntry.seq))]
    assert rows == [("accepted", [first], None, None),
                    ("overridden", [], "already-assessed", "seen by the outreach team")]  # fmt: skip
    assert actions[-2:] == ["cds.feedback.accepted", "cds.feedback.overridden"]


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"card": "00000000-0000-0000-0000-000000000000"}, 404, "unknown_card"),
    ({"acceptedSuggestions": [{"id": "not-a-suggestion"}]}, 422, "unknown_suggestion"),
])  # fmt: skip
def test_feedback_on_unknown_cards_is_refused(cds: Service, ehr: FakeEhr, change: dict[str, Any], status: int,
                                              code: str) -> None:  # fmt: skip
    septic(cds)
    (card,) = call(cds, ehr, PATIENT_VIEW, hook_request("patient-view", "MRN-7"))["cards"]
    item = {"card": card["uuid"], "outcome": "accepted", "outcomeTimestamp": NOW.isoformat(), **change}
    headers = {"Authorization": f"Bearer {ehr.token(PATIENT_VIEW)}"}
    r = cds.client.post(f"/cds-services/{PATIENT_VIEW}/feedback", json={"feedback": [item]}, headers=headers)
    assert r.status_code == status and r.json()["error"]["code"] == code
    with cds.ctx.sessions() as s:
        assert s.scalars(select(CdsFeedback)).first() is None
