"""The sepsiscope web application: one FastAPI app that every web part joins.

It serves the patient symptom checker (``sepsiscope.checker``: ``/check``, ``/learn``) and,
when started with service settings, the monitoring service (``sepsiscope.service``:
``/api/v1``, ``/healthz``, ``/openapi.json``). Started by ``sepsiscope serve``.

Privacy defaults for every response: no caching (answers and patient data must not linger
in a browser or proxy cache), no referrer, a strict content security policy (scripts and
styles from this server only), and no cookies, except the ward pages' session cookie on ward
paths (``sepsiscope.ward.session``); the checker and the API never set one. The server runs with the
access log off (``sepsiscope.cli.service.serve``). API paths answer errors in the API's one JSON
shape; the checker's pages answer in HTML.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from sepsiscope.checker.routes import not_found_page, router
from sepsiscope.ehr.app import ehr_error, include_ehr
from sepsiscope.service.alerts import TransitionError
from sepsiscope.service.api import errors
from sepsiscope.service.app import include_service
from sepsiscope.service.context import ServiceContext
from sepsiscope.service.ingest import ItemError
from sepsiscope.ward.routes import include_ward
from sepsiscope.ward.session import cookie_allowed

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
log = logging.getLogger("sepsiscope.app")


def create_app(service: ServiceContext | None = None) -> FastAPI:
    """Build the application; with a service context, the monitoring API joins the checker."""
    app = FastAPI(
        title="sepsiscope",
        version="0.1.0",
        description="Monitoring service API. Supports, never replaces, clinical judgement; not a medical device.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if service is not None else None,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        cookies = response.headers.getlist("set-cookie")
        if cookies and not cookie_allowed(request.url.path, cookies):  # only the ward's session cookie
            del response.headers["set-cookie"]
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if (ehr := ehr_error(request, exc)) is not None:
            return ehr
        if errors.is_api(request):
            return errors.http_response(exc)
        if exc.status_code == 404:
            return not_found_page(request)  # type: ignore[no-any-return]
        return Response(str(exc.detail), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if (ehr := ehr_error(request, exc)) is not None:
            return ehr
        return errors.validation_response(exc)

    @app.exception_handler(errors.ApiError)
    async def api_error(request: Request, exc: errors.ApiError) -> Response:
        if (ehr := ehr_error(request, exc)) is not None:
            return ehr
        return errors.api_error_response(exc)

    @app.exception_handler(ItemError)
    async def item_error(request: Request, exc: ItemError) -> Response:
        return errors.item_response(exc)

    @app.exception_handler(TransitionError)
    async def transition_error(request: Request, exc: TransitionError) -> Response:
        return errors.transition_response(exc)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        if (ehr := ehr_error(request, exc)) is not None:
            return ehr
        log.exception("internal error on %s %s", request.method, request.url.path)
        return errors.error_response(500, "internal", "internal error; the request was not applied")

    if service is not None:  # first, so its /healthz (which asks the database) wins
        include_service(app, service)
        include_ward(app)
        include_ehr(app, service)
    app.include_router(router, include_in_schema=False)
    app.mount("/static", StaticFiles(packages=[("sepsiscope.checker", "static")]), name="static")
    return app
