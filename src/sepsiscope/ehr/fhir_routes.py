"""FHIR R4 in: ``POST /fhir`` (batch or transaction Bundle), ``POST /fhir/TYPE``, ``PUT /fhir/TYPE/ID``.

Writes need the ``integration`` or ``admin`` role, as ``POST /api/v1/observations`` does (the
service's bearer tokens, or a hospital OIDC token when configured). Replies are
``application/fhir+json``: a ``transaction-response`` / ``batch-response`` Bundle, or an
``OperationOutcome``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from fhir.resources.R4B.bundle import Bundle
from starlette.concurrency import run_in_threadpool

from sepsiscope.ehr.capability import capability_statement
from sepsiscope.ehr.fhir_in.bundle import batch, not_a_bundle, single, transaction
from sepsiscope.ehr.fhir_in.parse import ACCEPTED, load_json, parse_resource
from sepsiscope.ehr.outcome import FHIR_JSON, error, fhir_response
from sepsiscope.service.api.deps import ContextDep, require
from sepsiscope.service.auth import WRITE_DATA, Principal

router = APIRouter(prefix="/fhir", tags=["FHIR R4"])
Writer = Annotated[Principal, Depends(require(*WRITE_DATA))]
_MEDIA = ("application/fhir+json", "application/json")
_RESOURCE = {"type": "object", "required": ["resourceType"], "properties": {"resourceType": {"type": "string"}}}
_FHIR_BODY = {"content": {FHIR_JSON: {"schema": _RESOURCE}}, "description": "A FHIR JSON resource"}
_OUTCOME = {"description": "OperationOutcome", "content": {FHIR_JSON: {"schema": _RESOURCE}}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {**_OUTCOME, "description": text} for status, text in (
        (400, "Not a FHIR resource of this kind (R4B validation), with an issue per problem"),
        (401, "No or invalid token"), (403, "The token's role may not write"), (409, "An id reused for other data"),
        (415, "Not application/fhir+json"), (422, "Cannot be mapped or stored: element, value and reason"),
    )
}  # fmt: skip
ResourceType = Annotated[str, Path(pattern="^(" + "|".join(ACCEPTED) + ")$")]
LogicalId = Annotated[str, Path(pattern=r"^[A-Za-z0-9\-.]{1,64}$")]


@router.get("/metadata", responses={200: {**_OUTCOME, "description": "CapabilityStatement"}})
def metadata(ctx: ContextDep) -> JSONResponse:
    """What this FHIR endpoint takes (no token needed, as FHIR servers publish it)."""
    return fhir_response(capability_statement(f"{ctx.settings.resolved_public_url}/fhir"))


async def _body(request: Request) -> dict[str, Any]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in _MEDIA:
        raise error("not-supported", f"Content-Type {media or 'missing'!r}: send application/fhir+json", status=415)
    return load_json(await request.body())


@router.post("", openapi_extra={"requestBody": _FHIR_BODY},
             responses={200: {**_OUTCOME, "description": "transaction-response or batch-response Bundle"},
                        **_RESPONSES})  # fmt: skip
async def post_bundle(request: Request, who: Writer, ctx: ContextDep) -> JSONResponse:
    """A ``transaction`` (all or nothing) or ``batch`` (each entry on its own) Bundle."""
    data = await _body(request)
    if data["resourceType"] != "Bundle":
        rtype = data["resourceType"]
        raise error("not-supported", f"POST /fhir takes a Bundle, not a {rtype}; POST /fhir/{rtype} takes one "
                    "resource", "resourceType", rtype, 400)  # fmt: skip
    bundle = parse_resource(data)
    assert isinstance(bundle, Bundle)
    if bundle.type == "transaction":
        return fhir_response(await run_in_threadpool(transaction, ctx, who.actor, bundle))
    if bundle.type == "batch":
        return fhir_response(await run_in_threadpool(batch, ctx, who.actor, bundle))
    raise not_a_bundle(bundle.type)


def _same_type(data: dict[str, Any], resource_type: str) -> None:
    if data["resourceType"] != resource_type:
        raise error("invalid", f"resourceType {data['resourceType']!r} does not match the URL ({resource_type})",
                    "resourceType", data["resourceType"], 400)  # fmt: skip


@router.post("/{resource_type}", openapi_extra={"requestBody": _FHIR_BODY},
             responses={200: {**_OUTCOME, "description": "Already stored (conditional create matched)"},
                        201: {**_OUTCOME, "description": "Stored"}, **_RESPONSES})  # fmt: skip
async def post_resource(resource_type: ResourceType, request: Request, who: Writer, ctx: ContextDep) -> JSONResponse:
    """Create one resource; ``If-None-Exist: identifier=system|value`` makes a resend safe."""
    data = await _body(request)
    _same_type(data, resource_type)
    resource = parse_resource(data)
    status, body = await run_in_threadpool(single, ctx, who.actor, resource, request.headers.get("if-none-exist"))
    return fhir_response(body, status)


@router.put("/{resource_type}/{logical_id}", openapi_extra={"requestBody": _FHIR_BODY},
            responses={200: {**_OUTCOME, "description": "Already stored"}, 201: {**_OUTCOME, "description": "Stored"},
                       **_RESPONSES})  # fmt: skip
async def put_resource(resource_type: ResourceType, logical_id: LogicalId, request: Request, who: Writer,
                       ctx: ContextDep) -> JSONResponse:  # fmt: skip
    """Create or update by logical id (``PUT /fhir/Patient/MRN-0042``: the service's patient ``MRN-0042``)."""
    data = await _body(request)
    _same_type(data, resource_type)
    resource = parse_resource(data)
    status, body = await run_in_threadpool(single, ctx, who.actor, resource, None, logical_id)
    return fhir_response(body, status)
