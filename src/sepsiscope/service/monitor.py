"""After a write: recompute the patient's timeline from the earliest changed hour, then alerts.

The whole of the patient's history is read (carry-forward and the model's windows need
it), but only hours from the earliest changed one on are rewritten, and no other patient
is touched. The timeline is the cohort engine (``cohort.score_table``: SOFA over its 24-h
window, the other scores on values carried forward) and the model's risk; the alert rules
are judged on the patient's current picture (``snapshot``), the one ``GET /patients/{id}``
shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sepsiscope.cohort.scoring import score_table
from sepsiscope.model.artifact import ModelArtifact
from sepsiscope.service import alert_rules
from sepsiscope.service.alerts import apply_rules
from sepsiscope.service.db.models import Observation, Patient, PatientHour
from sepsiscope.service.hourly import HourlyTable, ages, hour_floor, hourly_table
from sepsiscope.service.risk import RiskSeries, risk_series
from sepsiscope.service.snapshot import Snapshot, build_snapshot, score_names

#: Per score, the timeline keeps these columns of ``score_table`` (total, sum of the
#: components available, and the score's label extras).
_TIMELINE_EXTRAS = {"news2": ("news2_risk",), "qsofa": ("qsofa_positive",), "sirs": ("sirs_positive",)}


@dataclass(frozen=True)
class PatientState:
    """Everything computed for one patient in one pass."""

    patient: Patient
    observations: list[Observation]
    hourly: HourlyTable
    risk: RiskSeries | None
    snapshot: Snapshot


def load_state(session: Session, patient: Patient, artifact: ModelArtifact, now: datetime) -> PatientState:
    """Read the patient's observations and compute the hourly table, risk and snapshot."""
    observations = list(session.scalars(select(Observation).where(Observation.patient_id == patient.id)))
    hourly = hourly_table(patient, observations)
    risk = None
    if not hourly.empty and not ages(patient, hourly.hour_starts[-1]).is_child:
        risk = risk_series(artifact, hourly.table)
    snap = build_snapshot(patient, observations, hourly, risk, now)
    return PatientState(patient, observations, hourly, risk, snap)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def timeline_rows(state: PatientState, since: datetime) -> list[PatientHour]:
    """Timeline rows of the hours at or after ``since``."""
    if state.hourly.empty:
        return []
    names = score_names(state.snapshot.ages) if state.snapshot.ages else ()
    scored = score_table(state.hourly.table, [n for n in names])
    first = hour_floor(since)
    out = []
    for i, start in enumerate(state.hourly.hour_starts):
        if start < first:
            continue
        row = scored.row(i, named=True)
        scores: dict[str, Any] = {}
        for name in names:
            scores[name] = _plain(row.get(f"{name}_total"))
            if f"{name}_partial" in row:
                scores[f"{name}_points"] = _plain(row[f"{name}_partial"])
            for extra in _TIMELINE_EXTRAS.get(name, ()):
                scores[extra] = _plain(row.get(extra))
        risk = state.risk
        out.append(PatientHour(
            patient_id=state.patient.id, hour_start=start, scores=scores,
            risk=None if risk is None else round(float(risk.probability[i]), 6),
            risk_alert=None if risk is None else bool(risk.alert[i]),
        ))  # fmt: skip
    return out


def recompute(
    session: Session,
    patient: Patient,
    since: datetime,
    artifact: ModelArtifact,
    rules: tuple[alert_rules.Rule, ...],
    now: datetime,
) -> PatientState:
    """Rewrite the timeline from ``since`` and judge the alert rules on the current picture."""
    state = load_state(session, patient, artifact, now)
    session.execute(
        delete(PatientHour).where(PatientHour.patient_id == patient.id, PatientHour.hour_start >= hour_floor(since))
    )
    session.add_all(timeline_rows(state, since))
    if state.snapshot.as_of is not None:
        facts = alert_rules.facts(state.snapshot)
        fired = {rule.id: rule.evaluate(facts) for rule in rules}
        apply_rules(session, patient.id, rules, fired, state.snapshot.as_of, now)
    return state
