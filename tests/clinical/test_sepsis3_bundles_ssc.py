"""SSC hour-1 bundle (adult-scores.md §4.1, D-14, §4.3): every element row, both sides of each window edge."""

from __future__ import annotations

import pytest

from sepsiscope.scores.bundles import bundle_status, ssc_hour1, time_zero
from sepsiscope.variables.events import Event
from tests.clinical.sepsis3_helpers import abx, at, culture, fluid, lactate, measure, pressor

T0 = at(30)


def _element(events, name):
    return ssc_hour1(events, T0).elements[name]


# (case, element, events, applicable, met)
ROWS = [
    ("lactate_at_t0_minus_6h_met", "lactate", [lactate(24, 1.0)], True, True),
    ("lactate_1min_before_window_not_met", "lactate", [lactate(23, 1.0, minutes=59)], True, False),
    ("lactate_at_t0_plus_1h_met", "lactate", [lactate(31, 1.0)], True, True),
    ("lactate_1min_late_not_met", "lactate", [lactate(31, 1.0, minutes=1)], True, False),
    ("culture_at_t0_minus_24h_met", "blood_cultures", [culture(6)], True, True),
    ("culture_1min_before_window_not_met", "blood_cultures", [culture(5, 59)], True, False),
    ("culture_at_t0_plus_1h_met", "blood_cultures", [culture(31)], True, True),
    ("culture_1min_late_not_met", "blood_cultures", [culture(31, 1)], True, False),
    ("culture_same_minute_as_antibiotic_met", "blood_cultures", [abx(30, 20), culture(30, 20)], True, True),
    ("culture_after_antibiotic_not_met", "blood_cultures", [abx(30, 20), culture(30, 21)], True, False),
    ("urine_culture_is_not_blood", "blood_cultures", [culture(30, specimen="urine")], True, False),
    ("iv_antibiotic_at_t0_minus_24h_met", "antibiotics", [abx(6)], True, True),
    ("iv_antibiotic_1min_early_not_met", "antibiotics", [abx(5, 59)], True, False),
    ("iv_antibiotic_at_t0_plus_1h_met", "antibiotics", [abx(31)], True, True),
    ("iv_antibiotic_1min_late_not_met", "antibiotics", [abx(31, 1)], True, False),
    ("oral_antibiotic_is_not_iv", "antibiotics", [abx(30, route="oral")], True, False),
    ("fluids_sbp_89_applies", "fluids", [measure("sbp", 30, 89), fluid(30, 500)], True, True),
    ("fluids_sbp_90_does_not_apply", "fluids", [measure("sbp", 30, 90)], False, None),
    ("fluids_map_64_applies", "fluids", [measure("map", 30, 64)], True, False),
    ("fluids_map_65_does_not_apply", "fluids", [measure("map", 30, 65)], False, None),
    ("fluids_lactate_4_0_applies", "fluids", [lactate(30, 4.0)], True, False),
    ("fluids_lactate_3_9_does_not_apply", "fluids", [lactate(30, 3.9)], False, None),
    ("fluids_hypotension_at_t0_minus_6h_applies", "fluids", [measure("sbp", 24, 80)], True, False),
    ("fluids_hypotension_1min_before_window_not", "fluids", [measure("sbp", 23, 80, minutes=59)], False, None),
    ("fluids_started_at_t0_minus_6h_met", "fluids", [measure("sbp", 30, 80), fluid(24, 500)], True, True),
    ("fluids_started_1min_early_not_met", "fluids", [measure("sbp", 30, 80), fluid(23, 500, minutes=59)], True, False),
    ("fluids_started_at_t0_plus_1h_met", "fluids", [measure("sbp", 30, 80), fluid(31, 500)], True, True),
    ("fluids_started_1min_late_not_met", "fluids", [measure("sbp", 30, 80), fluid(31, 500, minutes=1)], True, False),
    ("colloid_is_not_crystalloid", "fluids", [measure("sbp", 30, 80), fluid(30, 500, code="albumin_5")], True, False),
    ("no_bp_or_lactate_fluids_not_applicable", "fluids", [], False, None),
    ("pressor_map_64_after_fluids_applies", "vasopressors", [fluid(29, 500), measure("map", 30, 64, 30)], True, False),
    ("pressor_map_65_after_fluids_not", "vasopressors", [fluid(29, 500), measure("map", 30, 65, 30)], False, None),
    ("pressor_started_t0_plus_1h_met", "vasopressors", [measure("map", 30, 60, 10), pressor(31, None)], True, True),
    (
        "pressor_started_1min_late_not_met",
        "vasopressors",
        [measure("map", 30, 60, 10), pressor(31 + 1 / 60, None)],
        True,
        False,
    ),
    (
        "pressor_running_since_before_t0_met",
        "vasopressors",
        [measure("map", 30, 60, 10), pressor(28, None)],
        True,
        True,
    ),
    (
        "dobutamine_is_not_a_vasopressor",
        "vasopressors",
        [measure("map", 30, 60, 10), pressor(30, None, code="dobutamine")],
        True,
        False,
    ),
]


