"""Septic shock per hour — Singer 2016, Shankar-Hari 2016, operationalised as decision D-13.

Source: shared/docs/clinical/adult-scores.md §3.7. Hour ``t`` (labelled by its end, §3.1) is
septic shock when all of these hold:

* sepsis: ``t ≥ t_onset`` of a Sepsis-3 episode (§3.5);
* vasopressor: a vasopressor (``events.toml`` [codes] vasopressors: norepinephrine,
  epinephrine, dopamine, vasopressin, phenylephrine, angiotensin II, terlipressin; never
  dobutamine or milrinone alone) has run continuously for ≥ 60 min and is running in hour t;
* lactate: the most recent lactate in (t − 24 h, t] is > 2.0 mmol/L (2.0 exactly does not).

Adequate fluids are not verifiable from routine data and not required; ``fluids_30ml_kg_24h``
(≥ 30 mL/kg crystalloid in (t − 24 h, t]) is reported as information, null when weight or
fluid records are absent. MAP is not checked (vasopressor use is taken as the need).

"Continuously ≥ 60 min and active at t" on an hourly grid: the run's 60th minute falls at or
before ``t`` and the run is still going after ``t − 1 h`` — i.e. the moment the 60-minute rule
is met, or any later moment of the run, lies in hour t. Back-to-back or overlapping infusions
of any vasopressors form one run (a switch of drug is not a pause).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from sepsiscope.scores.sepsis3.hourly import HOUR
from sepsiscope.variables.events import EVENTS, Event

#: adult-scores.md §3.7: a vasopressor counts once it has run continuously this long.
VASOPRESSOR_MIN_RUN = timedelta(minutes=60)
#: adult-scores.md §3.7: the lactate must be strictly above this (mmol/L).
LACTATE_ABOVE = 2.0
#: adult-scores.md §3.7: the most recent lactate within (t − 24 h, t].
LACTATE_LOOKBACK = timedelta(hours=24)
#: adult-scores.md §3.7: the fluid information field counts crystalloid in (t − 24 h, t] …
FLUID_LOOKBACK = timedelta(hours=24)
#: … against 30 mL/kg body weight (SSC, Levy 2018; Evans 2021).
FLUID_ML_PER_KG = 30.0

Run = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class ShockHour:
    """The §3.7 criteria at one hour (``time`` = hour end)."""

    time: datetime
    sepsis: bool
    vasopressor: bool
    lactate: float | None
    lactate_time: datetime | None
    septic_shock: bool
    crystalloid_ml_24h: float | None
    fluids_30ml_kg_24h: bool | None


def vasopressor_runs(events: Iterable[Event]) -> list[Run]:
    """Continuous vasopressor runs (start, end or ``None`` if still running), merged across drugs."""
    pressors = EVENTS.codes("vasopressors")
    spans = sorted(
        (e.time, e.end)
        for e in events
        if e.kind == "vasopressor" and e.code in pressors and e.value is not None and e.value > 0
    )
    runs: list[Run] = []
    for start, end in spans:
        if runs:
            s0, e0 = runs[-1]
            if e0 is None or start <= e0:
                runs[-1] = (s0, None if (e0 is None or end is None) else max(e0, end))
                continue
        runs.append((start, end))
    return runs


def vasopressor_in_hour(runs: Sequence[Run], t: datetime) -> bool:
    """True when a run has reached 60 min at or before ``t`` and is still going after ``t − 1 h``."""
    for start, end in runs:
        ready = start + VASOPRESSOR_MIN_RUN
        if ready > t:
            continue
        if end is None or (end >= ready and end > t - HOUR):
            return True
    return False


class _Series:
    """Times and values of one event stream, sorted by time, for bisecting."""

    def __init__(self, pairs: Iterable[tuple[datetime, float]]) -> None:
        ordered = sorted(pairs, key=lambda p: p[0])
        self.times = [p[0] for p in ordered]
        self.values = [p[1] for p in ordered]
        self.cumsum = list(accumulate(self.values, initial=0.0))

    def last_in(self, lo: datetime, hi: datetime) -> tuple[float | None, datetime | None]:
        """The latest value with lo < time ≤ hi."""
        i = bisect_right(self.times, hi) - 1
        if i < 0 or self.times[i] <= lo:
            return None, None
        return self.values[i], self.times[i]

    def total_in(self, lo: datetime, hi: datetime) -> float:
        """Sum of values with lo < time ≤ hi."""
        return self.cumsum[bisect_right(self.times, hi)] - self.cumsum[bisect_right(self.times, lo)]


def latest_lactate(events: Iterable[Event], t: datetime) -> tuple[float | None, datetime | None]:
    """The most recent lactate (mmol/L) in (t − 24 h, t], with its time."""
    return _lactates(events).last_in(t - LACTATE_LOOKBACK, t)


def weight_kg(events: Iterable[Event], t: datetime) -> float | None:
    """The latest weight at or before ``t``; else the first weight recorded later; else ``None``."""
    return _weight(_weights(events), t)


def crystalloid_ml(events: Iterable[Event], lo: datetime, hi: datetime) -> float | None:
    """Crystalloid volume (mL) of infusions started in (lo, hi]; ``None`` if no fluid is recorded at all."""
    series = _crystalloids(events)
    return None if series is None else series.total_in(lo, hi)


def shock_hours(events: Sequence[Event], hours: Iterable[datetime], t_onset: datetime | None) -> list[ShockHour]:
    """The §3.7 criteria at each hour end in ``hours`` for one patient whose sepsis began at ``t_onset``."""
    runs = vasopressor_runs(events)
    lactates, weights, fluids = _lactates(events), _weights(events), _crystalloids(events)
    out = []
    for t in hours:
        sepsis = t_onset is not None and t >= t_onset
        pressor = vasopressor_in_hour(runs, t)
        lactate, lactate_time = lactates.last_in(t - LACTATE_LOOKBACK, t)
        high = lactate is not None and lactate > LACTATE_ABOVE
        volume = None if fluids is None else fluids.total_in(t - FLUID_LOOKBACK, t)
        weight = _weight(weights, t)
        enough = None if volume is None or weight is None else volume >= FLUID_ML_PER_KG * weight
        out.append(ShockHour(t, sepsis, pressor, lactate, lactate_time, sepsis and pressor and high, volume, enough))
    return out


def _lactates(events: Iterable[Event]) -> _Series:
    return _Series(
        (e.time, e.value) for e in events if e.kind == "measurement" and e.code == "lactate" and e.value is not None
    )


def _weights(events: Iterable[Event]) -> _Series:
    return _Series(
        (e.time, e.value) for e in events if e.kind == "measurement" and e.code == "weight_kg" and e.value is not None
    )


def _weight(weights: _Series, t: datetime) -> float | None:
    if not weights.times:
        return None
    i = bisect_right(weights.times, t) - 1
    return weights.values[i] if i >= 0 else weights.values[0]


def _crystalloids(events: Iterable[Event]) -> _Series | None:
    fluids = [e for e in events if e.kind == "fluid"]
    if not fluids:
        return None
    crystalloids = EVENTS.codes("crystalloids")
    return _Series((e.time, e.value or 0.0) for e in fluids if e.code in crystalloids)


def shock_onset(hours: Iterable[ShockHour]) -> datetime | None:
    """The first hour meeting every required criterion (§3.7 "onset"), or ``None``."""
    return next((h.time for h in hours if h.septic_shock), None)
