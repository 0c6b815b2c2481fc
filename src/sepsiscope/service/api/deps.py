"""Dependencies of the API routes: the service context and the caller's role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sepsiscope.service.api.errors import ApiError
from sepsiscope.service.auth import BearerRefused, BearerVerifier, Principal, Role, authenticate
from sepsiscope.service.context import ServiceContext

_bearer = HTTPBearer(auto_error=False, description="A token from `sepsiscope token create --role ROLE`.")


def get_context(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.service
    return ctx


ContextDep = Annotated[ServiceContext, Depends(get_context)]


def require(*roles: Role) -> Callable[..., Principal]:
    """A dependency that admits a live token of one of ``roles`` (admin is always admitted)."""

    def dependency(
        ctx: ContextDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        request: Request,
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise ApiError(401, "unauthorized", "send Authorization: Bearer TOKEN (sepsiscope token create)")
        with ctx.readers() as session:
            principal = authenticate(session, credentials.credentials)
        verifier: BearerVerifier | None = getattr(request.app.state, "bearer_verifier", None)
        reason = "unknown or revoked token"
        if principal is None and verifier is not None:  # e.g. a hospital OIDC token (sepsiscope.ehr.oidc)
            try:
                principal = verifier(credentials.credentials)
            except BearerRefused as e:
                reason = e.reason
        if principal is None:
            where = f"{request.method} {request.url.path}"
            client = request.client.host if request.client else None
            ctx.refusals.record(ctx.sessions, "unverified", "auth.token.refused", where,
                                {"reason": reason, "client": client})  # fmt: skip
            raise ApiError(401, "unauthorized", "the token is not valid (unknown or revoked)")
        if principal.role != "admin" and principal.role not in roles:
            raise ApiError(403, "forbidden", f"role {principal.role!r} may not do this; needs one of: "
                           f"{', '.join(sorted({*roles, 'admin'}))}")  # fmt: skip
        return principal

    return dependency
