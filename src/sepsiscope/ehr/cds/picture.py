"""One patient as a card sees it: the service's own picture plus what the EHR sent with the hook.

The picture is the one ``GET /api/v1/patients/{id}`` shows (``monitor.load_state``), the
timeline's risk and SOFA, the active alerts, and the canonical events of the bundle rules
(stored events and measurements plus the EHR's, ``service.clinical_events``). Then the hour-1
bundle through its one definition (``ward``'s steps, adult-scores.md §3.2-§4.1): suspected
infection → Sepsis-3 onset (ΔSOFA ≥ 2, zero baseline) → time zero → ``bundle_status`` now.

Before a Sepsis-3 onset can be found (it needs an antibiotic and a culture, the very elements
the card may suggest), time zero is taken as the hour the service's open alert fired: Levy 2018
allows "the earliest chart annotation consistent with all elements of sepsis"; the card says
the time zero is provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sepsiscope.ehr.cds.ehr_fhir import EhrData
from sepsiscope.errors import UnitError
from sepsiscope.scores.bundles import BundleReport, bundle_status, time_zero
from sepsiscope.scores.bundles.events import PatientEvents
from sepsiscope.scores.sepsis3 import earliest, onset, suspected_infection
from sepsiscope.service.alerts import ACTIVE
from sepsiscope.service.clinical_events import MEASURED, canonical_events, sofa_series
from sepsiscope.service.context import ServiceContext
from sepsiscope.service.db.models import Alert, Patient, PatientHour
from sepsiscope.service.db.models import Event as EventRow
from sepsiscope.service.monitor import load_state
from sepsiscope.service.snapshot import Snapshot
from sepsiscope.variables.events import Event
from sepsiscope.variables.registry import REGISTRY
from sepsiscope.variables.units import convert


@dataclass(frozen=True)
class Picture:
    """Everything a card may say about one patient at ``now``."""

    patient_id: str
    now: datetime
    snapshot: Snapshot | None  # None: the service does not know the patient
    risk_hours: list[tuple[datetime, float]]
    alerts: list[Alert]
    events: list[Event]
    bundle: BundleReport
    provisional_t0: bool
    weight_kg: float | None


def _ehr_measurements(ehr: EhrData) -> list[tuple[datetime, str, float | None]]:
    out: list[tuple[datetime, str, float | None]] = []
    for o in ehr.observations:
        if o.variable not in MEASURED or isinstance(o.value, (bool, str)):
            continue
        value = float(o.value)
        if o.unit is not None and o.unit != REGISTRY[o.variable].unit:
            try:
                value = convert(value, o.variable, o.unit)
            except UnitError:
                continue
        out.append((o.time, o.variable, value))
    return out


def picture(session: Session, ctx: ServiceContext, patient_id: str, ehr: EhrData) -> Picture:
    """The patient's picture and hour-1 bundle at the service's ``now``."""
    now = ctx.clock()
    patient = session.get(Patient, patient_id)
    snap, hours, alerts, rows, measured = None, [], [], [], []
    admitted = None
    if patient is not None:
        state = load_state(session, patient, ctx.artifact, now)
        snap, admitted = state.snapshot, patient.admitted_at
        measured = [(o.time, o.variable, o.value) for o in state.observations]
        hours = list(session.scalars(
            select(PatientHour).where(PatientHour.patient_id == patient_id).order_by(PatientHour.hour_start)
        ))  # fmt: skip
        alerts = list(session.scalars(
            select(Alert).where(Alert.patient_id == patient_id, Alert.state.in_(ACTIVE)).order_by(Alert.id)
        ))  # fmt: skip
        rows = list(session.scalars(select(EventRow).where(EventRow.patient_id == patient_id)))
    events = canonical_events([*rows, *ehr.events], [*measured, *_ehr_measurements(ehr)], admitted)
    sofa = sofa_series([(h.hour_start, h.scores.get("sofa")) for h in hours])
    first = earliest(onset(suspected_infection(events), sofa, baseline="zero"))
    t0 = time_zero(events, first.t_onset if first else None)
    provisional = t0 is None and bool(alerts)
    if provisional:
        t0 = min(a.hour_start for a in alerts)
    report = bundle_status(events, t0, now)
    weight = PatientEvents.of(events, now).weight_kg(t0 or now)
    risk_hours = [(h.hour_start, h.risk) for h in hours if h.risk is not None]
    return Picture(patient_id, now, snap, risk_hours, alerts, events, report, provisional, weight)  # type: ignore[arg-type]
