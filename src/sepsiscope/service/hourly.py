"""One patient's stored observations as the cohort engine's hourly table.

The hour grid: each observation falls in the UTC clock hour that contains its time; the
last value of a variable in an hour (by time, then arrival) is that hour's value, as
PhysioNet's hourly files hold it. ``hour`` counts from the first hour of the stay (the
admission hour if known, else the first observation's hour), so the table is exactly what
``cohort.score_table`` and the model's features read from a PhysioNet file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import polars as pl

from sepsiscope.scores.age import DAYS_PER_MONTH, PEDIATRIC_LIMIT_MONTHS
from sepsiscope.service.db.models import Observation, Patient
from sepsiscope.variables.registry import REGISTRY

HOUR = timedelta(hours=1)


def hour_floor(t: datetime) -> datetime:
    """Start of the UTC clock hour that contains ``t``."""
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _completed_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class Ages:
    """Age keys of the calculator contract at one moment (pediatric-obstetric.md §0.2)."""

    age_years: float | None
    age_days: float | None

    @property
    def is_child(self) -> bool:
        """Under 18 years (216 months, scores.age), when the age is known."""
        if self.age_days is not None:
            return self.age_days / DAYS_PER_MONTH < PEDIATRIC_LIMIT_MONTHS
        return self.age_years is not None and self.age_years * 12 < PEDIATRIC_LIMIT_MONTHS

    def case(self) -> dict[str, float]:
        """The age keys to give a calculator (only the known ones)."""
        out = {}
        if self.age_years is not None:
            out["age_years"] = self.age_years
        if self.age_days is not None:
            out["age_days"] = self.age_days
        return out


def ages(patient: Patient, at: datetime) -> Ages:
    """The patient's age at ``at``: from ``birth_date`` (days and completed years) or ``age_years``."""
    if patient.birth_date is not None:
        on = at.astimezone(UTC).date()
        days = max((on - patient.birth_date).days, 0)
        return Ages(float(max(_completed_years(patient.birth_date, on), 0)), float(days))
    return Ages(patient.age_years, None)


@dataclass(frozen=True)
class HourlyTable:
    """The table, and the clock hour of each of its rows."""

    table: pl.DataFrame
    hour_starts: list[datetime]

    @property
    def empty(self) -> bool:
        return self.table.height == 0


def _value(obs: Observation) -> float | str | bool | None:
    var = REGISTRY[obs.variable]
    if var.kind == "code":
        return obs.code
    if var.kind == "boolean":
        return None if obs.value is None else obs.value == 1.0
    return obs.value


def _dtype(name: str) -> pl.DataType:
    kind = REGISTRY[name].kind
    return pl.Utf8() if kind == "code" else pl.Boolean() if kind == "boolean" else pl.Float64()


def hourly_table(patient: Patient, observations: Sequence[Observation]) -> HourlyTable:
    """Wide hourly table of one patient (``patient_id``, ``hour``, variables, age, sex)."""
    ordered = sorted(observations, key=lambda o: (o.time, o.seq or 0))
    if not ordered:
        return HourlyTable(
            pl.DataFrame({"patient_id": [], "hour": []}, schema={"patient_id": pl.Utf8, "hour": pl.Int64}), []
        )
    first = hour_floor(ordered[0].time)
    if patient.admitted_at is not None:
        first = min(first, hour_floor(patient.admitted_at))
    cells: dict[datetime, dict[str, object]] = {}
    for obs in ordered:
        cells.setdefault(hour_floor(obs.time), {})[obs.variable] = _value(obs)
    starts = sorted(cells)
    names = [n for n in REGISTRY.names() if any(n in row for row in cells.values())]
    columns: dict[str, pl.Series] = {
        "patient_id": pl.Series("patient_id", [patient.id] * len(starts), dtype=pl.Utf8),
        "hour": pl.Series("hour", [int((s - first) / HOUR) for s in starts], dtype=pl.Int64),
    }
    for name in names:
        columns[name] = pl.Series(name, [cells[s].get(name) for s in starts], dtype=_dtype(name))
    if "age_years" not in names:
        columns["age_years"] = pl.Series("age_years", [ages(patient, s).age_years for s in starts], dtype=pl.Float64)
    if patient.birth_date is not None and "age_days" not in names:
        columns["age_days"] = pl.Series("age_days", [ages(patient, s).age_days for s in starts], dtype=pl.Float64)
    if patient.sex is not None and "sex" not in names:
        columns["sex"] = pl.Series("sex", [patient.sex] * len(starts), dtype=pl.Utf8)
    if patient.admitted_at is not None and "iculos_h" not in names:
        admitted = hour_floor(patient.admitted_at)
        columns["iculos_h"] = pl.Series(
            "iculos_h", [float((s - admitted) / HOUR) + 1 for s in starts], dtype=pl.Float64
        )
    return HourlyTable(pl.DataFrame(list(columns.values())), starts)
