"""Phoenix-8 against the reference software's own test set (pediatric-obstetric.md §1.14).

``phoenix_sepsis_csv_cases.csv`` holds the 20 synthetic example patients bundled with
``phoenix-sepsis`` 1.1.3 (``phoenix/data/sepsis.csv``) and, per row, the per-system scores the
package computes for them (the same vectors its README prints). Mapped to sepsiscope inputs
as §1.14 says, every one of the eight systems must agree; a ``null`` component (system not
measured) is compared as 0, the reference packages' value for it (§1.9).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from sepsiscope.scores.calculator import run

FIXTURE = Path(__file__).with_name("phoenix_sepsis_csv_cases.csv")
DRUG_COLUMNS = ("dobutamine", "dopamine", "epinephrine", "milrinone", "norepinephrine", "vasopressin")
#: package column -> sepsiscope key (§1.14); values copied unchanged.
NUMERIC = {
    "age": "age_months",
    "fio2": "fio2",
    "pao2": "pao2",
    "spo2": "spo2",
    "gcs_total": "gcs",
    "platelets": "platelets",
    "inr": "inr",
    "d_dimer": "d_dimer",
    "fibrinogen": "fibrinogen",
    "sbp": "sbp",
    "dbp": "dbp",
    "lactate": "lactate",
    "glucose": "glucose",
    "anc": "anc",
    "alc": "alc",
    "creatinine": "creatinine",
    "bilirubin": "bilirubin_total",
    "alt": "alt",
}
PUPILS = {"both-fixed": "both_fixed", "both-reactive": "both_reactive"}
#: sepsiscope component -> expected column of the fixture.
SYSTEMS = {
    "respiratory": "phoenix_respiratory_score",
    "cardiovascular": "phoenix_cardiovascular_score",
    "coagulation": "phoenix_coagulation_score",
    "neurologic": "phoenix_neurologic_score",
    "endocrine": "phoenix_endocrine_score",
    "immunologic": "phoenix_immunologic_score",
    "renal": "phoenix_renal_score",
    "hepatic": "phoenix_hepatic_score",
}


def load_rows() -> list[dict[str, str]]:
    with FIXTURE.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def to_case(row: dict[str, str]) -> dict[str, Any]:
    """One package row as a sepsiscope case (§1.14): ``map`` left absent so it is derived."""
    case: dict[str, Any] = {key: float(row[col]) for col, key in NUMERIC.items() if row[col] != ""}
    case["ventilated_invasive"] = row["vent"] == "1"
    case["vasoactive_count"] = sum(int(row[col]) for col in DRUG_COLUMNS)
    if row["pupil"]:
        case["pupils"] = PUPILS[row["pupil"]]
    return case


ROWS = load_rows()


def test_fixture_has_the_twenty_patients() -> None:
    assert [row["pid"] for row in ROWS] == [str(i) for i in range(1, 21)]


@pytest.mark.parametrize("row", ROWS, ids=[f"pid{row['pid']}" for row in ROWS])
def test_phoenix8_reproduces_reference(row: dict[str, str]) -> None:
    (result,) = list(run("phoenix8", [json.dumps(to_case(row))]))
    assert result.ok, result.payload
    out = result.payload
    got = {name: out["components"][name] or 0 for name in SYSTEMS}
    want = {name: int(row[col]) for name, col in SYSTEMS.items()}
    assert got == want
    assert (out["total"] or 0) == int(row["phoenix8_sepsis_score"])
    assert (out["phoenix_total"] or 0) == int(row["phoenix_sepsis_score"])


@pytest.mark.parametrize("row", ROWS, ids=[f"pid{row['pid']}" for row in ROWS])
def test_phoenix_definitions_match_reference(row: dict[str, str]) -> None:
    """With infection present, ``sepsis``/``septic_shock`` equal the package's indicators."""
    case = {**to_case(row), "suspected_infection": True}  # Phoenix-8 keys are valid, just unused
    (result,) = list(run("phoenix", [json.dumps(case)]))
    out = result.payload
    assert (out["total"] or 0) == int(row["phoenix_sepsis_score"])
    assert out["threshold_met"] is (row["phoenix_sepsis"] == "1")
    assert out["sepsis"] is (row["phoenix_sepsis"] == "1")
    assert out["septic_shock"] is (row["phoenix_septic_shock"] == "1")
