"""Observation and event batches: checked item by item, stored all together or not at all.

Each item is checked as the calculator checks a case (``variables.validate``: unknown
variable, wrong type, out of range — the same error codes and messages), after its unit is
converted to the canonical one (``variables.units``, the only place a unit changes). The
first bad item stops the batch with an :class:`ItemError` naming its index, field and value.
A resent ``id`` with the same content is a duplicate (counted, not stored again); the same
``id`` with different content is refused, so a client bug cannot overwrite data.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from sepsiscope.errors import CaseError, UnitError
from sepsiscope.service import pending
from sepsiscope.service.api.schemas import EventIn, ObservationIn
from sepsiscope.service.db.models import Event, Observation, Patient
from sepsiscope.variables.events import EVENTS, InvalidEvent, validate_event
from sepsiscope.variables.events import Event as ClinicalEvent
from sepsiscope.variables.registry import REGISTRY
from sepsiscope.variables.units import convert
from sepsiscope.variables.validate import validate_case


class ItemError(Exception):
    """One item of a batch is bad: where, what, and the value that was sent."""

    def __init__(self, code: str, message: str, *, index: int | None, field: str | None, value: Any,
                 status: int = 422) -> None:  # fmt: skip
        super().__init__(message)
        self.code, self.message, self.index, self.field, self.value, self.status = (
            code, message, index, field, value, status
        )  # fmt: skip


@dataclass(frozen=True)
class Stored:
    """What a batch changed: counts, and the earliest time written per patient."""

    accepted: int
    duplicates: int
    earliest: dict[str, datetime]


def _canonical(i: int, item: ObservationIn) -> tuple[float | None, str | None, str | None]:
    """(numeric value, code, canonical unit) of one observation, or :class:`ItemError`."""
    name = item.variable
    if name not in REGISTRY:
        raise ItemError("unknown_variable", f"observations[{i}]: {name!r} is not a registry variable "
                        "(see variables.toml)", index=i, field="variable", value=name)  # fmt: skip
    var = REGISTRY[name]
    value: Any = item.value
    if item.unit is not None and var.is_numeric and item.unit != var.unit:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ItemError("wrong_type", f"observations[{i}]: {name} must be a number", index=i, field="value",
                            value=value)  # fmt: skip
        try:
            value = convert(float(value), name, item.unit)
        except UnitError as e:
            raise ItemError("unit", f"observations[{i}]: {e}", index=i, field="unit", value=item.unit) from None
    elif item.unit is not None and not var.is_numeric:
        raise ItemError("unit", f"observations[{i}]: {name} is a {var.kind} and takes no unit", index=i,
                        field="unit", value=item.unit)  # fmt: skip
    if var.kind == "integer" and isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        clean = validate_case({name: value})
    except CaseError as e:
        raise ItemError(e.code, f"observations[{i}]: {e.message}", index=i, field="value", value=item.value) from None
    v = clean[name]
    if var.kind == "code":
        return None, str(v), None
    if var.kind == "boolean":
        return (1.0 if v else 0.0), None, None
    return float(v), None, var.unit


def _patients_exist(session: Session, kind: str, ids: list[str]) -> None:
    known = set(session.scalars(select(Patient.id).where(Patient.id.in_(set(ids)))))
    for i, pid in enumerate(ids):
        if pid not in known:
            raise ItemError("unknown_patient", f"{kind}[{i}]: patient {pid!r} is not known; "
                            f"create it first with PUT /api/v1/patients/{pid}", index=i, field="patient_id",
                            value=pid)  # fmt: skip


#: What makes two observations the same (a resent id must carry these unchanged).
_SAME = ("patient_id", "variable", "time", "value", "code")
_OBSERVATIONS: Table = Observation.__table__  # type: ignore[assignment]


def store_observations(session: Session, items: list[ObservationIn]) -> Stored:
    """Check every item, then insert the new ones and queue their patients for the scorer
    (``pending.mark``), all in the caller's transaction (the caller commits, then may wake
    the scorer with ``ctx.scorer.notify()``). Rows go in as one Core insert: no ORM objects."""
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        value, code, unit = _canonical(i, item)
        rows.append({
            "id": item.id or f"svc-{uuid.uuid4().hex}", "patient_id": item.patient_id,
            "time": item.time.astimezone(UTC), "variable": item.variable, "value": value, "code": code, "unit": unit,
            "sent_value": json.dumps(item.value), "sent_unit": item.unit, "received_at": now,
        })  # fmt: skip
    _patients_exist(session, "observations", [r["patient_id"] for r in rows])
    given = [item.id for item in items if item.id is not None]
    existing: dict[str, tuple[Any, ...]] = {}
    if given:
        found = session.execute(select(Observation.id, *(getattr(Observation, f) for f in _SAME))
                                .where(Observation.id.in_(given)))  # fmt: skip
        existing = {r[0]: tuple(r[1:]) for r in found}
    fresh: dict[str, dict[str, Any]] = {}
    duplicates = 0
    earliest: dict[str, datetime] = {}
    for i, row in enumerate(rows):
        key = row["id"]
        before = existing.get(key) or (tuple(fresh[key][f] for f in _SAME) if key in fresh else None)
        if before is not None:
            if before != tuple(row[f] for f in _SAME):
                raise ItemError("id_conflict", f"observations[{i}]: id {key!r} was already used for a different "
                                "observation; ids must be unique", index=i, field="id", value=key,
                                status=409)  # fmt: skip
            duplicates += 1
            continue
        fresh[key] = row
        earliest[row["patient_id"]] = min(row["time"], earliest.get(row["patient_id"], row["time"]))
    pending.mark(session, earliest, now)
    if fresh:
        session.execute(insert(_OBSERVATIONS), list(fresh.values()))
    return Stored(len(fresh), duplicates, earliest)


#: What each event kind of the API must carry.
_REQUIRED = {
    "antibiotic_ordered": ("drug",),
    "antibiotic_given": ("drug", "route"),
    "blood_culture_drawn": (),
    "fluid_bolus": ("fluid", "volume_ml"),
    "vasopressor_started": ("drug", "rate", "rate_unit"),
    "vasopressor_stopped": ("drug",),
    "ventilation_started": (),
    "ventilation_stopped": (),
}
#: API event → the canonical event of ``variables/events.toml`` (kind, the API field holding
#: its code, the field holding its value), checked there with the codes, routes and units.
_CANONICAL = {
    "antibiotic_ordered": ("antibiotic_order", "drug", None),
    "antibiotic_given": ("antibiotic", "drug", None),
    "blood_culture_drawn": ("culture", "specimen", None),
    "fluid_bolus": ("fluid", "fluid", "volume_ml"),
    "vasopressor_started": ("vasopressor", "drug", "rate"),
}
#: Canonical field → API field, to name the field the client sent.
_FIELD = {"code": None, "value": None, "unit": "rate_unit", "route": "route", "time": "time", "end": "time"}


def _check_event(i: int, item: EventIn) -> None:
    for name in _REQUIRED[item.kind]:
        if getattr(item, name) is None:
            raise ItemError("missing_field", f"events[{i}]: a {item.kind} event needs {name}", index=i, field=name,
                            value=None)  # fmt: skip
    if item.kind == "vasopressor_stopped" and item.drug not in EVENTS.kinds["vasopressor"].codes:
        raise ItemError("unknown_code", f"events[{i}]: unknown vasoactive drug {item.drug!r} (events.toml [codes])",
                        index=i, field="drug", value=item.drug)  # fmt: skip
    if item.kind not in _CANONICAL:
        return
    kind, code_field, value_field = _CANONICAL[item.kind]
    code = getattr(item, code_field) or "blood"  # a blood culture unless another specimen is named
    value = getattr(item, value_field) if value_field else None
    unit = item.rate_unit if item.kind == "vasopressor_started" else ("mL" if item.kind == "fluid_bolus" else None)
    route = item.route if kind in ("antibiotic", "antibiotic_order", "fluid") else None
    try:
        validate_event(ClinicalEvent(time=item.time, kind=kind, code=code, value=value, unit=unit, route=route))
    except InvalidEvent as e:
        field = {"code": code_field, "value": value_field}.get(e.field or "", _FIELD.get(e.field or "", e.field))
        sent = getattr(item, field) if field else e.value
        raise ItemError(e.code, f"events[{i}].{field}: {e.reason}", index=i, field=field, value=sent) from None


def _event_row(item: EventIn, now: datetime) -> Event:
    return Event(
        id=item.id or f"svc-{uuid.uuid4().hex}", patient_id=item.patient_id, time=item.time.astimezone(UTC),
        kind=item.kind, drug=item.drug, route=item.route, specimen=item.specimen, fluid=item.fluid,
        volume_ml=item.volume_ml, rate=item.rate, rate_unit=item.rate_unit, received_at=now,
    )  # fmt: skip


_EVENT_FIELDS = ("patient_id", "time", "kind", "drug", "route", "specimen", "fluid", "volume_ml", "rate", "rate_unit")


def store_events(session: Session, items: list[EventIn]) -> Stored:
    """Check every event, then add the new ones to the session (the caller commits)."""
    now = datetime.now(UTC)
    for i, item in enumerate(items):
        _check_event(i, item)
    rows = [_event_row(item, now) for item in items]
    _patients_exist(session, "events", [r.patient_id for r in rows])
    given = [item.id for item in items if item.id is not None]
    existing = {r.id: r for r in session.scalars(select(Event).where(Event.id.in_(given)))} if given else {}
    fresh: dict[str, Event] = {}
    duplicates = 0
    earliest: dict[str, datetime] = {}
    for i, row in enumerate(rows):
        before = existing.get(row.id) or fresh.get(row.id)
        if before is not None:
            if any(getattr(before, f) != getattr(row, f) for f in _EVENT_FIELDS):
                raise ItemError("id_conflict", f"events[{i}]: id {row.id!r} was already used for a different event",
                                index=i, field="id", value=row.id, status=409)  # fmt: skip
            duplicates += 1
            continue
        fresh[row.id] = row
        earliest[row.patient_id] = min(row.time, earliest.get(row.patient_id, row.time))
    session.add_all(fresh.values())
    return Stored(len(fresh), duplicates, earliest)
