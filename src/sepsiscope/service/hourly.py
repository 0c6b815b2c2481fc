"""One patient's stored observations as the cohort engine's hourly table.

The hour grid: each observation falls in the UTC clock hour that contains its time; the
last value of a variable in an hour (by time, then arrival) is that hour's value, as
PhysioNet's hourly files hold it. ``hour`` counts from the first hour of the stay (the
admission hour if known, else the first observation's hour), so the table is exactly what
``cohort.score_table`` and the model's features read from a PhysioNet file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

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


class ObsRow(NamedTuple):
    """The fields of a stored observation that scoring reads (a Core row, not an ORM object)."""

    seq: int | None
    patient_id: str
    time: datetime
    variable: str
    value: float | None
    code: str | None


#: Core columns in :class:`ObsRow` order.
OBS_COLUMNS = (Observation.seq, Observation.patient_id, Observation.time, Observation.variable, Observation.value,
               Observation.code)  # fmt: skip


def obs_rows(observations: Iterable[Observation | ObsRow]) -> list[ObsRow]:
    """ORM observations (or rows already) as :class:`ObsRow`."""
    return [o if isinstance(o, ObsRow) else ObsRow(o.seq, o.patient_id, o.time, o.variable, o.value, o.code)
            for o in observations]  # fmt: skip


@dataclass(frozen=True)
class Ward:
    """Several patients' hourly tables stacked in patient-id order (one table for the cohort engine).

    ``spans[id]`` is the patient's ``[lo, hi)`` row range and ``hour_starts[id]`` the clock
    hour of each of its rows. The rows of one patient are exactly :func:`hourly_table` of that
    patient; a variable another patient has is null here, which the cohort engine and the
    features read as a variable never measured, as they read an absent column.
    """

    table: pl.DataFrame
    spans: dict[str, tuple[int, int]]
    hour_starts: dict[str, list[datetime]]

    def patient(self, patient_id: str) -> HourlyTable:
        lo, hi = self.spans[patient_id]
        return HourlyTable(self.table.slice(lo, hi - lo), self.hour_starts[patient_id])


def _value(obs: ObsRow) -> float | str | bool | None:
    var = REGISTRY[obs.variable]
    if var.kind == "code":
        return obs.code
    if var.kind == "boolean":
        return None if obs.value is None else obs.value == 1.0
    return obs.value


def _dtype(name: str) -> pl.DataType:
    kind = REGISTRY[name].kind
    return pl.Utf8() if kind == "code" else pl.Boolean() if kind == "boolean" else pl.Float64()


def _stay(patient: Patient, observations: Sequence[ObsRow]) -> tuple[list[datetime], dict[str, list[object]]]:
    """One patient's hour starts and columns (observed variables, then the record's keys)."""
    ordered = sorted(observations, key=lambda o: (o.time, o.seq or 0))
    first = hour_floor(ordered[0].time)
    if patient.admitted_at is not None:
        first = min(first, hour_floor(patient.admitted_at))
    cells: dict[datetime, dict[str, object]] = {}
    for obs in ordered:
        cells.setdefault(hour_floor(obs.time), {})[obs.variable] = _value(obs)
    starts = sorted(cells)
    seen = {name for row in cells.values() for name in row}
    columns: dict[str, list[object]] = {"hour": [int((s - first) / HOUR) for s in starts]}
    for name in REGISTRY.names():
        if name in seen:
            columns[name] = [cells[s].get(name) for s in starts]
    if "age_years" not in seen:
        columns["age_years"] = [ages(patient, s).age_years for s in starts]
    if patient.birth_date is not None and "age_days" not in seen:
        columns["age_days"] = [ages(patient, s).age_days for s in starts]
    if patient.sex is not None and "sex" not in seen:
        columns["sex"] = [patient.sex] * len(starts)
    if patient.admitted_at is not None and "iculos_h" not in seen:
        admitted = hour_floor(patient.admitted_at)
        columns["iculos_h"] = [float((s - admitted) / HOUR) + 1 for s in starts]
    return starts, columns


def hourly_ward(patients: Sequence[Patient], observations: Mapping[str, Sequence[ObsRow]]) -> Ward:
    """Wide hourly tables of several patients at once (``patient_id``, ``hour``, variables, age, sex).

    Patients without observations get no rows.
    """
    stays = {p.id: _stay(p, observations[p.id]) for p in sorted(patients, key=lambda p: p.id) if observations.get(p.id)}
    names: list[str] = []
    for _starts, columns in stays.values():
        names += [c for c in columns if c != "hour" and c not in names]
    order = [n for n in REGISTRY.names() if n in names]
    data: dict[str, list[object]] = {"patient_id": [], "hour": [], **{n: [] for n in order}}
    spans: dict[str, tuple[int, int]] = {}
    lo = 0
    for pid, (starts, columns) in stays.items():
        n = len(starts)
        data["patient_id"] += [pid] * n
        for name, values in data.items():
            if name != "patient_id":
                values += columns.get(name, [None] * n)
        spans[pid] = (lo, lo + n)
        lo += n
    schema = {"patient_id": pl.Utf8(), "hour": pl.Int64(), **{n: _dtype(n) for n in order}}
    table = pl.DataFrame(data, schema=schema)
    return Ward(table, spans, {pid: starts for pid, (starts, _c) in stays.items()})


def hourly_table(patient: Patient, observations: Sequence[Observation | ObsRow]) -> HourlyTable:
    """Wide hourly table of one patient (``patient_id``, ``hour``, variables, age, sex)."""
    rows = obs_rows(observations)
    if not rows:
        return HourlyTable(
            pl.DataFrame({"patient_id": [], "hour": []}, schema={"patient_id": pl.Utf8, "hour": pl.Int64}), []
        )
    return hourly_ward([patient], {patient.id: rows}).patient(patient.id)
