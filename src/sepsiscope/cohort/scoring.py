"""Bedside scores for every patient-hour of a wide table.

The same :class:`~sepsiscope.scores.base.ScoreDefinition` ``compute`` functions that the
calculator uses run here on whole columns: the cohort engine only decides *which* value
each hour sees.

* SIRS, qSOFA, NEWS2, MEWS (and any other bedside score asked for): each variable's latest
  value, carried forward for at most the variable's ``carry_h`` from ``variables.toml``
  (vitals 4 h, temperature 8 h, blood gases 12 h, labs 24 h; docs/cohort.md).
* SOFA: the hourly series of shared/docs/clinical/adult-scores.md §3.3 — each component is
  the worst (maximum points) over the 24-h window (t − 24 h, t], from values measured in
  that window only (no carry-forward); PaO2 is scored with the FiO2 and ventilation status
  current at its sample time.

``score_table`` is a pure function of a table holding whole patients, which is what lets
the Spark engine run it unchanged on each partition.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from sepsiscope.cohort.timeseries import (
    FloatArray,
    IntArray,
    WindowPlan,
    carry_forward,
    starts_from_flags,
    window_first,
)
from sepsiscope.errors import ScoreInputError
from sepsiscope.scores.arrays import BoolArray, Inputs, lenient_total
from sepsiscope.scores.base import ScoreColumns, ScoreDefinition
from sepsiscope.scores.registry import SCORES
from sepsiscope.variables.registry import REGISTRY

DEFAULT_SCORES: tuple[str, ...] = ("sirs", "qsofa", "news2", "mews", "sofa")
SOFA_WINDOW_H = 24
#: Variables that describe the state *at* a gas sample (§3.3 respiration rule).
SOFA_CURRENT_STATE = ("fio2", "ventilated", "supplemental_o2")
KEY = ("patient_id", "hour")
#: Dtype of the ``<score>_missing`` lists: registry names as an Enum (compact in memory and Parquet).
MISSING_DTYPE = pl.List(pl.Enum(REGISTRY.names()))


@dataclass(frozen=True)
class PatientRows:
    """A table's rows in (patient, hour) order, and the way back to input order."""

    frame: pl.DataFrame
    hours: FloatArray
    start: IntArray
    back: IntArray | None  # gather index from sorted to input order; None if already sorted


def patient_rows(table: pl.DataFrame, needed: Sequence[str]) -> PatientRows:
    """Rows of ``table`` (keys + ``needed``) in (patient, hour) order, checked for duplicates."""
    for key in KEY:
        if key not in table.columns:
            raise ScoreInputError(f"the table needs a {key!r} column (have: {', '.join(table.columns[:8])}, ...)")
    if table.get_column("hour").null_count():
        raise ScoreInputError("column 'hour' has null values; every row needs its hour")
    frame = table.select(*KEY, *needed)
    pid, hour = pl.col("patient_id"), pl.col("hour")
    in_order = frame.select(
        ((pid > pid.shift(1)) | ((pid == pid.shift(1)) & (hour > hour.shift(1)))).fill_null(True).all()
    ).item()
    back = None
    if not in_order:
        order = frame.select(pl.arg_sort_by(list(KEY), maintain_order=True)).to_series().to_numpy()
        frame = frame[order]
        back = np.empty_like(order)
        back[order] = np.arange(len(order))
    flags = frame.select(
        new=(pid != pid.shift(1)).fill_null(True),
        dup=((pid == pid.shift(1)) & (hour == hour.shift(1))).fill_null(False),
    )
    if flags.get_column("dup").any():
        raise ScoreInputError("the table has duplicate (patient_id, hour) rows; the readers refuse these")
    start = starts_from_flags(flags.get_column("new").to_numpy())
    return PatientRows(frame, frame.get_column("hour").cast(pl.Float64).to_numpy(), start, back)


def column_as_float(frame: pl.DataFrame, name: str) -> FloatArray:
    var = REGISTRY[name]
    series = frame.get_column(name)
    if var.kind == "code":
        values = series.drop_nulls().unique()
        unknown = values.filter(~values.is_in(list(var.codes)))
        if len(unknown):
            raise ScoreInputError(f"column {name!r} has value {unknown[0]!r}; expected one of {', '.join(var.codes)}")
        series = series.replace_strict(list(var.codes), list(range(len(var.codes))), default=None)
    return series.cast(pl.Float64).fill_null(np.nan).to_numpy()


def _bits(masks: dict[str, BoolArray], names: Sequence[str]) -> IntArray:
    code = np.zeros(len(next(iter(masks.values()))), dtype=np.int64)
    for k, name in enumerate(names):
        code |= masks[name].astype(np.int64) << k
    return code


def _sofa_series(raw: dict[str, FloatArray], rows: PatientRows) -> ScoreColumns:
    """SOFA per hour over the 24-h window (adult-scores.md §3.3)."""
    defn = SCORES["sofa"]
    n = len(rows.hours)
    cols = dict(raw)
    for name in SOFA_CURRENT_STATE:
        if name in cols:
            cols[name] = carry_forward(cols[name], rows.hours, rows.start, REGISTRY[name].carry_h)
    hourly = defn.compute(Inputs(cols, n))
    plan = WindowPlan(window_first(rows.hours, rows.start, SOFA_WINDOW_H))
    components = {k: plan.reduce(v, np.fmax) for k, v in hourly.components.items()}
    names = sorted(hourly.missing)
    # A listed input is missing at hour t when no value of it falls in the window.
    present = plan.reduce(_bits({k: ~v for k, v in hourly.missing.items()}, names), np.bitwise_or)
    missing = {name: (present >> k) & 1 == 0 for k, name in enumerate(names)}
    return ScoreColumns(components=components, total=lenient_total(components.values()), missing=missing)


