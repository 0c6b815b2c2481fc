"""Septic shock per hour (adult-scores.md §3.7, D-13): the 60-minute vasopressor rule, lactate > 2.0, fluids."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sepsiscope.scores.sepsis3 import shock_hours, shock_onset
from sepsiscope.scores.sepsis3.shock import crystalloid_ml, vasopressor_runs
from sepsiscope.variables.events import Event
from tests.clinical.sepsis3_helpers import at, fluid, lactate, measure, pressor

ONSET = at(10)
HOURS = [at(h) for h in range(1, 31)]


def _shock_hours(events) -> list[int]:
    return [h for h, s in zip(range(1, 31), shock_hours(events, HOURS, ONSET), strict=True) if s.septic_shock]


def _stop(start_h: float, minutes: float) -> Event:
    return Event(
        at(start_h), "vasopressor", "norepinephrine", 0.05, None, "iv", at(start_h) + timedelta(minutes=minutes)
    )


# (case, events, hours flagged, source)
CASES = [
    ("pressor_59_min_never", [lactate(9, 3.0), _stop(12, 59)], [], "§3.7 ≥ 60 min"),
    ("pressor_60_min_flags_its_60th_minute_hour", [lactate(9, 3.0), _stop(12, 60)], [13], "§3.7 ≥ 60 min"),
    (
        "pressor_from_12h20_flags_from_hour_14",
        [lactate(9, 3.0), pressor(12 + 1 / 3, None)],
        list(range(14, 31)),
        "§3.7 active at t",
    ),
    ("lactate_2_0_exactly_no", [lactate(9, 2.0), pressor(12, None)], [], "§3.7 > 2.0"),
    ("lactate_2_1_yes", [lactate(9, 2.1), pressor(12, None)], list(range(13, 31)), "§3.7 > 2.0"),
    ("most_recent_lactate_not_max", [lactate(5, 4.0), lactate(9, 1.5), pressor(12, None)], [], "§3.7 most recent"),
    ("lactate_older_than_24h_drops", [lactate(3, 3.0), pressor(12, None)], list(range(13, 27)), "§3.7 (t − 24 h, t]"),
    ("dobutamine_alone_never", [lactate(9, 3.0), pressor(12, None, code="dobutamine")], [], "§3.7 inotropes"),
    ("milrinone_alone_never", [lactate(9, 3.0), pressor(12, None, code="milrinone")], [], "§3.7 inotropes"),
    (
        "vasopressin_counts",
        [lactate(9, 3.0), pressor(12, None, code="vasopressin")],
        list(range(13, 31)),
        "§3.7 vasopressors",
    ),
    ("not_before_sepsis_onset", [lactate(1, 3.0), pressor(2, None)], list(range(10, 25)), "§3.7 sepsis"),
    ("rate_zero_is_not_running", [lactate(9, 3.0), pressor(12, None, rate=0.0)], [], "§3.7"),
]


@pytest.mark.parametrize(("events", "flagged"), [c[1:3] for c in CASES], ids=[c[0] for c in CASES])
def test_shock_cases(events, flagged) -> None:
    assert _shock_hours(events) == flagged


def test_lactate_window_is_open_at_its_start() -> None:
    events = [lactate(1, 3.0, minutes=30), pressor(2, None)]
    hours = shock_hours(events, [at(25), at(26)], ONSET)
    assert [h.septic_shock for h in hours] == [True, False]
    assert hours[0].lactate_time == at(1, 30)


def test_back_to_back_drugs_form_one_run() -> None:
    switch = [
        Event(at(12), "vasopressor", "norepinephrine", 0.1, None, "iv", at(12, 30)),
        Event(at(12, 30), "vasopressor", "vasopressin", 0.03, "U/min", "iv", at(13, 30)),
    ]
    assert vasopressor_runs(switch) == [(at(12), at(13, 30))]
    assert _shock_hours([lactate(9, 3.0), *switch]) == [13, 14]


def test_shock_onset_is_first_flagged_hour() -> None:
    hours = shock_hours([lactate(9, 3.0), pressor(12, None)], HOURS, ONSET)
    assert shock_onset(hours) == at(13)
    assert shock_onset(shock_hours([], HOURS, ONSET)) is None


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([measure("weight_kg", 0, 70), fluid(5, 2100)], True),  # 30 × 70 = 2100 exactly
        ([measure("weight_kg", 0, 70), fluid(5, 2099)], False),
        ([fluid(5, 3000)], None),  # no weight
        ([measure("weight_kg", 0, 70)], None),  # no fluid records at all
        ([measure("weight_kg", 0, 70), fluid(5, 2100, code="albumin_5")], False),  # colloid does not count
        ([measure("weight_kg", 0, 70), fluid(5, 1000), fluid(8, 1100)], True),
    ],
    ids=["exactly_30ml_kg", "just_below", "missing_weight", "no_fluid_records", "colloid", "two_boluses"],
)
def test_fluids_30ml_kg_information(events, expected) -> None:
    (h,) = shock_hours(events, [at(12)], ONSET)
    assert h.fluids_30ml_kg_24h is expected


def test_fluid_window_is_24h_open_at_start() -> None:
    events = [fluid(5, 500)]
    assert crystalloid_ml(events, at(5) - timedelta(hours=24), at(5)) == 500
    assert crystalloid_ml(events, at(5), at(29)) == 0
