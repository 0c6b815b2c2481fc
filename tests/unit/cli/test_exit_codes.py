"""Exit status: 1 for data problems, 2 for usage errors raised anywhere in the library (style.md §2)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from sepsiscope.cli import app

runner = CliRunner()


def _table(tmp_path: Path, pulse: str = "95") -> Path:
    (tmp_path / "t.csv").write_text(f"stay,hour,pulse\na,1,{pulse}\n", encoding="utf-8")
    return tmp_path / "t.csv"


def test_a_column_map_to_no_canonical_name_is_a_usage_error(tmp_path: Path) -> None:
    args = ["score", str(_table(tmp_path)), "--out", str(tmp_path / "s.parquet"), "--column", "stay=patient_id"]
    result = runner.invoke(app, [*args, "--column", "pulse=pulse_rate"])
    assert result.exit_code == 2
    assert "'pulse_rate', which is not a canonical name" in result.output


def test_the_same_map_with_a_canonical_name_runs(tmp_path: Path) -> None:
    args = ["score", str(_table(tmp_path)), "--out", str(tmp_path / "s.parquet"), "--column", "stay=patient_id"]
    result = runner.invoke(app, [*args, "--column", "pulse=heart_rate"])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(tmp_path / "s.parquet")["sirs_heart_rate"].to_list() == [1]


def test_a_malformed_value_is_a_data_problem(tmp_path: Path) -> None:
    args = ["score", str(_table(tmp_path, "fast")), "--out", str(tmp_path / "s.parquet"), "--column", "stay=patient_id"]
    result = runner.invoke(app, [*args, "--column", "pulse=heart_rate"])
    assert result.exit_code == 1
    assert "t.csv, line 2, field 'pulse': 'fast' is not a number" in result.output


def test_messages_print_brackets_as_written(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(tmp_path / "in[spark].csv"), "--out", str(tmp_path / "s.parquet")])
    assert result.exit_code == 1
    assert "in[spark].csv" in result.output
