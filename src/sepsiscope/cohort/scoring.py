"""Bedside scores for every patient-hour of a wide table.

The same :class:`~sepsiscope.scores.base.ScoreDefinition` ``compute`` functions that the
calculator uses run here on whole columns: the cohort engine only decides *which* value
each hour sees.

* SIRS, qSOFA, NEWS2, MEWS: each variable's latest value, carried forward for at most the
  variable's ``carry_h`` from ``variables.toml`` (vitals 4 h, temperature 8 h, blood gases
  12 h, labs 24 h; docs/cohort.md).
* SOFA: the hourly series of shared/docs/clinical/adult-scores.md §3.3 — each component is
  the worst (maximum points) over the 24-h window (t − 24 h, t], from values measured in
  that window only (no carry-forward); PaO2 is scored with the FiO2 and ventilation status
  current at its sample time.

``score_table`` is a pure function of a table holding whole patients, which is what lets
the Spark engine run it unchanged on each partition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from sepsiscope.cohort.timeseries import FloatArray, carry_forward, group_starts, window_max
from sepsiscope.errors import ScoreInputError
from sepsiscope.scores.arrays import Inputs, lenient_total
from sepsiscope.scores.base import ScoreColumns, ScoreDefinition
from sepsiscope.scores.registry import SCORES
from sepsiscope.variables.registry import REGISTRY

DEFAULT_SCORES: tuple[str, ...] = ("sirs", "qsofa", "news2", "mews", "sofa")
SOFA_WINDOW_H = 24
#: Variables that describe the state *at* a gas sample (§3.3 respiration rule).
SOFA_CURRENT_STATE = ("fio2", "ventilated", "supplemental_o2")
KEY = ("patient_id", "hour")


def _column_as_float(frame: pl.DataFrame, name: str) -> FloatArray:
    var = REGISTRY[name]
    series = frame.get_column(name)
    if var.kind == "code":
        unknown = series.drop_nulls().unique().filter(~series.drop_nulls().unique().is_in(list(var.codes)))
        if len(unknown):
            raise ScoreInputError(f"column {name!r} has value {unknown[0]!r}; expected one of {', '.join(var.codes)}")
        series = series.replace_strict(list(var.codes), list(range(len(var.codes))), default=None)
    return series.cast(pl.Float64).fill_null(np.nan).to_numpy()


def _validate(frame: pl.DataFrame) -> None:
    for key in KEY:
        if key not in frame.columns:
            raise ScoreInputError(f"the table needs a {key!r} column (have: {', '.join(frame.columns[:8])}, ...)")
    if frame.get_column("hour").null_count():
        raise ScoreInputError("column 'hour' has null values; every row needs its hour")
    dup = frame.select(pl.struct(KEY).is_duplicated().any()).item()
    if dup:
        raise ScoreInputError("the table has duplicate (patient_id, hour) rows; the readers refuse these")


def _variables(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c in REGISTRY]


def _sofa_series(raw: dict[str, FloatArray], hours: FloatArray, start: np.ndarray, n: int) -> ScoreColumns:
    """SOFA per hour over the 24-h window (adult-scores.md §3.3)."""
    defn = SCORES["sofa"]
    cols = dict(raw)
    for name in SOFA_CURRENT_STATE:
        if name in cols:
            cols[name] = carry_forward(cols[name], hours, start, REGISTRY[name].carry_h)
    hourly = defn.compute(Inputs(cols, n))
    components = {k: window_max(v, hours, start, SOFA_WINDOW_H) for k, v in hourly.components.items()}
    # A listed input is missing at hour t when no value of it falls in the window.
    missing = {
        k: window_max((~absent).astype(float), hours, start, SOFA_WINDOW_H) != 1.0
        for k, absent in hourly.missing.items()
    }
    return ScoreColumns(components=components, total=lenient_total(components.values()), missing=missing)


def _as_int(values: FloatArray) -> pl.Series:
    return pl.Series(values).fill_nan(None).cast(pl.Int8)


def _output_columns(defn: ScoreDefinition, cols: ScoreColumns) -> list[pl.Series]:
    name = defn.name
    out = [_as_int(cols.total).alias(f"{name}_total")]
    if name != "sofa":
        stack = np.vstack([cols.components[c.name] for c in defn.components])
        out.append(_as_int(np.nansum(stack, axis=0)).alias(f"{name}_partial"))
    for comp in defn.components:
        out.append(_as_int(cols.components[comp.name]).alias(f"{name}_{comp.name}"))
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
    names = sorted(cols.missing)
    masks = pl.DataFrame({m: cols.missing[m] for m in names}) if names else None
    if masks is None:
        missing = pl.Series(f"{name}_missing", [[]] * len(cols.total), dtype=pl.List(pl.Utf8))
    else:
        missing = masks.select(
            pl.concat_list([pl.when(pl.col(m)).then(pl.lit(m)) for m in names])
            .list.drop_nulls()
            .alias(f"{name}_missing")
        ).to_series()
    out.append(missing)
    return out


def carried_values(table: pl.DataFrame) -> pl.DataFrame:
    """The value each hour sees: every registry column carried forward within its ``carry_h``.

    Same rows and order as ``table``; code columns stay codes, booleans stay booleans.
    """
    _validate(table)
    ordered = table.with_row_index("_row").sort(["patient_id", "hour"], maintain_order=True)
    hours = ordered.get_column("hour").cast(pl.Float64).to_numpy()
    start = group_starts(ordered.get_column("patient_id").to_physical().to_numpy())
    columns = []
    for name in _variables(ordered):
        var = REGISTRY[name]
        values = pl.Series(name, carry_forward(_column_as_float(ordered, name), hours, start, var.carry_h)).fill_nan(
            None
        )
        if var.kind == "code":
            values = values.cast(pl.Int32).replace_strict(
                list(range(len(var.codes))), list(var.codes), default=None, return_dtype=pl.Utf8
            )
        elif var.kind == "boolean":
            values = values.cast(pl.Boolean)
        columns.append(values)
    return ordered.select("_row", *KEY).with_columns(columns).sort("_row").drop("_row")


def score_table(table: pl.DataFrame, scores: Sequence[str] = DEFAULT_SCORES) -> pl.DataFrame:
    """Score every row of a wide table (``patient_id``, ``hour``, canonical variables).

    Returns one row per input row, in input order: ``patient_id``, ``hour``, then per score
    ``<score>_total``, ``<score>_partial`` (sum of the components that could be computed;
    not for SOFA, whose total already counts null components as 0), one column per
    component, the score's extra fields and ``<score>_missing`` (listed inputs with no
    usable value). Unknown score names raise ``KeyError``.
    """
    _validate(table)
    defs = [SCORES[s] for s in scores]
    n = table.height
    ordered = table.with_row_index("_row").sort(["patient_id", "hour"], maintain_order=True)
    hours = ordered.get_column("hour").cast(pl.Float64).to_numpy()
    start = group_starts(ordered.get_column("patient_id").to_physical().to_numpy())
    raw = {name: _column_as_float(ordered, name) for name in _variables(ordered)}
    carried = {name: carry_forward(v, hours, start, REGISTRY[name].carry_h) for name, v in raw.items()}
    series: list[pl.Series] = []
    for defn in defs:
        cols = _sofa_series(raw, hours, start, n) if defn.name == "sofa" else defn.compute(Inputs(carried, n))
        series.extend(_output_columns(defn, cols))
    result = ordered.select("_row", *KEY).with_columns(series)
    return result.sort("_row").drop("_row")
