"""End to end on PhysioNet 2019 set A: read the zip, score every patient-hour.

Marked slow (reads 790,215 rows); CI runs it with SEPSISCOPE_REQUIRE_ALL=1.
"""

from __future__ import annotations

import polars as pl
import pytest

from sepsiscope.cohort import score_table
from sepsiscope.io import read_any

pytestmark = [pytest.mark.slow, pytest.mark.physionet]

SET_A_ROWS = 790_215
SET_A_PATIENTS = 20_336


@pytest.fixture(scope="module")
def set_a(set_a_zip):
    result = read_any(set_a_zip)
    return result.table, score_table(result.table)


def test_every_row_scored_in_input_order(set_a) -> None:
    table, scored = set_a
    assert scored.height == SET_A_ROWS
    assert scored.get_column("patient_id").n_unique() == SET_A_PATIENTS
    assert scored.select("patient_id", "hour").equals(table.select("patient_id", "hour"))
    for score in ("sirs", "qsofa", "news2", "mews", "sofa"):
        assert f"{score}_total" in scored.columns and f"{score}_missing" in scored.columns


def test_sirs_matches_a_hand_count_where_all_inputs_were_measured(set_a) -> None:
    """Independent SIRS count (Bone 1992 as tabulated in adult-scores.md §2.1) in plain Polars."""
    table, scored = set_a
    both = pl.concat([table, scored.drop("patient_id", "hour")], how="horizontal")
    measured = both.filter(
        pl.all_horizontal(pl.col(c).is_not_null() for c in ("temp_c", "heart_rate", "resp_rate", "wbc", "paco2"))
    )
    assert measured.height > 1000
    by_hand = (
        ((pl.col("temp_c") > 38) | (pl.col("temp_c") < 36)).cast(pl.Int8)
        + (pl.col("heart_rate") > 90).cast(pl.Int8)
        + ((pl.col("resp_rate") > 20) | (pl.col("paco2") < 32)).cast(pl.Int8)
        + ((pl.col("wbc") > 12) | (pl.col("wbc") < 4)).cast(pl.Int8)
    )
    diff = measured.filter(by_hand != pl.col("sirs_total"))
    assert diff.height == 0, diff.head(5)


def test_physionet_gaps_are_reported_not_hidden(set_a) -> None:
    _, scored = set_a
    assert scored.get_column("qsofa_total").null_count() == SET_A_ROWS
    assert scored.get_column("qsofa_missing").list.contains("gcs").all()
    assert scored.get_column("news2_missing").list.contains("consciousness").all()
    assert scored.get_column("sofa_missing").list.contains("pao2").all()
    assert scored.get_column("qsofa_positive").drop_nulls().sum() > 0
