"""Hospital OpenID Connect tokens as service tokens: a verified JWT's role claim → our roles.

``sepsiscope serve --oidc-issuer URL --oidc-audience A`` accepts, beside the service's own bearer
tokens, JWTs that the hospital's identity provider signed:

* the key comes from the issuer's JWKS (``--oidc-jwks-url``/``SEPSISCOPE_OIDC_JWKS_URL``, else
  ``jwks_uri`` of ``ISSUER/.well-known/openid-configuration``), fetched with a timeout and cached
  (rotated keys are fetched again, ``cds/tokens.JwksCache``);
* ``iss`` must be the issuer, ``aud`` must include the audience, ``exp`` must lie ahead;
* the role claim (``oidc_role_claim``, default ``roles``; a dotted path such as
  ``realm_access.roles`` reaches into an object) is mapped through ``oidc_roles`` (hospital role →
  service role; a service role name maps to itself). With several, the strongest wins: admin,
  clinician, nurse, integration. No mapped role: refused (401, as an unknown token).

A JWT refused for any reason raises ``BearerRefused``: the API answers 401 as for an unknown
token and writes the reason to the audit trail (rate-limited, ``service/refusals.py``).

The caller is named ``oidc:<preferred_username or sub>`` in the audit trail.
"""

from __future__ import annotations

from typing import Any

import httpx2
from joserfc import jwt
from joserfc.errors import JoseError

from sepsiscope.ehr.cds.tokens import JwksCache, TokenRefused
from sepsiscope.errors import UsageError
from sepsiscope.service.auth import ROLES, BearerRefused, Principal
from sepsiscope.service.settings import Settings

ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384")
#: Strongest first: the role a principal gets when the claim maps to several.
PRECEDENCE = ("admin", "clinician", "nurse", "integration")


class OidcVerifier:
    """Callable ``token → Principal | None`` for ``service.api.deps.require`` (``app.state.bearer_verifier``)."""

    def __init__(self, settings: Settings, http: httpx2.Client, jwks: JwksCache) -> None:
        assert settings.oidc_issuer is not None and settings.oidc_audience is not None
        self.settings, self.http, self.jwks = settings, http, jwks
        self.issuer, self.audience = settings.oidc_issuer, settings.oidc_audience
        self._jwks_url = settings.oidc_jwks_url
        unknown = sorted(set(settings.oidc_roles.values()) - set(ROLES))
        if unknown:
            raise UsageError(f"oidc_roles maps to {unknown}, which are not service roles; use {', '.join(ROLES)}")

    def jwks_url(self) -> str:
        """The JWKS URL: configured, or discovered once from the issuer's OpenID configuration."""
        if self._jwks_url is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                reply = self.http.get(url, timeout=self.settings.ehr_timeout_s)
                reply.raise_for_status()
                self._jwks_url = str(reply.json()["jwks_uri"])
            except (httpx2.HTTPError, ValueError, KeyError, TypeError):
                raise TokenRefused("the issuer's OpenID configuration could not be read") from None
        return self._jwks_url

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims, or :class:`TokenRefused`."""
        url = self.jwks_url()
        for refetch in (False, True):
            try:
                verified = jwt.decode(token, self.jwks.get(url, refetch=refetch), algorithms=list(ALGORITHMS))
                break
            except JoseError as e:
                if refetch:
                    raise TokenRefused(f"signature not verified ({e.error})") from None
        registry = jwt.JWTClaimsRegistry(
            leeway=5, iss={"essential": True, "value": self.issuer}, aud={"essential": True, "value": self.audience},
            exp={"essential": True},
        )  # fmt: skip
        try:
            registry.validate(verified.claims)
        except JoseError as e:
            raise TokenRefused(f"claims refused ({e.error})") from None
        return dict(verified.claims)

    def role(self, claims: dict[str, Any]) -> str | None:
        """The service role the claims map to (strongest of several), or ``None``."""
        value: Any = claims
        for part in self.settings.oidc_role_claim.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        names = [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]
        mapped = {self.settings.oidc_roles.get(n, n) for n in names} & set(ROLES)
        return next((r for r in PRECEDENCE if r in mapped), None)

    def __call__(self, token: str) -> Principal | None:
        if token.count(".") != 2:
            return None  # not a JWT: not ours to judge
        try:
            claims = self.claims(token)
        except TokenRefused as e:
            raise BearerRefused(f"oidc: {e.reason}") from None
        role = self.role(claims)
        if role is None:
            raise BearerRefused("oidc: no role in the token maps to a service role")
        name = str(claims.get("preferred_username") or claims.get("sub") or "unknown")[:100]
        return Principal(0, f"oidc:{name}", role)  # type: ignore[arg-type]
