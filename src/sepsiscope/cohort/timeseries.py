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


def group_starts(codes: npt.NDArray[np.generic]) -> IntArray:
    """Index of each row's group start, for rows already sorted by group."""
    n = len(codes)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.ones(n, dtype=bool)
    new[1:] = codes[1:] != codes[:-1]
    idx = np.where(new, np.arange(n), 0)
    return np.maximum.accumulate(idx)  # type: ignore[no-any-return]


def last_observed(values: FloatArray, start: IntArray) -> IntArray:
    """Index of the latest non-NaN row at or before each row in the same patient, else -1."""
    n = len(values)
    idx = np.where(~np.isnan(values), np.arange(n), -1)
    last = np.maximum.accumulate(idx) if n else idx
    return np.where(last >= start, last, -1)  # type: ignore[no-any-return]


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


def window_max(values: FloatArray, hours: FloatArray, start: IntArray, window_h: int) -> FloatArray:
    """Maximum over the window (t − window_h, t] within the patient, ignoring NaN.

    Needs integer hours strictly increasing within a patient (the hourly grid of §3.1,
    guaranteed by the readers' duplicate-hour check), so at most ``window_h`` rows can fall
    in a window and ``window_h`` shifted comparisons cover it exactly.
    """
    n = len(values)
    out = values.copy()
    rows = np.arange(n)
    for k in range(1, window_h):
        src = rows - k
        valid = src >= start
        src_safe = np.maximum(src, 0)
        valid &= (hours - hours[src_safe]) < window_h
        if not valid.any():
            break
        cand = np.where(valid, values[src_safe], np.nan)
        out = np.fmax(out, cand)
    return out
