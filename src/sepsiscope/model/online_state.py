"""Running per-variable sums of one patient's hours, for the online path (``model.online``).

Each appended hour adds one row to cumulative sums that are *the same sequence of float64
additions* as the batch features' per-patient cumulative sums (``segment_cumsum``: a
sequential sum restarting at each patient), so a window statistic computed here — the
cumulative sum at the new hour minus the one before the window — is bit-identical to the
batch one (``sepsiscope.features.windows``). Windows are (t − w, t] (adult-scores.md §3.1).
"""

from __future__ import annotations

import numpy as np

_GROWN = ("raw", "last", "cs_n", "cs_v", "cs_t", "cs_tt", "cs_tv")


class RunningSeries:
    """Hours, raw values, carried-forward values and cumulative sums, one row per appended hour."""

    raw: np.ndarray  # (rows, variables): the hour's own values
    last: np.ndarray  # carried forward for the whole stay
    cs_n: np.ndarray  # cumulative sums of: measured (1/0), value, hour since start, its square, hour × value
    cs_v: np.ndarray
    cs_t: np.ndarray
    cs_tt: np.ndarray
    cs_tv: np.ndarray

    def __init__(self, variables: int, capacity: int = 64) -> None:
        self.n = 0
        self.k = variables
        self.hours = np.empty(capacity)
        self.sofa = np.empty(capacity)
        for name in _GROWN:
            setattr(self, name, np.empty((capacity, variables)))
        self.last_index = np.full(variables, -1, dtype=np.int64)
        self.running_max = np.full(variables, np.nan)
        self.running_min = np.full(variables, np.nan)
        self.early_sum = np.zeros(variables)
        self.early_count = np.zeros(variables)
        self.first = np.full(variables, np.nan)

    def _grow(self) -> None:
        size = 2 * len(self.hours)
        for name in ("hours", "sofa"):
            old = getattr(self, name)
            new = np.empty(size)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
        for name in _GROWN:
            old = getattr(self, name)
            new = np.empty((size, self.k))
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def append(self, hour: float, raw: np.ndarray, baseline_h: float) -> None:
        """Add the next hour's raw values (NaN: not measured)."""
        if self.n == len(self.hours):
            self._grow()
        i = self.n
        self.hours[i] = hour
        ok = ~np.isnan(raw)
        since = hour - self.hours[0]
        t = np.where(ok, since, 0.0)
        v = np.where(ok, raw, 0.0)
        self.raw[i] = raw
        if i == 0:  # from +0.0, as the batch sums (a first -0.0 sums to +0.0)
            self.cs_n[0], self.cs_v[0], self.cs_t[0] = 0.0 + ok.astype(float), 0.0 + v, 0.0 + t
            self.cs_tt[0], self.cs_tv[0] = 0.0 + t * t, 0.0 + t * v
            self.last[0] = raw
        else:
            self.cs_n[i] = self.cs_n[i - 1] + ok.astype(float)
            self.cs_v[i] = self.cs_v[i - 1] + v
            self.cs_t[i] = self.cs_t[i - 1] + t
            self.cs_tt[i] = self.cs_tt[i - 1] + t * t
            self.cs_tv[i] = self.cs_tv[i - 1] + t * v
            self.last[i] = np.where(ok, raw, self.last[i - 1])
        self.last_index = np.where(ok, i, self.last_index)
        self.running_max = np.fmax(self.running_max, raw)
        self.running_min = np.fmin(self.running_min, raw)
        early = ok & (since < baseline_h)
        self.early_sum = self.early_sum + np.where(early, raw, 0.0)
        self.early_count = self.early_count + early.astype(float)
        self.first = np.where(np.isnan(self.first) & ok, raw, self.first)
        self.n += 1

    # Statistics of the latest hour. ``first`` is the first row of the window (t - w, t].

    def window(self, hours: float) -> int:
        """First row of the latest hour's window of ``hours``."""
        i = self.n - 1
        return int(np.searchsorted(self.hours[: i + 1], self.hours[i] - hours, side="right"))

    def _sum(self, cs: np.ndarray, first: int) -> np.ndarray:
        i = self.n - 1
        return cs[i] - (cs[first - 1] if first > 0 else 0.0)  # type: ignore[no-any-return]

    def count(self, first: int) -> np.ndarray:
        return self._sum(self.cs_n, first)

    def mean(self, first: int) -> np.ndarray:
        n = self.count(first)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, self._sum(self.cs_v, first) / n, np.nan)

    def max(self, first: int) -> np.ndarray:
        return np.fmax.reduce(self.raw[first : self.n], axis=0)  # type: ignore[no-any-return]

    def min(self, first: int) -> np.ndarray:
        return np.fmin.reduce(self.raw[first : self.n], axis=0)  # type: ignore[no-any-return]

    def slope(self, first: int) -> np.ndarray:
        """Least-squares slope per hour, as ``Window.slope``."""
        n = self.count(first)
        st, sv = self._sum(self.cs_t, first), self._sum(self.cs_v, first)
        stt, stv = self._sum(self.cs_tt, first), self._sum(self.cs_tv, first)
        den = n * stt - st * st
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((n >= 2) & (den > 1e-9), (n * stv - st * sv) / den, np.nan)

    def last_value(self) -> np.ndarray:
        return self.last[self.n - 1]  # type: ignore[no-any-return]

    def last_at(self, first: int) -> np.ndarray:
        return self.last[first]  # type: ignore[no-any-return]

    def stay_mean(self) -> np.ndarray:
        n = self.cs_n[self.n - 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, self.cs_v[self.n - 1] / n, np.nan)

    def stay_max(self) -> np.ndarray:
        """Highest value of the stay so far (NaN until the variable is first measured)."""
        return self.running_max.copy()

    def stay_min(self) -> np.ndarray:
        """Lowest value of the stay so far (NaN until the variable is first measured)."""
        return self.running_min.copy()

    def hours_since(self) -> np.ndarray:
        seen = self.last_index >= 0
        return np.where(seen, self.hours[self.n - 1] - self.hours[np.maximum(self.last_index, 0)], np.nan)

    def first6_mean(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.early_count > 0, self.early_sum / self.early_count, np.nan)

    def first_value(self) -> np.ndarray:
        return self.first

    def add_sofa(self, total: float) -> None:
        """The latest hour's SOFA total (for its 24-h rise)."""
        self.sofa[self.n - 1] = total

    def sofa_min(self, first: int) -> float:
        return float(np.fmin.reduce(self.sofa[first : self.n]))
