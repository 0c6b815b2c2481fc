"""The ward's 24-hour risk sparkline, drawn on the server as inline SVG (works without JavaScript).

The vertical scale runs from 0 to a little above the higher of the largest risk and the model's
threshold, so the threshold line is always in view; the text beside it gives the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sepsiscope.ward.read import SPARK_SPAN

WIDTH, HEIGHT, PAD = 120.0, 28.0, 2.0
#: Head room above the larger of the top value and the threshold.
HEADROOM = 1.25


@dataclass(frozen=True)
class Sparkline:
    """SVG coordinates of one patient's line, and the words that say the same."""

    points: str
    last: tuple[float, float] | None
    threshold_y: float | None
    label: str
    width: float = WIDTH
    height: float = HEIGHT


def _pct(p: float) -> str:
    return f"{100 * p:.1f} %"


def sparkline(series: Sequence[tuple[datetime, float]], threshold: float | None, end: datetime) -> Sparkline:
    """The line of (hour start, risk) pairs over (end − 24 h, end]."""
    start = end - SPARK_SPAN
    values = [v for _, v in series]
    top = max([*values, threshold or 0.0]) * HEADROOM or 1.0

    def y(v: float) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * min(v / top, 1.0), 1)

    def x(t: datetime) -> float:
        share = (t - start) / SPARK_SPAN
        return round(PAD + (WIDTH - 2 * PAD) * min(max(share, 0.0), 1.0), 1)

    coords = [(x(t), y(v)) for t, v in series]
    if not values:
        label = "No model risk in the last 24 h"
    else:
        label = f"Model risk, last 24 h: {_pct(values[0])} to {_pct(values[-1])}, highest {_pct(max(values))}"
        if threshold is not None:
            label += f"; alert threshold {_pct(threshold)}"
    return Sparkline(
        points=" ".join(f"{a},{b}" for a, b in coords),
        last=coords[-1] if coords else None,
        threshold_y=y(threshold) if threshold is not None else None,
        label=label,
    )
