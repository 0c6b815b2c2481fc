"""The hour-1 bundle checklist of one patient, with a clock per element.

No rule lives here. The patient's stored events and hourly SOFA are handed, as the canonical
events of ``variables/events.toml``, to the one definition of each step
(shared/docs/clinical/adult-scores.md):

1. suspected infection, §3.2 (:func:`sepsiscope.scores.sepsis3.suspected_infection`);
2. Sepsis-3 onset with ΔSOFA ≥ 2 against the ``zero`` baseline, §3.4–§3.5
   (:func:`~sepsiscope.scores.sepsis3.onset`, :func:`~sepsiscope.scores.sepsis3.earliest`),
   on the timeline's SOFA (the cohort engine's 24-h worst values, §3.3);
3. SSC time zero, §4.1 (:func:`sepsiscope.scores.bundles.time_zero`): ED triage, else onset;
4. the hour-1 bundle as it stands now, §4.1 with decision D-14
   (:func:`sepsiscope.scores.bundles.bundle_status`): each element applicable or not, met,
   open (due later) or not met, with its deadline.

How API events become canonical ones is the service's one mapping
(``sepsiscope.service.clinical_events``), which the CDS Hooks cards use too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sepsiscope.scores.bundles import BundleReport, Element, bundle_status, time_zero
from sepsiscope.scores.sepsis3 import Episode, SofaHour, earliest, onset, suspected_infection
from sepsiscope.service import clinical_events as service_events
from sepsiscope.service.api.schemas import ObservationOut
from sepsiscope.service.db.models import Event as EventRow
from sepsiscope.variables.events import Event

#: Each element in words (what to do; the applicability and windows are the rule's own).
ELEMENT_TEXT = {
    "lactate": "Measure lactate",
    "blood_cultures": "Blood cultures before antibiotics",
    "antibiotics": "Broad-spectrum IV antibiotics",
    "fluids": "Begin IV crystalloid (hypotension or high lactate)",
    "vasopressors": "Vasopressors (hypotension after fluids)",
    "lactate_remeasure": "Re-measure lactate (initial lactate raised)",
}


@dataclass(frozen=True)
class Step:
    """One checklist line: the element, its state in words, and its clock."""

    name: str
    text: str
    status: str  # "done", "open", "missed", "not_needed", "unknown"
    status_text: str
    clock: str
    element: Element


@dataclass(frozen=True)
class Checklist:
    """The bundle at ``now``: time zero, the episodes behind it, one step per element."""

    report: BundleReport
    episodes: list[Episode]
    t_onset: datetime | None
    steps: list[Step]


def _arrival(row: EventRow) -> tuple[datetime, int]:
    return row.time, row.seq


def canonical_events(rows: Sequence[EventRow], observations: Sequence[ObservationOut],
                     admitted_at: datetime | None) -> list[Event]:  # fmt: skip
    """The patient's stored events (in arrival order within a minute) and measurements as canonical
    events, by the service's one mapping (``service.clinical_events``)."""
    measured = [(o.time, o.variable, float(o.value)) for o in observations
                if isinstance(o.value, (int, float)) and not isinstance(o.value, bool)]  # fmt: skip
    in_order: list[EventRow] = sorted(rows, key=_arrival)
    return service_events.canonical_events(in_order, measured, admitted_at)


def checklist(events: Sequence[Event], sofa: Sequence[SofaHour], now: datetime) -> Checklist:
    """Suspected infection → onset → time zero → the hour-1 bundle at ``now`` (module steps 1–4)."""
    episodes = suspected_infection(events)
    first = earliest(onset(episodes, sofa, baseline="zero"))
    t_onset = first.t_onset if first else None
    report = bundle_status(events, time_zero(events, t_onset), now)
    items = {**report.elements, **report.separate}
    steps = [_step(name, e, now) for name, e in items.items()]
    return Checklist(report, episodes, t_onset, steps)


def _minutes(delta: timedelta) -> str:
    m = int(abs(delta.total_seconds()) // 60)
    return f"{m} min" if m < 120 else f"{m // 60} h {m % 60:02d} min"


def _step(name: str, e: Element, now: datetime) -> Step:
    text = ELEMENT_TEXT.get(name, name.replace("_", " "))
    due = e.deadline.strftime("%H:%M")
    if not e.applicable:
        return Step(name, text, "not_needed", "Not needed", e.detail or "does not apply", e)
    if e.met is True:
        done = e.time.strftime("%H:%M") if e.time else "?"
        return Step(name, text, "done", "Done", f"done at {done} UTC (due {due})", e)
    if e.met is False:
        if now > e.deadline:
            return Step(name, text, "missed", "Not done", f"overdue by {_minutes(now - e.deadline)} (due {due} UTC)", e)
        return Step(name, text, "missed", "Not done", f"not done by {due} UTC", e)
    if now < e.deadline:  # undecided and still due: open
        return Step(name, text, "open", "To do", f"{_minutes(e.deadline - now)} left (due {due} UTC)", e)
    return Step(name, text, "unknown", "Cannot tell", e.detail or "the data needed are absent", e)
