"""Age-specific measurement thresholds of the symptom checker, as data.

Source: shared/docs/clinical/symptom-checker.md §5 (NICE NG51/NG254/NG253/NG255 risk
tables; NEWS2 extreme values for 12 and over) and the temperature and urine rows of §6.
Ages are in months (``m``); every age interval is half-open ``[lo, hi)``.

Gap rule for 12 and over (symptom-checker.md §6: "Values that fall between two published
bands (SpO2 91.5 for 12+, HR 130.5) go to the more urgent band, as in adult-scores.md
D-1"). The published 12+ bands are whole numbers (NICE: RR 21-24 / 25 or more, HR 91-130
/ more than 130, pregnancy HR 100-130, SBP 91-100 / 90 or less; NEWS2: RR 8 or less, HR
40 or less, SpO2 91 or less, 92-94 with the doc's home-oximeter margin). They are written
here as gap-free intervals, closed towards the more urgent band: SpO2 91.5 → EMERGENCY,
94.5 → URGENT; RR 8.5 and 24.5 → EMERGENCY, 20.5 → URGENT; HR 40.5 → EMERGENCY, 90.5 →
URGENT (pregnant: 99.5 → URGENT); SBP 90.5 → EMERGENCY, 100.5 → URGENT. At whole numbers
this is exactly the §5 table. The child rows are printed gap-free in §5 ("50 to < 60")
and are used as printed.

Age missing (§6, decision D13): the rules read these tables for every age band at once;
see :func:`age_boundaries_months` and :mod:`.rules`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INF = math.inf


@dataclass(frozen=True)
class Interval:
    """A numeric interval with open or closed ends."""

    lo: float = -INF
    hi: float = INF
    lo_closed: bool = True
    hi_closed: bool = False

    def __contains__(self, x: object) -> bool:
        if not isinstance(x, (int, float)):
            return False
        above_lo = x >= self.lo if self.lo_closed else x > self.lo
        below_hi = x <= self.hi if self.hi_closed else x < self.hi
        return above_lo and below_hi

    def text(self) -> str:
        """The interval in the doc's notation (``≥ 60``, ``50 to < 60``, ``> 90 to 100``)."""
        if self.lo == -INF:
            return f"{'≤' if self.hi_closed else '<'} {_num(self.hi)}"
        if self.hi == INF:
            return f"{'≥' if self.lo_closed else '>'} {_num(self.lo)}"
        lo = _num(self.lo) if self.lo_closed else f"> {_num(self.lo)}"
        hi = _num(self.hi) if self.hi_closed else f"< {_num(self.hi)}"
        return f"{lo} to {hi}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def at_least(a: float) -> Interval:
    """``x ≥ a``."""
    return Interval(lo=a)


def above(a: float) -> Interval:
    """``x > a``."""
    return Interval(lo=a, lo_closed=False)


def below(a: float) -> Interval:
    """``x < a``."""
    return Interval(hi=a)


def at_most(a: float) -> Interval:
    """``x ≤ a``."""
    return Interval(hi=a, hi_closed=True)


def between(a: float, b: float, *, lo_closed: bool = True, hi_closed: bool = False) -> Interval:
    """``a ≤ x < b`` by default."""
    return Interval(a, b, lo_closed, hi_closed)


def hits(x: float | None, intervals: tuple[Interval, ...]) -> bool:
    """True when ``x`` is given and inside any of ``intervals``."""
    return x is not None and any(x in iv for iv in intervals)


# ---------------------------------------------------------------------------------------
# Age bands (months). "Child" = m < 144 (under 12 years); "12+" = m ≥ 144 (§4).

CHILD_END = 144.0  # 12 years
UNDER_16_END = 192.0  # E16
UNDER_5_END = 60.0  # E10, escalation group
UNDER_1_END = 12.0  # risk group under_1
AGE_65 = 780.0  # risk group age_65_plus (65-74 years, CDC)
AGE_75 = 900.0  # risk group age_75_plus (75 and over, NICE)


@dataclass(frozen=True)
class RateBand:
    """One row of the §5 breathing-rate / heart-rate table."""

    label: str
    ages: Interval
    rr_emergency: tuple[Interval, ...]
    rr_urgent: tuple[Interval, ...]
    hr_emergency: tuple[Interval, ...]
    hr_urgent: tuple[Interval, ...]
    hr_urgent_pregnant: tuple[Interval, ...] | None = None


_HR_LOW = below(60)  # "< 60" at every child age (NICE under-5 and 5-11 high risk)

