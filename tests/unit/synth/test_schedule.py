"""Measurement schedule: the two visiting rules, and what is always charted at onset and in shock."""

from __future__ import annotations

import numpy as np
import pytest

from sepsiscope.synth.patients import draw_patient
from sepsiscope.synth.schedule import draw_schedule, every, visits
from sepsiscope.synth.trajectories import draw_course, latent_physiology


@pytest.mark.parametrize(
    ("n", "first", "step", "hours"),
    [
        (6, 1, 1, [1, 2, 3, 4, 5, 6]),
        (6, 2, 3, [2, 5]),
        (7, 2, 3, [2, 5]),
        (8, 2, 3, [2, 5, 8]),  # the last hour is reachable
        (6, 6, 4, [6]),
        (6, 7, 1, []),  # first beyond the stay: nothing
    ],
)
def test_visits(n: int, first: int, step: int, hours: list[int]) -> None:
    assert (np.flatnonzero(visits(n, first, lambda h: step)) + 1).tolist() == hours


@pytest.mark.parametrize(
    ("candidates", "interval", "hours"),
    [
        ([1, 2, 3, 4, 5, 6], 2, [1, 3, 5]),
        ([1, 2, 4, 7], 3, [1, 4, 7]),  # hour 2 is too soon after 1; 4 is exactly due
        ([1, 3, 4, 7], 3, [1, 4, 7]),  # 3 is one short of due
        ([], 2, []),
    ],
)
def test_every(candidates: list[int], interval: int, hours: list[int]) -> None:
    mask = np.zeros(8, dtype=bool)
    mask[[h - 1 for h in candidates]] = True
    assert (np.flatnonzero(every(mask, lambda h: interval)) + 1).tolist() == hours


@pytest.mark.parametrize("seed", range(12))
def test_work_up_at_onset_and_shock(seed: int) -> None:
    rng = np.random.default_rng(seed)
    patient = draw_patient(rng, septic=True)
    course = draw_course(rng, patient, "septic_shock", 48)
    schedule = draw_schedule(rng, patient, course, latent_physiology(rng, patient, course))
    assert course.onset_hour is not None and course.shock_hour is not None
    onset, shock = course.onset_hour - 1, course.shock_hour - 1
    assert schedule.vitals[0] and schedule.vitals[onset] and schedule.labs[onset] and schedule.bilirubin[onset]
    assert schedule.vitals[shock - 2 : shock + 1].all()  # hourly from shock_hour - 2
    assert schedule.lactate[shock]
    for name in ("heart_rate", "resp_rate", "spo2", "bp", "temp", "neuro", "gcs"):
        assert not (getattr(schedule, name) & ~schedule.vitals).any(), name  # charted only at a vitals round
