"""Scoring patients: the timeline from the earliest changed hour on, the current picture, the alerts.

The whole of each patient's history is read (carry-forward and the model's windows need
it), but only hours from the earliest changed one on are rewritten, and no other patient
is touched. The timeline is the cohort engine (``cohort.score_table``: SOFA over its 24-h
window, the other scores on values carried forward) and the model's risk; the alert rules
are judged on the patient's current picture (``snapshot``), the one ``GET /patients/{id}``
shows.

Several patients are scored together: their hourly tables are stacked and the cohort
engine and the model run once over the stack. Every row reads only its own patient's
earlier rows, so each patient gets exactly what it gets scored alone (``tests/service/
test_scorer.py`` holds the two equal). :func:`assess` computes (no database), :func:`load`
reads, :func:`write` stores; the scorer (``scorer.py``) runs the three in turn, and
``GET /patients/{id}`` uses :func:`load_state` (one patient, with the model's reasons).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from sepsiscope.cohort.scoring import carried_values, score_table
from sepsiscope.model.artifact import ModelArtifact
from sepsiscope.service import alert_rules, audit
from sepsiscope.service.alerts import apply_rules
from sepsiscope.service.db.models import Observation, Patient, PatientHour
from sepsiscope.service.hourly import OBS_COLUMNS, HourlyTable, ObsRow, ages, hour_floor, hourly_table, hourly_ward
from sepsiscope.service.risk import RiskSeries, ward_risk
from sepsiscope.service.snapshot import ADULT_SCORES, CHILD_SCORES, Snapshot, build_snapshot, risk_view, score_names

#: Per score, the timeline keeps these columns of ``score_table`` (total, sum of the
#: components available, and the score's label extras).
_TIMELINE_EXTRAS = {"news2": ("news2_risk",), "qsofa": ("qsofa_positive",), "sirs": ("sirs_positive",)}


@dataclass(frozen=True)
class PatientState:
    """Everything computed for one patient in one pass."""

    patient: Patient
    observations: list[ObsRow]
    hourly: HourlyTable
    risk: RiskSeries | None
    snapshot: Snapshot


@dataclass(frozen=True)
class Assessment:
    """Patients scored together: each one's state, and its timeline rows from its ``since`` on."""

    states: dict[str, PatientState]
    since: dict[str, datetime]
    timeline: dict[str, list[dict[str, Any]]]


def load(session: Session, patient_ids: Sequence[str]) -> tuple[list[Patient], dict[str, list[ObsRow]]]:
    """The patients and all their observations (Core rows, not ORM objects)."""
    ids = sorted(set(patient_ids))
    patients = list(session.scalars(select(Patient).where(Patient.id.in_(ids))))
    observations: dict[str, list[ObsRow]] = {p.id: [] for p in patients}
    for row in session.execute(select(*OBS_COLUMNS).where(Observation.patient_id.in_(ids))):
        observations[row.patient_id].append(ObsRow(*row))
    return patients, observations


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _timeline(
    states: Mapping[str, PatientState], ward_table: Any, spans: Mapping[str, tuple[int, int]],
    since: Mapping[str, datetime],
) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """Timeline rows (``patient_hours`` values) of each patient's hours at or after its ``since``."""
    out: dict[str, list[dict[str, Any]]] = {pid: [] for pid in since}
    wanted = [pid for pid in since if pid in spans]
    if not wanted:
        return out
    child = any(getattr(states[pid].snapshot.ages, "is_child", False) for pid in wanted)
    scored = score_table(ward_table, CHILD_SCORES if child else ADULT_SCORES)
    for pid in wanted:
        state = states[pid]
        names = score_names(state.snapshot.ages) if state.snapshot.ages else ()
        columns = [c for name in names for c in (f"{name}_total", f"{name}_partial", *_TIMELINE_EXTRAS.get(name, ()))
                   if c in scored.columns]  # fmt: skip
        lo, hi = spans[pid]
        first = bisect_left(state.hourly.hour_starts, hour_floor(since[pid]))
        rows = scored.slice(lo + first, hi - lo - first).select(columns).to_dicts()
        risk = state.risk
        for k, row in enumerate(rows, start=first):
            scores: dict[str, Any] = {}
            for name in names:
                scores[name] = _plain(row.get(f"{name}_total"))
                if f"{name}_partial" in row:
                    scores[f"{name}_points"] = _plain(row[f"{name}_partial"])
                for extra in _TIMELINE_EXTRAS.get(name, ()):
                    scores[extra] = _plain(row.get(extra))
            out[pid].append({
                "patient_id": pid, "hour_start": state.hourly.hour_starts[k], "scores": scores,
                "risk": None if risk is None else round(float(risk.probability[k]), 6),
                "risk_alert": None if risk is None else bool(risk.alert[k]),
            })  # fmt: skip
    return out


