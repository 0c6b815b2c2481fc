"""The questionnaire data and turning form fields into checker answers."""

from __future__ import annotations

import math

import pytest

from sepsiscope.checker.form import parse_answers
from sepsiscope.checker.questions import RECENT_WEEKS_DEFAULT, questionnaire, read_number
from sepsiscope.scores.symptom_checker import EMERGENCY_SIGNS, INPUTS, age_boundaries_months, calc_case


def test_every_input_is_asked_once() -> None:
    """Every §3 input has one question; the two age keys are the age-group question."""
    asked = [q.key for q in questionnaire().questions]
    assert len(asked) == len(set(asked))
    assert set(asked) | {"age_years", "age_months"} == set(INPUTS)


def test_danger_signs_are_asked_first() -> None:
    qn = questionnaire()
    assert qn.sections[0] == "emergency"
    assert {q.key for q in qn.in_section("emergency")} == set(EMERGENCY_SIGNS)


def test_age_groups_start_where_rules_change() -> None:
    assert tuple(g.months for g in questionnaire().age_groups) == age_boundaries_months()


@pytest.mark.parametrize("group", questionnaire().age_groups, ids=lambda g: g.id)
def test_any_age_inside_a_group_gets_the_same_answer(group) -> None:
    """The group's lower bound stands for the whole group (§5 bands are half-open)."""
    bounds = [*age_boundaries_months(), 1560]
    top = bounds[bounds.index(group.months) + 1]
    case = {"infection": True, "heart_rate": 125, "resp_rate": 26, "temp_c": 35.5, "spo2": 93, "sbp": 95}
    first = calc_case({**case, "age_months": group.months})
    for months in (group.months + 0.5, (group.months + top) / 2, top - 0.01):
        other = calc_case({**case, "age_months": months})
        assert (other["components"], other["risk_groups"], other["escalate_if"]) == (
            first["components"],
            first["risk_groups"],
            first["escalate_if"],
        )


def test_pregnancy_is_not_asked_for_children_or_from_65() -> None:
    preg = next(q for q in questionnaire().questions if q.key == "pregnant")
    assert not preg.shown_for(0) and not preg.shown_for(143) and preg.shown_for(144)
    assert preg.shown_for(779) and not preg.shown_for(780) and preg.shown_for(None)


def test_every_question_is_asked_without_age() -> None:
    """D13: without an age every age-limited rule is read at its strictest, so every answer counts."""
    assert all(q.shown_for(None) for q in questionnaire().questions)


def test_parse_full_form() -> None:
    form = {
        "age_group": ["y16"],
        "infection": ["yes"],
        "infection_sites": ["lungs"],
        "getting_worse": ["unsure"],
        "confusion": ["yes"],
        "weak_high_pitched_cry": ["yes"],  # not asked at 16+: ignored
        "temp_c": ["101.3"],
        "temp_unit": ["F"],
        "heart_rate": ["112"],
        "spo2": [""],
        "weeks_postpartum_recent": ["yes"],
        "weeks_postpartum": ["2"],
        "recent_procedure_weeks_recent": ["yes"],
        "recent_procedure_weeks": [""],
    }
    parsed = parse_answers(form)
    assert parsed.errors == {} and parsed.unreadable == ()
    assert parsed.answers == {
        "age_months": 192.0,
        "infection": True,
        "infection_sites": ["lungs"],
        "confusion": True,
        "temp_c": 38.5,
        "heart_rate": 112.0,
        "weeks_postpartum": 2.0,
        "recent_procedure_weeks": RECENT_WEEKS_DEFAULT,
    }


def test_no_is_sent_as_false_and_not_sure_is_not_sent() -> None:
    assert parse_answers({"infection": ["no"]}).answers == {"infection": False}
    assert parse_answers({"infection": ["unsure"]}).answers == {}


@pytest.mark.parametrize(
    ("field", "value", "unit", "error"),
    [
        ("temp_c", "98.6", "C", "error.temp_c"),
        ("temp_c", "37", "F", "error.temp_c"),
        ("heart_rate", "400", "C", "error.heart_rate"),
        ("spo2", "150", "C", "error.spo2"),
        ("no_urine_hours", "-3", "C", "error.no_urine_hours"),
    ],
)
def test_out_of_range_is_reported_never_dropped(field, value, unit, error) -> None:
    parsed = parse_answers({"age_group": ["y16"], field: [value], "temp_unit": [unit]})
    assert parsed.errors == {field: error}
    assert field not in parsed.answers


def test_decimal_comma_and_fahrenheit() -> None:
    assert read_number("temp_c", "38,5") == (38.5, None)
    value, error = read_number("temp_c", "100.4", "F")
    assert error is None and math.isclose(value, 38.0)


def test_measurements_without_age_are_sent() -> None:
    """D13: "I'm not sure" is a missing age; the readings go to the rules, which read them at their strictest."""
    form = {"age_group": ["unknown"], "heart_rate": ["150"], "temp_c": ["38.4"], "sbp": ["95"], "spo2": ["93"]}
    parsed = parse_answers(form)
    assert parsed.answers == {"heart_rate": 150.0, "temp_c": 38.4, "sbp": 95.0, "spo2": 93.0}
    assert parsed.age_group == "unknown"
