"""One patient's events, sorted and split by kind, for the bundle rules (adult-scores.md §4).

Events after ``now`` are dropped (the bundle as it stood at ``now``, for the ward clocks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sepsiscope.variables.events import EVENTS, Event

Reading = tuple[datetime, float]


@dataclass(frozen=True)
class PatientEvents:
    """Sorted event streams of one patient."""

    antibiotics_iv: list[Event]
    antibiotics: list[Event]
    blood_cultures: list[Event]
    crystalloids: list[Event]
    vasopressors: list[Event]
    ventilation: list[Event]
    documentation: list[Event]
    encounter: list[Event]
    measures: dict[str, list[Reading]]

    @classmethod
    def of(cls, events: Iterable[Event], now: datetime | None = None) -> PatientEvents:
        """Split ``events`` (those at or before ``now`` when given)."""
        evs = sorted((e for e in events if now is None or e.time <= now), key=lambda e: (e.time, e.kind, e.code))
        measures: dict[str, list[Reading]] = {}
        for e in evs:
            if e.kind == "measurement" and e.value is not None:
                measures.setdefault(e.code, []).append((e.time, e.value))
        pressors, crystalloids = EVENTS.codes("vasopressors"), EVENTS.codes("crystalloids")
        return cls(
            antibiotics_iv=[e for e in evs if e.kind == "antibiotic" and e.route in EVENTS.intravenous_routes],
            antibiotics=[e for e in evs if e.kind == "antibiotic" and e.route in EVENTS.systemic_routes],
            blood_cultures=[e for e in evs if e.kind == "culture" and e.code == "blood"],
            crystalloids=[e for e in evs if e.kind == "fluid" and e.code in crystalloids],
            vasopressors=[e for e in evs if e.kind == "vasopressor" and e.code in pressors and (e.value or 0) > 0],
            ventilation=[e for e in evs if e.kind == "ventilation"],
            documentation=[e for e in evs if e.kind == "documentation"],
            encounter=[e for e in evs if e.kind == "encounter"],
            measures=measures,
        )

    def readings(self, code: str, lo: datetime, hi: datetime) -> list[Reading]:
        """Readings of one variable with lo ≤ time ≤ hi (closed, §3.1)."""
        return [r for r in self.measures.get(code, []) if lo <= r[0] <= hi]

    def weight_kg(self, t: datetime) -> float | None:
        """Latest weight at or before ``t``, else the first one recorded, else ``None``."""
        weights = self.measures.get("weight_kg", [])
        before = [w for time, w in weights if time <= t]
        return before[-1] if before else (weights[0][1] if weights else None)

    def documented(self, code: str) -> list[datetime]:
        """Times of one kind of clinician documentation."""
        return [e.time for e in self.documentation if e.code == code]


def first_in(events: Iterable[Event], lo: datetime, hi: datetime) -> Event | None:
    """The first event with lo ≤ time ≤ hi."""
    return next((e for e in events if lo <= e.time <= hi), None)


def running_in(events: Iterable[Event], lo: datetime, hi: datetime) -> Event | None:
    """The first run started by ``hi`` and going at ``lo`` or later (started in the window or already running)."""
    for e in events:
        if e.time <= hi and (e.time >= lo or e.end is None or e.end >= lo):
            return e
    return None
