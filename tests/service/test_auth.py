"""Every route needs a token (401 without one), and the role decides (403 otherwise)."""

from __future__ import annotations

import pytest

from sepsiscope.service.auth import ROLES
from tests.service.conftest import Service

OBS = {"observations": [{"patient_id": "p1", "time": "2026-03-01T08:00:00Z", "variable": "heart_rate", "value": 80}]}
EVENTS = {"events": [{"patient_id": "p1", "time": "2026-03-01T08:00:00Z", "kind": "blood_culture_drawn"}]}
#: (method, path, body, roles allowed besides admin)
ROUTES = [
    ("PUT", "/api/v1/patients/p1", {"age_years": 60}, {"integration"}),
    ("POST", "/api/v1/observations", OBS, {"integration"}),
    ("POST", "/api/v1/events", EVENTS, {"integration"}),
    ("GET", "/api/v1/patients", None, {"nurse", "clinician"}),
    ("GET", "/api/v1/patients/p1", None, {"nurse", "clinician"}),
    ("GET", "/api/v1/patients/p1/observations", None, {"nurse", "clinician"}),
    ("GET", "/api/v1/patients/p1/timeline", None, {"nurse", "clinician"}),
    ("GET", "/api/v1/alerts", None, {"nurse", "clinician"}),
    ("POST", "/api/v1/alerts/1/acknowledge", {"note": "seen"}, {"nurse", "clinician"}),
    ("POST", "/api/v1/alerts/1/snooze", {"minutes": 15}, {"nurse", "clinician"}),
    ("POST", "/api/v1/alerts/1/resolve", {"reason": "treated"}, {"nurse", "clinician"}),
    ("GET", "/api/v1/audit", None, set()),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_roles(service: Service, method: str, path: str, body: object, allowed: set[str]) -> None:
    service.put_patient("p1", age_years=60)
    for headers, status in [({}, 401), ({"Authorization": "Bearer ssc_not-a-token"}, 401),
                            ({"Authorization": "Basic dXNlcjpwdw=="}, 401)]:  # fmt: skip
        r = service.client.request(method, path, json=body, headers=headers)
        assert r.status_code == status, (headers, r.text)
        assert r.json()["error"]["code"] == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"
    for role in ROLES:
        r = service.client.request(method, path, json=body, headers=service.headers(role))
        if role == "admin" or role in allowed:
            assert r.status_code not in (401, 403), (role, r.text)
        else:
            assert r.status_code == 403, (role, r.text)
            assert r.json()["error"]["code"] == "forbidden"


def test_no_patient_data_leaks_in_refusals(service: Service) -> None:
    service.put_patient("p1", age_years=60)
    r = service.client.get("/api/v1/patients/p1", headers=service.headers("integration"))
    assert r.status_code == 403 and "60" not in r.text


def test_healthz_needs_no_token(service: Service) -> None:
    r = service.client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert r.json()["database"] in ("sqlite", "postgresql")
