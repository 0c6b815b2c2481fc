"""What ``GET /patients/{id}`` shows: the values in force, the calculator's objects, risk, staleness.

``scores`` holds, for each score, exactly the object ``sepsiscope calc SCORE`` returns for
the values in force at the latest hour — each variable's latest value carried forward
within its ``carry_h`` by the cohort engine (``cohort.carried_values``), plus the patient's
age and sex. A child (under 18) also gets Phoenix and pediatric SIRS; the adult scores then
answer with the calculator's own ``not_adult`` error, as ``calc`` would.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sepsiscope.cohort.scoring import carried_values
from sepsiscope.scores.calculator import score_line
from sepsiscope.scores.registry import SCORES
from sepsiscope.service.db.models import Patient
from sepsiscope.service.hourly import Ages, HourlyTable, ObsRow, ages, hour_floor
from sepsiscope.service.risk import NOT_FOR_CHILDREN, RiskSeries
from sepsiscope.variables.registry import REGISTRY

ADULT_SCORES = ("sirs", "qsofa", "news2", "mews", "sofa")
CHILD_SCORES = (*ADULT_SCORES, "phoenix", "pediatric_sirs")
#: Keys of the patient record, not observations: they are given to every calculator.
_PATIENT_KEYS = ("age_years", "age_days", "sex")


def score_names(age: Ages) -> tuple[str, ...]:
    """Scores shown for this patient."""
    return CHILD_SCORES if age.is_child else ADULT_SCORES


@dataclass
class Snapshot:
    """One patient's current picture (the body of ``GET /patients/{id}`` less the patient record)."""

    as_of: datetime | None
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    risk: dict[str, Any] | None = None
    stale: list[dict[str, Any]] = field(default_factory=list)
    ages: Ages | None = None

    def in_force(self) -> dict[str, Any]:
        """The calculator case: every value in force, with the patient's age and sex."""
        return {k: v["value"] for k, v in self.latest.items() if v["in_force"]}


def _json_value(obs: ObsRow) -> Any:
    var = REGISTRY[obs.variable]
    if var.kind == "code":
        return obs.code
    if var.kind == "boolean":
        return obs.value == 1.0
    return int(obs.value) if var.kind == "integer" and obs.value is not None else obs.value


def _latest(observations: Sequence[ObsRow], carried: dict[str, Any]) -> dict[str, dict[str, Any]]:
    last: dict[str, ObsRow] = {}
    for obs in sorted(observations, key=lambda o: (o.time, o.seq or 0)):
        last[obs.variable] = obs
    return {
        name: {
            "value": _json_value(obs),
            "unit": REGISTRY[name].unit,
            "time": obs.time,
            "in_force": carried.get(name) is not None,
        }
        for name, obs in sorted(last.items())
    }


def _stale(latest: dict[str, dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Vitals whose latest value is older than their carry-forward age, as of now."""
    out = []
    for name, item in latest.items():
        var = REGISTRY[name]
        if var.category != "vital" or var.carry_h is None:
            continue
        age = now - item["time"]
        if age > timedelta(hours=var.carry_h):
            out.append({"variable": name, "last_time": item["time"], "age_minutes": int(age.total_seconds() // 60),
                        "carry_h": var.carry_h})  # fmt: skip
    return out


def calculator_objects(case: dict[str, Any], names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``sepsiscope calc NAME`` on one case, for each name (the very same code path)."""
    text = json.dumps(case)
    return {name: score_line(SCORES[name], text) for name in names}


def build_snapshot(
    patient: Patient,
    observations: Sequence[ObsRow],
    hourly: HourlyTable,
    risk: RiskSeries | None,
    now: datetime,
    carried_row: dict[str, Any] | None = None,
) -> Snapshot:
    """The patient's picture at the latest hour with data.

    ``carried_row`` is the last row of ``cohort.carried_values`` over the patient's table,
    when the caller computed it for many patients at once (the scorer).
    """
    if hourly.empty:
        age = ages(patient, now)
        return Snapshot(as_of=None, ages=age, scores={}, risk=None)
    as_of = hourly.hour_starts[-1]
    age = ages(patient, as_of)
    if carried_row is None:
        carried_row = carried_values(hourly.table).row(-1, named=True)
    carried = {k: v for k, v in carried_row.items() if k in REGISTRY and k not in _PATIENT_KEYS}
    latest = _latest(observations, carried)
    snap = Snapshot(as_of=as_of, latest=latest, ages=age, stale=_stale(latest, now))
    case = {**age.case(), **({"sex": patient.sex} if patient.sex else {}), **snap.in_force()}
    snap.scores = calculator_objects(case, score_names(age))
    snap.risk = risk_view(risk, age)
    return snap


def risk_view(risk: RiskSeries | None, age: Ages) -> dict[str, Any]:
    if age.is_child:
        return {"probability": None, "threshold": None, "alert": None, "reasons": [], "note": NOT_FOR_CHILDREN}
    if risk is None or not len(risk.probability):
        return {"probability": None, "threshold": None, "alert": None, "reasons": [], "note": "no data yet"}
    return {
        "probability": round(float(risk.probability[-1]), 4),
        "threshold": round(risk.threshold, 4),
        "alert": bool(risk.alert[-1]),
        "reasons": risk.last_reasons or [],
        "note": None,
    }


__all__ = ["Snapshot", "build_snapshot", "calculator_objects", "hour_floor", "risk_view", "score_names"]
