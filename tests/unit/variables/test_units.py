"""Unit conversions: the check values of adult-scores.md §1.2 and §1.3."""

from __future__ import annotations

import pytest

from sepsiscope.errors import UnitError
from sepsiscope.variables.units import convert, estimate_fio2_nasal, urine_rate_to_24h


@pytest.mark.parametrize(
    ("value", "variable", "unit", "expected"),
    [
        (100.4, "temp_c", "[degF]", 38.0),
        (176, "creatinine", "umol/L", 1.991),
        (106, "creatinine", "umol/L", 1.1991),
        (34, "bilirubin_total", "umol/L", 1.9883),
        (205, "bilirubin_total", "umol/L", 11.9883),
        (18, "lactate", "mg/dL", 1.9982),
        (36, "lactate", "mg/dL", 3.9964),
        (150, "platelets", "10*9/L", 150),
        (11500, "wbc", "/mm3", 11.5),
        (40, "fio2", "%", 0.4),
        (10, "pao2", "kPa", 75.0062),
        (4.3, "paco2", "kPa", 32.2527),
        (95, "hgb", "g/L", 9.5),
    ],
)
def test_check_values(value: float, variable: str, unit: str, expected: float) -> None:
    assert convert(value, variable, unit) == pytest.approx(expected, abs=1e-9)


def test_canonical_unit_is_identity() -> None:
    assert convert(37.2, "temp_c", "Cel") == 37.2


def test_fio2_percent_rule_only_for_21_to_100() -> None:
    with pytest.raises(UnitError, match="21"):
        convert(0.4, "fio2", "%")


def test_unknown_unit_names_the_choices() -> None:
    with pytest.raises(UnitError, match="umol/L"):
        convert(1.0, "creatinine", "mmol/L")


def test_urine_rate() -> None:
    assert urine_rate_to_24h(0.3, 70) == 504


@pytest.mark.parametrize(("flow", "fio2"), [(0, 0.21), (1, 0.24), (2, 0.28), (4, 0.36), (6, 0.44), (6.5, None)])
def test_nasal_fio2_estimate(flow: float, fio2: float | None) -> None:
    assert estimate_fio2_nasal(flow) == fio2
