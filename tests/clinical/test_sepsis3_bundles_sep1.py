"""CMS SEP-1 (adult-scores.md §4.2, §4.3): presentation times, shock, every element row and its window edges."""

from __future__ import annotations

import pytest

from sepsiscope.scores.bundles import MANUAL_VERSION, sep1
from sepsiscope.variables.events import Event
from tests.clinical.sepsis3_helpers import abx, at, culture, fluid, lactate, measure, pressor

P = at(20)


def doc(hours: float, code: str = "infection_suspected", minutes: float = 0.0) -> Event:
    return Event(at(hours, minutes), "documentation", code)


def _severe(infection_h: float = 19, infection_min: float = 0.0) -> list[Event]:
    """Severe sepsis presenting at P = hour 20: documentation, HR > 90, RR > 20, SBP < 90 last."""
    return [
        doc(infection_h, minutes=infection_min),
        measure("heart_rate", 18, 100),
        measure("resp_rate", 19, 24),
        measure("sbp", 20, 85),
    ]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (_severe(), P),
        (_severe(14), P),  # documentation exactly 6 h before the last criterion
        (_severe(13, 59), None),  # 6 h 01 min before the SBP: no 6-h span holds a, b and c
        ([doc(19), measure("heart_rate", 18, 90), measure("resp_rate", 19, 24), measure("sbp", 20, 85)], None),
        ([doc(19), measure("temp_c", 18, 38.3), measure("resp_rate", 19, 24), measure("sbp", 20, 85)], None),
        ([doc(19), measure("temp_c", 18, 38.4), measure("resp_rate", 19, 24), measure("sbp", 20, 85)], P),
        ([doc(19), measure("temp_c", 18, 35.9), measure("wbc", 19, 12.1), measure("lactate", 20, 2.1)], P),
        ([doc(19), measure("temp_c", 18, 38.4), measure("temp_c", 19, 35.0), measure("sbp", 20, 85)], None),
        ([*_severe(), doc(16, "severe_sepsis")], at(16)),
        (
            [
                doc(19),
                measure("heart_rate", 18, 100),
                measure("resp_rate", 19, 24),
                Event(at(20), "ventilation", "noninvasive"),
            ],
            P,
        ),
    ],
    ids=[
        "three_criteria",
        "doc_6h_before_counts",
        "doc_6h01_before_misses_the_span",
        "hr_90_not_sirs",
        "temp_38_3_not_sirs",
        "temp_38_4_sirs",
        "wbc_and_lactate",
        "two_temperatures_are_one_criterion",
        "documented_severe_sepsis_earlier",
        "new_ventilation_is_organ_dysfunction",
    ],
)
def test_severe_sepsis_presentation(events, expected) -> None:
    assert sep1(events).t0 == expected


def _element(events, name):
    return sep1(events).elements[name]


ROWS = [
    ("initial_lactate_p_minus_6h", "initial_lactate", [lactate(14, 1.5)], True, True),
    ("initial_lactate_1min_early", "initial_lactate", [lactate(13, 1.5, minutes=59)], True, False),
    ("initial_lactate_p_plus_3h", "initial_lactate", [lactate(23, 1.5)], True, True),
    ("initial_lactate_1min_late", "initial_lactate", [lactate(23, 1.5, minutes=1)], True, False),
    ("cultures_p_minus_24h", "blood_cultures", [culture(-4)], True, True),
    ("cultures_1min_early", "blood_cultures", [culture(-5, 59)], True, False),
    ("cultures_p_plus_3h", "blood_cultures", [culture(23)], True, True),
    ("cultures_after_antibiotic", "blood_cultures", [abx(21), culture(21, 5)], True, False),
    ("antibiotic_p_minus_24h", "antibiotics", [abx(-4)], True, True),
    ("antibiotic_1min_early", "antibiotics", [abx(-5, 59)], True, False),
    ("antibiotic_p_plus_3h", "antibiotics", [abx(23)], True, True),
    ("antibiotic_1min_late", "antibiotics", [abx(23, 1)], True, False),
    ("repeat_lactate_not_needed_at_2_0", "repeat_lactate", [lactate(20, 2.0)], False, None),
    ("repeat_lactate_by_p_plus_6h", "repeat_lactate", [lactate(20, 2.5), lactate(26, 1.0)], True, True),
    ("repeat_lactate_1min_late", "repeat_lactate", [lactate(20, 2.5), lactate(26, 1.0, minutes=1)], True, False),
]


