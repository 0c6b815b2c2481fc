"""Patients and trajectories: the drawn patient and course keep the model's stated ranges."""

from __future__ import annotations

import numpy as np
import pytest

from sepsiscope.synth.charting import avpu
from sepsiscope.synth.patients import INFECTIVE, draw_patient
from sepsiscope.synth.trajectories import LAB_LAG_H, draw_course

INFECTIVE_SOURCES = {source for source, *_ in INFECTIVE}


@pytest.mark.parametrize("seed", range(40))
def test_septic_patients_have_an_infective_admission_and_no_chronic_oxygen(seed: int) -> None:
    patient = draw_patient(np.random.default_rng(seed), septic=True)
    assert patient.label.rsplit(", day ", 1)[0] in INFECTIVE_SOURCES
    assert not patient.chronic_o2
    assert 18 <= patient.age <= 95 and patient.sex in ("female", "male")


def test_stable_patients_are_sometimes_not_infective() -> None:
    sources = {draw_patient(np.random.default_rng(s), septic=False).label.rsplit(", day ", 1)[0] for s in range(60)}
    assert sources - INFECTIVE_SOURCES and sources & INFECTIVE_SOURCES


@pytest.mark.parametrize("hours", [24, 36, 48, 96])
@pytest.mark.parametrize("seed", range(10))
def test_onset_window_and_lagged_labs(hours: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    course = draw_course(rng, draw_patient(rng, septic=True), "sepsis", hours)
    lo = max(8, round(0.3 * hours))
    assert course.onset_hour is not None and lo <= course.onset_hour <= max(lo, min(round(0.7 * hours), hours - 12))
    assert course.shock_hour is None and not course.on_norepi.any()
    lag = LAB_LAG_H
    np.testing.assert_allclose(course.s_lab[lag:], course.s[:-lag])


@pytest.mark.parametrize("seed", range(10))
def test_shock_hour_is_the_first_norepinephrine_hour(seed: int) -> None:
    rng = np.random.default_rng(seed)
    course = draw_course(rng, draw_patient(rng, septic=True), "septic_shock", 48)
    assert course.onset_hour is not None and course.shock_hour is not None
    assert 2 <= course.shock_hour - course.onset_hour <= 7
    assert int(np.flatnonzero(course.on_norepi)[0]) + 1 == course.shock_hour


def test_stable_course_is_flat() -> None:
    rng = np.random.default_rng(0)
    course = draw_course(rng, draw_patient(rng, septic=False), "stable", 30)
    assert course.onset_hour is None and course.shock_hour is None
    assert not course.s.any() and not course.circ.any() and not course.intubated.any()


@pytest.mark.parametrize(
    ("gcs", "level"), [(15, "A"), (14, "C"), (13, "C"), (12, "V"), (9, "V"), (8, "P"), (6, "P"), (5, "U"), (3, "U")]
)
def test_avpu_from_gcs(gcs: float, level: str) -> None:
    assert avpu(gcs) == level
