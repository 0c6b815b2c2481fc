"""Hospital OIDC tokens (a locally generated key pair): role claim → our roles, every check on both sides."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select

from sepsiscope.app import create_app
from sepsiscope.ehr.cds.tokens import JwksCache
from sepsiscope.ehr.oidc import OidcVerifier
from sepsiscope.errors import UsageError
from sepsiscope.service.context import start
from sepsiscope.service.db.models import AuditEntry
from sepsiscope.service.settings import Settings

ISSUER = "https://login.hospital.test/realms/ward"
AUDIENCE = "sepsiscope"
KEY = RSAKey.generate_key(2048, parameters={"kid": "idp-1"}, private=True)


def _idp(request: httpx2.Request) -> httpx2.Response:
    if str(request.url) == ISSUER + "/.well-known/openid-configuration":
        return httpx2.Response(200, json={"issuer": ISSUER, "jwks_uri": ISSUER + "/certs"})
    if str(request.url) == ISSUER + "/certs":
        return httpx2.Response(200, json=KeySet([KEY]).as_dict(private=False))
    return httpx2.Response(404)


@pytest.fixture
def app_client(tmp_path: Any) -> Iterator[TestClient]:
    roles = {"icu-nurse": "nurse", "hl7-feed": "integration"}
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", oidc_issuer=ISSUER, oidc_audience=AUDIENCE,
                        oidc_role_claim="realm_access.roles", oidc_roles=roles)  # fmt: skip
    ctx = start(settings)
    app = create_app(ctx)
    assert isinstance(app.state.bearer_verifier, OidcVerifier)  # include_ehr set it up from the settings
    http = httpx2.Client(transport=httpx2.MockTransport(_idp))  # the IdP, never the network
    app.state.bearer_verifier = OidcVerifier(settings, http, JwksCache(http, 2.0))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        ctx.engine.dispose()


def _token(key: Any = KEY, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "iat": now, "sub": "u-17", "preferred_username": "ann",
            "realm_access": {"roles": ["icu-nurse", "offline_access"]}}  # fmt: skip
    body.update(claims)
    return jwt.encode({"alg": "RS256", "kid": key.kid}, {k: v for k, v in body.items() if v is not None}, key,
                      algorithms=["RS256"])  # fmt: skip


def _get(client: TestClient, token: str) -> int:
    return client.get("/api/v1/patients", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_mapped_role_reads_the_ward(app_client: TestClient) -> None:
    assert _get(app_client, _token()) == 200
    audit = app_client.get("/api/v1/audit", headers={"Authorization": f"Bearer {_token()}"})
    assert audit.status_code == 403  # a nurse is not an admin


def test_the_integration_role_writes_fhir(app_client: TestClient) -> None:
    feed = _token(realm_access={"roles": ["hl7-feed"]})
    headers = {"Authorization": f"Bearer {feed}", "Content-Type": "application/fhir+json"}
    r = app_client.put("/fhir/Patient/p1", json={"resourceType": "Patient", "id": "p1"}, headers=headers)
    assert r.status_code == 201, r.text
    assert _get(app_client, feed) == 403


OTHER = RSAKey.generate_key(2048, parameters={"kid": "idp-1"}, private=True)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": int(time.time()) - 60}, "oidc: claims refused"),
        ({"aud": "someone-else"}, "oidc: claims refused"),
        ({"iss": "https://evil.test"}, "oidc: claims refused"),
        ({"realm_access": {"roles": ["visitor"]}}, "oidc: no role in the token maps to a service role"),
        ({"realm_access": None}, "oidc: no role in the token maps to a service role"),
        ({"key": OTHER}, "oidc: signature not verified"),
    ],
    ids=["expired", "wrong_audience", "wrong_issuer", "unmapped_role", "no_role_claim", "wrongly_signed"],
)
def test_refused_tokens_are_401_and_audited(app_client: TestClient, claims: dict[str, Any], reason: str) -> None:
    key = claims.pop("key", KEY)
    token = _token(key=key, **claims)
    assert _get(app_client, token) == 401
    (entry,) = _refusals(app_client)
    detail = json.loads(entry.detail)
    assert entry.actor == "unverified" and entry.target == "GET /api/v1/patients"
    assert detail["reason"].startswith(reason) and detail["suppressed"] == {}
    assert token not in entry.detail and token.split(".")[2] not in entry.detail  # never the token itself


def test_a_flood_of_refusals_writes_one_entry_a_minute_with_the_count(app_client: TestClient) -> None:
    for _ in range(5):
        assert _get(app_client, "ssc_not-a-token") == 401
    assert _get(app_client, _token(aud="someone-else")) == 401
    assert len(_refusals(app_client)) == 1  # the first, at once; the other five are counted
    ctx = app_client.app.state.service  # type: ignore[attr-defined]
    ctx.refusals.monotonic = lambda: time.monotonic() + 61  # a minute later
    assert _get(app_client, "ssc_still-not-a-token") == 401
    first, second = _refusals(app_client)
    assert json.loads(first.detail)["reason"] == "unknown or revoked token"
    assert json.loads(second.detail)["suppressed"] == {
        "unknown or revoked token": 4,
        "oidc: claims refused (invalid_claim)": 1,
    }


def _refusals(client: TestClient) -> list[AuditEntry]:
    ctx = client.app.state.service  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.token.refused")
                                    .order_by(AuditEntry.seq)))  # fmt: skip


def test_settings_need_issuer_and_audience_together() -> None:
    with pytest.raises(ValueError, match="together"):
        Settings(oidc_issuer=ISSUER)


def test_a_role_map_to_an_unknown_role_stops_the_start(tmp_path: Any) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", oidc_issuer=ISSUER, oidc_audience=AUDIENCE,
                        oidc_roles={"icu-nurse": "superuser"})  # fmt: skip
    ctx = start(settings)
    try:
        with pytest.raises(UsageError, match="superuser"):
            create_app(ctx)
    finally:
        ctx.engine.dispose()


def test_ehr_settings_read_json_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEPSISCOPE_CDS_ISSUERS", '{"https://ehr.example": "https://ehr.example/jwks.json"}')
    monkeypatch.setenv("SEPSISCOPE_PUBLIC_URL", "https://sepsiscope.example/")
    s = Settings()
    assert s.cds_issuers == {"https://ehr.example": "https://ehr.example/jwks.json"}
    assert s.resolved_public_url == "https://sepsiscope.example"
