"""The PhysioNet/CinC 2019 ``SepsisLabel`` rule, reproduced from events — Reyna 2020.

Source: Reyna MA et al., Crit Care Med 2020;48(2):210-217. Rules: shared/docs/clinical/
adult-scores.md §3.6:

* ``t_suspicion``: the first suspected-infection time (§3.2), from intravenous antibiotics and
  blood cultures only (the challenge's pairing; same 24 h / 72 h windows);
* ``t_SOFA``: the first hour of a ≥ 2-point SOFA rise within 24 h (the ``min24`` rule, §3.4);
  unless ``t_suspicion − 24 h ≤ t_SOFA ≤ t_suspicion + 12 h`` the patient is never septic (the
  first rise is taken as the doc states, not the first rise inside the eligibility window);
* ``t_sepsis`` = min(``t_suspicion``, ``t_SOFA``);
* ``SepsisLabel(t)`` = 1 for every hour ``t ≥ t_sepsis − 6 h``, else 0.

Only for data explicitly labelled "the PhysioNet 2019 way"; the distributed PhysioNet files
already carry ``SepsisLabel`` and are never relabelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sepsiscope.scores.sepsis3.baseline import delta_sofa
from sepsiscope.scores.sepsis3.hourly import SofaHour, check_series
from sepsiscope.scores.sepsis3.infection import suspected_infection
from sepsiscope.scores.sepsis3.onset import DELTA_SOFA_SEPSIS
from sepsiscope.variables.events import EVENTS, Event

#: adult-scores.md §3.6: t_SOFA may precede t_suspicion by up to 24 h …
SOFA_BEFORE = timedelta(hours=24)
#: … or follow it by up to 12 h.
SOFA_AFTER = timedelta(hours=12)
#: adult-scores.md §3.6: hours from t_sepsis − 6 h on are labelled 1.
LABEL_SHIFT = timedelta(hours=6)
#: adult-scores.md §3.6: the challenge paired blood cultures …
PHYSIONET_SPECIMENS = frozenset({"blood"})


@dataclass(frozen=True)
class PhysioNetLabel:
    """The §3.6 times of one patient and ``SepsisLabel`` for each hour of its SOFA series.

    ``t_sofa`` is reported even when it falls outside the eligibility window (then ``t_sepsis``
    is ``None`` and every label is 0).
    """

    t_suspicion: datetime | None
    t_sofa: datetime | None
    t_sepsis: datetime | None
    hours: tuple[datetime, ...]
    labels: tuple[int, ...]


def physionet_label(events: Iterable[Event], hourly_sofa: Sequence[SofaHour]) -> PhysioNetLabel:
    """``SepsisLabel`` for each hour of ``hourly_sofa`` (§3.6), from one patient's events."""
    check_series(hourly_sofa)
    episodes = suspected_infection(events, routes=EVENTS.intravenous_routes, specimens=PHYSIONET_SPECIMENS)
    hours = tuple(h.time for h in hourly_sofa)
    if not episodes:
        return PhysioNetLabel(None, None, None, hours, (0,) * len(hours))
    t_susp = episodes[0].t_si
    lo, hi = t_susp - SOFA_BEFORE, t_susp + SOFA_AFTER
    deltas = delta_sofa(hourly_sofa, lo, baseline="min24")
    t_sofa = next(
        (h.time for h, (d, _) in zip(hourly_sofa, deltas, strict=True) if d is not None and d >= DELTA_SOFA_SEPSIS),
        None,
    )
    if t_sofa is None or not lo <= t_sofa <= hi:
        return PhysioNetLabel(t_susp, t_sofa, None, hours, (0,) * len(hours))
    t_sepsis = min(t_susp, t_sofa)
    labels = tuple(int(t >= t_sepsis - LABEL_SHIFT) for t in hours)
    return PhysioNetLabel(t_susp, t_sofa, t_sepsis, hours, labels)
