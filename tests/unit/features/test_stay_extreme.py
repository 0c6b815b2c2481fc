"""The stay's running maximum and minimum: the numpy path gives the very bits of the grouped Polars path.

The reference below is the grouped Polars implementation (``cum_max`` / ``cum_min`` over each
patient, null where the row's own value is missing); signed zeros, infinities and NaN are drawn
on purpose. The stay-extreme *features* carry that running extreme over the hours without a
measurement (features version 2): the reference for them is the same Polars frame, forward-filled.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sepsiscope.cohort import timeseries
from sepsiscope.cohort.timeseries import group_starts, patient_index, segment_cumsum, segment_running_extreme
from sepsiscope.features.build import _stay_extreme

values = st.lists(
    st.one_of(st.floats(-1e6, 1e6), st.sampled_from([float("nan"), 0.0, -0.0, float("inf"), float("-inf")])),
    min_size=0,
    max_size=60,
)


def _reference(v: np.ndarray, start: np.ndarray, largest: bool) -> np.ndarray:
    col = pl.col("v").cum_max() if largest else pl.col("v").cum_min()
    frame = pl.DataFrame({"g": patient_index(start), "v": v}, schema={"g": pl.Int64, "v": pl.Float64})
    frame = frame.with_columns(pl.col("v").fill_nan(None))
    return frame.select(col.over("g")).to_series().cast(pl.Float64).fill_null(np.nan).to_numpy()


def _reference_feature(v: np.ndarray, start: np.ndarray, largest: bool) -> np.ndarray:
    frame = pl.DataFrame({"g": patient_index(start), "v": _reference(v, start, largest)})
    filled = frame.select(pl.col("v").fill_nan(None).forward_fill().over("g")).to_series()
    return filled.cast(pl.Float64).fill_null(np.nan).to_numpy()


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal values, NaN where NaN, and the same sign of every zero."""
    return np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))


def _patients(raw: list[float], groups: int) -> tuple[np.ndarray, np.ndarray]:
    v = np.array(raw, dtype=np.float64)
    return v, group_starts(np.sort(np.arange(len(v)) % groups))


@given(values, st.integers(1, 6), st.booleans())
def test_running_extreme_equals_the_grouped_polars_reference(raw: list[float], groups: int, largest: bool) -> None:
    v, start = _patients(raw, groups)
    assert _same_bits(segment_running_extreme(v, start, largest), _reference(v, start, largest))
    hours = np.arange(len(v), dtype=np.float64) - start
    assert _same_bits(_stay_extreme(v, hours, start, largest), _reference_feature(v, start, largest))


def _reference_sum(v: np.ndarray, start: np.ndarray) -> np.ndarray:
    frame = pl.DataFrame({"g": patient_index(start), "v": np.nan_to_num(v)}, schema={"g": pl.Int64, "v": pl.Float64})
    return frame.select(pl.col("v").cum_sum().over("g")).to_series().to_numpy()


@given(values, st.integers(1, 6), st.booleans())
def test_polars_path_for_many_patients_equals_the_numpy_path(raw: list[float], groups: int, largest: bool) -> None:
    v, start = _patients(raw, groups)
    finite = np.where(np.isinf(v), np.nan, v)  # sums of infinities overflow (no measurement is infinite)
    numpy_extreme, numpy_sum = segment_running_extreme(v, start, largest), segment_cumsum(finite, start)
    assert _same_bits(numpy_sum, _reference_sum(finite, start))  # -0.0 included: Polars sums from +0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timeseries, "NUMPY_PATIENTS", 0)  # every table of several patients takes the Polars path
        assert _same_bits(segment_running_extreme(v, start, largest), numpy_extreme)
        assert _same_bits(segment_cumsum(finite, start), numpy_sum)


def test_missing_rows_stay_missing_and_patients_restart() -> None:
    nan = float("nan")
    v = np.array([nan, 3.0, nan, 1.0, 5.0, nan, 2.0, nan, 7.0])
    start = np.array([0, 0, 0, 0, 0, 5, 5, 5, 5])
    got_max = segment_running_extreme(v, start, True)
    got_min = segment_running_extreme(v, start, False)
    assert np.array_equal(got_max, [nan, 3, nan, 3, 5, nan, 2, nan, 7], equal_nan=True)
    assert np.array_equal(got_min, [nan, 3, nan, 1, 1, nan, 2, nan, 2], equal_nan=True)


def test_the_stay_extreme_feature_keeps_the_worst_value_on_unmeasured_hours() -> None:
    """Lactate 4.1 at hour 1 is still the stay's highest lactate at hour 2, when none was drawn (features v2)."""
    nan = float("nan")
    v = np.array([nan, 4.1, nan, 2.0, nan, nan, 1.5, nan])
    start = np.array([0, 0, 0, 0, 0, 5, 5, 5])
    hours = np.array([0, 1, 2, 3, 4, 0, 1, 2], dtype=np.float64)
    assert np.array_equal(
        _stay_extreme(v, hours, start, True), [nan, 4.1, 4.1, 4.1, 4.1, nan, 1.5, 1.5], equal_nan=True
    )
    assert np.array_equal(
        _stay_extreme(v, hours, start, False), [nan, 4.1, 4.1, 2.0, 2.0, nan, 1.5, 1.5], equal_nan=True
    )
