"""Seeded synthetic clinical events whose Sepsis-3 onset, septic shock and bundle timings are known.

Made-up patients for tests, docs and benchmarks — not real data and not a model of real care.
Each patient is *designed*: the generator picks when infection is suspected, when SOFA rises,
when a vasopressor runs and when lactate is high, writes the events that say so, and records
the times those choices imply under shared/docs/clinical/adult-scores.md §3 and §4 in ``truth``.

SOFA is driven by platelets alone (adult-scores.md §2.5: 200 → 0 points, 90 → 2 points),
charted every 4 h and once in the hour the rise is designed, so ΔSOFA (baseline ``zero``) is
exactly 2 from that hour on; the vasopressor is vasopressin, which SOFA 1.0 does not score.
Every patient has an ICU admission (the grid anchor, §3.1) at a random minute and a discharge
at 72 h.

The first patients are the awkward cases of issue 12, in this order (``ARCHETYPES``): culture
and antibiotic at the same minute; antibiotic first with the culture 23 h 59 min later; two
infection episodes; SOFA rise before suspicion; shock that needs the 60-minute vasopressor rule;
a vasopressor that ran 59 min; a missing weight; a lactate of exactly 2.0; no infection; an
ED patient (time zero = triage). The rest draw their design at random.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

STAY_H = 72
PLATELETS_NORMAL, PLATELETS_LOW = 200.0, 90.0  # SOFA coagulation 0 and 2 (adult-scores.md §2.5)
ARCHETYPES = (
    "same_minute",
    "culture_23h59_after_antibiotic",
    "two_episodes",
    "sofa_rise_before_suspicion",
    "shock_60_min_rule",
    "vasopressor_59_min",
    "missing_weight",
    "lactate_exactly_2",
    "no_infection",
    "ed_triage",
)
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
UTC_US = pl.Datetime("us", "UTC")
EVENT_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "time": UTC_US,
    "kind": pl.String(),
    "code": pl.String(),
    "value": pl.Float64(),
    "unit": pl.String(),
    "route": pl.String(),
    "end": UTC_US,
}
TRUTH_TIMES: dict[str, pl.DataType] = {k: UTC_US for k in ("admission", "t_si", "t_sofa", "t_onset", "t_shock", "t0")}


@dataclass
class _Design:
    """One patient's choices, in minutes after admission (None = not designed)."""

    archetype: str
    si: list[tuple[int, int]]  # (antibiotic minute, culture minute) pairs
    rise_h: int | None  # hour whose end first shows ΔSOFA 2
    pressor: tuple[int, int | None] | None = None  # (start, stop) minutes
    lactate: tuple[int, float] | None = None
    weight: float | None = 75.0
    fluid_ml: float | None = None
    triage_min: int | None = None
    sep1: int | None = None  # minute of a documented infection with SIRS vitals and SBP < 90 around it


@dataclass(frozen=True)
class SyntheticEvents:
    """The canonical event table and one truth row per patient (times in UTC)."""

    events: pl.DataFrame
    truth: pl.DataFrame


def _archetype(name: str) -> _Design:
    if name == "same_minute":
        return _Design(name, [(20 * 60 + 15, 20 * 60 + 15)], 26)
    if name == "culture_23h59_after_antibiotic":
        return _Design(name, [(10 * 60 + 5, 34 * 60 + 4)], 30)
    if name == "two_episodes":
        # the first pair at one minute, so its culture pairing with the second antibiotic collapses into it
        return _Design(name, [(10 * 60, 10 * 60), (50 * 60 + 30, 50 * 60)], 55)
    if name == "sofa_rise_before_suspicion":
        return _Design(name, [(30 * 60 + 40, 31 * 60)], 20)
    if name == "shock_60_min_rule":
        return _Design(name, [(12 * 60, 12 * 60 + 10)], 14, pressor=(15 * 60 + 20, None), lactate=(15 * 60, 3.4))
    if name == "vasopressor_59_min":
        return _Design(name, [(12 * 60, 12 * 60 + 10)], 14, pressor=(15 * 60, 15 * 60 + 59), lactate=(15 * 60, 3.4))
    if name == "missing_weight":
        return _Design(name, [(8 * 60, 8 * 60 + 30)], 10, weight=None, fluid_ml=2500.0)
    if name == "lactate_exactly_2":
        return _Design(name, [(12 * 60, 12 * 60 + 10)], 14, pressor=(13 * 60, None), lactate=(13 * 60, 2.0))
    if name == "no_infection":
        return _Design(name, [], 30)
    if name == "ed_triage":
        return _Design(name, [(-110, -120)], 1, triage_min=-3 * 60)  # suspected in the ED, before admission
    raise ValueError(name)


