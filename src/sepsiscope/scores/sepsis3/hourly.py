"""The hourly grid of Sepsis-3 time series, and one hour's SOFA.

Source: shared/docs/clinical/adult-scores.md §3.1: hour ``t`` denotes the interval
(t − 1 h, t]; a value belongs to the hour containing its timestamp. The grid is anchored at
the patient's admission (hour 0 = the admission instant), so hour ``h`` ends at
``anchor + h hours`` and an event at ``anchor + 30 min`` belongs to hour 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sepsiscope.errors import ScoreInputError

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class SofaHour:
    """SOFA total of one hour, labelled by the hour's end ``time`` (adult-scores.md §3.3).

    ``total`` is ``None`` when no component could be computed in the 24-h window.
    """

    time: datetime
    total: int | None


def hour_index(time: datetime, anchor: datetime) -> int:
    """The grid hour containing ``time``: the ``h`` with ``anchor + (h−1) h < time ≤ anchor + h h`` (§3.1)."""
    seconds = (time - anchor).total_seconds()
    return math.ceil(seconds / 3600.0)


def hour_end(anchor: datetime, hour: int) -> datetime:
    """The end instant of grid hour ``hour`` (the time that labels it, §3.1)."""
    return anchor + hour * HOUR


def check_series(hours: Sequence[SofaHour]) -> None:
    """Raise :class:`ScoreInputError` unless times are timezone-aware and strictly increasing."""
    previous: datetime | None = None
    for i, h in enumerate(hours):
        if h.time.tzinfo is None or h.time.utcoffset() is None:
            raise ScoreInputError(f"hourly SOFA row {i}: time {h.time} has no time zone")
        if previous is not None and h.time <= previous:
            raise ScoreInputError(f"hourly SOFA row {i}: time {h.time} is not after {previous} (one row per hour)")
        previous = h.time
