"""Sepsis-3 onset, septic shock and PhysioNet labels for whole tables (shared/docs/clinical/adult-scores.md §3).

The rules are the one-patient functions of :mod:`sepsiscope.scores.sepsis3`; this module only
moves tables. A *patient table* (:func:`patient_table`) holds, for whole patients, the events
and the hourly SOFA in one long frame keyed by (``patient_id``, ``hour``), which is the shape
``cohort.spark.apply_by_patient`` partitions — so :func:`episodes_of`, :func:`hours_of` and
:func:`labels_of` run unchanged on the embedded engine and on Spark (``sepsis3_spark``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from sepsiscope.cohort.event_grid import anchors, hourly_from_events, with_hours
from sepsiscope.cohort.scoring import score_table
from sepsiscope.scores.sepsis3 import (
    Baseline,
    SofaHour,
    earliest,
    onset,
    physionet_label,
    shock_hours,
    suspected_infection,
)
from sepsiscope.scores.sepsis3.baseline import check_baseline
from sepsiscope.variables.events import Event

UTC_US = pl.Datetime("us", "UTC")
LONG_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "hour": pl.Float64(),
    "row": pl.String(),
    "time": UTC_US,
    "kind": pl.String(),
    "code": pl.String(),
    "value": pl.Float64(),
    "unit": pl.String(),
    "route": pl.String(),
    "end": UTC_US,
    "sofa_total": pl.Float64(),
}
EPISODE_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "episode": pl.Int64(),
    "t_si": UTC_US,
    "order": pl.String(),
    "t_antibiotic": UTC_US,
    "t_culture": UTC_US,
    "t_sofa": UTC_US,
    "t_onset": UTC_US,
    "delta_sofa": pl.Int64(),
    "sofa": pl.Int64(),
    "reference_sofa": pl.Int64(),
    "baseline": pl.String(),
}
HOUR_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "hour": pl.Float64(),
    "time": UTC_US,
    "sofa_total": pl.Float64(),
    "sepsis": pl.Boolean(),
    "septic_shock": pl.Boolean(),
    "vasopressor": pl.Boolean(),
    "lactate": pl.Float64(),
    "fluids_30ml_kg_24h": pl.Boolean(),
    "baseline": pl.String(),
}
LABEL_SCHEMA: dict[str, pl.DataType] = {"patient_id": pl.String(), "hour": pl.Float64(), "sepsis_label": pl.Int8()}


def hourly_sofa(events: pl.DataFrame, hourly: pl.DataFrame | None = None) -> pl.DataFrame:
    """(``patient_id``, ``hour``, ``sofa_total``): the §3.3 hourly SOFA of ``hourly``, else of the events' grid."""
    table = hourly if hourly is not None else hourly_from_events(events)
    return score_table(table, ("sofa",)).select("patient_id", "hour", pl.col("sofa_total").cast(pl.Float64))


def patient_table(events: pl.DataFrame, sofa: pl.DataFrame) -> pl.DataFrame:
    """The long per-patient table: events (with their grid hour) and hourly SOFA rows, sorted by patient and hour."""
    anchor = anchors(events)
    ev = with_hours(events, anchor).select(
        "patient_id",
        pl.col("hour").cast(pl.Float64),
        pl.lit("event").alias("row"),
        "time",
        "kind",
        "code",
        "value",
        "unit",
        "route",
        "end",
        pl.lit(None, dtype=pl.Float64).alias("sofa_total"),
    )
    so = sofa.join(anchor, on="patient_id", how="inner").select(
        "patient_id",
        "hour",
        pl.lit("sofa").alias("row"),
        (pl.col("anchor") + pl.duration(hours=pl.col("hour"))).cast(UTC_US).alias("time"),
        *[pl.lit(None, dtype=LONG_SCHEMA[c]).alias(c) for c in ("kind", "code", "value", "unit", "route", "end")],
        "sofa_total",
    )
    long = pl.concat([ev.cast(LONG_SCHEMA), so.cast(LONG_SCHEMA)], how="vertical")  # type: ignore[arg-type]
    return long.sort("patient_id", "hour", "row", "time", maintain_order=True)


