"""The service's part of the web application: ``/api/v1`` routes, ``/healthz``, error shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sepsiscope.service.api.errors import ApiError
from sepsiscope.service.api.routes import admin, alerts, ingest, patients
from sepsiscope.service.api.schemas import ErrorBody, Health
from sepsiscope.service.context import ServiceContext

API_PREFIX = "/api/v1"
_ERRORS = {status: {"model": ErrorBody, "description": text_} for status, text_ in (
    (401, "No or unknown token"), (403, "The token's role may not do this"), (404, "Not found"),
    (409, "Conflict with stored data or the alert's state"), (413, "Batch too large"),
    (422, "Invalid input: the error names index, field and value"), (500, "Internal error; nothing was applied"),
    (503, "The database does not answer"),
)}  # fmt: skip


def include_service(app: FastAPI, ctx: ServiceContext) -> None:
    """Mount the monitoring API on ``app`` with its context."""
    app.state.service = ctx
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        """The group writer and the scorer run while the app does (``writer.py``, ``scorer.py``)."""
        ctx.writer.start()
        ctx.scorer.start()
        try:
            async with inner(app) as state:
                yield state
        finally:
            ctx.writer.stop()
            ctx.scorer.stop()

    app.router.lifespan_context = lifespan
    api = APIRouter(prefix=API_PREFIX, responses=_ERRORS)  # type: ignore[arg-type]
    for module in (patients, ingest, alerts, admin):
        api.include_router(module.router)
    app.include_router(api)

    @app.get("/healthz", response_model=Health, tags=["health"], responses={503: {"model": ErrorBody}})
    def healthz() -> Health:
        """200 when the database answers (no token needed)."""
        try:
            with ctx.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as e:
            raise ApiError(503, "database_unavailable", f"the database does not answer: {type(e).__name__}") from None
        return Health(status="ok", database=ctx.engine.dialect.name)
