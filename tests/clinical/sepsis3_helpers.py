"""Small builders for one patient's events and hourly SOFA (times relative to an admission at T0)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sepsiscope.scores.sepsis3 import SofaHour
from sepsiscope.variables.events import Event

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def at(hours: float = 0.0, minutes: float = 0.0) -> datetime:
    """T0 + hours + minutes."""
    return T0 + timedelta(hours=hours, minutes=minutes)


def abx(hours: float, minutes: float = 0.0, *, code: str = "ceftriaxone", route: str = "iv") -> Event:
    return Event(at(hours, minutes), "antibiotic", code, route=route)


def culture(hours: float, minutes: float = 0.0, *, specimen: str = "blood") -> Event:
    return Event(at(hours, minutes), "culture", specimen)


def lactate(hours: float, value: float, minutes: float = 0.0) -> Event:
    return Event(at(hours, minutes), "measurement", "lactate", value, "mmol/L")


def measure(code: str, hours: float, value: float, minutes: float = 0.0) -> Event:
    return Event(at(hours, minutes), "measurement", code, value)


def pressor(start_h: float, stop_h: float | None, *, code: str = "norepinephrine", rate: float = 0.1) -> Event:
    end = None if stop_h is None else at(stop_h)
    return Event(at(start_h), "vasopressor", code, rate, "ug/kg/min", "iv", end)


def fluid(hours: float, ml: float, *, code: str = "lactated_ringers", minutes: float = 0.0) -> Event:
    return Event(at(hours, minutes), "fluid", code, ml, "mL", "iv")


def sofa_series(totals: Sequence[int | None], first_hour: int = 1) -> list[SofaHour]:
    """Hourly SOFA labelled T0 + first_hour h, T0 + first_hour + 1 h, ..."""
    return [SofaHour(at(first_hour + i), t) for i, t in enumerate(totals)]
