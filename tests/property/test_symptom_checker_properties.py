"""Hypothesis properties of the symptom checker (symptom-checker.md P1, P4, §6).

- adding a warning sign (any yes/no sign, a risk group, or "infection: yes") never lowers
  the level;
- a missing answer never lowers the level below what "no" gives (P4);
- every result carries reasons, an action, the safety net and the disclaimer (P2);
- a worse measurement never lowers the level, at every age.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sepsiscope.scores.symptom_checker import INPUTS, calc_case

RANK = {"MONITOR": 0, "URGENT": 1, "EMERGENCY": 2}
BOOLEANS = [k for k, s in INPUTS.items() if s.kind == "boolean"]
SIGNS = [k for k in BOOLEANS if k not in ("infection",)]


@st.composite
def cases(draw: Any) -> dict[str, Any]:
    case: dict[str, Any] = {}
    age = draw(st.one_of(st.none(), st.floats(0, 1560, allow_nan=False)))
    if age is not None:
        case["age_months"] = age
    for key in draw(st.lists(st.sampled_from(BOOLEANS), unique=True, max_size=6)):
        case[key] = draw(st.booleans())
    for key in ("temp_c", "heart_rate", "resp_rate", "spo2", "sbp", "no_urine_hours", "weeks_postpartum"):
        if draw(st.booleans()):
            spec = INPUTS[key]
            case[key] = draw(st.floats(spec.min, min(spec.max, 200), allow_nan=False))
    for key in ("immune_weakness", "chronic_conditions", "infection_sites"):
        if draw(st.booleans()):
            case[key] = draw(st.lists(st.sampled_from(INPUTS[key].codes), unique=True, max_size=3))
    return case


def level(case: dict[str, Any]) -> int:
    return RANK[calc_case(case)["level"]]


@given(cases(), st.sampled_from(BOOLEANS))
def test_adding_a_yes_never_lowers_the_level(case: dict[str, Any], key: str) -> None:
    assert level({**case, key: True}) >= level({**case, key: False})
    assert level({**case, key: True}) >= level(case)


@given(cases(), st.sampled_from(BOOLEANS))
def test_a_missing_answer_is_never_lower_than_no(case: dict[str, Any], key: str) -> None:
    without = {k: v for k, v in case.items() if k != key}
    assert level(without) >= level({**case, key: False})


@given(cases(), st.sampled_from(["chemotherapy", "steroids", "transplant", "no_spleen", "immunosuppressants", "other"]))
def test_adding_weak_immunity_never_lowers_the_level(case: dict[str, Any], code: str) -> None:
    more = {**case, "immune_weakness": sorted({*case.get("immune_weakness", []), code})}
    assert level(more) >= level(case)


@given(cases())
def test_every_result_is_complete(case: dict[str, Any]) -> None:
    out = calc_case(case)
    assert out["reasons"] and out["action"] and out["disclaimer"] and len(out["safety_net"]) == 5
    assert (out["escalate_if"] == []) == (out["level"] == "EMERGENCY")


@given(
    st.floats(0, 1560, allow_nan=False),
    st.sampled_from([("resp_rate", 1), ("heart_rate", 1), ("spo2", -1), ("sbp", -1), ("no_urine_hours", 1)]),
    st.floats(30, 100, allow_nan=False),
    st.floats(0, 40, allow_nan=False),
    st.booleans(),
)
def test_a_worse_reading_never_lowers_the_level(months, measure, value, step, infection) -> None:
    key, direction = measure
    if key in ("resp_rate", "heart_rate"):
        return  # both high and low are dangerous: checked by the boundary table instead
    worse = value + direction * step
    spec = INPUTS[key]
    if not (spec.min <= worse <= spec.max and spec.min <= value <= spec.max):
        return
    base = {"age_months": months, "infection": infection}
    assert level({**base, key: worse}) >= level({**base, key: value})


@given(st.floats(0, 1560, allow_nan=False), st.floats(60, 250, allow_nan=False), st.floats(0, 40, allow_nan=False))
def test_faster_heart_above_60_never_lowers_the_level(months: float, hr: float, step: float) -> None:
    """Above the child "< 60" and adult "≤ 40" lows, a faster pulse is never less urgent."""
    base = {"age_months": months, "infection": True}
    faster = min(hr + step, 300)
    assert level({**base, "heart_rate": faster}) >= level({**base, "heart_rate": hr})


@given(st.floats(0, 1560, allow_nan=False), st.floats(9, 90, allow_nan=False), st.floats(0, 10, allow_nan=False))
def test_faster_breathing_above_8_never_lowers_the_level(months: float, rr: float, step: float) -> None:
    base = {"age_months": months, "infection": True}
    assert level({**base, "resp_rate": rr + step}) >= level({**base, "resp_rate": rr})
