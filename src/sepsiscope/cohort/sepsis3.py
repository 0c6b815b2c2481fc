"""Sepsis-3 onset, septic shock and PhysioNet labels for whole tables (shared/docs/clinical/adult-scores.md §3).

The rules are the one-patient functions of :mod:`sepsiscope.scores.sepsis3`; this module only
moves tables. A *patient table* (:func:`patient_table`) holds, for whole patients, the events
and the hourly SOFA in one long frame keyed by (``patient_id``, ``hour``), which is the shape
``cohort.spark.apply_by_patient`` partitions — so :func:`episodes_of`, :func:`hours_of` and
:func:`labels_of` run unchanged on the embedded engine and on Spark (``sepsis3_spark``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import polars as pl

from sepsiscope.cohort.event_grid import anchors, hourly_from_events, with_hours
from sepsiscope.cohort.scoring import score_table
from sepsiscope.errors import ScoreInputError
from sepsiscope.scores.sepsis3 import (
    Baseline,
    Onset,
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
#: Patients per pass of :func:`sepsis3`: bounds the Python objects alive at once (~0.5 GB per 10,000).
CHUNK_PATIENTS = 10_000
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
class Sepsis3Tables:
    """The outputs of :func:`sepsis3`: one row per episode, and one row per patient-hour."""

    episodes: pl.DataFrame
    hours: pl.DataFrame


@dataclass(frozen=True)
class Patient:
    """One patient of a long table as the one-patient rules take it."""

    pid: str
    events: list[Event]
    sofa: list[SofaHour]
    hours: list[float]


_COLS = ("patient_id", "row", "hour", "time", "kind", "code", "value", "unit", "route", "end", "sofa_total")


def patients(long: pl.DataFrame) -> Iterator[Patient]:
    """Each patient of a long table (rows grouped by patient, as :func:`patient_table` sorts them)."""
    current: Patient | None = None
    for pid, row, hour, time, kind, code, value, unit, route, end, total in long.select(_COLS).iter_rows():
        if current is None or pid != current.pid:
            if current is not None:
                yield current
            current = Patient(pid, [], [], [])
        if row == "event":
            current.events.append(Event(time, kind, code, value, unit, route, end))
        else:
            current.sofa.append(SofaHour(time, None if total is None else int(total)))
            current.hours.append(hour)
    if current is not None:
        yield current


def _episode_rows(p: Patient, onsets: list[Onset], rule: Baseline) -> list[tuple[object, ...]]:
    return [
        (
            p.pid,
            i + 1,
            o.episode.t_si,
            o.episode.order,
            o.episode.t_antibiotic,
            o.episode.t_culture,
            o.t_sofa,
            o.t_onset,
            o.delta_sofa,
            o.sofa,
            o.reference_sofa,
            rule,
        )
        for i, o in enumerate(onsets)
    ]


def _hour_rows(p: Patient, onsets: list[Onset], rule: Baseline) -> list[tuple[object, ...]]:
    patient = earliest(onsets)
    shock = shock_hours(p.events, [h.time for h in p.sofa], patient.t_onset if patient else None)
    return [
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
        for hour, h, s in zip(p.hours, p.sofa, shock, strict=True)
    ]


def episodes_of(long: pl.DataFrame, baseline: Baseline = "zero") -> pl.DataFrame:
    """One row per suspected-infection episode with its Sepsis-3 evaluation (§3.5 "output")."""
    rule = check_baseline(baseline)
    rows = []
    for p in patients(long):
        rows += _episode_rows(p, onset(suspected_infection(p.events), p.sofa, baseline=rule), rule)
    return pl.DataFrame(rows, schema=EPISODE_SCHEMA, orient="row")


def hours_of(long: pl.DataFrame, baseline: Baseline = "zero") -> pl.DataFrame:
    """Per patient-hour ``sepsis`` and ``septic_shock`` (§3.5, §3.7) with the criteria behind them."""
    rule = check_baseline(baseline)
    rows = []
    for p in patients(long):
        rows += _hour_rows(p, onset(suspected_infection(p.events), p.sofa, baseline=rule), rule)
    return pl.DataFrame(rows, schema=HOUR_SCHEMA, orient="row")


def sepsis3_of(long: pl.DataFrame, baseline: Baseline = "zero") -> Sepsis3Tables:
    """:func:`episodes_of` and :func:`hours_of` in one pass over the patients."""
    rule = check_baseline(baseline)
    episodes, hours = [], []
    for p in patients(long):
        onsets = onset(suspected_infection(p.events), p.sofa, baseline=rule)
        episodes += _episode_rows(p, onsets, rule)
        hours += _hour_rows(p, onsets, rule)
    return Sepsis3Tables(
        pl.DataFrame(episodes, schema=EPISODE_SCHEMA, orient="row"),
        pl.DataFrame(hours, schema=HOUR_SCHEMA, orient="row"),
    )


def labels_of(long: pl.DataFrame) -> pl.DataFrame:
    """Per patient-hour ``sepsis_label`` by the PhysioNet 2019 rule (§3.6)."""
    rows: list[tuple[str, float, int]] = []
    for p in patients(long):
        label = physionet_label(p.events, p.sofa)
        rows.extend((p.pid, hour, v) for hour, v in zip(p.hours, label.labels, strict=True))
    return pl.DataFrame(rows, schema=LABEL_SCHEMA, orient="row")


def sepsis3(events: pl.DataFrame, hourly: pl.DataFrame | None = None, *, baseline: Baseline = "zero") -> Sepsis3Tables:
    """Sepsis-3 for every patient of ``events`` (canonical event table) on the embedded engine.

    ``hourly`` is a wide hourly table (``patient_id``, ``hour`` since the admission in the events,
    SOFA inputs); without it the grid and its SOFA inputs come from the events themselves.
    """
    _check_hourly(events, hourly)
    parts = [
        sepsis3_of(patient_table(chunk, hourly_sofa(chunk, _rows_of(hourly, chunk))), baseline)
        for chunk in patient_chunks(events, CHUNK_PATIENTS)
    ]
    if not parts:
        return Sepsis3Tables(pl.DataFrame(schema=EPISODE_SCHEMA), pl.DataFrame(schema=HOUR_SCHEMA))
    return Sepsis3Tables(pl.concat([p.episodes for p in parts]), pl.concat([p.hours for p in parts]))


def per_chunk(
    events: pl.DataFrame, hourly: pl.DataFrame | None, fn: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """``fn`` (a long-table function such as :func:`labels_of`) over chunks of whole patients, concatenated."""
    _check_hourly(events, hourly)
    parts = [fn(patient_table(c, hourly_sofa(c, _rows_of(hourly, c)))) for c in patient_chunks(events, CHUNK_PATIENTS)]
    return pl.concat(parts) if parts else fn(pl.DataFrame(schema=LONG_SCHEMA))


def patient_chunks(events: pl.DataFrame, size: int) -> list[pl.DataFrame]:
    """``events`` split into tables of at most ``size`` whole patients (bounded memory per pass)."""
    ids = events.get_column("patient_id").unique(maintain_order=True)
    chunk = pl.DataFrame({"patient_id": ids, "_chunk": pl.int_range(0, ids.len(), eager=True) // size})
    tagged = events.join(chunk, on="patient_id", how="left")
    return [part.drop("_chunk") for part in tagged.partition_by("_chunk", maintain_order=True)]


def _check_hourly(events: pl.DataFrame, hourly: pl.DataFrame | None) -> None:
    """Every patient of the hourly table needs events (at least its admission, the grid anchor)."""
    if hourly is None:
        return
    alone = hourly.select("patient_id").unique().join(events.select("patient_id").unique(), on="patient_id", how="anti")
    if alone.height:
        pid = alone.get_column("patient_id").sort()[0]
        raise ScoreInputError(
            f"patient {pid!r} ({alone.height} in all) is in the hourly table but has no events: "
            "give each patient at least its admission event (adult-scores.md §3.1 grid anchor)"
        )


def _rows_of(hourly: pl.DataFrame | None, chunk: pl.DataFrame) -> pl.DataFrame | None:
    if hourly is None:
        return None
    return hourly.filter(pl.col("patient_id").is_in(chunk.get_column("patient_id").unique().implode()))