def assess(
    patients: Sequence[Patient],
    observations: Mapping[str, Sequence[ObsRow]],
    artifact: ModelArtifact,
    now: datetime,
    since: Mapping[str, datetime] | None = None,
) -> Assessment:
    """Score several patients at once; timeline rows only for the patients in ``since``."""
    ward = hourly_ward(patients, observations)
    adults = {p.id: ward.spans[p.id] for p in patients
              if p.id in ward.spans and not ages(p, ward.hour_starts[p.id][-1]).is_child}  # fmt: skip
    risks = ward_risk(artifact, ward.table, adults)
    carried = carried_values(ward.table) if ward.table.height else None
    states: dict[str, PatientState] = {}
    for p in patients:
        obs = list(observations.get(p.id, ()))
        if p.id in ward.spans and carried is not None:
            hourly, last = ward.patient(p.id), carried.row(ward.spans[p.id][1] - 1, named=True)
        else:
            hourly, last = hourly_table(p, []), None
        risk = risks.get(p.id)
        states[p.id] = PatientState(p, obs, hourly, risk, build_snapshot(p, obs, hourly, risk, now, last))
    since = dict(since or {})
    return Assessment(states, since, _timeline(states, ward.table, ward.spans, since))


def load_state(session: Session, patient: Patient, artifact: ModelArtifact, now: datetime) -> PatientState:
    """One patient's state from the stored data, with the model's reasons (``GET /patients/{id}``)."""
    _patients, observations = load(session, [patient.id])
    state = assess([patient], observations, artifact, now).states[patient.id]
    if state.risk is None:
        return state
    risk = state.risk.explained(artifact)
    assert state.snapshot.ages is not None  # set by build_snapshot
    state.snapshot.risk = risk_view(risk, state.snapshot.ages)
    return PatientState(state.patient, state.observations, state.hourly, risk, state.snapshot)


def _judge(
    state: PatientState, rules: Sequence[alert_rules.Rule], artifact: ModelArtifact
) -> dict[str, tuple[str, list[str]] | None]:
    """Each rule's result on the patient's picture; the model's reasons are computed only when an
    alert that fires gives the model as a reason (they are then the same words GET shows)."""
    facts = alert_rules.facts(state.snapshot)
    fired = {rule.id: rule.evaluate(facts) for rule in rules}
    if state.risk is None or state.risk.last_reasons is not None:
        return fired
    for rule in rules:
        level = next((lv for lv in rule.levels if lv.reasons(facts) is not None), None)
        if level is not None and any(c.fact.startswith("risk.") and c.holds(facts) for c in (*level.all, *level.any)):
            snap = state.snapshot
            assert snap.ages is not None  # set by build_snapshot
            snap.risk = risk_view(state.risk.explained(artifact), snap.ages)
            facts = alert_rules.facts(snap)
            return {r.id: r.evaluate(facts) for r in rules}
    return fired


def write(
    session: Session, assessment: Assessment, artifact: ModelArtifact, rules: Sequence[alert_rules.Rule],
    now: datetime,
) -> None:  # fmt: skip
    """Rewrite each patient's timeline from its ``since`` and apply the alert rules (caller's transaction)."""
    for pid in sorted(assessment.since):
        session.execute(delete(PatientHour).where(
            PatientHour.patient_id == pid, PatientHour.hour_start >= hour_floor(assessment.since[pid])))  # fmt: skip
    rows = [row for pid in sorted(assessment.timeline) for row in assessment.timeline[pid]]
    if rows:
        session.execute(insert(PatientHour), rows)
    judged = {pid: _judge(assessment.states[pid], rules, artifact) for pid in sorted(assessment.since)
              if assessment.states[pid].snapshot.as_of is not None}  # fmt: skip
    if judged:
        audit.lock_head(session)  # alert actions append audit entries: lock the head before any alert row
    for pid, fired in judged.items():
        as_of = assessment.states[pid].snapshot.as_of
        assert as_of is not None
        apply_rules(session, pid, rules, fired, as_of, now)


def recompute(
    session: Session,
    patient: Patient,
    since: datetime,
    artifact: ModelArtifact,
    rules: tuple[alert_rules.Rule, ...],
    now: datetime,
) -> PatientState:
    """Score one patient now, in the caller's transaction (the scorer does this in the background)."""
    patients, observations = load(session, [patient.id])
    assessment = assess(patients, observations, artifact, now, {patient.id: since})
    write(session, assessment, artifact, rules, now)
    return assessment.states[patient.id]
