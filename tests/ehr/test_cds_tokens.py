"""The EHR's JWT (CDS Hooks 2.0, Trusting CDS Clients): every bad token 401, audited, nothing leaked."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from joserfc.jwk import ECKey, OctKey
from sqlalchemy import func, select

from sepsiscope.ehr.cds.discovery import ORDER_SIGN, PATIENT_VIEW
from sepsiscope.service.db.ehr_models import CdsCard
from sepsiscope.service.db.models import AuditEntry
from tests.ehr.fake_ehr import FakeEhr, hook_request, rsa_key
from tests.ehr.test_cds import septic
from tests.service.conftest import Service

REFUSED = {"error": {"code": "unauthorized", "message": "the token is not accepted"}}


def _post(svc: Service, token: str | None, service_id: str = PATIENT_VIEW) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return svc.client.post(f"/cds-services/{service_id}", json=hook_request("patient-view", "MRN-7"), headers=headers)


def _refusals(svc: Service) -> list[str]:
    with svc.ctx.sessions() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "cds.token.refused").order_by(AuditEntry.seq))
        return [r.detail for r in rows]


def _cards(svc: Service) -> int:
    with svc.ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(CdsCard)) or 0


BAD_TOKENS: list[tuple[str, Callable[[FakeEhr], str | None], str]] = [
    ("expired", lambda e: e.token(PATIENT_VIEW, exp=int(time.time()) - 60), "expired_token"),
    ("wrongly_signed", lambda e: e.token(PATIENT_VIEW, key=ECKey.generate_key("P-384", parameters={"kid": "ec-1"},
                                                                               private=True)), "signature"),
    ("wrong_audience", lambda e: e.token(PATIENT_VIEW, aud="https://elsewhere.test/cds-services/x"), "aud"),
    ("other_service_audience", lambda e: e.token(ORDER_SIGN), "aud"),
    ("unknown_issuer", lambda e: e.token(PATIENT_VIEW, iss="https://evil.example"), "allow-list"),
    ("no_jti", lambda e: e.token(PATIENT_VIEW, jti=None), "jti"),
    ("no_exp", lambda e: e.token(PATIENT_VIEW, exp=None), "exp"),
    ("hmac_algorithm", lambda e: e.token(PATIENT_VIEW, key=OctKey.generate_key(256, parameters={"kid": "ec-1"}),
                                         alg="HS384"), "algorithm"),
    ("garbage", lambda e: "not.a.jwt", "compact JWS"),
    ("missing", lambda e: None, "no bearer token"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "reason"), [c[1:] for c in BAD_TOKENS], ids=[c[0] for c in BAD_TOKENS])
def test_bad_token_is_refused_audited_and_silent(cds: Service, ehr: FakeEhr, make: Callable[[FakeEhr], str | None],
                                                 reason: str) -> None:  # fmt: skip
    septic(cds)
    r = _post(cds, make(ehr))
    assert r.status_code == 401
    assert r.json() == REFUSED, "the reply must not say why"
    assert r.headers["www-authenticate"] == "Bearer"
    assert "MRN-7" not in r.text
    (detail,) = _refusals(cds)
    assert reason in detail
    assert _cards(cds) == 0


def test_replayed_token_is_refused(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    token = ehr.token(PATIENT_VIEW)
    assert _post(cds, token).status_code == 200
    again = _post(cds, token)
    assert (again.status_code, again.json()) == (401, REFUSED)
    assert "replay" in _refusals(cds)[0]
    assert _cards(cds) == 1


def test_rs384_and_rotated_keys_are_accepted(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    assert _post(cds, ehr.token(PATIENT_VIEW)).status_code == 200  # the JWKS is now cached
    new = rsa_key("rsa-2")
    ehr.keys.append(new)
    cache = cds.client.app.state.ehr.jwks  # type: ignore[attr-defined]
    for url, (fetched, keys) in list(cache._keys.items()):  # older than MIN_REFETCH_S: an unknown kid refetches
        cache._keys[url] = (fetched - 60, keys)
    assert _post(cds, ehr.token(PATIENT_VIEW, key=new)).status_code == 200
    jwks_reads = [r for r in ehr.requests if str(r.url).endswith("jwks.json")]
    assert len(jwks_reads) == 2


def test_no_configured_issuer_refuses_every_call(service: Service, ehr: FakeEhr) -> None:
    r = service.client.post(f"/cds-services/{PATIENT_VIEW}", json=hook_request("patient-view", "x"),
                            headers={"Authorization": f"Bearer {ehr.token(PATIENT_VIEW)}"})  # fmt: skip
    assert (r.status_code, r.json()) == (401, REFUSED)


def test_feedback_needs_a_token_too(cds: Service, ehr: FakeEhr) -> None:
    r = cds.client.post(f"/cds-services/{PATIENT_VIEW}/feedback", json={"feedback": []})
    assert (r.status_code, r.json()) == (401, REFUSED)
