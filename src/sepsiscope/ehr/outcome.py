"""FHIR ``OperationOutcome``: every error (and every note) of the FHIR routes, pointing at the data.

Each issue names the element with a FHIRPath-like ``expression``
(``Bundle.entry[3].resource.valueQuantity.code``), says what was found and what was expected in
``details.text``, and carries the bundle entry index and the value as sent in two extensions,
so an interface engine can show the operator exactly which resource to fix
(shared/docs/style.md §4, "Errors that point at the data").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from fastapi.responses import JSONResponse

FHIR_JSON = "application/fhir+json"
Severity = Literal["fatal", "error", "warning", "information"]
#: FHIR issue-type codes used here (http://hl7.org/fhir/issue-type).
IssueType = Literal[
    "invalid", "structure", "required", "value", "code-invalid", "not-supported", "duplicate", "conflict",
    "not-found", "security", "login", "forbidden", "processing", "exception", "informational", "too-costly",
]  # fmt: skip
EXT_ENTRY = "https://sepsiscope.org/fhir/StructureDefinition/issue-entry"
EXT_VALUE = "https://sepsiscope.org/fhir/StructureDefinition/issue-value"


@dataclass(frozen=True)
class Issue:
    """One OperationOutcome issue: severity, type, message, where, and the value sent."""

    severity: Severity
    code: IssueType
    text: str
    expression: str | None = None
    value: Any = None
    entry: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The issue as FHIR JSON."""
        out: dict[str, Any] = {"severity": self.severity, "code": self.code, "details": {"text": self.text}}
        extensions = []
        if self.entry is not None:
            extensions.append({"url": EXT_ENTRY, "valueInteger": self.entry})
        if self.value is not None:
            extensions.append({"url": EXT_VALUE, "valueString": _text(self.value)})
        if extensions:
            out["extension"] = extensions
        if self.expression:
            out["expression"] = [self.expression]
        return out


def _text(value: Any) -> str:
    if isinstance(value, str) and value.strip():
        return value
    return json.dumps(value, default=str, ensure_ascii=False)  # '""' for an empty text: FHIR strings are never empty


class FhirError(Exception):
    """A refused FHIR request: its HTTP status and the issues that explain it."""

    def __init__(self, status: int, issues: list[Issue]) -> None:
        super().__init__("; ".join(i.text for i in issues))
        self.status = status
        self.issues = issues


def error(code: IssueType, text: str, expression: str | None = None, value: Any = None, status: int = 422) -> FhirError:
    """A one-issue :class:`FhirError`."""
    return FhirError(status, [Issue("error", code, text, expression, value)])


def outcome(issues: list[Issue]) -> dict[str, Any]:
    """An OperationOutcome resource (FHIR R4 requires at least one issue)."""
    if not issues:
        issues = [Issue("information", "informational", "all done")]
    return {"resourceType": "OperationOutcome", "issue": [i.to_json() for i in issues]}


def fhir_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    """A FHIR JSON reply (``application/fhir+json``)."""
    return JSONResponse(body, status_code=status, headers=headers, media_type=FHIR_JSON)


def outcome_response(status: int, issues: list[Issue], headers: dict[str, str] | None = None) -> JSONResponse:
    """An OperationOutcome reply."""
    return fhir_response(outcome(issues), status, headers)


#: HTTP status → FHIR issue type, for errors raised outside the FHIR code (auth, routing).
_HTTP_ISSUE: dict[int, IssueType] = {
    400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported", 409: "conflict",
    413: "too-costly", 415: "not-supported", 422: "invalid", 503: "exception",
}  # fmt: skip


def http_issue(status: int, text: str) -> list[Issue]:
    """The one issue of an error raised outside the FHIR code."""
    return [Issue("fatal" if status >= 500 else "error", _HTTP_ISSUE.get(status, "exception"), text)]
