"""Write mapped FHIR resources through the service's one ingest path, in one transaction.

Observations and events go through :func:`sepsiscope.service.ingest.store_observations` and
:func:`~sepsiscope.service.ingest.store_events` (the JSON API's validation, unit conversion,
idempotent ids, atomicity, and the queueing of touched patients for the scorer); a changed
patient record queues its patient as ``PUT /api/v1/patients`` does, and the audit entries are
written last in the same transaction (queue rows before the audit head, as every writer does).
A service :class:`ItemError` comes back as an OperationOutcome issue at the FHIR element the
item came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sepsiscope.ehr.fhir_in.mapped import Mapped, PatientFields
from sepsiscope.ehr.outcome import FhirError, Issue, IssueType
from sepsiscope.service import audit, pending
from sepsiscope.service.context import ServiceContext
from sepsiscope.service.db.models import Observation, Patient
from sepsiscope.service.ingest import ItemError, store_events, store_observations

#: Service error code → FHIR issue type.
_ISSUE: dict[str, IssueType] = {
    "unknown_variable": "code-invalid", "unit": "value", "out_of_range": "value", "wrong_type": "value",
    "invalid_value": "value", "unknown_patient": "not-found", "id_conflict": "duplicate",
    "unknown_code": "code-invalid", "missing_field": "required",
}  # fmt: skip


@dataclass(frozen=True)
class Written:
    """What one resource changed: new items, resent items, and whether its patient record changed."""

    index: int
    accepted: int
    duplicates: int
    patient: str | None = None  # "created" or "updated"


def _item_error(e: ItemError, index: int, paths: Sequence[dict[str, str]], where: str) -> FhirError:
    path = paths[e.index].get(e.field or "", where) if e.index is not None and e.index < len(paths) else where
    status = 409 if e.status == 409 else 422
    text = f"{path}: {e.message.split(': ', 1)[-1]}"
    entry = index if index >= 0 else None
    return FhirError(status, [Issue("error", _ISSUE.get(e.code, "invalid"), text, path, e.value, entry)])


def _upsert(session: Session, fields: PatientFields, now: datetime) -> tuple[Patient, bool, bool]:
    """(patient, created, changed)."""
    patient = session.get(Patient, fields.patient_id)
    created = patient is None
    if patient is None:
        patient = Patient(id=fields.patient_id, created_at=now, updated_at=now)
        session.add(patient)
    changed = False
    for name, value in fields.values.items():
        if getattr(patient, name) != value:
            setattr(patient, name, value)
            changed = True
    if "birth_date" in fields.values and patient.age_years is not None:
        patient.age_years = None  # one age source, as PUT /api/v1/patients allows: the birth date
        changed = True
    patient.updated_at = now
    session.flush()
    return patient, created, changed


def write(session: Session, ctx: ServiceContext, actor: str, items: Sequence[tuple[int, str, Mapped]],
          action: str) -> list[Written]:  # fmt: skip
    """Store the mapped resources ``(entry index, FHIRPath root, mapped)`` in ``session`` (caller commits,
    then wakes the scorer: ``ctx.scorer.notify()``)."""
    now = ctx.clock()
    out: list[Written] = []
    rescore: dict[str, datetime] = {}  # patients whose record changed: rescored from their first value
    patients: list[tuple[str, str, list[str]]] = []  # audit entries of patient records
    touched: set[str] = set()
    for index, where, mapped in items:
        change = None
        if mapped.patient is not None:
            patient, created, changed = _upsert(session, mapped.patient, now)
            change = "created" if created else ("updated" if changed else None)
            if change == "updated":
                first = session.scalar(select(func.min(Observation.time)).where(Observation.patient_id == patient.id))
                if first is not None:
                    rescore[patient.id] = min(first, rescore.get(patient.id, first))
            if change:
                patients.append((change, patient.id, sorted(mapped.patient.values)))
        accepted = duplicates = 0
        try:
            if mapped.observations:
                stored = store_observations(session, [item for item, _ in mapped.observations])
                touched.update(stored.earliest)
                accepted, duplicates = stored.accepted, stored.duplicates
        except ItemError as e:
            raise _item_error(e, index, [p for _, p in mapped.observations], where) from None
        try:
            if mapped.events:
                stored = store_events(session, [item for item, _ in mapped.events])
                accepted, duplicates = accepted + stored.accepted, duplicates + stored.duplicates
        except ItemError as e:
            raise _item_error(e, index, [p for _, p in mapped.events], where) from None
        out.append(Written(index, accepted, duplicates, change))
    pending.mark(session, rescore, now)
    for change, pid, fields in patients:
        audit.append(session, actor, f"patient.{change}", f"patient/{pid}", {"via": "fhir", "fields": fields})
    audit.append(session, actor, action, "fhir", {
        "entries": len(out), "accepted": sum(w.accepted for w in out), "duplicates": sum(w.duplicates for w in out),
        "patients": sorted(touched | set(rescore) | {m.patient.patient_id for _, _, m in items if m.patient}),
    })  # fmt: skip
    return out
