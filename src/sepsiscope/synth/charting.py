"""What the synthetic chart shows: latent physiology turned into charted values at the scheduled hours.

**Everything here is made up** (see :mod:`sepsiscope.synth.ward`). At charted hours every
patient has occasional isolated abnormal readings (a fast pulse after mobilising, a transient
SpO2 dip, a single febrile temperature, a low systolic pressure), i.e. realistic false alarms.
Blood pressure is charted as systolic/diastolic/mean from MAP and pulse pressure; PaO2 and
SaO2 follow SpO2 along the Severinghaus (1979) curve; labs drift with the lagged severity and
carry multiplicative noise; a septic-shock patient's lactate is > 2 mmol/L around
``shock_hour`` (adult-scores.md §3.7). Every value is rounded the way it is charted and clipped
to its plausible range from ``variables.toml``; missing is ``None``, never NaN.
"""

from __future__ import annotations

import numpy as np

from sepsiscope.synth.patients import Patient
from sepsiscope.synth.schedule import Schedule
from sepsiscope.synth.trajectories import BoolArray, Course, FloatArray, Physiology
from sepsiscope.variables.registry import REGISTRY

#: Severinghaus (1979) SpO2-PaO2 curve, used to keep PaO2 consistent with SpO2.
_PAO2_GRID = np.linspace(15.0, 700.0, 1400)
_SAT_GRID = 100.0 / (23400.0 / (_PAO2_GRID**3 + 150.0 * _PAO2_GRID) + 1.0)


def avpu(gcs: float) -> str:
    """The ACVPU level charted with a GCS (A at 15, C 13-14, V 9-12, P 6-8, U below)."""
    if gcs >= 15:
        return "A"
    if gcs >= 13:
        return "C"
    if gcs >= 9:
        return "V"
    if gcs >= 6:
        return "P"
    return "U"


def _clip_to_registry(name: str, values: FloatArray) -> FloatArray:
    var = REGISTRY[name]
    return np.clip(values, var.min, var.max)


