"""The sepsiscope web application: one FastAPI app that every web part joins.

Today it serves the patient symptom checker (``sepsiscope.checker``); the monitoring
service and the ward dashboard will mount here too (shared/docs/style.md §2, L6).
Started by ``sepsiscope serve``.

Privacy defaults for every response: no caching of pages (answers must not linger in a
browser or proxy cache), no referrer, a strict content security policy (scripts and
styles from this server only), and no cookies are ever set. The server runs with the
access log off (see ``sepsiscope.cli.serve``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from sepsiscope.checker.routes import not_found_page, router

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


def create_app() -> FastAPI:
    """Build the application (no settings yet: the checker stores nothing)."""
    app = FastAPI(title="sepsiscope", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if "set-cookie" in response.headers:  # pragma: no cover - nothing sets one; keep it that way
            del response.headers["set-cookie"]
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return not_found_page(request)  # type: ignore[no-any-return]
        return Response(str(exc.detail), status_code=exc.status_code)

    app.include_router(router)
    app.mount("/static", StaticFiles(packages=[("sepsiscope.checker", "static")]), name="static")
    return app
