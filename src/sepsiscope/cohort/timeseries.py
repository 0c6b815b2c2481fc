"""Causal per-patient time-series operations on patient-sorted columns.

Every function takes columns sorted by (patient, hour) plus ``start``: for each row, the
index of its patient's first row. All are vectorised (no per-row Python) and use only rows
at or before the current one, so a value never leaks backwards in time.

Time conventions: shared/docs/clinical/adult-scores.md §3.1 (hourly grid; windows
(t − w, t]); SOFA series §3.3.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def starts_from_flags(new: npt.NDArray[np.bool_]) -> IntArray:
    """Index of each row's group start, from flags marking each group's first row."""
    if len(new) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.maximum.accumulate(np.where(new, np.arange(len(new)), 0))  # type: ignore[no-any-return]


def group_starts(codes: npt.NDArray[np.generic]) -> IntArray:
    """Index of each row's group start, for rows already sorted by group."""
    new = np.ones(len(codes), dtype=bool)
    new[1:] = codes[1:] != codes[:-1]
    return starts_from_flags(new)


def patient_index(start: IntArray) -> IntArray:
    """Patient number (0, 1, …) of each row, from the rows' group starts."""
    return np.cumsum(start == np.arange(len(start))) - 1  # type: ignore[no-any-return]


def last_observed(values: FloatArray, start: IntArray) -> IntArray:
    """Index of the latest non-NaN row at or before each row in the same patient, else -1."""
    n = len(values)
    idx = np.where(~np.isnan(values), np.arange(n), -1)
    last = np.maximum.accumulate(idx) if n else idx
    return np.where(last >= start, last, -1)  # type: ignore[no-any-return]


#: Up to this many patients in a table, the per-patient functions below loop over patients in
#: numpy; beyond it one grouped Polars call is faster (its fixed cost, about 0.1 ms, is what a
#: few patients' tables of the live service pay many times per round).
NUMPY_PATIENTS = 256


def _bounds(start: IntArray) -> list[tuple[int, int]] | None:
    """``[lo, hi)`` of each patient's rows, or None when there are more than ``NUMPY_PATIENTS``."""
    firsts = np.flatnonzero(start == np.arange(len(start)))
    if len(firsts) > NUMPY_PATIENTS:
        return None
    ends = [*firsts[1:].tolist(), len(start)]
    return list(zip(firsts.tolist(), ends, strict=True))


def segment_cumsum(values: FloatArray, start: IntArray) -> FloatArray:
    """Cumulative sum restarting at each patient (NaN counted as 0).

    Summed patient by patient, so a row's value depends only on its own patient's earlier
    rows: never on other patients or on how the table was cut into pieces (bit-identical
    across engines and partitions, and between the numpy and Polars paths here). The numpy
    sums add ``+0.0``: Polars' sum starts from +0, so a patient whose first values are -0.0
    sums to +0.0 there, and now here too (every other value is unchanged by adding +0.0).
    """
    clean = np.nan_to_num(values)
    if len(start) == 0 or start[-1] == 0:  # one patient (the service's case): the same sequential sum
        return np.cumsum(clean) + 0.0  # type: ignore[no-any-return]
    bounds = _bounds(start)
    if bounds is not None:
        out = np.empty(len(clean), dtype=np.float64)
        for lo, hi in bounds:
            out[lo:hi] = np.cumsum(clean[lo:hi])
        return out + 0.0  # type: ignore[no-any-return]
    import polars as pl

    frame = pl.DataFrame({"g": patient_index(start), "v": clean})
    return frame.select(pl.col("v").cum_sum().over("g")).to_series().to_numpy()  # type: ignore[no-any-return]


