"""Baseline SOFA rules and ΔSOFA — Singer 2016 (zero) and ricu's ``sep3`` variants.

Source: shared/docs/clinical/adult-scores.md §3.4 and decision D-15 (§7):

| rule | ΔSOFA(t) |
|---|---|
| ``zero`` (default) | SOFA(t) − ``baseline_sofa`` (0 unless a chronic baseline is supplied; Singer 2016) |
| ``cummin`` | SOFA(t) − min SOFA(s), window start ≤ s ≤ t (ricu ``delta_cummin``) |
| ``start`` | SOFA(t) − first non-missing SOFA in the window (ricu ``delta_start``) |
| ``min24`` | SOFA(t) − min SOFA(s), t − 23 h ≤ s ≤ t (ricu ``delta_min``; PhysioNet's 24-h rise) |

Hours whose SOFA is missing have no ΔSOFA and are never the reference of another hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal, get_args

from sepsiscope.errors import UsageError
from sepsiscope.scores.sepsis3.hourly import SofaHour

Baseline = Literal["zero", "cummin", "start", "min24"]
BASELINES: tuple[str, ...] = get_args(Baseline)
#: adult-scores.md §3.4 ``min24``: the reference hours are t − 23 h … t (24 hourly values).
MIN24_SPAN = timedelta(hours=23)


def check_baseline(baseline: str) -> Baseline:
    """Return ``baseline`` if it is one of :data:`BASELINES`, else raise :class:`UsageError`."""
    if baseline not in BASELINES:
        raise UsageError(f"baseline must be one of {', '.join(BASELINES)}, not {baseline!r}")
    return baseline  # type: ignore[return-value]


def delta_sofa(
    hours: Sequence[SofaHour], window_start: datetime, *, baseline: Baseline, baseline_sofa: int = 0
) -> list[tuple[int | None, int | None]]:
    """(ΔSOFA, reference SOFA) for each hour of ``hours`` (§3.4), in time order.

    ``window_start`` is the SI window's first instant (t_SI − 48 h): ``cummin`` and ``start``
    look at hours from there on only, and hours before it get ``(None, None)``. ``min24``
    looks back 23 h from each hour whatever the window, so ``hours`` may begin earlier.
    """
    out: list[tuple[int | None, int | None]] = []
    running_min: int | None = None
    first: int | None = None
    for i, h in enumerate(hours):
        ref: int | None
        if baseline == "zero":
            ref = baseline_sofa
        elif baseline == "min24":
            ref = _min_since(hours, i, h.time - MIN24_SPAN)
        elif h.time < window_start:
            out.append((None, None))
            continue
        elif baseline == "cummin":
            if h.total is not None:
                running_min = h.total if running_min is None else min(running_min, h.total)
            ref = running_min
        else:  # start
            if first is None and h.total is not None:
                first = h.total
            ref = first
        if h.total is None or ref is None:
            out.append((None, ref))
        else:
            out.append((h.total - ref, ref))
    return out


def _min_since(hours: Sequence[SofaHour], i: int, since: datetime) -> int | None:
    values = []
    j = i
    while j >= 0 and hours[j].time >= since:
        total = hours[j].total
        if total is not None:
            values.append(total)
        j -= 1
    return min(values) if values else None
