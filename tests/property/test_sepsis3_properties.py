"""Invariants of the Sepsis-3 rules (adult-scores.md §3) on generated patients."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from sepsiscope.scores.sepsis3 import BASELINES, onset, shock_hours, suspected_infection
from sepsiscope.scores.sepsis3.onset import WINDOW_AFTER
from tests.clinical.sepsis3_helpers import abx, at, culture, lactate, pressor, sofa_series

minutes = st.integers(min_value=0, max_value=120 * 60)
events = st.lists(
    st.one_of(
        minutes.map(lambda m: abx(0, m)),
        minutes.map(lambda m: abx(0, m, route="oral")),
        minutes.map(lambda m: culture(0, m)),
        minutes.map(lambda m: culture(0, m, specimen="urine")),
    ),
    max_size=8,
)
sofa = st.lists(st.one_of(st.none(), st.integers(0, 24)), min_size=0, max_size=140)


@given(events, events)
def test_adding_events_never_removes_an_episode(base, extra) -> None:
    before = {e.t_si for e in suspected_infection(base)}
    after = {e.t_si for e in suspected_infection(base + extra)}
    assert before <= after


@given(events, sofa, st.sampled_from(BASELINES))
def test_onset_never_after_tsi_and_tsofa_inside_window(evs, totals, baseline) -> None:
    for o in onset(suspected_infection(evs), sofa_series(totals), baseline=baseline):
        if o.t_onset is None:
            continue
        assert o.t_onset <= o.t_si
        assert o.t_sofa is not None and o.t_sofa <= o.t_si + WINDOW_AFTER
        assert o.delta_sofa is not None and o.delta_sofa >= 2


@given(st.integers(0, 40), st.integers(0, 40), st.floats(0.5, 6.0), st.integers(0, 40))
def test_shock_implies_sepsis_pressor_and_high_lactate(onset_h, pressor_h, value, lactate_h) -> None:
    hours = [at(h) for h in range(1, 50)]
    evs = [pressor(pressor_h, None), lactate(lactate_h, value)]
    for h in shock_hours(evs, hours, at(onset_h)):
        if h.septic_shock:
            assert h.sepsis and h.vasopressor and h.lactate is not None and h.lactate > 2.0
            assert h.time >= at(pressor_h) + timedelta(minutes=60)


bundle_events = st.lists(
    st.one_of(
        minutes.map(lambda m: abx(0, m)),
        minutes.map(lambda m: culture(0, m)),
        st.tuples(minutes, st.floats(0.5, 8.0)).map(lambda t: lactate(0, round(t[1], 1), minutes=t[0])),
    ),
    max_size=8,
)


@given(bundle_events, st.integers(0, 100 * 60), bundle_events)
def test_bundle_all_or_none_and_later_events_change_nothing(evs, t0_min, later) -> None:
    from sepsiscope.scores.bundles import ssc_hour1

    t0 = at(0, t0_min)
    report = ssc_hour1(evs, t0)
    applicable = [e for e in report.elements.values() if e.applicable]
    assert (report.compliant is True) == (all(e.met is True for e in applicable))
    deadline = max(e.deadline for e in [*report.elements.values(), *report.separate.values()])
    after = [replace(e, time=deadline + timedelta(minutes=1)) for e in later]
    assert ssc_hour1(evs + after, t0) == report
