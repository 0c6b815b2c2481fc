"""The EHR's JWT on a CDS Hooks call, checked as CDS Hooks 2.0 §Trusting CDS Clients asks.

* signed with RS384 or ES384 (no other algorithm, never ``none``);
* ``iss`` in the configured allow-list (``Settings.cds_issuers``), the key from *that* issuer's
  JWKS URL (fetched with a timeout and cached; an unknown ``kid`` refetches once, so rotated
  keys are picked up, at most every :data:`MIN_REFETCH_S`);
* ``aud`` the URL of the service called (``PUBLIC_URL/cds-services/ID``);
* ``exp``, ``iat`` and ``jti`` present; not expired; the ``jti`` never seen before from that issuer
  (kept until the token expires, table ``used_jti``).

Every refusal raises :class:`TokenRefused` with a reason for the audit trail; the caller answers
401 with one fixed message, so the reply tells an attacker nothing.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sepsiscope.service.db.ehr_models import UsedTokenId

ALGORITHMS = ("RS384", "ES384")
#: Seconds a fetched JWKS is used before it is fetched again.
JWKS_TTL_S = 300.0
#: An unknown key id refetches the JWKS at most this often (a flood of bad kids cannot hammer the EHR).
MIN_REFETCH_S = 10.0
#: Clock skew allowed on ``exp``/``iat`` (seconds).
LEEWAY_S = 5


class TokenRefused(Exception):
    """The token is not accepted; ``reason`` is for the audit trail, never for the reply."""

    def __init__(self, reason: str, issuer: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.issuer = reason, issuer


class JwksCache:
    """JWKS documents by URL, fetched through ``http`` and kept for :data:`JWKS_TTL_S`."""

    def __init__(self, http: httpx2.Client, timeout_s: float) -> None:
        self.http, self.timeout_s = http, timeout_s
        self._keys: dict[str, tuple[float, KeySet]] = {}
        self._lock = threading.Lock()

    def get(self, url: str, *, refetch: bool = False) -> KeySet:
        """The key set at ``url`` (fetched when absent, stale, or ``refetch`` and not fetched just now)."""
        with self._lock:
            cached = self._keys.get(url)
            now = time.monotonic()
            if cached is not None:
                age = now - cached[0]
                if age < JWKS_TTL_S and not (refetch and age >= MIN_REFETCH_S):
                    return cached[1]
            try:
                reply = self.http.get(url, timeout=self.timeout_s, headers={"Accept": "application/json"})
                reply.raise_for_status()
                keys = KeySet.import_key_set(reply.json())
            except (httpx2.HTTPError, ValueError, JoseError) as e:
                if cached is not None:
                    return cached[1]
                raise TokenRefused(f"JWKS {url} could not be read ({type(e).__name__})") from None
            self._keys[url] = (now, keys)
            return keys


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        obj = jws.extract_compact(token.encode())
        claims = json.loads(obj.payload)
    except (JoseError, ValueError, UnicodeError):
        raise TokenRefused("not a compact JWS") from None
    if not isinstance(claims, dict):
        raise TokenRefused("the payload is not a JSON object")
    return dict(obj.headers()), claims


def verify(token: str, *, issuers: dict[str, str], audience: str, jwks: JwksCache) -> dict[str, Any]:
    """The claims of a valid token (signature, issuer, audience, times); :class:`TokenRefused` otherwise."""
    header, claims = _unverified(token)
    iss = claims.get("iss")
    if not isinstance(iss, str) or iss not in issuers:
        raise TokenRefused("issuer not in the allow-list", str(iss)[:200] if iss is not None else None)
    if header.get("alg") not in ALGORITHMS:
        raise TokenRefused(f"algorithm {str(header.get('alg'))[:20]!r} is not RS384 or ES384", iss)
    url = issuers[iss]
    for refetch in (False, True):
        try:
            verified = jwt.decode(token, jwks.get(url, refetch=refetch), algorithms=list(ALGORITHMS))
            break
        except JoseError as e:
            if refetch:
                raise TokenRefused(f"signature not verified against the issuer's JWKS ({e.error})", iss) from None
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_S, iss={"essential": True, "value": iss}, aud={"essential": True, "value": audience},
        exp={"essential": True}, iat={"essential": True}, jti={"essential": True},
    )  # fmt: skip
    try:
        registry.validate(verified.claims)
    except JoseError as e:
        raise TokenRefused(f"claims refused ({e.error}: {e.description})", iss) from None
    return dict(verified.claims)


def remember_jti(sessions: sessionmaker[Session], claims: dict[str, Any], now: datetime) -> None:
    """Record the token's ``jti``; a second use raises :class:`TokenRefused` (replay)."""
    iss, jti = str(claims["iss"]), str(claims["jti"])
    if len(jti) > 200:
        raise TokenRefused("jti longer than 200 characters", iss)
    expires = datetime.fromtimestamp(float(claims["exp"]), UTC)
    try:
        with sessions.begin() as session:
            session.execute(delete(UsedTokenId).where(UsedTokenId.expires_at < now - timedelta(minutes=10)))
            session.add(UsedTokenId(issuer=iss, jti=jti, expires_at=expires, used_at=now))
    except IntegrityError:
        raise TokenRefused("jti already used (replay)", iss) from None