def _int8(values: FloatArray, name: str) -> pl.Series:
    return pl.Series(name, values).fill_nan(None).cast(pl.Int8)


def _missing_lists(masks: dict[str, BoolArray], name: str) -> pl.Series:
    """List column of the absent inputs per row, built from a bit code (few distinct lists)."""
    names = sorted(masks)
    code = _bits(masks, names)
    uniq = np.unique(code)
    lookup = pl.DataFrame(
        {
            "code": uniq,
            name: [[m for k, m in enumerate(names) if (int(c) >> k) & 1] for c in uniq],
        },
        schema={"code": pl.Int64, name: MISSING_DTYPE},
    )
    return pl.DataFrame({"code": code}).join(lookup, on="code", how="left", maintain_order="left").get_column(name)


def _output_columns(defn: ScoreDefinition, cols: ScoreColumns) -> list[pl.Series]:
    name = defn.name
    out = [_int8(cols.total, f"{name}_total")]
    if name != "sofa":
        partial = np.zeros(len(cols.total))
        for comp in defn.components:
            partial += np.nan_to_num(cols.components[comp.name])
        out.append(_int8(partial, f"{name}_partial"))
    for comp in defn.components:
        out.append(_int8(cols.components[comp.name], f"{name}_{comp.name}"))
    for extra in defn.extras:
        values = pl.Series(cols.extras[extra.name]).fill_nan(None)
        if extra.kind == "bool3":
            series = values.cast(pl.Boolean)
        elif extra.kind == "int":
            series = values.cast(pl.Int8)
        else:
            series = values.cast(pl.Int32).replace_strict(
                list(range(len(extra.labels))), list(extra.labels), default=None, return_dtype=pl.Utf8
            )
        out.append(series.alias(f"{name}_{extra.name}"))
    out.append(_missing_lists(cols.missing, f"{name}_missing"))
    return out


def carried_values(table: pl.DataFrame) -> pl.DataFrame:
    """The value each hour sees: every registry column carried forward within its ``carry_h``.

    Same rows and order as ``table``; code columns stay codes, booleans stay booleans.
    """
    variables = [c for c in table.columns if c in REGISTRY]
    rows = patient_rows(table, variables)
    columns = []
    for name in variables:
        var = REGISTRY[name]
        values = carry_forward(column_as_float(rows.frame, name), rows.hours, rows.start, var.carry_h)
        series = pl.Series(name, values if rows.back is None else values[rows.back]).fill_nan(None)
        if var.kind == "code":
            series = series.cast(pl.Int32).replace_strict(
                list(range(len(var.codes))), list(var.codes), default=None, return_dtype=pl.Utf8
            )
        elif var.kind == "boolean":
            series = series.cast(pl.Boolean)
        columns.append(series)
    return table.select(*KEY).with_columns(columns)


#: Tables at least this long are scored in two patient-disjoint halves on two threads
#: (numpy and Polars release the GIL), the same split the Spark engine makes by partition.
PARALLEL_FROM_ROWS = 100_000
WORKERS = 2


def _score_sorted(rows: PatientRows, defs: Sequence[ScoreDefinition], needed: Sequence[str]) -> pl.DataFrame:
    """Score a patient-sorted slice; output rows in the slice's (sorted) order, no keys."""
    n = rows.frame.height
    raw = {name: column_as_float(rows.frame, name) for name in needed}
    carried = {name: carry_forward(v, rows.hours, rows.start, REGISTRY[name].carry_h) for name, v in raw.items()}
    series: list[pl.Series] = []
    for defn in defs:
        if defn.name == "sofa":
            cols = _sofa_series(raw, rows)
        else:
            cols = defn.compute(Inputs({k: carried[k] for k in defn.variables if k in carried}, n))
        series.extend(_output_columns(defn, cols))
    return pl.DataFrame(series)


def _split(rows: PatientRows, parts: int) -> list[PatientRows]:
    """Cut sorted rows into ``parts`` slices at patient boundaries."""
    n = len(rows.hours)
    starts = np.flatnonzero(rows.start == np.arange(n))
    cuts = sorted(
        {
            0,
            n,
            *(
                int(starts[np.searchsorted(starts, n * k // parts)])
                for k in range(1, parts)
                if np.searchsorted(starts, n * k // parts) < len(starts)
            ),
        }
    )
    out = []
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=False):
        out.append(PatientRows(rows.frame.slice(lo, hi - lo), rows.hours[lo:hi], rows.start[lo:hi] - lo, None))
    return out


def score_table(table: pl.DataFrame, scores: Sequence[str] = DEFAULT_SCORES) -> pl.DataFrame:
    """Score every row of a wide table (``patient_id``, ``hour``, canonical variables).

    Returns one row per input row, in input order: ``patient_id``, ``hour``, then per score
    ``<score>_total``, ``<score>_partial`` (sum of the components that could be computed;
    not for SOFA, whose total already counts null components as 0), one column per
    component, the score's extra fields and ``<score>_missing`` (listed inputs with no
    usable value). Unknown score names raise ``KeyError``.
    """
    defs = [SCORES[s] for s in scores]
    needed = sorted({v for d in defs for v in d.variables} & set(table.columns))
    rows = patient_rows(table, needed)
    if rows.frame.height >= PARALLEL_FROM_ROWS:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            parts = list(pool.map(lambda part: _score_sorted(part, defs, needed), _split(rows, WORKERS)))
        scored = pl.concat(parts, how="vertical")
    else:
        scored = _score_sorted(rows, defs, needed)
    if rows.back is not None:
        scored = scored[rows.back]
    return pl.concat([table.select(*KEY), scored], how="horizontal")
