"""`sepsiscope score` end to end: PhysioNet zip and folder, CSV, bad input, quarantine, cleaning.

The command reads PhysioNet input in batches and scores each while the next is read; these
tests pin that the result is exactly ``score_table`` of ``read_any`` and that a problem found
mid-stream still stops the command with file, line and field named.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

import sepsiscope.io.psv_reader as psv_reader
from sepsiscope.cli import app
from sepsiscope.cohort import score_table
from sepsiscope.io import read_any

from .io.psvfiles import hours, patient, write_folder, write_zip

runner = CliRunner()
REQUIRED = ["patient_id", "hour", "sirs_total", "qsofa_total", "news2_total", "mews_total", "sofa_total"]


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psv_reader, "_MIN_BATCH", 2)  # several batches even for a few files


def _files(n: int = 12) -> dict[str, str]:
    return {f"p{k:06d}.psv": hours(2 + k % 4, Temp=38.5, Resp=24, WBC=13.0, SBP=95) for k in range(n)}


def _score(*args: str):
    return runner.invoke(app, ["score", *args])


@pytest.mark.parametrize("container", ["zip", "folder"])
def test_scores_every_row_in_input_order(tmp_path: Path, container: str) -> None:
    files = _files()
    path = write_zip(tmp_path / "set.zip", files) if container == "zip" else write_folder(tmp_path, files)
    out = tmp_path / "out" / "s.parquet"
    result = _score(str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    got = pl.read_parquet(out)
    expected = score_table(read_any(path).table)
    assert_frame_equal(got, expected)
    assert set(REQUIRED) <= set(got.columns)
    assert got.height == sum(2 + k % 4 for k in range(12))
    assert got["sirs_total"].to_list() == [3] * got.height  # T 38.5, RR 24, WBC 13 (HR 81-85 is not > 90)
    assert not (tmp_path / "out" / "s.problems.csv").exists()


def test_bad_value_in_a_later_batch_stops_with_file_line_and_field(tmp_path: Path) -> None:
    files = _files()
    files["p000009.psv"] = hours(3).replace("\n82|", "\nabc|")  # HR on line 3
    out = tmp_path / "s.parquet"
    result = _score(str(write_zip(tmp_path / "set.zip", files)), "--out", str(out))
    assert result.exit_code == 1
    assert "set/p000009.psv, line 3, field 'HR'" in result.output
    assert "quarantine" in result.output  # the hint
    assert not out.exists()


def test_quarantine_scores_the_rest_and_lists_the_row(tmp_path: Path) -> None:
    files = _files()
    files["p000009.psv"] = hours(3).replace("\n82|", "\nabc|")
    out = tmp_path / "s.parquet"
    result = _score(str(write_zip(tmp_path / "set.zip", files)), "--out", str(out), "--on-invalid", "quarantine")
    assert result.exit_code == 0, result.output
    problems = pl.read_csv(tmp_path / "s.problems.csv")
    assert problems.select("file", "line", "field", "reason", "action").rows() == [
        ("set/p000009.psv", 3, "HR", "non_numeric", "quarantined")
    ]
    got = pl.read_parquet(out)
    assert got.filter(pl.col("patient_id") == "p000009")["hour"].to_list() == [1, 3]


def test_implausible_values_are_cleaned_and_listed(tmp_path: Path) -> None:
    files = _files(4)
    files["p000002.psv"] = patient({"ICULOS": 1, "HR": 80, "Temp": 12.0}, {"ICULOS": 2, "HR": 81, "Temp": 37.0})
    out = tmp_path / "s.parquet"
    result = _score(str(write_zip(tmp_path / "set.zip", files)), "--out", str(out))
    assert result.exit_code == 0, result.output
    problems = pl.read_csv(tmp_path / "s.problems.csv")
    assert problems.select("file", "line", "field", "action").rows() == [("set/p000002.psv", 2, "Temp", "set_missing")]
    row = pl.read_parquet(out).filter((pl.col("patient_id") == "p000002") & (pl.col("hour") == 1))
    assert row["sirs_temperature"].to_list() == [None]
    assert "temp_c" in row["sirs_missing"].to_list()[0]


def test_csv_with_a_column_map(tmp_path: Path) -> None:
    table = pl.DataFrame({"stay": ["a", "a", "b"], "hour": [1, 2, 1], "pulse": [95.0, None, 70.0]})
    table.write_csv(tmp_path / "t.csv")
    out = tmp_path / "s.parquet"
    result = _score(
        str(tmp_path / "t.csv"), "--out", str(out), "--column", "stay=patient_id", "--column", "pulse=heart_rate"
    )
    assert result.exit_code == 0, result.output
    got = pl.read_parquet(out)
    assert got.select("patient_id", "hour").rows() == [("a", 1), ("a", 2), ("b", 1)]
    assert got["sirs_heart_rate"].to_list() == [1, 1, 0]  # 95 carried forward into hour 2


def test_unknown_score_is_a_usage_error(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "set.zip", _files(3))
    result = _score(str(path), "--out", str(tmp_path / "s.parquet"), "--scores", "sirs,nope")
    assert result.exit_code == 2
    assert "unknown score" in result.output
