"""Read-only queries the pages need beyond the API's own views.

The ward list, a patient's picture, observations, timeline and alerts come from the API's
functions (so they are ranked, computed and audited exactly as the API does). What the API
does not offer is read here, from the service's tables, without writing anything:

* the last 24 hours of model risk per patient (the ward's sparklines);
* a patient's clinical events (antibiotics, cultures, fluids, vasopressors, ventilation);
* beds by patient (the alert inbox) and the token list (the admin page).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sepsiscope.service.db.models import ApiToken, Event, Patient, PatientHour

#: The sparkline's span.
SPARK_SPAN = timedelta(hours=24)


@dataclass(frozen=True)
class Bed:
    """Where a patient is (either part may be unknown)."""

    ward: str | None
    bed: str | None


def risk_series(session: Session, patient_ids: Iterable[str], end: datetime) -> dict[str, list[tuple[datetime, float]]]:
    """Per patient, (hour start, risk) for the hours in (end − 24 h, end], oldest first; no-risk hours left out."""
    ids = list(patient_ids)
    out: dict[str, list[tuple[datetime, float]]] = {pid: [] for pid in ids}
    if not ids:
        return out
    rows = session.execute(
        select(PatientHour.patient_id, PatientHour.hour_start, PatientHour.risk)
        .where(PatientHour.patient_id.in_(ids), PatientHour.hour_start > end - SPARK_SPAN)
        .order_by(PatientHour.patient_id, PatientHour.hour_start)
    )
    for pid, start, risk in rows:
        if risk is not None:
            out[pid].append((start, float(risk)))
    return out


def events(session: Session, patient_id: str) -> list[Event]:
    """The patient's clinical events, oldest first."""
    query = select(Event).where(Event.patient_id == patient_id).order_by(Event.time, Event.seq)
    return list(session.scalars(query))


def beds(session: Session, patient_ids: Iterable[str]) -> dict[str, Bed]:
    """Ward and bed of each patient."""
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    rows = session.execute(select(Patient.id, Patient.ward, Patient.bed).where(Patient.id.in_(ids)))
    return {pid: Bed(ward, bed) for pid, ward, bed in rows}


def sofa_hours(session: Session, patient_id: str) -> list[tuple[datetime, object]]:
    """(hour start, timeline SOFA) of every hour of the patient, oldest first."""
    query = (
        select(PatientHour.hour_start, PatientHour.scores)
        .where(PatientHour.patient_id == patient_id)
        .order_by(PatientHour.hour_start)
    )
    return [(start, (scores or {}).get("sofa")) for start, scores in session.execute(query)]


def tokens(session: Session) -> list[ApiToken]:
    """Every token (never its secret: only the hash is stored), newest first."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))