@dataclass(frozen=True)
class Patient:
    pid: str
    events: list[Event]
    sofa: list[SofaHour]
    hours: list[float]


def patients(long: pl.DataFrame) -> Iterator[Patient]:
    if not long.height:
        return
    for part in long.partition_by("patient_id", maintain_order=True):
        pid = part.get_column("patient_id")[0]
        events: list[Event] = []
        sofa: list[SofaHour] = []
        hours: list[float] = []
        cols = ("row", "hour", "time", "kind", "code", "value", "unit", "route", "end", "sofa_total")
        for row, hour, time, kind, code, value, unit, route, end, total in part.select(cols).iter_rows():
            if row == "event":
                events.append(Event(time, kind, code, value, unit, route, end))
            else:
                sofa.append(SofaHour(time, None if total is None else int(total)))
                hours.append(hour)
        yield Patient(pid, events, sofa, hours)


def episodes_of(long: pl.DataFrame, baseline: Baseline = "zero") -> pl.DataFrame:
    """One row per suspected-infection episode with its Sepsis-3 evaluation (§3.5 "output")."""
    rule = check_baseline(baseline)
    rows = []
    for p in patients(long):
        for i, o in enumerate(onset(suspected_infection(p.events), p.sofa, baseline=rule)):
            e = o.episode
            rows.append(
                (
                    p.pid,
                    i + 1,
                    e.t_si,
                    e.order,
                    e.t_antibiotic,
                    e.t_culture,
                    o.t_sofa,
                    o.t_onset,
                    o.delta_sofa,
                    o.sofa,
                    o.reference_sofa,
                    rule,
                )
            )
    return pl.DataFrame(rows, schema=EPISODE_SCHEMA, orient="row")


def hours_of(long: pl.DataFrame, baseline: Baseline = "zero") -> pl.DataFrame:
    """Per patient-hour ``sepsis`` and ``septic_shock`` (§3.5, §3.7) with the criteria behind them."""
    rule = check_baseline(baseline)
    rows = []
    for p in patients(long):
        patient = earliest(onset(suspected_infection(p.events), p.sofa, baseline=rule))
        t_onset = patient.t_onset if patient else None
        shock = shock_hours(p.events, [h.time for h in p.sofa], t_onset)
        for hour, h, s in zip(p.hours, p.sofa, shock, strict=True):
            rows.append(
                (
                    p.pid,
                    hour,
                    h.time,
                    None if h.total is None else float(h.total),
                    s.sepsis,
                    s.septic_shock,
                    s.vasopressor,
                    s.lactate,
                    s.fluids_30ml_kg_24h,
                    rule,
                )
            )
    return pl.DataFrame(rows, schema=HOUR_SCHEMA, orient="row")


def labels_of(long: pl.DataFrame) -> pl.DataFrame:
    """Per patient-hour ``sepsis_label`` by the PhysioNet 2019 rule (§3.6)."""
    rows: list[tuple[str, float, int]] = []
    for p in patients(long):
        label = physionet_label(p.events, p.sofa)
        rows.extend((p.pid, hour, v) for hour, v in zip(p.hours, label.labels, strict=True))
    return pl.DataFrame(rows, schema=LABEL_SCHEMA, orient="row")


@dataclass(frozen=True)
class Sepsis3Tables:
    """The outputs of :func:`sepsis3`: one row per episode, and one row per patient-hour."""

    episodes: pl.DataFrame
    hours: pl.DataFrame


def sepsis3(events: pl.DataFrame, hourly: pl.DataFrame | None = None, *, baseline: Baseline = "zero") -> Sepsis3Tables:
    """Sepsis-3 for every patient of ``events`` (canonical event table) on the embedded engine.

    ``hourly`` is a wide hourly table (``patient_id``, ``hour`` since the admission in the events,
    SOFA inputs); without it the grid and its SOFA inputs come from the events themselves.
    """
    long = patient_table(events, hourly_sofa(events, hourly))
    return Sepsis3Tables(episodes_of(long, baseline), hours_of(long, baseline))
