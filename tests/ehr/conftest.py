"""EHR fixtures: the service's own (SQLite and PostgreSQL, a token per role) plus FHIR helpers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx2

from tests.service.conftest import Service, database_url, database_url_pg, service  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"
FHIR_JSON = "application/fhir+json"


def spec_example(name: str) -> dict[str, Any]:
    """A resource of the FHIR R4 specification's examples, as published (fixtures/spec/)."""
    data: dict[str, Any] = json.loads((FIXTURES / "spec" / f"{name}.json").read_text())
    return data


def placed(resource: dict[str, Any], patient: str, time: str) -> dict[str, Any]:
    """A copy of a spec example about ``patient`` at ``time`` (the examples give dates without times)."""
    out = copy.deepcopy(resource)
    out.pop("text", None)
    ref = {"reference": f"Patient/{patient}"}
    if out["resourceType"] == "Specimen":
        out["subject"] = ref
        out["collection"]["collectedDateTime"] = time
    elif out["resourceType"] == "Procedure":
        out["subject"] = ref
        out["performedDateTime"] = time
    elif out["resourceType"] == "MedicationRequest":
        out["subject"] = ref
        out["authoredOn"] = time
    else:
        out["subject"] = ref
        for key in ("effectiveDateTime", "effectivePeriod", "effectiveInstant"):
            out.pop(key, None)
        out["effectiveDateTime"] = time
    return out


def post_fhir(svc: Service, path: str, body: Any, role: str = "integration", **headers: str) -> httpx2.Response:
    """POST FHIR JSON with a role's token."""
    h = {**svc.headers(role), "Content-Type": FHIR_JSON, **headers}
    return svc.client.post(path, content=json.dumps(body), headers=h)


def entry(resource: dict[str, Any], method: str = "POST", url: str | None = None, **request: str) -> dict[str, Any]:
    """A bundle entry."""
    return {"resource": resource, "request": {"method": method, "url": url or resource["resourceType"], **request}}


def bundle(kind: str, *entries: dict[str, Any]) -> dict[str, Any]:
    """A batch or transaction Bundle."""
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}
