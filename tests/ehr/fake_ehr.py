"""An in-process EHR for the CDS Hooks tests: its JWKS and a read-only FHIR server over httpx MockTransport.

Never the network: every request the service makes lands in :meth:`FakeEhr.handle` and is
recorded, so tests can check what was read (and that nothing was written).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

ISSUER = "https://ehr.example"
JWKS_URL = "https://ehr.example/jwks.json"
FHIR_BASE = "https://ehr.example/fhir"
PUBLIC_URL = "https://sepsiscope.test"
ACCESS_TOKEN = "ehr-access-token-123"


@dataclass
class FakeEhr:
    """Keys, FHIR resources by type, and the requests received."""

    keys: list[Any] = field(default_factory=list)
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[httpx2.Request] = field(default_factory=list)
    fail: set[str] = field(default_factory=set)  # resource types that time out

    def __post_init__(self) -> None:
        if not self.keys:
            self.keys = [ECKey.generate_key("P-384", parameters={"kid": "ec-1"}, private=True)]

    def jwks(self) -> dict[str, Any]:
        return KeySet(self.keys).as_dict(private=False)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if request.method != "GET":
            return httpx2.Response(405)
        url = str(request.url)
        if url == JWKS_URL:
            return httpx2.Response(200, json=self.jwks())
        if not url.startswith(FHIR_BASE + "/"):
            return httpx2.Response(404)
        if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return httpx2.Response(401)
        parts = urlsplit(url)
        rtype = parts.path.rsplit("/", 1)[-1]
        if rtype in self.fail:
            raise httpx2.ReadTimeout("timed out", request=request)
        patient = parse_qs(parts.query).get("patient", [""])[0]
        ref = f"Patient/{patient}"
        found = [r for r in self.resources.get(rtype, []) if r.get("subject", {}).get("reference") == ref]
        body = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in found]}
        return httpx2.Response(200, json=body, headers={"Content-Type": "application/fhir+json"})

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self.handle))

    def token(self, service_id: str, *, key: Any = None, alg: str | None = None, **claims: Any) -> str:
        """A JWT as the EHR signs it (claims override the defaults; ``None`` removes one)."""
        key = key or self.keys[0]
        now = int(time.time())
        body = {"iss": ISSUER, "sub": "ehr-client", "aud": f"{PUBLIC_URL}/cds-services/{service_id}",
                "exp": now + 300, "iat": now, "jti": str(uuid.uuid4())}  # fmt: skip
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        alg = alg or ("ES384" if isinstance(key, ECKey) else "RS384")
        return jwt.encode({"alg": alg, "kid": key.kid, "typ": "JWT"}, body, key, algorithms=[alg])


def rsa_key(kid: str) -> RSAKey:
    """An RSA key for RS384."""
    return RSAKey.generate_key(2048, parameters={"kid": kid}, private=True)


def hook_request(hook: str, patient: str, *, prefetch: dict[str, Any] | None = None, fhir: bool = True,
                 **context: Any) -> dict[str, Any]:  # fmt: skip
    """A CDS Hooks 2.0 request body."""
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()),
                            "context": {"userId": "Practitioner/123", "patientId": patient, **context}}  # fmt: skip
    if fhir:
        body["fhirServer"] = FHIR_BASE
        body["fhirAuthorization"] = {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300,
                                     "scope": "patient/*.read", "subject": "sepsiscope"}  # fmt: skip
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body