def chart(
    rng: np.random.Generator, patient: Patient, course: Course, physiology: Physiology, schedule: Schedule
) -> dict[str, list[object]]:
    """Charted values of one stay, one list per table column (``None`` = not charted that hour)."""
    p, t, s, s_lab, circ = patient, course.t, course.s, course.s_lab, course.circ
    intubated, shock_hour = course.intubated, course.shock_hour
    hr, rr, spo2, temp = physiology.hr, physiology.rr, physiology.spo2, physiology.temp
    map_, pp, gcs, on_o2 = physiology.map, physiology.pp, physiology.gcs, physiology.on_o2
    vitals, gases = schedule.vitals, schedule.gases
    n = len(t)

    # --- isolated abnormal readings (false alarms), at charted hours only
    spike = vitals & (rng.random(n) < 0.03)
    kind = rng.integers(0, 5, n)
    size = rng.uniform(0.0, 1.0, n)
    hr = hr + np.where(spike & (kind == 0), 18 + 12 * size, 0.0)
    rr = rr + np.where(spike & (kind == 1), 5 + 3 * size, 0.0)
    spo2 = spo2 - np.where(spike & (kind == 2), 3 + 2 * size, 0.0)
    temp = temp + np.where(spike & (kind == 3), 0.9 + 0.5 * size, 0.0)
    sbp_drop = np.where(spike & (kind == 4), 15 + 10 * size, 0.0)

    # --- charted values
    sbp = np.round(map_ + 2 * pp / 3 - sbp_drop)
    dbp = np.round(map_ - pp / 3)
    sbp = np.maximum(sbp, dbp + 10)
    mean_ap = np.round((sbp + 2 * dbp) / 3)
    spo2_obs = np.clip(np.round(spo2), 70, 100)
    pao2 = np.asarray(
        np.interp(np.clip(spo2 + rng.normal(0, 0.4, n), 70, 99.6), _SAT_GRID, _PAO2_GRID), dtype=np.float64
    )
    pao2 = np.clip(pao2 + rng.normal(0, 4, n), 40.0, 600.0).round()
    sao2 = np.clip(np.interp(pao2, _PAO2_GRID, _SAT_GRID) + rng.normal(0, 0.5, n), 70.0, 100.0).round(1)
    paco2 = np.where(
        intubated, 40 + rng.normal(0, 3, n), p.paco2_0 - 8 * s * max(p.f_lung, 0.5) + rng.normal(0, 1.5, n)
    )
    paco2 = np.round(np.clip(paco2, 22, 70))

    noise = rng.lognormal(0.0, np.array([[0.05], [0.05], [0.05], [0.08], [0.08]]), (5, n))
    wbc = (p.wbc0 + 9 * s_lab * p.f_wbc if p.wbc_up else p.wbc0 * (1 - 0.55 * s_lab)) * noise[0]
    platelets = p.plt0 * (1 - 0.55 * s_lab * p.f_coag - 0.2 * circ) * noise[1]
    creatinine = (p.cr0 + 1.5 * s_lab * max(p.f_kidney, 0.6) + 1.0 * circ) * noise[2]
    bilirubin = (p.bili0 + 1.2 * s_lab * max(p.f_liver, 0.4)) * noise[3]
    lactate = (p.lac0 + 1.8 * s * p.f_lac + rng.uniform(2.0, 4.0) * circ * course.clearance) * noise[4]
    if shock_hour is not None:
        shock_lactate = (t >= shock_hour - 2) & (t <= shock_hour + 6)
        lactate = np.where(shock_lactate, np.maximum(lactate, 2.3), lactate)
    ph = 7.40 - 0.04 * (lactate - 1.0) + 0.008 * (40 - paco2) + rng.normal(0, 0.015, n)

    def keep(values: FloatArray, at: BoolArray, name: str, decimals: int) -> list[object]:
        clipped = _clip_to_registry(name, np.round(values, decimals))
        return [float(v) if ok else None for v, ok in zip(clipped, at, strict=True)]

    fio2_at = gases | (vitals & on_o2 & (rng.random(n) < 0.5))
    vent_at = gases | (vitals & intubated)
    return {
        "heart_rate": keep(np.clip(hr, 30, 220), schedule.heart_rate, "heart_rate", 0),
        "resp_rate": keep(np.clip(rr, 6, 50), schedule.resp_rate, "resp_rate", 0),
        "temp_c": keep(np.clip(temp, 33, 42), schedule.temp, "temp_c", 1),
        "sbp": keep(np.clip(sbp, 50, 240), schedule.bp, "sbp", 0),
        "dbp": keep(np.clip(dbp, 25, 140), schedule.bp, "dbp", 0),
        "map": keep(np.clip(mean_ap, 35, 170), schedule.bp, "map", 0),
        "spo2": keep(spo2_obs, schedule.spo2, "spo2", 0),
        "fio2": keep(physiology.fio2, fio2_at, "fio2", 2),
        "pao2": keep(pao2, gases, "pao2", 0),
        "paco2": keep(paco2, gases, "paco2", 0),
        "ph": keep(np.clip(ph, 7.0, 7.6), gases, "ph", 2),
        "sao2": keep(sao2, gases, "sao2", 1),
        "wbc": keep(np.clip(wbc, 0.5, 60), schedule.labs, "wbc", 1),
        "platelets": keep(np.clip(platelets, 10, 900), schedule.labs, "platelets", 0),
        "creatinine": keep(np.clip(creatinine, 0.3, 12), schedule.labs, "creatinine", 2),
        "bilirubin_total": keep(np.clip(bilirubin, 0.1, 30), schedule.bilirubin, "bilirubin_total", 1),
        "lactate": keep(np.clip(lactate, 0.3, 20), schedule.lactate, "lactate", 1),
        "supplemental_o2": [bool(o) if v else None for o, v in zip(on_o2, vitals, strict=True)],
        "ventilated": [bool(v) if at else None for v, at in zip(intubated, vent_at, strict=True)],
        "gcs": keep(gcs, schedule.gcs, "gcs", 0),
        "consciousness": [avpu(g) if at else None for g, at in zip(gcs, schedule.neuro, strict=True)],
        "norepinephrine": keep(np.nan_to_num(course.norepi), course.on_norepi, "norepinephrine", 2),
        "age_years": keep(np.full(n, p.age), np.ones(n, dtype=bool), "age_years", 0),
        "sex": [p.sex] * n,
    }
