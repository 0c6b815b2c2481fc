"""When things are charted on the synthetic ward: the measurement schedule of every stay.

**Everything here is made up** (see :mod:`sepsiscope.synth.ward`). Vitals hourly with random
missing hours in ICU, every 2-4 h on the ward (hourly once severity is high), temperature and
consciousness/GCS about every 4 h, labs every 12-24 h (6-8 h once deteriorating), blood gases
rare (some ICU patients, and ward patients only once severely ill). A sepsis work-up (vitals,
labs, lactate) is charted at ``onset_hour``; a septic-shock patient is in ICU-level care
(hourly observations) from ``shock_hour - 2`` and has lactate measured at ``shock_hour``.

This module decides only *when*; what the values are is :mod:`sepsiscope.synth.charting`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sepsiscope.synth.patients import Patient
from sepsiscope.synth.trajectories import BoolArray, Course, Physiology

Interval = Callable[[int], object]  # hour -> hours to the next measurement (an int or numpy integer)


@dataclass(frozen=True)
class Schedule:
    """Boolean masks over hours 1..n: which hour has which measurement charted."""

    vitals: BoolArray
    heart_rate: BoolArray
    resp_rate: BoolArray
    spo2: BoolArray
    bp: BoolArray
    temp: BoolArray
    neuro: BoolArray
    gcs: BoolArray
    labs: BoolArray
    bilirubin: BoolArray
    gases: BoolArray
    lactate: BoolArray


def visits(n: int, first: int, step: Interval) -> BoolArray:
    """Hours (1-based) visited from ``first`` by repeatedly adding ``step(hour)``."""
    taken = np.zeros(n, dtype=bool)
    h = first
    while h <= n:
        taken[h - 1] = True
        h += int(step(h))  # type: ignore[call-overload]
    return taken


def every(candidates: BoolArray, interval: Interval) -> BoolArray:
    """Among ``candidates``, take one whenever ``interval(hour)`` hours have passed."""
    taken = np.zeros(len(candidates), dtype=bool)
    due = 0
    for idx in np.flatnonzero(candidates):
        h = int(idx) + 1
        if h >= due:
            taken[idx] = True
            due = h + int(interval(h))  # type: ignore[call-overload]
    return taken


def draw_schedule(rng: np.random.Generator, patient: Patient, course: Course, physiology: Physiology) -> Schedule:
    """Draw the hours each measurement is charted (more often as the patient looks worse)."""
    t, s, s_lab = course.t, course.s, course.s_lab
    onset, shock_hour, intubated, icu = course.onset_hour, course.shock_hour, course.intubated, patient.icu
    n = len(t)
    forced = np.zeros(n, dtype=bool)
    forced[0] = True
    icu_now = np.full(n, icu)
    if onset is not None:
        forced[onset - 1] = True
    if shock_hour is not None:
        icu_now |= t >= shock_hour - 2
        forced[(t >= shock_hour - 2) & (t <= shock_hour)] = True

    def obs_step(h: int) -> int:
        if icu_now[h - 1] or s[h - 1] >= 0.6:
            return 1
        return int(rng.integers(1, 3)) if s[h - 1] >= 0.25 else int(rng.integers(2, 5))

    vitals = visits(n, 1, obs_step) | forced
    vitals &= ~(icu_now & (rng.random(n) < 0.12)) | forced
    measured = {v: vitals & ((rng.random(n) >= 0.03) | forced) for v in ("heart_rate", "resp_rate", "spo2", "bp")}
    temp_at = every(vitals, lambda h: rng.integers(3, 6) if s[h - 1] < 0.5 else rng.integers(2, 4))
    neuro_at = every(vitals, lambda h: rng.integers(3, 6) if s[h - 1] < 0.5 else rng.integers(2, 4))
    gcs_at = neuro_at & (icu_now | (rng.random(n) < 0.5) | (physiology.gcs < 15))

    first_lab = 1 if rng.random() < 0.85 else int(rng.integers(2, 9))
    labs = visits(n, first_lab, lambda h: rng.integers(12, 25) if s_lab[h - 1] < 0.3 else rng.integers(6, 9))
    if onset is not None:
        labs[onset - 1] = True
    bili_at = labs & ((rng.random(n) < 0.7) | (t == (onset or 0)))

    sick = (s >= 0.5) | intubated
    gas_first = 1 if (icu and rng.random() < 0.6) else int(rng.integers(2, 13))
    gas_rows = visits(n, gas_first, lambda h: rng.integers(4, 9) if sick[h - 1] else rng.integers(12, 25))
    gases = gas_rows & (icu_now | sick)
    if onset is not None and rng.random() < 0.5:
        gases[onset - 1] = True

    lactate_at = gases.copy()
    lactate_at[0] |= rng.random() < 0.3
    if onset is not None:
        after = visits(n, onset, lambda h: rng.integers(3, 7)) & (t <= onset + 24)
        lactate_at |= after
    if shock_hour is not None:
        lactate_at[shock_hour - 1] = True
    return Schedule(
        vitals=vitals,
        heart_rate=measured["heart_rate"],
        resp_rate=measured["resp_rate"],
        spo2=measured["spo2"],
        bp=measured["bp"],
        temp=temp_at,
        neuro=neuro_at,
        gcs=gcs_at,
        labs=labs,
        bilirubin=bili_at,
        gases=gases,
        lactate=lactate_at,
    )
