"""How a synthetic stay unfolds: the trajectory's severity over time and the bedside physiology it drives.

**Everything here is made up** (see :mod:`sepsiscope.synth.ward`). One of three trajectories:

* ``stable``: a severity of 0 throughout. Values wander around the baseline (AR(1) noise);
  chronic abnormalities (fast atrial fibrillation, COPD on low-flow oxygen) stay as they are.
* ``sepsis``: a latent severity ``s(t)`` in [0, 1] follows a logistic curve centred
  4 h before ``onset_hour`` (time constant 2.5-3.5 h; peak 0.7-1), so physiology drifts
  for roughly 8-12 h before onset and is at about 80 % of its peak at onset: heart rate
  and respiratory rate rise, temperature rises (or, in about one in five, falls), MAP
  and systolic pressure fall, SpO2 on air falls and supplemental O2 is started with
  FiO2 titrated to the deficit, WBC rises (or falls), lactate rises, and — lagging
  :data:`LAB_LAG_H` hours behind — platelets fall and creatinine and bilirubin rise.
  Confusion (GCS < 15, ACVPU not "A") appears late, once ``s`` exceeds :data:`NEURO_FROM`.
  The admission's organ weights (:mod:`sepsiscope.synth.patients`) scale each organ.
  10-19 h after onset (treatment) the severity decays slowly. ``onset_hour`` is the
  model's Sepsis-3 onset (shared/docs/clinical/adult-scores.md §3.5): by then organ
  dysfunction is usually visible (SOFA ≥ 2 in the 24-h window).
* ``septic_shock``: sepsis as above, and then circulatory failure
  (adult-scores.md §3.7): MAP is < 65 mmHg from ``shock_hour - 2``; norepinephrine is
  started at ``shock_hour`` and titrated up over a few hours, heart rate and lactate rise
  further, GCS drops, and some patients (mostly pneumonias) are intubated. Under
  norepinephrine MAP recovers to about 65-72 mmHg; once the patient improves the drug is
  weaned and stopped. ``shock_hour`` (2-7 h after onset) is the first hour with
  norepinephrine > 0. The excess lactate clears with a half-life of about 6 h once
  perfusion is restored.

The severity, the shock and the treatment are the :class:`Course`; the latent (not yet
charted) vital signs are the :class:`Physiology`. Labs and charting: :mod:`sepsiscope.synth.charting`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sepsiscope.synth.patients import Patient

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

TRAJECTORIES: tuple[str, str, str] = ("stable", "sepsis", "septic_shock")
#: Organ labs (platelets, creatinine, bilirubin, WBC) follow the bedside severity this late.
LAB_LAG_H = 2
#: Confusion appears only once the severity passes this (late sign).
NEURO_FROM = 0.6
#: Charted FiO2 steps (nasal cannula 1-4 L/min, then masks).
FIO2_STEPS = np.array([0.24, 0.28, 0.32, 0.36, 0.40, 0.50, 0.60, 0.80])


@dataclass(frozen=True)
class Course:
    """The trajectory hour by hour (arrays over hours 1..n; ``t`` is the hour as float).

    ``s``: sepsis severity 0-1; ``s_lab``: the same, :data:`LAB_LAG_H` hours later;
    ``circ``: circulatory failure 0-1; ``norepi``: dose (NaN = none); ``intubated``;
    ``clearance``: the share of shock lactate not yet cleared. ``onset_hour`` and
    ``shock_hour`` are ``None`` when the trajectory has none.
    """

    trajectory: str
    onset_hour: int | None
    shock_hour: int | None
    t: FloatArray
    s: FloatArray
    s_lab: FloatArray
    circ: FloatArray
    norepi: FloatArray
    on_norepi: BoolArray
    intubated: BoolArray
    clearance: FloatArray


@dataclass(frozen=True)
class Physiology:
    """Latent bedside values every hour, before charting: what a monitor would show."""

    hr: FloatArray
    rr: FloatArray
    temp: FloatArray
    spo2: FloatArray
    on_o2: BoolArray
    fio2: FloatArray
    map: FloatArray
    pp: FloatArray
    gcs: FloatArray


def ar1(rng: np.random.Generator, n: int, sd: float, phi: float = 0.7) -> FloatArray:
    """Stationary AR(1) noise with marginal standard deviation ``sd``."""
    z = rng.normal(0.0, sd, n)
    out = np.empty(n)
    out[0] = z[0]
    innov = math.sqrt(1.0 - phi * phi)
    for i in range(1, n):
        out[i] = phi * out[i - 1] + innov * z[i]
    return out


def draw_course(rng: np.random.Generator, patient: Patient, trajectory: str, hours: int) -> Course:
    """Draw onset, severity, shock, vasopressor and intubation of one stay of ``hours`` hours."""
    n = hours
    t = np.arange(1, n + 1, dtype=float)
    septic = trajectory != "stable"
    shock = trajectory == "septic_shock"
    onset = shock_hour = None
    s = np.zeros(n)
    circ = np.zeros(n)  # circulatory failure, 0-1
    norepi = np.full(n, np.nan)
    intubated = np.zeros(n, dtype=bool)
    if septic:
        lo = max(8, round(0.3 * hours))
        hi = max(lo, min(round(0.7 * hours), hours - 12))
        onset = int(rng.integers(lo, hi + 1))
        tau = rng.uniform(2.5, 3.5)
        peak = 1.0 if shock else rng.uniform(0.7, 1.0)
        s = peak / (1.0 + np.exp(-(t - (onset - 4)) / tau))
        recover_from = onset + int(rng.integers(10, 20))
        if shock:
            shock_hour = onset + int(rng.integers(2, 8))
            circ = np.clip((t - (shock_hour - 3)) / 2.0, 0.0, 1.0)
            d0, top = rng.uniform(0.05, 0.10), rng.uniform(0.12, 0.45)
            ramp = int(rng.integers(2, 6))
            wean = shock_hour + int(rng.integers(8, 16))
            recover_from = wean
            for h in range(shock_hour, n + 1):
                k = h - shock_hour
                dose = d0 + (top - d0) * min(k / ramp, 1.0)
                if h >= wean:
                    dose = top * 0.8 ** (h - wean + 1)
                if dose < 0.03:
                    break
                norepi[h - 1] = max(round(dose, 2), 0.01)
            if rng.random() < (0.55 if patient.lung >= 1.0 else 0.15):
                intubation = shock_hour + int(rng.integers(0, 4))
                intubated = t >= intubation
        decay = np.where(t > recover_from, np.exp(-(t - recover_from) / rng.uniform(18, 36)), 1.0)
        s = s * decay
        circ = circ * decay
    s_lab = np.interp(t - LAB_LAG_H, t, s)  # organ labs lag the bedside picture
    on_norepi = ~np.isnan(norepi)
    # Once perfusion is restored, the excess lactate of shock clears (half-life ~6 h).
    clearance = np.ones(n)
    if shock_hour is not None:
        clearance = np.where(t > shock_hour + 3, 0.5 ** ((t - shock_hour - 3) / 6.0), 1.0)
    return Course(trajectory, onset, shock_hour, t, s, s_lab, circ, norepi, on_norepi, intubated, clearance)


def latent_physiology(rng: np.random.Generator, patient: Patient, course: Course) -> Physiology:
    """The bedside values the patient's baseline and the course produce, every hour."""
    p, t, s, circ, intubated = patient, course.t, course.s, course.circ, course.intubated
    n = len(t)
    hr = p.hr0 + 32 * s * p.f_hr + 18 * circ + ar1(rng, n, 4.0)
    rr = p.rr0 + 10 * s * max(p.f_rr, p.f_lung) + 4 * circ + ar1(rng, n, 1.2)
    rr = np.where(intubated, rng.integers(16, 22) + ar1(rng, n, 1.0), rr)
    temp = p.temp0 + p.temp_shift * s + ar1(rng, n, 0.15)
    spo2_trend = p.spo2_0 - 9 * s * p.f_lung - 2 * circ
    spo2_air = spo2_trend + ar1(rng, n, 0.8)
    on_o2 = np.maximum.accumulate(spo2_trend < 94.0) | p.chronic_o2 | intubated
    deficit = np.maximum(0.0, 96.0 - spo2_air)
    step_idx = np.searchsorted(FIO2_STEPS, 0.24 + 0.025 * deficit - 1e-9).clip(0, len(FIO2_STEPS) - 1)
    fio2_now = np.where(on_o2, FIO2_STEPS[step_idx], 0.21)
    fio2_now = np.where(intubated, np.maximum(fio2_now, 0.40), fio2_now)
    if p.chronic_o2:
        fio2_now = np.where(spo2_air > 88.0, rng.choice([0.24, 0.28]), fio2_now)
    spo2 = spo2_air + np.where(on_o2, np.where(intubated, 0.9, 0.7) * deficit + ar1(rng, n, 0.8), 0.0)

    map_ = np.maximum(p.map0 - 18 * s * p.f_circ, 71.0) + ar1(rng, n, 3.0)  # fluids hold it outside shock
    if course.shock_hour is not None:
        shock_hour = course.shock_hour
        hypotensive = (t >= shock_hour - 2) & (t <= shock_hour)
        map_ = np.where(hypotensive, np.clip(rng.normal(57.0, 2.5, n), 50, 61), map_)
        supported = course.on_norepi & (t > shock_hour)
        map_ = np.where(supported, np.maximum(68.0 + ar1(rng, n, 2.5), 65.0), map_)
    pp = np.clip(p.pp0 + 6 * s + ar1(rng, n, 3.0), 22, 100)

    gcs_drop = p.f_neuro * 5 * np.clip((s - NEURO_FROM) / (1 - NEURO_FROM), 0, 1) + 2.5 * circ
    gcs = np.clip(15 - np.round(gcs_drop + np.abs(rng.normal(0, 0.2, n))), 3, 15)
    return Physiology(hr=hr, rr=rr, temp=temp, spo2=spo2, on_o2=on_o2, fio2=fio2_now, map=map_, pp=pp, gcs=gcs)
