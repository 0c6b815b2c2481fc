"""The real PhysioNet 2019 training set A, read in place (never copied into the repo)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sepsiscope.io import read_psv
from tests.conftest import require

SET_A = Path(__file__).resolve().parents[3].parent / "shared/data/physionet2019/training_setA.zip"


@pytest.mark.slow
@pytest.mark.physionet
def test_set_a_reads_completely() -> None:
    result = read_psv(require(SET_A, "PhysioNet 2019 training set A"))
    table, report = result.table, result.report
    assert len(report.files) == 20_336
    assert table["patient_id"].n_unique() == 20_336
    assert table.height == report.rows_read == report.rows_out == 790_215
    assert report.rows_quarantined == 0
    assert report.n_problems > 0  # set A holds impossible values (adult-scores.md §1.4)
    actions = set(report.problems_frame()["action"].unique())
    assert actions <= {"set_missing", "converted"}
    assert (
        table.select(pl.selectors.float().is_nan().any()).row(0) == (False,) * table.select(pl.selectors.float()).width
    )
    assert table.filter(pl.col("sepsis_label") == 1)["patient_id"].n_unique() == 1_790
    assert table["fio2"].drop_nulls().is_between(0.21, 1.0).all()
    assert table["temp_c"].drop_nulls().is_between(25, 45).all()
