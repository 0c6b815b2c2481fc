"""What the cards need from the EHR: the prefetch given, else a read of the EHR's FHIR server.

Reads are ``GET`` only, with the hook's ``fhirAuthorization`` token and a timeout, and are never
retried (CDS Hooks 2.0 §Prefetch: the service may query the FHIR server itself). They go only to
a FHIR server registered for the calling issuer (``Settings.cds_fhir_servers``): a hook that
names another server — a misconfigured EHR, or a stolen signing key pointing the service at an
internal address — gets no request and no token, and its card says what was not read. A query that
fails or times out leaves its key missing, and the card says which data it lacked; nothing is
guessed in its place. Resources read are mapped with the FHIR-in mappers (``fhir_in``) but never
stored: they only inform this card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx2

from sepsiscope.ehr.cds.schemas import HookRequest
from sepsiscope.ehr.fhir_in.mapped import Scope
from sepsiscope.ehr.fhir_in.parse import MAPPERS, parse_resource
from sepsiscope.ehr.outcome import FhirError
from sepsiscope.service.api.schemas import EventIn, ObservationIn


@dataclass
class EhrData:
    """Events and measurements read from the EHR for one call, and what could not be read."""

    events: list[EventIn] = field(default_factory=list)
    observations: list[ObservationIn] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "cultures (timeout)"
    unreadable: int = 0  # resources that could not be mapped (other drugs, other codes…)


def _fill(template: str, context: dict[str, Any]) -> str | None:
    out = template
    for key, value in context.items():
        out = out.replace("{{context." + key + "}}", str(value))
    return None if "{{" in out else out


def _fetch(req: HookRequest, query: str, http: httpx2.Client, timeout_s: float) -> dict[str, Any]:
    assert req.fhirServer is not None and req.fhirAuthorization is not None
    url = req.fhirServer.rstrip("/") + "/" + query
    headers = {"Authorization": f"Bearer {req.fhirAuthorization.access_token}", "Accept": "application/fhir+json"}
    reply = http.get(url, headers=headers, timeout=timeout_s)
    reply.raise_for_status()
    body: dict[str, Any] = reply.json()
    return body


def _resources(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    if body.get("resourceType") == "Bundle":
        return [
            e["resource"]
            for e in body.get("entry") or []
            if isinstance(e, dict) and isinstance(e.get("resource"), dict)
        ]
    return [body]


def registered(fhir_server: str, allowed: list[str]) -> bool:
    """Whether ``fhir_server`` is one of the issuer's registered FHIR base URLs (trailing ``/`` ignored)."""
    return fhir_server.rstrip("/") in {url.rstrip("/") for url in allowed}


def gather(req: HookRequest, templates: dict[str, str], http: httpx2.Client, timeout_s: float,
           keys: tuple[str, ...], fhir_servers: list[str]) -> EhrData:  # fmt: skip
    """Read ``keys`` of the prefetch (given, else fetched from a server in ``fhir_servers``) and map them."""
    out = EhrData()
    given = req.prefetch or {}
    allowed = req.fhirServer is not None and registered(req.fhirServer, fhir_servers)
    for key in keys:
        body = given.get(key)
        if body is None:
            query = _fill(templates[key], req.context)
            if query is None or req.fhirServer is None or req.fhirAuthorization is None:
                out.missing.append(f"{key} (not prefetched, and no FHIR server access given)")
                continue
            if not allowed:
                out.missing.append(f"{key} (not prefetched, and the EHR's FHIR server is not registered here)")
                continue
            try:
                body = _fetch(req, query, http, timeout_s)
            except (httpx2.HTTPError, ValueError) as e:
                out.missing.append(f"{key} ({type(e).__name__})")
                continue
        for i, raw in enumerate(_resources(body)):
            rtype = raw.get("resourceType")
            if rtype not in MAPPERS or rtype == "Encounter":
                continue
            try:
                mapped = MAPPERS[rtype](parse_resource(raw), Scope(f"prefetch.{key}[{i}]"))
            except FhirError:
                out.unreadable += 1
                continue
            out.events += [item for item, _ in mapped.events]
            out.observations += [item for item, _ in mapped.observations]
    return out
