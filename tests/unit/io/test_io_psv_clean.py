"""read_psv implausible="clean": adult-scores.md §1.4, every change recorded; plus the golden file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from sepsiscope.io import read_psv

from .psvfiles import patient, write_folder

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "psv_three_patients.json"


def _read(tmp_path: Path, *rows: dict[str, object]) -> Any:
    return read_psv(write_folder(tmp_path, {"p000001.psv": patient(*rows)}))


@pytest.mark.parametrize(
    ("fio2", "expected", "action", "reason"),
    [
        (0.21, 0.21, None, None),
        (1.0, 1.0, None, None),
        (0.2, 0.21, "converted", "fio2_rounding"),
        (0.2099, 0.21, "converted", "fio2_rounding"),
        (0.1999, None, "set_missing", "out_of_range"),
        (0, None, "set_missing", "out_of_range"),
        (1.01, None, "set_missing", "out_of_range"),
        (7, None, "set_missing", "out_of_range"),
        (20.99, None, "set_missing", "out_of_range"),
        (21, 0.21, "converted", "fio2_percent"),
        (40, 0.4, "converted", "fio2_percent"),
        (100, 1.0, "converted", "fio2_percent"),
        (100.5, None, "set_missing", "out_of_range"),
    ],
)
def test_fio2_rules(
    tmp_path: Path, fio2: float, expected: float | None, action: str | None, reason: str | None
) -> None:
    result = _read(tmp_path, {"ICULOS": 1, "HR": 80}, {"ICULOS": 2, "FiO2": fio2})
    assert result.table["fio2"].to_list() == [None, expected]
    problems = result.report.problems
    if action is None:
        assert problems == []
        return
    (p,) = problems
    assert (p.file, p.line, p.field, p.action, p.reason) == ("set/p000001.psv", 3, "FiO2", action, reason)
    assert float(p.value or "nan") == fio2
    assert p.new_value == (None if expected is None else f"{expected:g}")


def test_out_of_range_values_become_missing_and_are_recorded(tmp_path: Path) -> None:
    """§1.4: "any other value outside its §1.1 range: set missing and count it".

    Every value §1.4 lists as observed in set A: test_io_psv_clean_observed.py.
    """
    result = _read(
        tmp_path,
        {"ICULOS": 1, "Temp": 20.9, "HR": 80},
        {"ICULOS": 2, "Temp": 37.2, "Potassium": 27.5, "BaseExcess": 100, "HCO3": 0},
        {"ICULOS": 3, "Temp": 45.1, "Hgb": 32},
    )
    table = result.table
    assert table["temp_c"].to_list() == [None, 37.2, None]
    assert table["heart_rate"].to_list() == [80.0, None, None]  # the rest of the row stays
    # §1.4: "Observed but inside the §1.1 ranges, so kept as measured: ... `HCO3` 0" (0-80)
    assert table["hco3"].to_list() == [None, 0.0, None]
    got = [(p.line, p.field, p.value, p.action, p.reason) for p in result.report.problems]
    assert got == [
        (2, "Temp", "20.9", "set_missing", "out_of_range"),
        (3, "BaseExcess", "100", "set_missing", "out_of_range"),
        (3, "Potassium", "27.5", "set_missing", "out_of_range"),
        (4, "Hgb", "32", "set_missing", "out_of_range"),
        (4, "Temp", "45.1", "set_missing", "out_of_range"),
    ]
    assert result.report.rows_out == 3 and result.report.rows_quarantined == 0
    assert "set_missing out_of_range" in result.report.summary()


def test_invalid_codes_become_missing(tmp_path: Path) -> None:
    result = _read(tmp_path, {"ICULOS": 1, "Gender": 2, "Unit1": 0.5, "Unit2": 1, "SepsisLabel": 7})
    row = result.table.row(0, named=True)
    assert (row["sex"], row["unit_micu"], row["unit_sicu"], row["sepsis_label"]) == (None, None, True, None)
    assert {(p.field, p.reason) for p in result.report.problems} == {
        ("Gender", "invalid_code"),
        ("Unit1", "invalid_code"),
        ("SepsisLabel", "invalid_code"),
    }


def test_quarantined_rows_get_no_value_records(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path,
        {"p000001.psv": patient({"ICULOS": 1, "Temp": 20.9}, {"ICULOS": 1, "Temp": 21.0}, {"ICULOS": 2, "FiO2": 50})},
    )
    result = read_psv(folder, on_invalid="quarantine")
    got = [(p.line, p.field, p.action, p.reason) for p in result.report.problems]
    assert got == [
        (2, "Temp", "set_missing", "out_of_range"),
        (3, "ICULOS", "quarantined", "duplicate_hour"),
        (4, "FiO2", "converted", "fio2_percent"),
    ]
    assert result.table["fio2"].to_list() == [None, 0.5]


def test_problems_csv_and_frame(tmp_path: Path) -> None:
    result = _read(tmp_path, {"ICULOS": 1, "Temp": 20.9}, {"ICULOS": 2, "FiO2": 40})
    frame = result.report.problems_frame()
    assert frame.columns == ["file", "line", "field", "value", "reason", "action", "new_value", "raw", "detail"]
    out = result.report.write_problems_csv(tmp_path / "problems.csv")
    back = pl.read_csv(out, schema=dict(frame.schema))
    assert back.equals(frame)
    counts = result.report.counts()
    assert sorted(counts.select("action", "reason", "field", "n").rows()) == [
        ("converted", "fio2_percent", "FiO2", 1),
        ("set_missing", "out_of_range", "Temp", 1),
    ]


# -- golden --------------------------------------------------------------------------------

THREE_PATIENTS = {
    # one all-NaN row (only the hour is known)
    "p000001.psv": patient({"ICULOS": 1}, {"ICULOS": 2, "HR": 88, "O2Sat": 97, "SBP": 121, "Resp": 16}, Age=61),
    # FiO2 charted in percent
    "p000002.psv": patient(
        {"ICULOS": 1, "HR": 104, "FiO2": 40, "SepsisLabel": 0},
        {"ICULOS": 2, "HR": 110, "FiO2": 0.5, "SepsisLabel": 1},
        Age=74,
        Gender=0,
        Unit1=1,
        Unit2=0,
    ),
    # an out-of-range temperature
    "p000003.psv": patient(
        {"ICULOS": 1, "Temp": 20.9, "MAP": 64.5},
        {"ICULOS": 2, "Temp": 38.4, "Lactate": 2.7},
        Age=48,
        Gender=1,
        HospAdmTime=-12.5,
    ),
}


def _golden_view(result: Any) -> dict[str, Any]:
    table = result.table
    report = result.report
    return {
        "schema": {name: str(dtype) for name, dtype in table.schema.items()},
        "rows": [{k: v for k, v in sorted(row.items()) if v is not None} for row in table.iter_rows(named=True)],
        "problems": [{k: v for k, v in sorted(p.items()) if v is not None} for p in report.problems_frame().to_dicts()],
        "report": {
            "files": report.files,
            "rows_read": report.rows_read,
            "rows_out": report.rows_out,
            "rows_quarantined": report.rows_quarantined,
        },
    }


def test_golden_three_patients(tmp_path: Path) -> None:
    got = _golden_view(read_psv(write_folder(tmp_path, THREE_PATIENTS, folder="three")))
    text = json.dumps(got, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("SEPSISCOPE_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} is missing; run with SEPSISCOPE_UPDATE_GOLDEN=1 and review the diff"
    assert json.loads(GOLDEN.read_text(encoding="utf-8")) == got