def segment_running_extreme(values: FloatArray, start: IntArray, largest: bool) -> FloatArray:
    """Running maximum (or minimum) of the values since each patient's first row.

    A row whose own value is NaN gets NaN, as Polars' ``cum_max``/``cum_min`` give null at a
    null: the two paths here agree bit for bit, signed zeros included (an equal value
    replaces the running one, as ``np.maximum`` does).
    """
    n = len(values)
    bounds = [(0, n)] if n == 0 or start[-1] == 0 else _bounds(start)
    if bounds is not None:
        op = np.maximum if largest else np.minimum
        filled = np.where(np.isnan(values), -np.inf if largest else np.inf, values)
        out = np.empty(n, dtype=np.float64)
        for lo, hi in bounds:
            out[lo:hi] = op.accumulate(filled[lo:hi])
        out[np.isnan(values)] = np.nan
        return out
    import polars as pl

    col = pl.col("v").cum_max() if largest else pl.col("v").cum_min()
    frame = pl.DataFrame({"g": patient_index(start), "v": values}).with_columns(pl.col("v").fill_nan(None))
    return frame.select(col.over("g")).to_series().cast(pl.Float64).fill_null(np.nan).to_numpy()  # type: ignore[no-any-return]


def carry_forward(values: FloatArray, hours: FloatArray, start: IntArray, max_age_h: float | None) -> FloatArray:
    """Last observation carried forward, but only while it is at most ``max_age_h`` old.

    ``max_age_h`` None: carried for the whole stay (static values such as age);
    0: never carried (only the hour's own value).
    """
    last = last_observed(values, start)
    safe = np.maximum(last, 0)
    ok = last >= 0
    if max_age_h is not None:
        ok &= (hours - hours[safe]) <= max_age_h
    return np.where(ok, values[safe], np.nan)


def hours_since_observed(values: FloatArray, hours: FloatArray, start: IntArray) -> FloatArray:
    """Hours since the latest value at or before each row (NaN if never observed)."""
    last = last_observed(values, start)
    return np.where(last >= 0, hours - hours[np.maximum(last, 0)], np.nan)


def window_first(hours: FloatArray, start: IntArray, window_h: float) -> IntArray:
    """Index of the first row of each row's window (t − window_h, t] within its patient.

    Rows must be sorted by patient then hour. One ``searchsorted`` over a combined
    (patient, hour) key: patients are spaced further apart than any window.
    """
    n = len(hours)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    patient = patient_index(start)
    span = float(np.max(hours) - np.min(hours)) + window_h + 1.0
    key = patient * span + (hours - np.min(hours))
    return np.searchsorted(key, key - window_h, side="right")  # type: ignore[no-any-return]


class WindowPlan:
    """Precomputed sparse-table lookups for many reductions over the same windows.

    For rows sorted by patient and hour, window i is rows [first[i], i]. Any associative,
    idempotent reduction (max ignoring NaN, bitwise OR) over it is the reduction of two
    overlapping power-of-two blocks: O(n log w) to build, two gathers to query.
    """

    def __init__(self, first: IntArray) -> None:
        n = len(first)
        self.n = n
        length = np.arange(n) - first + 1
        self.levels = int(np.floor(np.log2(max(int(length.max(initial=1)), 1)))) + 1
        level = np.floor(np.log2(np.maximum(length, 1))).astype(np.int64)
        self._right = level * n + np.arange(n)
        self._left = level * n + first + (1 << level) - 1

    def reduce(self, values: np.ndarray, op: np.ufunc) -> np.ndarray:
        """``op`` over each window."""
        n = self.n
        tables = np.empty((self.levels, n), dtype=values.dtype)
        tables[0] = values
        step = 1
        for j in range(1, self.levels):
            prev = tables[j - 1]
            tables[j, :step] = prev[:step]
            op(prev[step:], prev[:-step], out=tables[j, step:])
            step *= 2
        flat = tables.reshape(-1)
        return op(flat[self._right], flat[self._left])  # type: ignore[no-any-return]


def window_max(values: FloatArray, hours: FloatArray, start: IntArray, window_h: int) -> FloatArray:
    """Maximum over the window (t − window_h, t] within the patient, ignoring NaN."""
    return WindowPlan(window_first(hours, start, window_h)).reduce(values, np.fmax)