@pytest.mark.parametrize(("name", "events", "applicable", "met"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_hour1_elements(name, events, applicable, met) -> None:
    e = _element(events, name)
    assert (e.applicable, e.met) == (applicable, met), e.detail
    assert e.deadline == at(31)


@pytest.mark.parametrize(
    ("events", "applicable", "met"),
    [
        ([lactate(30, 2.0), lactate(33, 1.0)], False, None),
        ([lactate(30, 2.1), lactate(36, 1.0)], True, True),
        ([lactate(30, 2.1), lactate(36, 1.0, minutes=1)], True, False),
    ],
    ids=["initial_2_0_no_remeasure", "remeasure_at_t0_plus_6h", "remeasure_1min_late"],
)
def test_lactate_remeasure_reported_separately(events, applicable, met) -> None:
    report = ssc_hour1(events, T0)
    e = report.separate["lactate_remeasure"]
    assert (e.applicable, e.met, e.deadline) == (applicable, met, at(36))
    assert "lactate_remeasure" not in report.elements


def _complete() -> list[Event]:
    return [
        lactate(29, 3.0),
        culture(29, 30),
        abx(30),
        measure("map", 29, 60),
        fluid(29, 2000),
        pressor(30, None),
        measure("map", 30, 62, 30),
    ]


def test_all_or_none() -> None:
    assert ssc_hour1(_complete(), T0).compliant is True
    late_abx = [e for e in _complete() if e.kind != "antibiotic"] + [abx(31, 5)]
    assert ssc_hour1(late_abx, T0).compliant is False


def test_open_elements_before_their_deadline_and_json_shape() -> None:
    events = [lactate(29, 3.0), culture(30, 10)]
    report = bundle_status(events, T0, now=at(30, 20))
    assert report.elements["antibiotics"].met is None  # not yet given, still 40 min to go
    assert report.compliant is None
    closed = bundle_status(events, T0, now=at(31, 1))
    assert closed.elements["antibiotics"].met is False and closed.compliant is False
    js = closed.to_json()
    assert set(js) >= {"bundle", "t0", "elements", "compliant"}
    assert js["elements"]["lactate"] == {
        "applicable": True,
        "met": True,
        "time": at(29).isoformat(),
        "deadline": at(31).isoformat(),
    }


def test_no_time_zero() -> None:
    report = ssc_hour1([abx(3)], None)
    assert (report.t0, report.compliant, report.elements) == (None, None, {})


@pytest.mark.parametrize(
    ("events", "t_onset", "expected"),
    [
        ([Event(at(2), "encounter", "ed_triage"), Event(at(6), "encounter", "icu_admission")], at(4), at(2)),
        ([Event(at(2), "encounter", "ed_triage"), Event(at(6), "encounter", "icu_admission")], at(40), at(40)),
        ([Event(at(2), "encounter", "ed_triage")], at(4), at(2)),
        ([], at(4), at(4)),
        ([Event(at(2), "encounter", "ed_triage")], None, None),
    ],
    ids=["sepsis_in_ed_triage", "sepsis_after_admission_onset", "ed_only", "no_ed", "no_onset"],
)
def test_time_zero(events, t_onset, expected) -> None:
    assert time_zero(events, t_onset) == expected
