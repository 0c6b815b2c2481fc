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
    _check_section_1_4(table, report.problems_frame())


def _check_section_1_4(table: pl.DataFrame, problems: pl.DataFrame) -> None:
    """adult-scores.md §1.4, on the real files: the values it lists as observed in set A.

    "Observed in training set A outside the §1.1 ranges (cleaned by the rules below): `FiO2`
    0–0.2 and 7, 10; `Temp` 20.9–24.9; `BaseExcess` 100; `Potassium` 27.5; `Hgb` 32;
    `Chloride` 26 and 38. Observed but inside the §1.1 ranges, so kept as measured: `Temp`
    25.0–29.9, `HCO3` 0."
    """
    cleaned = problems.filter(pl.col("reason") == "out_of_range")
    values = {field: sorted({float(v) for v in group["value"]}) for (field,), group in cleaned.group_by("field")}
    assert set(values) == {"FiO2", "Temp", "BaseExcess", "Potassium", "Hgb", "Chloride"}
    assert all(0 <= v < 0.2 or v in (7.0, 10.0) for v in values["FiO2"]), values["FiO2"]
    assert {7.0, 10.0} <= set(values["FiO2"])
    # "20.9–24.9" brackets the cleaned temperatures (set A: 20.9 to 23.6, four values)
    assert values["Temp"][0] == 20.9 and all(v <= 24.9 for v in values["Temp"])
    assert (values["BaseExcess"], values["Potassium"], values["Hgb"]) == ([100.0], [27.5], [32.0])
    assert values["Chloride"] == [26.0, 38.0]
    # "25.0–29.9" kept as measured (set A: 26.6 to 29.94; §1.1 starts at 25)
    temps = table["temp_c"].drop_nulls()
    low_temps = temps.filter(temps < 30)
    assert low_temps.len() > 0 and low_temps.min() >= 25.0
    assert (table["hco3"] == 0).any()  # kept as measured
