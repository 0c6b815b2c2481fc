"""Band tables: intervals in canonical units mapped to points.

Bands are written in the notation of shared/docs/clinical/adult-scores.md ("Notation used
in every table"): ``< a``, ``≤ a``, ``> a``, ``≥ a``, ``[a, b)``, ``(a, b]``, ``[a, b]``,
``(a, b)``. A value is compared exactly as received (no rounding). One table drives the
scalar calculator and the vectorised cohort path alike.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from sepsiscope.scores.arrays import BoolArray, FloatArray

_INTERVAL = re.compile(r"^\s*([\[(])\s*(-?[\d.]+|-?∞|-inf)\s*,\s*(-?[\d.]+|∞|inf)\s*([\])])\s*$")
_HALF = re.compile(r"^\s*(<|≤|<=|>|≥|>=)\s*(-?[\d.]+)\s*$")


def _num(text: str) -> float:
    if text in ("∞", "inf"):
        return math.inf
    if text in ("-∞", "-inf"):
        return -math.inf
    return float(text)


@dataclass(frozen=True)
class Band:
    """One interval of a band table and the points it scores."""

    lo: float
    hi: float
    lo_closed: bool
    hi_closed: bool
    points: int

    @classmethod
    def parse(cls, text: str, points: int) -> Band:
        """Build a band from the clinical docs' interval notation."""
        m = _INTERVAL.match(text)
        if m:
            return cls(_num(m[2]), _num(m[3]), m[1] == "[", m[4] == "]", points)
        m = _HALF.match(text)
        if not m:
            raise ValueError(f"cannot parse band {text!r}")
        op, x = m[1], float(m[2])
        if op == "<":
            return cls(-math.inf, x, False, False, points)
        if op in ("≤", "<="):
            return cls(-math.inf, x, False, True, points)
        if op == ">":
            return cls(x, math.inf, False, False, points)
        return cls(x, math.inf, True, False, points)

    def contains(self, x: FloatArray) -> BoolArray:
        """Boolean mask of the values inside this band (NaN is never inside)."""
        lo = x >= self.lo if self.lo_closed else x > self.lo
        hi = x <= self.hi if self.hi_closed else x < self.hi
        return lo & hi

    def text(self) -> str:
        """The band in the docs' notation."""
        if self.lo == -math.inf:
            return f"{'≤' if self.hi_closed else '<'} {_fmt(self.hi)}"
        if self.hi == math.inf:
            return f"{'≥' if self.lo_closed else '>'} {_fmt(self.lo)}"
        return f"{'[' if self.lo_closed else '('}{_fmt(self.lo)}, {_fmt(self.hi)}{']' if self.hi_closed else ')'}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class BandTable:
    """Ordered, non-overlapping bands that together cover the real line."""

    bands: tuple[Band, ...]

    @classmethod
    def of(cls, *rows: tuple[str, int]) -> BandTable:
        """``BandTable.of(("< 9", 3), ("[9, 12)", 1), ...)``."""
        return cls(tuple(Band.parse(text, pts) for text, pts in rows))

    def points(self, x: FloatArray) -> FloatArray:
        """Points for each value; NaN where the value is NaN (absent)."""
        out = np.full(x.shape, np.nan)
        for band in self.bands:
            out[band.contains(x)] = band.points
        return out

    def text(self) -> str:
        """One-line summary, e.g. ``< 9 → 3; [9, 12) → 1; …``."""
        return "; ".join(f"{b.text()} → {b.points}" for b in self.bands)