#: §5 first table (NICE; NEWS2 lows for 12+), in the doc's row order.
RATE_BANDS: tuple[RateBand, ...] = (
    RateBand(
        "under 1 year",
        between(0, 12),
        (at_least(60),),
        (between(50, 60),),
        (at_least(160), _HR_LOW),
        (between(150, 160),),
    ),
    RateBand(
        "1–2 years",
        between(12, 36),
        (at_least(50),),
        (between(40, 50),),
        (at_least(150), _HR_LOW),
        (between(140, 150),),
    ),
    RateBand(
        "3–4 years",
        between(36, 60),
        (at_least(40),),
        (between(35, 40),),
        (at_least(140), _HR_LOW),
        (between(130, 140),),
    ),
    RateBand(
        "5 years", between(60, 72), (at_least(29),), (between(24, 29),), (at_least(130), _HR_LOW), (between(120, 130),)
    ),
    RateBand(
        "6–7 years",
        between(72, 96),
        (at_least(27),),
        (between(24, 27),),
        (at_least(120), _HR_LOW),
        (between(110, 120),),
    ),
    RateBand(
        "8–11 years",
        between(96, 144),
        (at_least(25),),
        (between(22, 25),),
        (at_least(115), _HR_LOW),
        (between(105, 115),),
    ),
    RateBand(  # 12+: whole-number bands closed towards the more urgent side (module docstring)
        "12+",
        at_least(CHILD_END),
        (above(24), below(9)),  # NICE "25 or more"; NEWS2 "8 or less"
        (between(20, 24, lo_closed=False, hi_closed=True),),  # NICE 21-24
        (above(130), below(41)),  # NICE "more than 130"; NEWS2 "40 or less"
        (between(90, 130, lo_closed=False, hi_closed=True),),  # NICE 91-130
        hr_urgent_pregnant=(between(99, 130, lo_closed=False, hi_closed=True),),  # NG255 100-130
    ),
)


def rate_band(m: float) -> RateBand:
    """The §5 breathing/heart-rate row for age ``m`` months."""
    for band in RATE_BANDS:
        if m in band.ages:
            return band
    raise ValueError(f"age {m} months is outside every band")  # pragma: no cover - bands cover [0, inf)


@dataclass(frozen=True)
class Bands:
    """An EMERGENCY and an URGENT band for one measurement in one age range."""

    ages: Interval
    emergency: tuple[Interval, ...]
    urgent: tuple[Interval, ...]


#: SpO2 (§5 second table; E13, U04). Child: NICE exactly ("< 90", "90 to < 92").
#: 12+: NEWS2 "91 or less" and "92 to 94", gap rule applied (module docstring).
SPO2: tuple[Bands, ...] = (
    Bands(below(CHILD_END), (below(90),), (between(90, 92),)),
    Bands(at_least(CHILD_END), (below(92),), (between(92, 95),)),
)

#: Systolic blood pressure, 12+ only (E14, U05). NICE does not use it under 12.
#: NICE "90 or less" and "91 to 100", gap rule applied (module docstring).
SBP: tuple[Bands, ...] = (Bands(at_least(CHILD_END), (below(91),), (between(91, 101),)),)

#: Hours without urine (E08, U07): children never EMERGENCY on urine alone (D4);
#: 12+ and unknown age use NICE's hours.
URINE_CHILD = Bands(below(CHILD_END), (), (at_least(12),))
URINE_12_PLUS = Bands(at_least(CHILD_END), (at_least(18),), (between(12, 18),))


@dataclass(frozen=True)
class TemperatureRule:
    """A temperature band that fires ``code`` at the given ages (E09, E10, U06)."""

    code: str
    temp_c: Interval
    ages: Interval


TEMPERATURE_RULES: tuple[TemperatureRule, ...] = (
    TemperatureRule("E09", at_least(38.0), below(3)),
    TemperatureRule("E10", below(36.0), below(UNDER_5_END)),
    TemperatureRule("U06", below(36.0), at_least(UNDER_5_END)),
    TemperatureRule("U06", at_least(39.0), between(3, 7)),
)

#: Derived facts (§4).
FEVER_C = at_least(38.0)
LOW_TEMP_C = below(36.0)
RECENT_WEEKS = at_most(6)  # weeks_postpartum and recent_procedure_weeks (§3.3)


def age_boundaries_months() -> tuple[float, ...]:
    """Every age (months) at which some rule, risk group or escalation list changes."""
    edges: set[float] = {0.0, UNDER_1_END, UNDER_5_END, CHILD_END, UNDER_16_END, AGE_65, AGE_75}
    intervals = [b.ages for b in RATE_BANDS] + [b.ages for b in SPO2 + SBP] + [r.ages for r in TEMPERATURE_RULES]
    for iv in intervals:
        edges.update(x for x in (iv.lo, iv.hi) if math.isfinite(x))
    return tuple(sorted(edges))
