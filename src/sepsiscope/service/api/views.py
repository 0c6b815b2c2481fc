"""Database rows → API bodies."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from sepsiscope.service.api.schemas import AlertActionOut, AlertOut, Location, ObservationOut, PatientOut
from sepsiscope.service.db.models import Alert, AlertAction, Observation, Patient
from sepsiscope.variables.registry import REGISTRY


def patient_out(p: Patient) -> PatientOut:
    return PatientOut(
        patient_id=p.id, age_years=p.age_years, birth_date=p.birth_date, sex=p.sex,
        location=Location(ward=p.ward, bed=p.bed), admitted_at=p.admitted_at,
    )  # fmt: skip


def alerts_out(session: Session, alerts: list[Alert]) -> list[AlertOut]:
    if not alerts:
        return []
    ids = [a.id for a in alerts]
    history: dict[int, list[AlertActionOut]] = {i: [] for i in ids}
    rows = session.scalars(select(AlertAction).where(AlertAction.alert_id.in_(ids)).order_by(AlertAction.id))
    for r in rows:
        history[r.alert_id].append(AlertActionOut(action=r.action, who=r.actor, when=r.at, note=r.note))
    return [
        AlertOut.model_validate(
            {
                "id": a.id,
                "patient_id": a.patient_id,
                "rule": a.rule,
                "level": a.level,
                "state": a.state,
                "opened_at": a.opened_at,
                "snoozed_until": a.snoozed_until,
                "reasons": list(a.reasons),
                "history": history[a.id],
            }
        )  # fmt: skip
        for a in alerts
    ]


def observation_out(o: Observation) -> ObservationOut:
    kind = REGISTRY[o.variable].kind if o.variable in REGISTRY else "number"
    value: float | bool | str | None = o.value
    if kind == "code":
        value = o.code
    elif kind == "boolean" and o.value is not None:
        value = o.value == 1.0
    return ObservationOut(id=o.id, variable=o.variable, value=value, unit=o.unit, time=o.time,
                          received_at=o.received_at, sent_value=json.loads(o.sent_value),
                          sent_unit=o.sent_unit)  # fmt: skip
