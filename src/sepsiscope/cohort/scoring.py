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

import functools
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

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


def _sofa_series(
    raw: dict[str, FloatArray], carried: dict[str, FloatArray], hours: FloatArray, start: IntArray
) -> ScoreColumns:
    """SOFA per hour over the 24-h window (adult-scores.md §3.3)."""
    defn = SCORES["sofa"]
    cols = dict(raw)
    for name in SOFA_CURRENT_STATE:
        if name in cols:
            cols[name] = carried[name]
    hourly = defn.compute(Inputs(cols, len(hours)))
    plan = WindowPlan(window_first(hours, start, SOFA_WINDOW_H))
    components = {k: plan.reduce(v, np.fmax) for k, v in hourly.components.items()}
    names = sorted(hourly.missing)
    # A listed input is missing at hour t when no value of it falls in the window.
    present = plan.reduce(_bits({k: ~v for k, v in hourly.missing.items()}, names), np.bitwise_or)
    missing = {name: (present >> k) & 1 == 0 for k, name in enumerate(names)}
    return ScoreColumns(components=components, total=lenient_total(components.values()), missing=missing)


class _Columns:
    """Output columns of one slice, built as Arrow arrays straight from the numpy results.

    Building Polars Series one by one costs ~0.2 ms each; Arrow arrays over the numpy buffers
    cost a few µs, and the slice becomes one Polars frame at the end without copying.
    """

    def __init__(self) -> None:
        self.names: list[str] = []  # output order
        self.arrays: dict[str, pa.Array] = {}
        self.coded: dict[str, pl.Series] = {}  # built by gathering from a small lookup

    def int8(self, name: str, values: FloatArray) -> None:
        """Small whole numbers, NaN -> null."""
        null = np.isnan(values)
        self._add(name, pa.int8(), len(values), np.where(null, 0.0, values).astype(np.int8), null)

    def bool3(self, name: str, values: FloatArray) -> None:
        """1 / 0 / NaN -> true / false / null."""
        self._add(name, pa.bool_(), len(values), np.packbits(values == 1.0, bitorder="little"), np.isnan(values))

    def lookup(self, name: str, index: IntArray, table: pl.Series) -> None:
        """``table[index]`` per row (index -1: null)."""
        self.names.append(name)
        self.coded[name] = table.gather(pl.Series(index, dtype=pl.Int64)).alias(name)

    def _add(self, name: str, dtype: pa.DataType, size: int, data: np.ndarray, null: BoolArray) -> None:
        count = int(null.sum())
        validity = pa.py_buffer(np.packbits(~null, bitorder="little")) if count else None
        self.names.append(name)
        self.arrays[name] = pa.Array.from_buffers(dtype, size, [validity, pa.py_buffer(data)], null_count=count)

    def frame(self) -> pl.DataFrame:
        plain = pl.from_arrow(pa.Table.from_arrays(list(self.arrays.values()), list(self.arrays)))
        assert isinstance(plain, pl.DataFrame)
        return pl.DataFrame([self.coded[name] if name in self.coded else plain.get_column(name) for name in self.names])


def _distinct(code: IntArray, bits: int) -> IntArray:
    """Sorted distinct values of non-negative ``code`` below ``2**bits``."""
    if bits > 16:
        return np.unique(code)  # type: ignore[no-any-return]
    seen = np.zeros(1 << bits, dtype=bool)
    seen[code] = True
    return np.flatnonzero(seen)


def _add_score(out: _Columns, defn: ScoreDefinition, cols: ScoreColumns) -> None:
    name = defn.name
    out.int8(f"{name}_total", cols.total)
    if name != "sofa":
        partial = np.zeros(len(cols.total))
        for comp in defn.components:
            partial += np.nan_to_num(cols.components[comp.name])
        out.int8(f"{name}_partial", partial)
    for comp in defn.components:
        out.int8(f"{name}_{comp.name}", cols.components[comp.name])
    for extra in defn.extras:
        values = cols.extras[extra.name]
        if extra.kind == "bool3":
            out.bool3(f"{name}_{extra.name}", values)
        elif extra.kind == "int":
            out.int8(f"{name}_{extra.name}", values)
        else:
            index = np.where(np.isnan(values), -1, values).astype(np.int64)
            out.lookup(f"{name}_{extra.name}", index, _label_lookup(extra.labels))
    # <score>_missing: a bit code per row, then one list per distinct code (few of them).
    names = sorted(cols.missing)
    code = _bits(cols.missing, names)
    uniq = _distinct(code, len(names))
    out.lookup(f"{name}_missing", np.searchsorted(uniq, code), _missing_lists(tuple(names), tuple(uniq.tolist())))


