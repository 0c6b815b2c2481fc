"""EHR fixtures: the service's own (SQLite and PostgreSQL, a token per role) plus FHIR helpers."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from sepsiscope.app import create_app
from sepsiscope.ehr.cds.routes import EhrState
from sepsiscope.ehr.cds.tokens import JwksCache
from sepsiscope.service.auth import ROLES, create_token
from sepsiscope.service.context import start
from sepsiscope.service.settings import Settings
from tests.ehr.fake_ehr import FHIR_BASE, ISSUER, JWKS_URL, PUBLIC_URL, FakeEhr
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


@pytest.fixture
def ehr() -> FakeEhr:
    """The fake EHR (keys, FHIR resources, recorded requests)."""
    return FakeEhr()


#: The ward's clock in the CDS tests (cards name times: they must not move with the wall clock).
NOW = datetime(2026, 12, 5, 6, 30, tzinfo=UTC)


@pytest.fixture
def cds(database_url: str, ehr: FakeEhr) -> Iterator[Service]:  # noqa: F811
    """The app trusting the fake EHR (its issuer and JWKS), reaching it only through MockTransport."""
    ctx = start(Settings(database_url=database_url, cds_issuers={ISSUER: JWKS_URL},
                         cds_fhir_servers={ISSUER: [FHIR_BASE + "/"]}, public_url=PUBLIC_URL),
                clock=lambda: NOW)  # fmt: skip
    with ctx.sessions.begin() as session:
        tokens = {role: create_token(session, role, f"test-{role}")[1] for role in ROLES}
    try:
        with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
            http = ehr.client()
            client.app.state.ehr = EhrState(http, JwksCache(http, 2.0))  # type: ignore[attr-defined]
            yield Service(ctx, client, tokens)
    finally:
        ctx.engine.dispose()
