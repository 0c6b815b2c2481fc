"""One error shape for every 4xx and 5xx of the API: ``{"error": {"code", "message", …}}``.

Validation errors name the item ``index`` of a batch, the ``field`` and the ``value`` sent,
as the calculator's errors do (shared/docs/style.md §4). Unexpected failures answer 500 in
the same shape and say that nothing was applied (the transaction was rolled back).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sepsiscope.service.alerts import TransitionError
from sepsiscope.service.ingest import ItemError

_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid", 500: "internal",
}  # fmt: skip


class ApiError(Exception):
    """An API error with its status and code."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                   **extra: Any) -> JSONResponse:  # fmt: skip
    body = {"error": {"code": code, "message": message, **{k: v for k, v in extra.items()}}}
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


def _batch_location(loc: tuple[Any, ...]) -> tuple[int | None, str | None]:
    """``("body", "observations", 3, "time")`` → (3, "time")."""
    parts = [p for p in loc if p != "body"]
    index = next((p for p in parts if isinstance(p, int)), None)
    names = [str(p) for p in parts if not isinstance(p, int)]
    if index is not None and len(names) > 1:
        names = names[1:]
    return index, ".".join(names) or None


def validation_response(exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0]
    loc = tuple(first.get("loc", ()))
    index, field = _batch_location(loc)
    if first.get("type") == "json_invalid":
        return error_response(422, "malformed_json", f"the body is not valid JSON: {first.get('msg')}")
    where = f"{loc[1]}[{index}]." if index is not None and len(loc) > 1 else ""
    value = first.get("input")
    if isinstance(value, (dict, list)):
        value = None  # echo scalars only
    message = f"{where}{field or 'body'}: {first.get('msg')}"
    return error_response(422, "invalid", message, index=index, field=field, value=value,
                          errors=len(exc.errors()))  # fmt: skip


def item_response(exc: ItemError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, index=exc.index, field=exc.field, value=exc.value)


def http_response(exc: StarletteHTTPException) -> JSONResponse:
    code = _CODES.get(exc.status_code, "error")
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return error_response(exc.status_code, code, str(exc.detail), headers=headers)


def api_error_response(exc: ApiError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return error_response(exc.status, exc.code, exc.message, headers=headers, **exc.extra)


def transition_response(exc: TransitionError) -> JSONResponse:
    return error_response(409, "invalid_transition", str(exc))


def is_api(request: Request) -> bool:
    """Paths that answer in JSON (the checker's pages answer in HTML)."""
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/openapi.json")
