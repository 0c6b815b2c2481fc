"""The registry mirrors adult-scores.md §1.1; validation follows §5.4 (D-17)."""

from __future__ import annotations

import re

import pytest

from sepsiscope.errors import CaseError
from sepsiscope.variables.registry import REGISTRY
from sepsiscope.variables.validate import validate_case


def test_registry_matches_the_doc_table(clinical_docs) -> None:
    text = (clinical_docs / "adult-scores.md").read_text(encoding="utf-8")
    section = text.split("### 1.1 Table", 1)[1].split("### 1.2", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \|[^|]*\|[^|]*\| ([^|]*) \| ([^|]*) \|", section, re.M)
    assert len(rows) > 50
    for name, plausible, physionet in rows:
        assert name in REGISTRY, name
        var = REGISTRY[name]
        m = re.match(r"^(−?[\d.]+)–([\d.]+)$", plausible.strip())
        if m:
            assert var.min == float(m[1].replace("−", "-")), name
            assert var.max == float(m[2]), name
        col = re.match(r"`(\w+)`", physionet.strip())
        assert var.physionet == (col[1] if col else None), name


def test_lookup_by_alias() -> None:
    assert REGISTRY.lookup("HR").name == "heart_rate"
    assert REGISTRY.lookup("8310-5").name == "temp_c"
    assert REGISTRY.lookup("temp_c").name == "temp_c"


@pytest.mark.parametrize(
    ("case", "code", "variable"),
    [
        ([1, 2], "not_an_object", None),
        ({"heartrate": 80}, "unknown_variable", "heartrate"),
        ({"heart_rate": "80"}, "wrong_type", "heart_rate"),
        ({"heart_rate": True}, "wrong_type", "heart_rate"),
        ({"supplemental_o2": 1}, "wrong_type", "supplemental_o2"),
        ({"gcs": 13.5}, "wrong_type", "gcs"),
        ({"consciousness": 1}, "wrong_type", "consciousness"),
        ({"consciousness": "a"}, "invalid_value", "consciousness"),
        ({"sex": "F"}, "invalid_value", "sex"),
        ({"temp_c": 98.6}, "out_of_range", "temp_c"),
        ({"fio2": 40}, "out_of_range", "fio2"),
        ({"wbc": 12000}, "out_of_range", "wbc"),
        ({"paco2": 4.2}, "out_of_range", "paco2"),
        ({"heart_rate": 80, "heartrate": 1, "temp_c": 99}, "unknown_variable", "heartrate"),
        ({"temp_c": 99, "heartrate": 1}, "out_of_range", "temp_c"),
    ],
)
def test_first_error_in_key_order(case: object, code: str, variable: str | None) -> None:
    with pytest.raises(CaseError) as info:
        validate_case(case)
    assert (info.value.code, info.value.variable) == (code, variable)


def test_null_is_absent_and_gcs_float_integral_ok() -> None:
    assert validate_case({"heart_rate": None, "gcs": 14.0}) == {"gcs": 14.0}


def test_edges_of_plausible_range_are_valid() -> None:
    assert validate_case({"temp_c": 25, "fio2": 1.0, "spo2": 0}) == {"temp_c": 25.0, "fio2": 1.0, "spo2": 0.0}
