"""read_table: CSV and Parquet in the wide layout, column matching, units and validation."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sepsiscope.errors import PlausibilityError, ReadError, UsageError
from sepsiscope.io import read_table

CSV = """patient_id,hour,heart_rate,temp_c,sex,unit_micu,sepsis_label
a,1,80,36.5,female,true,0
a,2,,37.0,female,false,0
b,1,120,NA,male,,1
"""


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_canonical_names(tmp_path: Path) -> None:
    result = read_table(_write(tmp_path, CSV))
    table = result.table
    assert table.columns == ["patient_id", "hour", "heart_rate", "temp_c", "sex", "unit_micu", "sepsis_label"]
    assert table.schema["hour"] == pl.Int32 and table.schema["sepsis_label"] == pl.Int8
    assert table.schema["unit_micu"] == pl.Boolean and table.schema["heart_rate"] == pl.Float64
    assert table.rows() == [
        ("a", 1, 80.0, 36.5, "female", True, 0),
        ("a", 2, None, 37.0, "female", False, 0),
        ("b", 1, 120.0, None, "male", None, 1),
    ]
    assert (result.report.rows_read, result.report.rows_out, result.report.n_problems) == (3, 3, 0)


def test_parquet_equals_csv(tmp_path: Path) -> None:
    csv_result = read_table(_write(tmp_path, CSV))
    path = tmp_path / "t.parquet"
    csv_result.table.write_parquet(path)
    assert_frame_equal(read_table(path).table, csv_result.table)


def test_physionet_and_loinc_names_and_column_map(tmp_path: Path) -> None:
    text = "stay,t,HR,8310-5,Gender,Unit2,SepsisLabel,ICULOS\nx,3,90,38.1,1,1,0,3\nx,4,95,38.4,0,0,1,4\n"
    result = read_table(_write(tmp_path, text), columns={"stay": "patient_id", "t": "hour"})
    assert result.table.columns == [
        "patient_id", "hour", "heart_rate", "temp_c", "sex", "unit_sicu", "iculos_h", "sepsis_label",
    ]  # fmt: skip
    assert result.table.row(0) == ("x", 3, 90.0, 38.1, "male", True, 3.0, 0)
    assert result.table["sex"].to_list() == ["male", "female"]


def test_units_are_converted(tmp_path: Path) -> None:
    text = "patient_id,hour,temp_f,fio2_pct,creat\np,1,100.4,40,176\np,2,98.6,21,106\np,3,,10,\n"
    result = read_table(
        _write(tmp_path, text),
        columns={"temp_f": "temp_c", "fio2_pct": "fio2", "creat": "creatinine"},
        units={"temp_f": "degF", "fio2": "%", "creatinine": "umol/L"},
    )
    assert result.table["temp_c"].to_list() == [38.0, 37.0, None]
    assert result.table["fio2"].to_list() == [0.4, 0.21, None]
    assert result.table["creatinine"].to_list() == [1.991, 1.1991, None]
    (p,) = result.report.problems  # 10 % is not a plausible FiO2
    assert (p.line, p.field, p.value, p.action, p.reason) == (4, "fio2_pct", "10", "set_missing", "out_of_range")
    assert any("temp_c: 2 values converted from degF to Cel" in n for n in result.report.notes)


def test_unknown_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "patient_id,hour,heart_rate,ward,colour\np,1,80,3,red\n")
    with pytest.raises(ReadError, match=r"^t\.csv, field 'ward': unknown columns: 'ward', 'colour'"):
        read_table(path)
    result = read_table(path, unknown="ignore")
    assert result.table.columns == ["patient_id", "hour", "heart_rate"]
    assert result.report.ignored_columns == ["ward", "colour"]
    assert "ignored unknown columns: ward, colour" in result.report.summary()


@pytest.mark.parametrize(
    ("text", "kwargs", "match"),
    [
        ("hour,heart_rate\n1,80\n", {}, r"^t\.csv, field 'patient_id': no 'patient_id' column"),
        ("patient_id,heart_rate\np,80\n", {}, r"^t\.csv, field 'hour': no 'hour' column"),
        ("patient_id,hour,HR,heart_rate\np,1,80,81\n", {}, "both map to 'heart_rate'"),
        ("patient_id,hour,hr\np,1,80\n", {"columns": {"pulse": "heart_rate"}}, "columns= names 'pulse'"),
        ("patient_id,hour,hr,hr\np,1,80,81\n", {}, "'hr' appears more than once"),
    ],
)
def test_column_errors(tmp_path: Path, text: str, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ReadError, match=match):
        read_table(_write(tmp_path, text), **kwargs)  # type: ignore[arg-type]


def test_usage_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "patient_id,hour,heart_rate\np,1,80\n")
    with pytest.raises(UsageError, match="not a canonical name"):
        read_table(path, columns={"heart_rate": "pulse_rate"})
    with pytest.raises(UsageError, match="cannot convert heart_rate"):
        read_table(path, units={"heart_rate": "Hz"})
    with pytest.raises(ReadError, match="unknown table format"):
        read_table(_write(tmp_path, "x", "t.xlsx"))


BAD_ROWS = "patient_id,hour,heart_rate,temp_c\np,1,80,37\np,2,eighty,37\np,1,82,37\n,3,83,37\np,x,84,37\n"


def test_csv_errors_name_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, BAD_ROWS)
    with pytest.raises(ReadError) as info:
        read_table(path)
    assert (info.value.file, info.value.line, info.value.field, info.value.value) == (
        "t.csv",
        3,
        "heart_rate",
        "eighty",
    )
    assert str(info.value).startswith("t.csv, line 3, field 'heart_rate': 'eighty' is not a number")


def test_csv_quarantine(tmp_path: Path) -> None:
    result = read_table(_write(tmp_path, BAD_ROWS), on_invalid="quarantine")
    got = [(p.line, p.field, p.reason, p.raw) for p in result.report.problems]
    assert got == [
        (3, "heart_rate", "non_numeric", "p,2,eighty,37"),
        (4, "hour", "duplicate_hour", "p,1,82,37"),
        (5, "patient_id", "missing_patient_id", ",3,83,37"),
        (6, "hour", "non_numeric", "p,x,84,37"),
    ]
    assert result.table.rows() == [("p", 1, 80.0, 37.0)]
    report = result.report
    assert report.rows_read == report.rows_out + report.rows_quarantined == 5


def test_ragged_csv_line(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"^t\.csv, line 3: the line has 4 fields, the header has 3"):
        read_table(_write(tmp_path, "patient_id,hour,heart_rate\np,1,80\np,2,81,9\n"))


def test_parquet_errors_say_row_index(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pl.DataFrame({"patient_id": ["p", "p", "p"], "hour": [1, 2, 2], "temp_c": [37.0, 38.0, 39.0]}).write_parquet(path)
    with pytest.raises(ReadError) as info:
        read_table(path)
    assert (info.value.file, info.value.line, info.value.field) == ("t.parquet", 2, "hour")
    assert str(info.value).startswith("t.parquet, row index 2 (0-based), field 'hour': hour 2 repeats")
    result = read_table(path, on_invalid="quarantine")
    assert result.report.line_meaning.startswith("row index")
    (p,) = result.report.problems
    assert p.line == 2 and p.raw is not None and '"temp_c": 39.0' in p.raw


def test_plausibility_clean_and_reject(tmp_path: Path) -> None:
    path = _write(tmp_path, "patient_id,hour,temp_c,sex,gcs\np,1,20.9,female,15\np,2,37,woman,14.5\n")
    result = read_table(path)
    assert result.table.select("temp_c", "sex", "gcs").rows() == [(None, "female", 15.0), (37.0, None, None)]
    got = [(p.line, p.field, p.value, p.reason) for p in result.report.problems]
    assert got == [
        (2, "temp_c", "20.9", "out_of_range"),
        (3, "gcs", "14.5", "out_of_range"),
        (3, "sex", "woman", "invalid_code"),
    ]
    with pytest.raises(
        PlausibilityError, match=r"^t\.csv, line 2, field 'temp_c': 20.9 is outside the plausible range 25-45"
    ):
        read_table(path, implausible="reject")
