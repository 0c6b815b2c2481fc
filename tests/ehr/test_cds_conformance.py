"""Conformance table: the CDS Hooks 2.0 request and response fields, what the specification says, what we do.

Source: CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/), §Discovery, §Calling a CDS Service
(HTTP request), §CDS Service Response (Card, Source, Suggestion, Action, Link, overrideReasons),
§Feedback. Each row is one field; a failure names the row.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sepsiscope.ehr.cds.discovery import PATIENT_VIEW
from tests.ehr.fake_ehr import FakeEhr, hook_request
from tests.ehr.test_cds import septic
from tests.service.conftest import Service

GOLDEN = Path(__file__).resolve().parents[1] / "golden"

# (field, required by the spec, a value the spec allows (None: drop the field), our status for it)
REQUEST: list[tuple[str, bool, Any, int]] = [
    ("hook", True, None, 422),
    ("hook", True, "order-sign", 422),  # not the hook of this service
    ("hookInstance", True, None, 422),
    ("context", True, None, 422),
    ("context.patientId", True, None, 422),  # patient-view context: userId, patientId required
    ("fhirServer", False, None, 200),  # no server: prefetch only (missing keys named on the card)
    ("fhirServer", False, "ftp://ehr.example/fhir", 422),  # a URL of the FHIR server
    ("fhirServer", False, "http://ehr.example/fhir", 422),  # the access token travels only over TLS
    ("fhirAuthorization", False, None, 200),
    ("fhirAuthorization.token_type", True, "MAC", 422),  # fixed value: Bearer
    ("fhirAuthorization.access_token", True, None, 422),
    ("prefetch", False, None, 200),
    ("prefetch", False, {"lactate": None}, 200),  # a key the EHR could not fill is null
    ("extra", False, {"x": 1}, 200),  # unknown fields are ignored
]


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    *head, last = path.split(".")
    node = out
    for part in head:
        node = node[part]
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return out


@pytest.mark.parametrize(("field", "required", "value", "status"), REQUEST,
                         ids=[f"{r[0]}={json.dumps(r[2])}" for r in REQUEST])  # fmt: skip
def test_request_fields(cds: Service, ehr: FakeEhr, field: str, required: bool, value: Any, status: int) -> None:
    septic(cds)
    body = _set(hook_request("patient-view", "MRN-7"), field, value)
    r = cds.client.post(f"/cds-services/{PATIENT_VIEW}", json=body,
                        headers={"Authorization": f"Bearer {ehr.token(PATIENT_VIEW)}"})  # fmt: skip
    assert r.status_code == status, r.text
    if status == 422:
        assert set(r.json()) == {"error"}
    else:
        assert isinstance(r.json()["cards"], list)


# (path in a card, required, check)
CARD: list[tuple[str, bool, Any]] = [
    ("uuid", False, lambda v: isinstance(v, str) and len(v) > 0),  # needed for feedback: we always send it
    ("summary", True, lambda v: isinstance(v, str) and 0 < len(v) <= 140),
    ("detail", False, lambda v: isinstance(v, str)),
    ("indicator", True, lambda v: v in ("info", "warning", "critical")),
    ("source", True, lambda v: isinstance(v, dict) and isinstance(v.get("label"), str)),
    ("suggestions", False, lambda v: isinstance(v, list) and all(
        isinstance(s.get("label"), str) and isinstance(s.get("uuid"), str) and s.get("actions") for s in v)),
    ("suggestions.actions", False, lambda v: all(
        a["type"] in ("create", "update", "delete") and isinstance(a["description"], str)
        and (a["type"] == "delete" or isinstance(a.get("resource"), dict)) for s in v for a in s["actions"])),
    ("selectionBehavior", False, lambda v: v in ("at-most-one", "any")),  # required when suggestions are given
    ("overrideReasons", False, lambda v: all({"code", "system", "display"} <= set(c) for c in v)),
    ("links", False, lambda v: all(lk["type"] in ("absolute", "smart") for lk in v)),
]  # fmt: skip


def _value(card: dict[str, Any], path: str) -> Any:
    if path == "suggestions.actions":
        return card.get("suggestions")
    return card.get(path)


@pytest.mark.parametrize("name", ["patient_view", "order_sign"])
@pytest.mark.parametrize(("path", "required", "check"), CARD, ids=[c[0] for c in CARD])
def test_card_fields(name: str, path: str, required: bool, check: Any) -> None:
    card = json.loads((GOLDEN / f"ehr_card_{name}.json").read_text(encoding="utf-8"))
    value = _value(card, path)
    if value is None:
        assert not required, f"{path} is required"
        return
    assert check(value), f"{path}: {value!r}"
    if path == "suggestions":
        assert "selectionBehavior" in card, "selectionBehavior is required with suggestions"


def test_discovery_fields(cds: Service) -> None:
    services = cds.client.get("/cds-services").json()["services"]
    for s in services:
        assert {"hook", "description", "id"} <= set(s)  # required
        assert all(isinstance(v, str) for v in s["prefetch"].values())
        assert None not in s.values(), "absent optional fields are left out, not null"


def test_feedback_fields(cds: Service, ehr: FakeEhr) -> None:
    """outcome is accepted|overridden; outcomeTimestamp is required."""
    headers = {"Authorization": f"Bearer {ehr.token(PATIENT_VIEW)}"}
    item = {"card": "c", "outcome": "dismissed", "outcomeTimestamp": "2026-12-05T06:00:00Z"}
    r = cds.client.post(f"/cds-services/{PATIENT_VIEW}/feedback", json={"feedback": [item]}, headers=headers)
    assert r.status_code == 422
    headers = {"Authorization": f"Bearer {ehr.token(PATIENT_VIEW)}"}
    item = {"card": "c", "outcome": "accepted"}
    r = cds.client.post(f"/cds-services/{PATIENT_VIEW}/feedback", json={"feedback": [item]}, headers=headers)
    assert r.status_code == 422
