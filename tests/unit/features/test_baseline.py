"""The ``baseline`` feature group: the patient's own admission values, causal, per patient."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from sepsiscope.features.baseline import BASELINE_H, first_hours_mean, first_value
from sepsiscope.features.build import build_features, feature_groups

NAN = math.nan


def _two_patients() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    hours = np.array([0, 1, 5, 6, 7, 0, 1, 2], dtype=float)
    start = np.array([0, 0, 0, 0, 0, 5, 5, 5])
    values = np.array([NAN, 100, 110, 200, NAN, 80, NAN, 90])
    return values, hours, start


def test_first_hours_mean_uses_hours_before_the_cut_only() -> None:
    values, hours, start = _two_patients()
    got = first_hours_mean(values, hours, start, BASELINE_H)
    # hour 5 < 6 counts, hour 6 does not (the first 6 h are hours 0..5 of the stay)
    np.testing.assert_array_equal(got, [NAN, 100, 105, 105, 105, 80, 80, 85])


def test_first_value_is_the_first_measurement_from_its_row_on() -> None:
    values, hours, start = _two_patients()
    np.testing.assert_array_equal(first_value(values, hours, start), [NAN, 100, 100, 100, 100, 80, 80, 80])


def test_build_features_baseline_group_columns() -> None:
    table = pl.DataFrame(
        {"patient_id": ["a"] * 3, "hour": [0, 1, 8], "heart_rate": [90.0, 110.0, 130.0], "lactate": [None, 2.0, 4.5]}
    )
    out = build_features(table, feature_groups("all+baseline"))
    assert out.get_column("heart_rate__first6").to_list() == [90.0, 100.0, 100.0]
    assert out.get_column("heart_rate__vs_first6").to_list() == [0.0, 10.0, 30.0]
    assert out.get_column("lactate__first").to_list() == [None, 2.0, 2.0]
    assert out.get_column("lactate__vs_first").to_list() == [None, 0.0, 2.5]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(30, 200)), min_size=2, max_size=30),
    st.integers(min_value=1, max_value=29),
)
def test_baseline_is_causal(values: list[float | None], cut: int) -> None:
    """Rows up to ``cut`` get the same baseline whether or not later rows exist."""
    cut = min(cut, len(values) - 1)
    table = pl.DataFrame({"patient_id": ["p"] * len(values), "hour": list(range(len(values))), "heart_rate": values})
    full = build_features(table, ("baseline",)).head(cut)
    part = build_features(table.head(cut), ("baseline",))
    assert full.equals(part)
