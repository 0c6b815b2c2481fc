"""Causal time-series helpers against naive per-row loops."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sepsiscope.cohort.timeseries import carry_forward, group_starts, hours_since_observed, window_max


@st.composite
def patients(draw):
    n_pat = draw(st.integers(1, 4))
    pid, hours, values = [], [], []
    for p in range(n_pat):
        hs = sorted(draw(st.sets(st.integers(0, 60), min_size=1, max_size=30)))
        for h in hs:
            pid.append(p)
            hours.append(float(h))
            values.append(draw(st.one_of(st.just(math.nan), st.floats(0, 10, allow_nan=False))))
    return np.array(pid), np.array(hours), np.array(values)


def _naive_locf(pid, hours, values, max_age):
    out = []
    for i in range(len(values)):
        found = math.nan
        for j in range(i, -1, -1):
            if pid[j] != pid[i]:
                break
            if not math.isnan(values[j]):
                if max_age is None or hours[i] - hours[j] <= max_age:
                    found = values[j]
                break
        out.append(found)
    return np.array(out)


@given(patients(), st.sampled_from([None, 0, 1, 4, 24]))
def test_carry_forward_matches_naive(data, max_age) -> None:
    pid, hours, values = data
    got = carry_forward(values, hours, group_starts(pid), max_age)
    np.testing.assert_array_equal(got, _naive_locf(pid, hours, values, max_age))


@given(patients(), st.sampled_from([1, 4, 24]))
def test_window_max_matches_naive(data, window) -> None:
    pid, hours, values = data
    got = window_max(values, hours, group_starts(pid), window)
    expected = []
    for i in range(len(values)):
        vals = [values[j] for j in range(len(values)) if pid[j] == pid[i] and hours[i] - window < hours[j] <= hours[i]]
        vals = [v for v in vals if not math.isnan(v)]
        expected.append(max(vals) if vals else math.nan)
    np.testing.assert_array_equal(got, np.array(expected))


def test_hours_since_observed() -> None:
    pid = np.array([0, 0, 0, 1, 1])
    hours = np.array([1.0, 2, 5, 1, 2])
    values = np.array([7.0, np.nan, np.nan, np.nan, 3])
    got = hours_since_observed(values, hours, group_starts(pid))
    np.testing.assert_array_equal(got, [0, 1, 4, np.nan, 0])
