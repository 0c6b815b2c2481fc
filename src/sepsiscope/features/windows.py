"""Causal window statistics over patient-sorted columns (sums, means, slopes, min/max).

Windows are (t − w, t] within the patient, as everywhere in the cohort engine
(adult-scores.md §3.1); only rows at or before t are used.
"""

from __future__ import annotations

import numpy as np

from sepsiscope.cohort.timeseries import FloatArray, IntArray, WindowPlan, segment_cumsum


def _window_sum(values: FloatArray, start: IntArray, first: IntArray) -> FloatArray:
    """Sum over rows [first[i], i] (NaN counted as 0), from per-patient cumulative sums."""
    cs = segment_cumsum(values, start)
    before = np.where(first > start, cs[np.maximum(first - 1, 0)], 0.0)
    return cs - before  # type: ignore[no-any-return]


class Window:
    """One window length over one patient-sorted table: plans shared by all statistics."""

    def __init__(self, hours: FloatArray, start: IntArray, first: IntArray) -> None:
        self.since_start = hours - hours[start]  # small numbers keep the cumulative sums accurate
        self.start = start
        self.first = first
        self.plan = WindowPlan(first)

    def count(self, values: FloatArray) -> FloatArray:
        """Number of measurements in the window."""
        return _window_sum((~np.isnan(values)).astype(float), self.start, self.first)

    def mean(self, values: FloatArray) -> FloatArray:
        """Mean of the measurements in the window (NaN if none)."""
        n = self.count(values)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, _window_sum(values, self.start, self.first) / n, np.nan)

    def max(self, values: FloatArray) -> FloatArray:
        """Maximum of the measurements in the window."""
        return self.plan.reduce(values, np.fmax)

    def min(self, values: FloatArray) -> FloatArray:
        """Minimum of the measurements in the window."""
        return self.plan.reduce(values, np.fmin)

    def slope(self, values: FloatArray) -> FloatArray:
        """Least-squares slope (units per hour) of the measurements in the window; NaN if < 2."""
        ok = ~np.isnan(values)
        t = np.where(ok, self.since_start, 0.0)
        v = np.where(ok, values, 0.0)
        n = self.count(values)
        st, sv = _window_sum(t, self.start, self.first), _window_sum(v, self.start, self.first)
        stt, stv = _window_sum(t * t, self.start, self.first), _window_sum(t * v, self.start, self.first)
        den = n * stt - st * st
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((n >= 2) & (den > 1e-9), (n * stv - st * sv) / den, np.nan)