@functools.lru_cache(maxsize=1024)
def _missing_lists(names: tuple[str, ...], codes: tuple[int, ...]) -> pl.Series:
    """The list of absent inputs for each bit code (bit k set: ``names[k]`` absent)."""
    lists = pl.Series([[m for k, m in enumerate(names) if (c >> k) & 1] for c in codes], dtype=pl.List(pl.Utf8))
    return lists.cast(MISSING_DTYPE)  # faster than building the Enum lists directly


@functools.cache
def _label_lookup(labels: tuple[str, ...]) -> pl.Series:
    """Labels by index; index -1 (null) reads the appended null."""
    return pl.Series([*labels, None], dtype=pl.Utf8)


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


#: Rows scored at once. Slices of whole patients this size keep numpy's temporaries in the
#: CPU cache: on set A the arithmetic of the 5 scores takes 0.86 CPU-s over the whole table at
#: once and 0.40 CPU-s in 65k-row slices (docs/cohort.md, "How it runs"). Several slices go to
#: two threads (numpy, Polars and Arrow release the GIL): the same patient-disjoint split the
#: Spark engine makes by partition.
SLICE_ROWS = 65_536
WORKERS = 2


def _score_slice(
    raw: dict[str, FloatArray], hours: FloatArray, start: IntArray, defs: Sequence[ScoreDefinition]
) -> pl.DataFrame:
    """Score patient-sorted rows; output rows in the same (sorted) order, no keys."""
    n = len(hours)
    carried = {name: carry_forward(v, hours, start, REGISTRY[name].carry_h) for name, v in raw.items()}
    out = _Columns()
    for defn in defs:
        if defn.name == "sofa":
            cols = _sofa_series(raw, carried, hours, start)
        else:
            cols = defn.compute(Inputs({k: carried[k] for k in defn.variables if k in carried}, n))
        _add_score(out, defn, cols)
    return out.frame()


def slice_bounds(start: IntArray, size: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` row ranges of about ``size`` rows that never split a patient."""
    n = len(start)
    firsts = np.flatnonzero(start == np.arange(n))
    bounds, lo = [], 0
    while lo < n:
        k = int(np.searchsorted(firsts, lo + size))
        hi = int(firsts[k]) if k < len(firsts) else n
        bounds.append((lo, hi))
        lo = hi
    return bounds or [(0, 0)]


def _score_sorted(rows: PatientRows, defs: Sequence[ScoreDefinition]) -> pl.DataFrame:
    """Score rows in (patient, hour) order (:func:`patient_rows`); output in that order, without keys."""
    raw = {name: column_as_float(rows.frame, name) for name in rows.frame.columns if name not in KEY}

    def one(bound: tuple[int, int]) -> pl.DataFrame:
        lo, hi = bound
        part = {name: v[lo:hi] for name, v in raw.items()}
        return _score_slice(part, rows.hours[lo:hi], rows.start[lo:hi] - lo, defs)

    bounds = slice_bounds(rows.start, SLICE_ROWS)
    if len(bounds) == 1:
        return one(bounds[0])
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return pl.concat(pool.map(one, bounds), how="vertical")


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
    scored = _score_sorted(rows, defs)
    if rows.back is not None:
        scored = scored[rows.back]
    return pl.concat([table.select(*KEY), scored], how="horizontal")


def score_stream(tables: Iterable[pl.DataFrame], scores: Sequence[str] = DEFAULT_SCORES) -> pl.DataFrame:
    """:func:`score_table` over successive tables of whole patients, as they arrive.

    Each table is scored on a worker thread while the next one is produced (a reader's
    batches: :func:`sepsiscope.io.read_batches`), so reading and scoring overlap. The result
    is the tables' scores concatenated in arrival order; a patient must not span two tables.
    """
    for name in scores:
        SCORES[name]  # unknown names raise KeyError before any reading
    with ThreadPoolExecutor(max_workers=1) as pool:
        futures = [pool.submit(score_table, table, scores) for table in tables]
        parts = [f.result() for f in futures]
    if not parts:
        raise ScoreInputError("there is no table to score")
    return pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