def _random(rng: np.random.Generator) -> _Design:
    t_abx = int(rng.integers(6 * 60, 60 * 60))
    culture_first = bool(rng.integers(0, 2))
    prompt = rng.random() < 0.6  # most work-ups pair the two within 90 min
    gap = int(rng.integers(1, 90)) if prompt else int(rng.integers(90, (72 if culture_first else 24) * 60))
    t_cx = t_abx - gap if culture_first else t_abx + gap - 1
    infected = rng.random() < 0.7
    si = [(t_abx, t_cx)] if infected and t_cx >= 0 else []
    t_si = min(t_abx, t_cx) if si else t_abx
    lo, hi = max(1, math.ceil((t_si - 48 * 60) / 60)), min(STAY_H - 1, (t_si + 24 * 60) // 60)
    rise = int(rng.integers(lo, hi + 1)) if rng.random() < 0.6 and lo <= hi else None
    design = _Design("random", si, rise, weight=float(rng.integers(50, 110)))
    if rise is not None and rng.random() < 0.5:
        start = t_si + int(rng.integers(-120, 600))
        stop = None if rng.random() < 0.7 else start + int(rng.integers(30, 240))
        design.pressor = (max(start, 1), stop)
        design.lactate = (max(start - int(rng.integers(0, 240)), 1), round(float(rng.uniform(1.5, 6.0)), 1))
    if si and rng.random() < 0.5:
        design.fluid_ml = float(rng.integers(5, 40) * 100)
    if si and design.lactate is None and rng.random() < 0.7:  # the work-up lactate, near suspicion
        design.lactate = (max(t_si + int(rng.integers(-240, 120)), 1), round(float(rng.uniform(0.8, 5.0)), 1))
    if si and rise is not None:  # SEP-1 inputs: documented infection, two SIRS criteria, hypotension (§4.2)
        design.sep1 = t_si + int(rng.integers(-60, 180))
    return design


def _ceil_h(minutes: float) -> int:
    return math.ceil(minutes / 60)


def _truth(d: _Design) -> dict[str, object]:
    """The §3.2-§3.7 and §4.1 times implied by the design (minutes after admission; shock as a grid hour)."""
    t_si = sorted({c if c < a else a for a, c in d.si})  # culture first only when strictly earlier (§3.2)
    onset_min: int | None = None
    sofa_h = septic_si = None
    for s in t_si:
        lo, hi = s - 48 * 60, s + 24 * 60
        if d.rise_h is None:
            break
        first = max(d.rise_h, math.ceil(lo / 60))  # the rise persists, so a window opening later sees it at once
        if first * 60 <= hi and first <= STAY_H:
            sofa_h, septic_si, onset_min = first, s, min(s, first * 60)
            break
    t0 = None
    if onset_min is not None:
        t0 = d.triage_min if d.triage_min is not None and onset_min < 0 else onset_min  # §4.1: sepsis in the ED
    return {
        "n_episodes": len(t_si),
        "t_si": septic_si if septic_si is not None else (t_si[0] if t_si else None),
        "t_sofa_hour": sofa_h,
        "t_onset": onset_min,
        "shock_hour": _shock_hour(d, onset_min),
        "t0": t0,
        **_bundle(d, t0),
    }


def _shock_hour(d: _Design, onset_min: int | None) -> int | None:
    """§3.7: the first hour that is septic, has a ≥ 60-min vasopressor run going and lactate > 2.0 in 24 h."""
    if onset_min is None or d.pressor is None or d.lactate is None or d.lactate[1] <= 2.0:
        return None
    start, stop = d.pressor
    ready = start + 60
    if stop is not None and stop < ready:
        return None
    h = max(math.ceil(onset_min / 60), math.ceil(ready / 60), math.ceil(d.lactate[0] / 60))
    running = stop is None or stop > (h - 1) * 60
    return h if running and h * 60 < d.lactate[0] + 24 * 60 and h <= STAY_H else None


def _bundle(d: _Design, t0: int | None) -> dict[str, object]:
    """§4.1 antibiotic, blood-culture and lactate elements (met or not) for time zero ``t0``."""
    if t0 is None:
        return {"abx_met": None, "cultures_met": None, "lactate_met": None}
    abx = [a for a, _ in d.si if t0 - 24 * 60 <= a <= t0 + 60]
    cx = [c for _, c in d.si if t0 - 24 * 60 <= c <= t0 + 60]
    lactate = d.lactate is not None and t0 - 6 * 60 <= d.lactate[0] <= t0 + 60
    return {
        "abx_met": bool(abx),
        "cultures_met": bool(cx) and (not abx or min(cx) <= min(abx)),
        "lactate_met": lactate,
    }


Row = tuple[int, str, str, float | None, str | None, str | None, int | None]


def _events(d: _Design) -> list[Row]:
    ev: list[Row] = [(0, "encounter", "icu_admission", None, None, None, None)]
    ev.append((STAY_H * 60, "encounter", "discharge", None, None, None, None))
    if d.triage_min is not None:
        ev.append((d.triage_min, "encounter", "ed_triage", None, None, None, None))
    if d.weight is not None:
        ev.append((5, "measurement", "weight_kg", d.weight, "kg", None, None))
    for a, c in d.si:
        ev.append((a, "antibiotic", "piperacillin_tazobactam", 4.5, "g", "iv", None))
        ev.append((c, "culture", "blood", None, None, None, None))
    hours = sorted(set(range(4, STAY_H + 1, 4)) | ({d.rise_h} if d.rise_h is not None else set()))
    for h in hours:
        low = d.rise_h is not None and h >= d.rise_h
        ev.append(
            (h * 60 - 10, "measurement", "platelets", PLATELETS_LOW if low else PLATELETS_NORMAL, None, None, None)
        )
    if d.pressor is not None:
        # vasopressin: a vasopressor for septic shock (§3.7) that SOFA 1.0 does not score (§2.5), so SOFA stays designed
        ev.append((d.pressor[0], "vasopressor", "vasopressin", 0.03, "U/min", "iv", d.pressor[1]))
    if d.lactate is not None:
        ev.append((d.lactate[0], "measurement", "lactate", d.lactate[1], "mmol/L", None, None))
    if d.sep1 is not None:
        ev.append((d.sep1, "documentation", "infection_suspected", None, None, None, None))
        ev.append((d.sep1 - 30, "measurement", "heart_rate", 112.0, None, None, None))
        ev.append((d.sep1 - 20, "measurement", "resp_rate", 26.0, None, None, None))
        ev.append((d.sep1 + 15, "measurement", "sbp", 84.0, None, None, None))
    if d.fluid_ml is not None and d.si:
        start = min(min(a, c) for a, c in d.si)
        ev.append((start, "fluid", "lactated_ringers", d.fluid_ml, "mL", "iv", start + 60))
    return ev


def generate_clinical_events(n_patients: int, seed: int = 0) -> SyntheticEvents:
    """``n_patients`` designed patients (the ``ARCHETYPES`` first, then random ones), reproducible by ``seed``."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[object, ...]] = []
    truths: list[dict[str, object]] = []
    for i in range(n_patients):
        pid = f"e{i:06d}"
        d = _archetype(ARCHETYPES[i]) if i < len(ARCHETYPES) else _random(rng)
        admit = _EPOCH + timedelta(days=int(rng.integers(0, 365)), minutes=int(rng.integers(0, 1440)))
        for minute, kind, code, value, unit, route, end in _events(d):
            stop = None if end is None else admit + timedelta(minutes=end)
            rows.append((pid, admit + timedelta(minutes=minute), kind, code, value, unit, route, stop))
        truths.append({"patient_id": pid, "archetype": d.archetype, "admission": admit, **_times(admit, _truth(d))})
    events = pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row").sort(
        "patient_id", "time", "kind", maintain_order=True
    )
    return SyntheticEvents(events, pl.DataFrame(truths, schema_overrides=TRUTH_TIMES))


def _times(admit: datetime, t: dict[str, object]) -> dict[str, object]:
    def at(minutes: object) -> datetime | None:
        return None if minutes is None else admit + timedelta(minutes=float(str(minutes)))

    def hour(h: object) -> datetime | None:
        return None if h is None else admit + timedelta(hours=int(str(h)))

    return {
        "n_episodes": t["n_episodes"],
        "t_si": at(t["t_si"]),
        "t_sofa": hour(t["t_sofa_hour"]),
        "t_onset": at(t["t_onset"]),
        "t_shock": hour(t["shock_hour"]),
        "t0": at(t["t0"]),
        "abx_met": t["abx_met"],
        "cultures_met": t["cultures_met"],
        "lactate_met": t["lactate_met"],
    }
