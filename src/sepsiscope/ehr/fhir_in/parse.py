"""Parse FHIR JSON with the ``fhir.resources`` R4B models and map each resource to service items.

No hand-written FHIR schema: a resource that fails R4B validation is refused with one issue per
problem, each pointing at the element (``Bundle.entry[2].resource.effectiveDateTime``) and the
value sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from sepsiscope.ehr.fhir_in.cultures import map_procedure, map_specimen
from sepsiscope.ehr.fhir_in.mapped import Mapped, Scope
from sepsiscope.ehr.fhir_in.medications import map_administration, map_request
from sepsiscope.ehr.fhir_in.observations import map_observation
from sepsiscope.ehr.fhir_in.patients import map_encounter, map_patient
from sepsiscope.ehr.outcome import FhirError, Issue, error

Mapper = Callable[[Any, Scope], Mapped]
MAPPERS: dict[str, Mapper] = {
    "Observation": map_observation,
    "MedicationAdministration": map_administration,
    "MedicationRequest": map_request,
    "Procedure": map_procedure,
    "Specimen": map_specimen,
    "Encounter": map_encounter,
}
#: Resource types the FHIR routes accept (Patient is mapped with its logical id).
ACCEPTED = ("Patient", *MAPPERS)
#: Patients first, then encounters, then the data that needs them (one transaction either way).
_ORDER = {"Patient": 0, "Encounter": 1}


def _path(root: str, loc: tuple[Any, ...]) -> str:
    out = root
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _issues(exc: ValidationError, root: str) -> list[Issue]:
    issues = []
    for e in exc.errors():
        value = e.get("input")
        value = value if isinstance(value, (str, int, float, bool)) else None
        loc = tuple(p for p in e.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-")))
        path = _path(root, loc)
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        issues.append(Issue("error", "structure" if e.get("type") == "extra_forbidden" else "value",
                            f"{path}: {msg}", path, value))  # fmt: skip
    return issues


def load_json(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 OperationOutcome."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise error("structure", f"the body is not JSON: {e}", status=400) from None
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise error("structure", "the body must be a FHIR resource (a JSON object with resourceType)", status=400)
    return data


def parse_resource(data: dict[str, Any], root: str | None = None) -> Resource:
    """One resource validated by its R4B model (400 with an issue per problem)."""
    rtype = data["resourceType"]
    try:
        cls = get_fhir_model_class(rtype)
    except KeyError:
        raise error("not-supported", f"{rtype!r} is not a FHIR R4B resource type", "resourceType", rtype, 400) from None
    try:
        resource: Resource = cls.model_validate(data)  # type: ignore[assignment]
        return resource
    except ValidationError as e:
        raise FhirError(400, _issues(e, root or rtype)) from None


def map_resource(resource: Resource, scope: Scope, logical_id: str | None = None) -> Mapped:
    """The service items of one parsed resource (422 when it cannot be mapped)."""
    rtype = resource.get_resource_type()
    if rtype == "Patient":
        return map_patient(resource, scope, logical_id)  # type: ignore[arg-type]
    mapper = MAPPERS.get(rtype)
    if mapper is None:
        raise error("not-supported", f"{scope.where}: {rtype} is not accepted; send one of {', '.join(ACCEPTED)}",
                    f"{scope.where}.resourceType", rtype)  # fmt: skip
    return mapper(resource, scope)


@dataclass(frozen=True)
class Entry:
    """One bundle entry: its index, request and parsed resource."""

    index: int
    method: str
    url: str
    resource: Resource
    key: str | None  # conditional-create key (``identifier=…``) or ``id=ID`` for a PUT
    logical_id: str | None

    @property
    def where(self) -> str:
        return f"Bundle.entry[{self.index}].resource"


def condition(if_none_exist: str | None, expression: str) -> str | None:
    """The conditional-create key of ``ifNoneExist`` / ``If-None-Exist`` (``identifier=[system|]value``)."""
    if if_none_exist is None:
        return None
    text = if_none_exist.strip()
    if not text.startswith("identifier=") or "&" in text or text == "identifier=":
        raise error("not-supported", f"{expression}: only 'identifier=system|value' is supported; got {text!r}",
                    expression, text)  # fmt: skip
    return text


def _entry(i: int, e: BundleEntry) -> Entry:
    where = f"Bundle.entry[{i}]"
    if e.resource is None:
        raise error("required", f"{where}.resource: the entry has no resource", f"{where}.resource")
    if e.request is None:
        raise error("required", f"{where}.request: a batch or transaction entry needs request.method and url",
                    f"{where}.request")  # fmt: skip
    rtype, method, url = e.resource.get_resource_type(), e.request.method, e.request.url or ""
    parts = url.split("?")[0].strip("/").split("/")
    if method == "POST" and parts == [rtype]:
        return Entry(i, method, url, e.resource, condition(e.request.ifNoneExist, f"{where}.request.ifNoneExist"), None)
    if method == "PUT" and len(parts) == 2 and parts[0] == rtype and parts[1]:
        return Entry(i, method, url, e.resource, f"id={parts[1]}", parts[1])
    raise error("not-supported", f"{where}.request: {method} {url!r} is not supported for a {rtype}; use POST {rtype} "
                f"or PUT {rtype}/ID", f"{where}.request.url", url)  # fmt: skip


def bundle_entries(bundle: Bundle) -> tuple[list[Entry], list[tuple[int, FhirError]], dict[str, str]]:
    """The entries in processing order, the entries refused before mapping, and fullUrl → patient id."""
    entries, refused = [], []
    for i, e in enumerate(bundle.entry or []):
        try:
            entries.append(_entry(i, e))
        except FhirError as err:
            refused.append((i, err))
    patients = {}
    for entry, raw in ((x, (bundle.entry or [])[x.index]) for x in entries):
        if entry.resource.get_resource_type() == "Patient" and raw.fullUrl:
            pid = entry.logical_id or entry.resource.id  # type: ignore[attr-defined]
            if pid:
                patients[raw.fullUrl] = pid
    entries.sort(key=lambda x: (_ORDER.get(x.resource.get_resource_type(), 2), x.index))
    return entries, refused, patients
