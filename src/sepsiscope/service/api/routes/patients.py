"""Patients: create or update, the ranked ward, one patient's picture, observations, timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sepsiscope.service import audit, pending
from sepsiscope.service.alert_rules import level_rank
from sepsiscope.service.alerts import ACTIVE, end_snoozes
from sepsiscope.service.api.deps import ContextDep, require
from sepsiscope.service.api.errors import ApiError
from sepsiscope.service.api.schemas import (
    ObservationList,
    PatientDetail,
    PatientIn,
    PatientOut,
    Timeline,
    TimelineHour,
    Ward,
    WardRow,
)
from sepsiscope.service.api.views import alerts_out, observation_out, patient_out
from sepsiscope.service.auth import READ_PATIENTS, WRITE_DATA, Principal
from sepsiscope.service.db.models import Alert, Observation, Patient, PatientHour
from sepsiscope.service.monitor import load_state
from sepsiscope.variables.registry import REGISTRY

router = APIRouter(tags=["patients"])
PatientId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
Reader = Annotated[Principal, Depends(require(*READ_PATIENTS))]
Writer = Annotated[Principal, Depends(require(*WRITE_DATA))]
#: Vitals and how long each stays in force (seconds): older is stale (variables.toml ``carry_h``).
_CARRY_S = {v.name: v.carry_h * 3600 for v in REGISTRY if v.category == "vital" and v.carry_h is not None}
VITALS = tuple(_CARRY_S)


def _patient(session: Session, patient_id: str) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise ApiError(404, "unknown_patient", f"patient {patient_id!r} is not known", field="patient_id",
                       value=patient_id)  # fmt: skip
    return patient


@router.put("/patients/{patient_id}", response_model=PatientOut)
def put_patient(patient_id: PatientId, body: PatientIn, who: Writer, ctx: ContextDep) -> PatientOut:
    """Create or update a patient (age, sex, location, admission time); an update queues rescoring."""
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        audit.lock_head(session)  # the head first, then queue rows: the order every writer keeps
        patient = session.get(Patient, patient_id)
        if patient is not None:  # age or admission time change every hour's inputs
            first = session.scalar(select(func.min(Observation.time)).where(Observation.patient_id == patient_id))
            if first is not None:
                pending.mark(session, {patient_id: first}, now)
        created = patient is None
        if patient is None:
            patient = Patient(id=patient_id, created_at=now)
            session.add(patient)
        patient.age_years, patient.birth_date, patient.sex = body.age_years, body.birth_date, body.sex
        patient.ward = body.location.ward if body.location else None
        patient.bed = body.location.bed if body.location else None
        patient.admitted_at = body.admitted_at.astimezone(UTC) if body.admitted_at else None
        patient.updated_at = now
        audit.append(session, who.actor, "patient.created" if created else "patient.updated", f"patient/{patient_id}",
                     body.model_dump(mode="json"))  # fmt: skip
        out = patient_out(patient)
    ctx.scorer.notify()
    return out


@router.get("/patients", response_model=Ward)
def list_patients(who: Reader, ctx: ContextDep) -> Ward:
    """The ward, most urgent first: open alert level, then model risk, then NEWS2."""
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        end_snoozes(session, now)
        patients = list(session.scalars(select(Patient)))
        newest = (
            select(PatientHour.patient_id, func.max(PatientHour.hour_start).label("h"))
            .group_by(PatientHour.patient_id)
            .subquery()
        )
        hours = {
            h.patient_id: h
            for h in session.scalars(select(PatientHour).join(
                newest, (PatientHour.patient_id == newest.c.patient_id) & (PatientHour.hour_start == newest.c.h)
            ))
        }  # fmt: skip
        vitals = session.execute(
            select(Observation.patient_id, Observation.variable, func.max(Observation.time))
            .where(Observation.variable.in_(VITALS)).group_by(Observation.patient_id, Observation.variable)
        )  # fmt: skip
        last_vital: dict[str, dict[str, datetime]] = {}
        for pid, var, t in vitals:
            last_vital.setdefault(pid, {})[var] = t if t.tzinfo else t.replace(tzinfo=UTC)
        active = list(session.scalars(select(Alert).where(Alert.state.in_(ACTIVE)).order_by(Alert.id)))
        by_patient: dict[str, list[Alert]] = {}
        for a in active:
            by_patient.setdefault(a.patient_id, []).append(a)
        queued = pending.since_of(session)
        rows = []
        for p in patients:
            h = hours.get(p.id)
            alerts = by_patient.get(p.id, [])
            seen = last_vital.get(p.id, {})
            stale = sorted(v for v, t in seen.items() if (now - t).total_seconds() > _CARRY_S[v])
            rows.append(WardRow(
                patient_id=p.id, location=patient_out(p).location, as_of=h.hour_start if h else None,
                scores=dict(h.scores) if h else {}, risk=h.risk if h else None, risk_alert=h.risk_alert if h else None,
                alert_level=max((a.level for a in alerts), key=level_rank, default=None),  # type: ignore[misc,arg-type]
                open_alerts=alerts_out(session, alerts), stale=stale,
                last_vitals_at=max(seen.values(), default=None), scoring_since=queued.get(p.id),
            ))  # fmt: skip
        rows.sort(key=_urgency)
        audit.append(session, who.actor, "ward.read", "patients", {"patients": len(rows)})
        return Ward(patients=rows)


def _urgency(row: WardRow) -> tuple[float, float, float, str]:
    level = -1 if row.alert_level is None else level_rank(row.alert_level)
    news2 = row.scores.get("news2_points")
    return (
        -level,
        -(row.risk if row.risk is not None else -1.0),
        -(news2 if news2 is not None else -1.0),
        row.patient_id,
    )


@router.get("/patients/{patient_id}", response_model=PatientDetail)
def get_patient(patient_id: PatientId, who: Reader, ctx: ContextDep) -> PatientDetail:
    """Values in force, the calculator's object per score, the model's risk and stale vitals."""
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        end_snoozes(session, now)
        patient = _patient(session, patient_id)
        snap = load_state(session, patient, ctx.artifact, now).snapshot
        alerts = list(session.scalars(
            select(Alert).where(Alert.patient_id == patient_id, Alert.state.in_(ACTIVE)).order_by(Alert.id)
        ))  # fmt: skip
        audit.append(session, who.actor, "patient.read", f"patient/{patient_id}")
        return PatientDetail.model_validate({
            "patient": patient_out(patient), "as_of": snap.as_of, "latest": snap.latest, "scores": snap.scores,
            "risk": snap.risk, "stale": snap.stale, "open_alerts": alerts_out(session, alerts),
        })  # fmt: skip


@router.get("/patients/{patient_id}/observations", response_model=ObservationList)
def get_observations(patient_id: PatientId, who: Reader, ctx: ContextDep) -> ObservationList:
    """Every stored value of the patient, oldest first, with its id and receipt time."""
    with ctx.sessions.begin() as session:
        _patient(session, patient_id)
        rows = session.scalars(
            select(Observation).where(Observation.patient_id == patient_id).order_by(Observation.time, Observation.seq)
        )
        out = ObservationList(observations=[observation_out(o) for o in rows])
        audit.append(session, who.actor, "patient.observations.read", f"patient/{patient_id}")
        return out


@router.get("/patients/{patient_id}/timeline", response_model=Timeline)
def get_timeline(patient_id: PatientId, who: Reader, ctx: ContextDep) -> Timeline:
    """Hourly scores (cohort engine: SOFA over 24 h, others carried forward) and risk.

    The scorer writes the timeline after each write, within moments; ``scoring_since`` says
    from which hour it has data not yet scored (null when the timeline is current).
    """
    with ctx.sessions.begin() as session:
        _patient(session, patient_id)
        rows = session.scalars(
            select(PatientHour).where(PatientHour.patient_id == patient_id).order_by(PatientHour.hour_start)
        )
        out = Timeline(patient_id=patient_id, hours=[
            TimelineHour(hour_start=h.hour_start, scores=dict(h.scores), risk=h.risk, risk_alert=h.risk_alert)
            for h in rows
        ], scoring_since=pending.since_of(session, [patient_id]).get(patient_id))  # fmt: skip
        audit.append(session, who.actor, "patient.timeline.read", f"patient/{patient_id}")
        return out
