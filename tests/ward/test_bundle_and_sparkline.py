"""The bundle checklist (events → scores.sepsis3 → scores.bundles) and the risk sparkline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from sepsiscope.scores.bundles import bundle_status, time_zero
from sepsiscope.scores.sepsis3 import SofaHour
from sepsiscope.service.api.schemas import ObservationOut
from sepsiscope.service.clinical_events import sofa_series
from sepsiscope.service.db.models import Event as EventRow
from sepsiscope.variables.events import validate_event
from sepsiscope.ward.bundle import canonical_events, checklist
from sepsiscope.ward.sparkline import HEIGHT, PAD, WIDTH, sparkline

T = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
_seq = count(1)


def at(minutes: int) -> datetime:
    return T + timedelta(minutes=minutes)


def row(minutes: int, kind: str, **fields: Any) -> EventRow:
    n = next(_seq)
    return EventRow(id=f"e{n}", seq=n, patient_id="p1", time=at(minutes), kind=kind, received_at=T, **fields)


def obs(minutes: int, variable: str, value: float) -> ObservationOut:
    return ObservationOut(id=f"o-{variable}-{minutes}", variable=variable, value=value, unit=None, time=at(minutes),
                          received_at=T, sent_value=value, sent_unit=None)  # fmt: skip


def test_api_events_become_valid_canonical_events() -> None:
    rows = [
        row(600, "vasopressor_started", drug="norepinephrine", rate=0.1, rate_unit="ug/kg/min"),
        row(630, "vasopressor_started", drug="norepinephrine", rate=0.2, rate_unit="ug/kg/min"),  # a new rate
        row(660, "vasopressor_stopped", drug="norepinephrine"),
        row(670, "vasopressor_stopped", drug="vasopressin"),  # never started: nothing to end
        row(100, "blood_culture_drawn"),
        row(101, "blood_culture_drawn", specimen="urine"),
        row(110, "antibiotic_given", drug="ceftriaxone", route="iv"),
        row(105, "antibiotic_ordered", drug="ceftriaxone"),
        row(120, "fluid_bolus", fluid="lactated_ringers", volume_ml=500.0),
        row(130, "ventilation_started"),
    ]
    events = canonical_events(rows, [obs(90, "lactate", 4.5), obs(90, "heart_rate", 120.0)], admitted_at=T)
    for e in events:
        validate_event(e)
    runs = [(e.time, e.end, e.value) for e in events if e.kind == "vasopressor"]
    assert runs == [(at(600), at(630), 0.1), (at(630), at(660), 0.2)]
    assert [e.code for e in events if e.kind == "culture"] == ["blood", "urine"]
    assert [(e.kind, e.code) for e in events if e.kind in ("antibiotic", "antibiotic_order")] == [
        ("antibiotic_order", "ceftriaxone"), ("antibiotic", "ceftriaxone")]  # fmt: skip
    assert [(e.code, e.value) for e in events if e.kind == "measurement"] == [("lactate", 4.5)]  # not heart rate
    assert [e.code for e in events if e.kind == "encounter"] == ["hospital_admission"]
    assert not [e for e in events if e.kind == "ventilation"]
    assert events == sorted(events, key=lambda e: (e.time, e.kind, e.code))


def test_sofa_series_labels_hours_by_their_end() -> None:
    h = [T + timedelta(hours=n) for n in range(4)]
    assert sofa_series([(h[0], 3), (h[1], None), (h[2], 2.0)]) == [SofaHour(h[1], 3), SofaHour(h[2], None),
                                                                   SofaHour(h[3], 2)]  # fmt: skip


#: Culture 01:40, IV antibiotic 02:10 (suspected infection at 01:40), lactate 4.5 and SBP 85 at
#: 01:50, SOFA 3 from the hour ending 02:00: time zero 01:40, everything due by 02:40.
SCENARIO_ROWS = [row(100, "blood_culture_drawn"), row(130, "antibiotic_given", drug="ceftriaxone", route="iv")]
SCENARIO_OBS = [obs(110, "lactate", 4.5), obs(110, "sbp", 85.0)]
SCENARIO_SOFA = sofa_series([(T + timedelta(hours=h), 0 if h < 1 else 3) for h in range(5)])


_DONE = {"lactate": "done", "blood_cultures": "done", "antibiotics": "done", "vasopressors": "not_needed",
         "lactate_remeasure": "open"}  # fmt: skip


@pytest.mark.parametrize(
    ("now_min", "fluids", "clock"),
    [
        (140, "open", "20 min left (due 02:40 UTC)"),
        (159, "open", "1 min left (due 02:40 UTC)"),
        (160, "missed", "not done by 02:40 UTC"),
        (170, "missed", "overdue by 10 min (due 02:40 UTC)"),
    ],
    ids=["02:20_due", "02:39_last_minute", "02:40_deadline_passed", "02:50_overdue"],
)
def test_checklist_clocks(now_min: int, fluids: str, clock: str) -> None:
    events = canonical_events(SCENARIO_ROWS, SCENARIO_OBS, None)
    c = checklist(events, SCENARIO_SOFA, at(now_min))
    assert c.report.t0 == at(100) and c.t_onset == at(100)
    assert {s.name: s.status for s in c.steps} == {**_DONE, "fluids": fluids}
    # the very objects of the one definition (no rule restated here)
    assert c.report == bundle_status(events, time_zero(events, at(100)), at(now_min))
    steps = {s.name: s for s in c.steps}
    assert steps["fluids"].clock == clock
    assert steps["antibiotics"].clock == "done at 02:10 UTC (due 02:40)"


def test_no_time_zero_without_a_sofa_rise() -> None:
    events = canonical_events(SCENARIO_ROWS, SCENARIO_OBS, None)
    flat = sofa_series([(T + timedelta(hours=h), 0) for h in range(5)])
    c = checklist(events, flat, at(200))
    assert c.report.t0 is None and c.steps == [] and [e.t_si for e in c.episodes] == [at(100)]


def test_sparkline_empty_and_threshold_in_view() -> None:
    s = sparkline([], 0.05, T)
    assert s.points == "" and s.last is None and s.label == "No model risk in the last 24 h"
    assert s.threshold_y is not None and PAD <= s.threshold_y <= HEIGHT - PAD


def test_sparkline_spans_24_hours_and_says_the_numbers() -> None:
    end = T + timedelta(hours=24)
    s = sparkline([(T, 0.02), (T + timedelta(hours=12), 0.10), (end, 0.04)], 0.05, end)
    xs = [float(p.split(",")[0]) for p in s.points.split()]
    assert xs == [PAD, WIDTH / 2, WIDTH - PAD]
    ys = [float(p.split(",")[1]) for p in s.points.split()]
    assert min(ys) == ys[1] and all(PAD <= y <= HEIGHT - PAD for y in ys)  # the highest risk is highest up
    assert s.label == "Model risk, last 24 h: 2.0 % to 4.0 %, highest 10.0 %; alert threshold 5.0 %"
    assert s.threshold_y is not None and ys[1] < s.threshold_y < ys[0]  # 10 % above the line, 2 % below


def test_sparkline_clamps_points_outside_the_window() -> None:
    s = sparkline([(T - timedelta(hours=30), 0.0)], None, T)
    assert s.points == f"{PAD},{HEIGHT - PAD}" and s.threshold_y is None
