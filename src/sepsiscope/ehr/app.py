"""The EHR part of the web application: ``/fhir`` (FHIR R4 in) and ``/cds-services`` (CDS Hooks 2.0).

:func:`include_ehr` mounts the routes; :func:`ehr_error` answers any error on those paths in
their own shape — an ``OperationOutcome`` on ``/fhir`` and the API's one JSON error shape on
``/cds-services`` — and is called first by the application's error handlers.
"""

from __future__ import annotations

import logging

import httpx2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from sepsiscope.ehr import fhir_routes
from sepsiscope.ehr.cds import routes as cds_routes
from sepsiscope.ehr.cds.routes import EhrState
from sepsiscope.ehr.cds.tokens import JwksCache
from sepsiscope.ehr.oidc import OidcVerifier
from sepsiscope.ehr.outcome import FhirError, Issue, http_issue, outcome_response
from sepsiscope.service.api import errors
from sepsiscope.service.context import ServiceContext
from sepsiscope.service.ingest import ItemError

FHIR_PREFIX = "/fhir"
CDS_PREFIX = "/cds-services"
log = logging.getLogger("sepsiscope.ehr")


def is_fhir(request: Request) -> bool:
    """Paths that answer in FHIR."""
    path = request.url.path
    return path == FHIR_PREFIX or path.startswith(FHIR_PREFIX + "/")


def is_cds(request: Request) -> bool:
    """Paths of the CDS Hooks services."""
    path = request.url.path
    return path == CDS_PREFIX or path.startswith(CDS_PREFIX + "/")


def _fhir(exc: Exception) -> Response:
    headers = None
    if isinstance(exc, FhirError):
        return outcome_response(exc.status, exc.issues)
    if isinstance(exc, errors.ApiError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return outcome_response(exc.status, http_issue(exc.status, exc.message), headers)
    if isinstance(exc, StarletteHTTPException):
        return outcome_response(exc.status_code, http_issue(exc.status_code, str(exc.detail)))
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return outcome_response(400, [Issue("error", "invalid", f"{where}: {first.get('msg')}", None)])
    if isinstance(exc, ItemError):
        return outcome_response(exc.status, [Issue("error", "invalid", exc.message, exc.field, exc.value)])
    log.exception("internal error on a FHIR route")
    return outcome_response(500, http_issue(500, "internal error; the request was not applied"))


def ehr_error(request: Request, exc: Exception) -> Response | None:
    """The reply to ``exc`` on an EHR path, or ``None`` for any other path."""
    if is_fhir(request):
        return _fhir(exc)
    if is_cds(request):
        if isinstance(exc, errors.ApiError):
            return errors.api_error_response(exc)
        if isinstance(exc, StarletteHTTPException):
            return errors.http_response(exc)
        if isinstance(exc, RequestValidationError):
            return errors.validation_response(exc)
        log.exception("internal error on a CDS Hooks route")
        return errors.error_response(500, "internal", "internal error; the request was not applied")
    return None


def include_ehr(app: FastAPI, ctx: ServiceContext, http: httpx2.Client | None = None) -> None:
    """Mount the FHIR and CDS Hooks routes (after the service: they share its context).

    ``http`` reaches EHR FHIR servers and JWKS URLs (tests pass one over ``httpx2.MockTransport``).
    """
    client = http or httpx2.Client(follow_redirects=False)
    app.state.ehr = EhrState(client, JwksCache(client, ctx.settings.ehr_timeout_s))
    if ctx.settings.oidc_issuer is not None:
        app.state.bearer_verifier = OidcVerifier(ctx.settings, client, app.state.ehr.jwks)
    app.include_router(fhir_routes.router)
    app.include_router(cds_routes.router)

    @app.exception_handler(FhirError)
    async def fhir_error(request: Request, exc: FhirError) -> Response:
        return outcome_response(exc.status, exc.issues)
