"""What one FHIR resource becomes: the service's observations, events and patient fields.

Shared helpers of the resource mappers: times (a FHIR ``dateTime`` must carry a time and an
offset to be placed on the hourly grid), subject references (``Patient/ID``, an absolute URL
ending in it, or the ``fullUrl`` of a Patient in the same bundle), and the ids that make a
conditional create safe to resend.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.reference import Reference

from sepsiscope.ehr.outcome import FhirError, Issue, error
from sepsiscope.service.api.schemas import EventIn, ObservationIn

#: Service field (``value``, ``unit``, ``patient_id``, ``drug``…) → the FHIRPath it came from.
Paths = dict[str, str]
_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")


@dataclass(frozen=True)
class PatientFields:
    """Fields of one service patient set by a Patient or an Encounter resource."""

    patient_id: str
    values: dict[str, Any]


@dataclass
class Mapped:
    """The service items of one resource, each with the FHIRPath of the element it came from."""

    observations: list[tuple[ObservationIn, Paths]] = field(default_factory=list)
    events: list[tuple[EventIn, Paths]] = field(default_factory=list)
    patient: PatientFields | None = None
    notes: list[Issue] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing is to be stored."""
        return not (self.observations or self.events or self.patient)


@dataclass(frozen=True)
class Scope:
    """Where a resource sits (FHIRPath prefix), its conditional-create key and the bundle's patients."""

    where: str
    key: str | None = None  # "identifier=system|value" or "id=ID": items get stable ids
    patients: dict[str, str] = field(default_factory=dict)  # fullUrl → patient id

    def item_id(self, resource_type: str, k: int) -> str | None:
        """A stable id for the ``k``-th item of this resource, or ``None`` (a plain create)."""
        if self.key is None:
            return None
        digest = hashlib.sha256(f"{resource_type}|{self.key}".encode()).hexdigest()[:40]
        return f"fhir:{digest}:{k}"


def when_given(value: datetime | date | None, expression: str) -> datetime | None:
    """:func:`when` for an optional element (``None`` stays ``None``)."""
    return None if value is None else when(value, expression)


def when(value: datetime | date | None, expression: str) -> datetime:
    """An aware datetime from a FHIR ``dateTime``/``instant``; a date alone or no offset is refused."""
    if value is None:
        raise error("required", f"{expression}: a time is needed", expression)
    if not isinstance(value, datetime):
        raise error("value", f"{expression}: {value.isoformat()} is a date without a time; send the time with its "
                    "offset (e.g. 2026-12-05T03:10:00+01:00)", expression, value.isoformat())  # fmt: skip
    if value.tzinfo is None or value.utcoffset() is None:
        raise error("value", f"{expression}: {value.isoformat()} has no time zone offset", expression,
                    value.isoformat())  # fmt: skip
    return value


def patient_of(ref: Reference | None, scope: Scope, expression: str) -> str:
    """The service patient id a ``subject``/``patient`` reference points at."""
    if ref is None or not ref.reference:
        raise error("required", f"{expression}: the patient is missing (a Patient reference is needed)", expression)
    text = ref.reference
    if text in scope.patients:
        return scope.patients[text]
    parts = text.rstrip("/").split("/")
    found = None
    if len(parts) >= 2 and parts[-2] == "Patient" and parts[-1]:
        found = parts[-1]
    elif len(parts) >= 4 and parts[-4] == "Patient" and parts[-2] == "_history":
        found = parts[-3]
    if found is not None:
        return patient_id(found, f"{expression}.reference")
    raise error("value", f"{expression}: {text!r} is not a Patient reference (Patient/ID, or the fullUrl of a "
                "Patient in this bundle)", f"{expression}.reference", text)  # fmt: skip


def patient_id(text: str, expression: str) -> str:
    """A FHIR Patient id as the service's ``patient_id`` (the same text), checked."""
    if not _ID.match(text):
        raise error("value", f"{expression}: patient id {text!r} must be 1-64 letters, digits, '.', '-', ':' or '_'",
                    expression, text)  # fmt: skip
    return text


def check_key(key: str | None, identifiers: list[Identifier] | None, expression: str) -> None:
    """A conditional create's identifier must be one of the resource's own identifiers."""
    if key is None or not key.startswith("identifier="):
        return
    wanted = key.removeprefix("identifier=")
    own = {f"{i.system}|{i.value}" for i in identifiers or [] if i.value} | {
        i.value for i in identifiers or [] if i.value and not i.system
    }  # fmt: skip
    if wanted not in own:
        raise error("invalid", f"{expression}: ifNoneExist names identifier {wanted!r}, which the resource does not "
                    "carry", f"{expression}.identifier", wanted)  # fmt: skip


def fail(issues: list[Issue], status: int = 422) -> FhirError:
    """A refusal with several issues."""
    return FhirError(status, issues)
