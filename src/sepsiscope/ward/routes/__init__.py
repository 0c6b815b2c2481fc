"""The ward's routes, and :func:`include_ward`, which mounts them on the web application."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from sepsiscope.ward.access import PageExit
from sepsiscope.ward.routes import admin, alerts, board, patient, signin
from sepsiscope.ward.session import SessionStore

router = APIRouter(include_in_schema=False)
for _module in (signin, board, alerts, patient, admin):
    router.include_router(_module.router)


async def _page_exit(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageExit)
    return exc.response


def include_ward(app: FastAPI) -> None:
    """Mount the pages, their static files and their session store (needs the service mounted)."""
    app.state.ward_sessions = SessionStore()
    app.include_router(router)
    app.mount("/ward/static", StaticFiles(packages=[("sepsiscope.ward", "static")]), name="ward-static")
    app.add_exception_handler(PageExit, _page_exit)
