"""``GET /fhir/metadata``: the CapabilityStatement an interface engine reads before it sends.

It lists what ``/fhir`` takes (create and update of the accepted types, conditional create on an
identifier, ``transaction`` and ``batch``) and says it is a write-only endpoint: nothing is read
back through FHIR (the JSON API and the CDS cards show the results).
"""

from __future__ import annotations

from typing import Any

from sepsiscope.ehr.fhir_in.parse import ACCEPTED

FHIR_VERSION = "4.0.1"


def capability_statement(base_url: str) -> dict[str, Any]:
    """The CapabilityStatement of this server (``base_url``: the public ``/fhir`` URL)."""
    resources = [
        {"type": t, "interaction": [{"code": "create"}, {"code": "update"}], "updateCreate": True,
         "conditionalCreate": True, "documentation": "Stored as the service's observations, events or patient "
         "record (docs/ehr-integration.md); not read back through FHIR."}
        for t in ACCEPTED
    ]  # fmt: skip
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-05",
        "kind": "instance",
        "software": {"name": "sepsiscope"},
        "implementation": {"description": "sepsiscope monitoring service: FHIR R4 in", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json"],
        "rest": [{
            "mode": "server",
            "documentation": "Writes need a bearer token of role integration or admin (a service token, or a "
                             "hospital OIDC token when configured). Errors are OperationOutcomes naming the element.",
            "security": {"description": "Authorization: Bearer TOKEN (sepsiscope token create --role integration)"},
            "resource": resources,
            "interaction": [{"code": "transaction"}, {"code": "batch"}],
        }],
    }  # fmt: skip
