"""The set-A values that adult-scores.md §1.4 lists, through read_psv(implausible="clean").

§1.4: "Observed in training set A outside the §1.1 ranges (cleaned by the rules below):
`FiO2` 0–0.2 and 7, 10; `Temp` 20.9–24.9; `BaseExcess` 100; `Potassium` 27.5; `Hgb` 32;
`Chloride` 26 and 38. Observed but **inside** the §1.1 ranges, so kept as measured (the
§1.1 ranges are the only plausibility limits; there is no second list): `Temp` 25.0–29.9,
`HCO3` 0."

Each listed value is read in a hand-made file (never real rows), with the value on the
other side of the §1.1 edge next to it. A test also reads the two lists from the doc, so a
change to §1.4 shows up here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sepsiscope.io import read_psv
from sepsiscope.variables.registry import REGISTRY

from .psvfiles import patient, write_folder

#: §1.4 "outside the §1.1 ranges (cleaned)": (PSV column, value, canonical value after cleaning).
#: FiO2 0.2 is the low end of "0–0.2": the [0.20, 0.21) rounding rule sets it to 0.21.
CLEANED = [
    ("FiO2", 0, None),
    ("FiO2", 0.1, None),
    ("FiO2", 0.2, 0.21),
    ("FiO2", 7, None),
    ("FiO2", 10, None),
    ("Temp", 20.9, None),
    ("Temp", 24.9, None),
    ("BaseExcess", 100, None),
    ("Potassium", 27.5, None),
    ("Hgb", 32, None),
    ("Chloride", 26, None),
    ("Chloride", 38, None),
]
#: §1.4 "inside the §1.1 ranges, so kept as measured".
KEPT = [("Temp", 25.0), ("Temp", 29.9), ("HCO3", 0)]
#: The other side of each §1.1 edge the lists touch (kept): FiO2 0.21, Temp 45, BaseExcess 50,
#: Potassium 15, Hgb 30, Chloride 40; and just outside HCO3's and Temp's (cleaned).
EDGES_KEPT = [("FiO2", 0.21), ("Temp", 45), ("BaseExcess", 50), ("Potassium", 15), ("Hgb", 30), ("Chloride", 40)]
EDGES_CLEANED = [
    ("HCO3", -0.1),
    ("HCO3", 80.1),
    ("Temp", 24.99),
    ("Potassium", 15.1),
    ("Hgb", 30.1),
    ("Chloride", 39.9),
]


def _canonical(column: str) -> str:
    return next(v.name for v in REGISTRY if v.physionet == column)


def _read_one(tmp_path: Path, column: str, value: float):
    folder = write_folder(tmp_path, {"p000001.psv": patient({"ICULOS": 1, "HR": 80, column: value})})
    return read_psv(folder)  # implausible="clean" is the default


@pytest.mark.parametrize(("column", "value", "after"), CLEANED, ids=[f"{c}={v}" for c, v, _ in CLEANED])
def test_listed_out_of_range_values_are_cleaned_and_recorded(tmp_path: Path, column, value, after) -> None:
    result = _read_one(tmp_path, column, value)
    assert result.table[_canonical(column)].to_list() == [after]
    assert result.table["heart_rate"].to_list() == [80.0]  # the rest of the row stays
    ((field, action, reason),) = [(p.field, p.action, p.reason) for p in result.report.problems]
    assert field == column
    assert (action, reason) == (
        ("converted", "fio2_rounding") if after is not None else ("set_missing", "out_of_range")
    )


@pytest.mark.parametrize(("column", "value"), KEPT + EDGES_KEPT, ids=[f"{c}={v}" for c, v in KEPT + EDGES_KEPT])
def test_listed_in_range_values_and_range_edges_are_kept_as_measured(tmp_path: Path, column, value) -> None:
    result = _read_one(tmp_path, column, value)
    assert result.table[_canonical(column)].to_list() == [float(value)]
    assert result.report.problems == []


@pytest.mark.parametrize(("column", "value"), EDGES_CLEANED, ids=[f"{c}={v}" for c, v in EDGES_CLEANED])
def test_just_outside_the_range_is_cleaned(tmp_path: Path, column, value) -> None:
    result = _read_one(tmp_path, column, value)
    assert result.table[_canonical(column)].to_list() == [None]
    assert [(p.field, p.reason) for p in result.report.problems] == [(column, "out_of_range")]


def _listed(sentence: str) -> dict[str, str]:
    """```Temp` 20.9–24.9; `HCO3` 0`` -> ``{"Temp": "20.9–24.9", "HCO3": "0"}``."""
    return {m[0]: m[1].strip() for m in re.findall(r"`(\w+)` ([^;`]+?)(?=[;.]\s|[;.]?$|, `)", sentence)}


def test_the_lists_are_the_doc_lists(clinical_docs: Path) -> None:
    text = (clinical_docs / "adult-scores.md").read_text(encoding="utf-8")
    section = " ".join(text.split("### 1.4", 1)[1].split("| rule |", 1)[0].split())
    outside = section.split("(cleaned by the rules below):", 1)[1].split("Observed but", 1)[0]
    inside = section.split("(the §1.1 ranges are the only plausibility limits; there is no second list):", 1)[1]
    assert _listed(outside) == {
        "FiO2": "0–0.2 and 7, 10",
        "Temp": "20.9–24.9",
        "BaseExcess": "100",
        "Potassium": "27.5",
        "Hgb": "32",
        "Chloride": "26 and 38",
    }
    assert _listed(inside) == {"Temp": "25.0–29.9", "HCO3": "0"}
    # every bound named in the doc is a row above
    named = {(c, float(v)) for c, spec in _listed(outside).items() for v in re.findall(r"[\d.]+", spec)}
    assert named <= {(c, float(v)) for c, v, _ in CLEANED}
    named = {(c, float(v)) for c, spec in _listed(inside).items() for v in re.findall(r"[\d.]+", spec)}
    assert named <= {(c, float(v)) for c, v in KEPT}


def test_kept_values_lie_inside_and_cleaned_values_outside_the_registry_ranges() -> None:
    """§1.4 "the §1.1 ranges are the only plausibility limits": the registry (variables.toml) decides."""
    for column, value in KEPT:
        var = REGISTRY[_canonical(column)]
        assert var.min is not None and var.max is not None and var.min <= value <= var.max
    for column, value, _ in CLEANED:
        var = REGISTRY[_canonical(column)]
        assert var.min is not None and var.max is not None and not var.min <= value <= var.max
