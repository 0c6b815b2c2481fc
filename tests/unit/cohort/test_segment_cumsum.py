"""``segment_cumsum``: one patient's fast path gives the very same bits as the per-patient Polars sum."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from sepsiscope.cohort.timeseries import group_starts, patient_index, segment_cumsum

values = st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))), min_size=0, max_size=60)


def _polars(v: np.ndarray, start: np.ndarray) -> np.ndarray:
    frame = pl.DataFrame({"g": patient_index(start), "v": np.nan_to_num(v)}, schema={"g": pl.Int64, "v": pl.Float64})
    return frame.select(pl.col("v").cum_sum().over("g")).to_series().to_numpy()


@given(values)
def test_one_patient_equals_the_grouped_sum_bit_for_bit(raw: list[float]) -> None:
    v = np.array(raw, dtype=np.float64)
    start = np.zeros(len(v), dtype=np.int64)
    assert np.array_equal(segment_cumsum(v, start), _polars(v, start))


@given(values, st.integers(1, 5))
def test_several_patients_restart_at_each(raw: list[float], groups: int) -> None:
    v = np.array(raw, dtype=np.float64)
    codes = np.sort(np.arange(len(v)) % groups)
    start = group_starts(codes)
    got = segment_cumsum(v, start)
    for g in np.unique(codes):
        rows = codes == g
        assert np.array_equal(got[rows], np.cumsum(np.nan_to_num(v[rows])))
