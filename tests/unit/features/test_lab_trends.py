"""The ``lab_trends`` group: split out of ``physiology`` without changing any named set but the new one."""

from __future__ import annotations

import numpy as np
import pytest

from sepsiscope.features.build import LAB_TREND_COLUMNS, FeatureSpec, build_features, feature_groups
from sepsiscope.synth import generate_ward


@pytest.fixture(scope="module")
def ward_table():
    return generate_ward(12, 40, seed=21).table


def _columns(table, name: str) -> dict[str, np.ndarray]:
    built = build_features(table, feature_groups(name))
    return {c: built.get_column(c).to_numpy() for c in built.columns if c not in table.columns}


def test_all_without_lab_trends_is_all_minus_exactly_those_columns_in_the_same_order(ward_table) -> None:
    full, lean = _columns(ward_table, "all"), _columns(ward_table, "all-lab_trends")
    assert set(full) - set(lean) == LAB_TREND_COLUMNS, "LAB_TREND_COLUMNS names what the group builds"
    assert list(lean) == [c for c in full if c not in LAB_TREND_COLUMNS]
    for c in lean:
        np.testing.assert_array_equal(lean[c], full[c], err_msg=c)


def test_physiology_still_carries_the_lab_trends(ward_table) -> None:
    assert LAB_TREND_COLUMNS <= set(_columns(ward_table, "physiology"))


def test_lab_trends_cannot_be_built_without_physiology() -> None:
    with pytest.raises(ValueError, match="built with physiology"):
        FeatureSpec(("lab_trends", "measurement"))