@pytest.mark.parametrize(("name", "extra", "applicable", "met"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_three_and_six_hour_elements(name, extra, applicable, met) -> None:
    e = _element(_severe() + extra, name)
    assert (e.applicable, e.met) == (applicable, met), e.detail


def _shock_by_hypotension(weight: float | None = 70.0, volume: float = 2100.0, second_map: float = 60.0) -> list[Event]:
    evs = [*_severe(), fluid(20, volume, minutes=10), measure("map", 21, 62, 20), measure("map", 21, second_map, 40)]
    fl = evs[4]
    evs[4] = Event(fl.time, "fluid", fl.code, fl.value, "mL", "iv", at(21))  # infused 20:10 → 21:00
    return evs + ([measure("weight_kg", 1, weight)] if weight is not None else [])


def test_persistent_hypotension_makes_septic_shock() -> None:
    report = sep1(_shock_by_hypotension())
    assert report.t_hypotension == P  # SBP 85 at presentation, before the 2100 mL were in
    assert report.t_shock == at(21, 40)  # second consecutive low reading in the hour after the fluids
    assert report.elements["crystalloid"].met is True
    assert report.elements["vasopressors"].applicable is True
    assert report.elements["vasopressors"].met is False


def test_one_low_reading_is_not_persistent() -> None:
    report = sep1(_shock_by_hypotension(second_map=70))
    assert report.t_shock is None
    assert report.elements["vasopressors"].applicable is False


def test_crystalloid_below_target_and_without_weight() -> None:
    assert sep1(_shock_by_hypotension(volume=2099)).elements["crystalloid"].met is False
    no_weight = sep1(_shock_by_hypotension(weight=None)).elements["crystalloid"]
    assert (no_weight.applicable, no_weight.met) == (True, None)
    assert sep1(_shock_by_hypotension(weight=None)).compliant in (None, False)


def test_vasopressor_within_6h_of_shock() -> None:
    shock = _shock_by_hypotension()
    assert sep1([*shock, pressor(27 + 40 / 60, None)]).elements["vasopressors"].met is True
    assert sep1([*shock, pressor(27 + 41 / 60, None)]).elements["vasopressors"].met is False


@pytest.mark.parametrize(("value", "shock"), [(3.9, False), (4.0, True)], ids=["lactate_3_9", "lactate_4_0"])
def test_initial_lactate_4_is_septic_shock(value, shock) -> None:
    report = sep1([*_severe(), lactate(21, value)])
    assert (report.t_shock == at(21)) is shock
    assert report.elements["perfusion_reassessment"].applicable is shock
    assert report.elements["crystalloid"].applicable is True  # initial hypotension (SBP 85) applies anyway


def test_reassessment_documented_after_fluids() -> None:
    events = [*_severe(), lactate(21, 4.5), doc(22, "perfusion_reassessment")]
    assert sep1(events).elements["perfusion_reassessment"].met is True


def test_json_shape_and_version() -> None:
    js = sep1(_shock_by_hypotension()).to_json()
    assert js["bundle"] == "sep1" and js["manual_version"] == MANUAL_VERSION
    assert js["t_shock"] == at(21, 40).isoformat() and js["t_hypotension"] == P.isoformat()
    assert js["compliant"] is False


def test_no_presentation() -> None:
    js = sep1([abx(3), culture(3)]).to_json()
    assert (js["t0"], js["compliant"], js["elements"]) == (None, None, {})


@pytest.mark.parametrize(
    ("start", "met"),
    [((23, 0), True), ((23, 1), False)],
    ids=["crystalloid_started_at_r_plus_3h", "crystalloid_started_1min_late"],
)
def test_crystalloid_window_right_edge(start, met) -> None:
    # initial hypotension at P (SBP 85) → R = P; 30 mL/kg × 70 kg = 2100 mL
    events = [*_severe(), measure("weight_kg", 1, 70), fluid(start[0], 2100, minutes=start[1])]
    e = sep1(events).elements["crystalloid"]
    assert (e.applicable, e.met, e.deadline) == (True, met, at(23))


@pytest.mark.parametrize(
    ("minute", "met"), [(0, True), (1, False)], ids=["reassessed_at_s_plus_6h", "reassessed_1min_late"]
)
def test_reassessment_window_right_edge(minute, met) -> None:
    events = [*_severe(), lactate(21, 4.5), doc(27, "perfusion_reassessment", minutes=minute)]
    e = sep1(events).elements["perfusion_reassessment"]
    assert (e.applicable, e.met, e.deadline) == (True, met, at(27))


# §4.2 (c): each organ-dysfunction criterion, on its edge and just past it (with documentation and 2 SIRS).
ORGAN_EDGES = [
    ("sbp", 90.0, 89.0),
    ("map", 65.0, 64.0),
    ("creatinine", 2.0, 2.1),
    ("bilirubin_total", 2.0, 2.1),
    ("platelets", 100.0, 99.0),
    ("inr", 1.5, 1.6),
    ("ptt", 60.0, 61.0),
    ("lactate", 2.0, 2.1),
]


@pytest.mark.parametrize(("code", "edge", "past"), ORGAN_EDGES, ids=[c[0] for c in ORGAN_EDGES])
def test_organ_dysfunction_edges(code, edge, past) -> None:
    base = [doc(19), measure("heart_rate", 18, 100), measure("resp_rate", 19, 24)]
    assert sep1([*base, measure(code, 20, edge)]).t0 is None
    assert sep1([*base, measure(code, 20, past)]).t0 == P


# §4.2 (b): each SEP-1 SIRS criterion, on its edge and just past it (with documentation, RR > 20, SBP < 90).
SIRS_EDGES = [
    ("heart_rate", 90.0, 91.0),
    ("temp_c", 38.3, 38.4),
    ("temp_c", 36.0, 35.9),
    ("wbc", 12.0, 12.1),
    ("wbc", 4.0, 3.9),
    ("bands_pct", 10.0, 11.0),
]


@pytest.mark.parametrize(
    ("code", "edge", "past"), SIRS_EDGES, ids=["hr", "temp_high", "temp_low", "wbc_high", "wbc_low", "bands"]
)
def test_sirs_edges(code, edge, past) -> None:
    base = [doc(19), measure("resp_rate", 19, 24), measure("sbp", 20, 85)]
    assert sep1([*base, measure(code, 18, edge)]).t0 is None
    assert sep1([*base, measure(code, 18, past)]).t0 == P


def test_resp_rate_edge() -> None:
    base = [doc(19), measure("heart_rate", 18, 100), measure("sbp", 20, 85)]
    assert sep1([*base, measure("resp_rate", 19, 20)]).t0 is None
    assert sep1([*base, measure("resp_rate", 19, 21)]).t0 == P
