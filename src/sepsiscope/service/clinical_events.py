"""One patient's stored events and measurements as the canonical events of ``variables/events.toml``.

The bundle and Sepsis-3 rules (``scores.bundles``, ``scores.sepsis3``) read canonical events;
the service stores API events. The mapping (the same as the ward's bundle clocks,
``ward/bundle.py``, which can import it from here):

* ``antibiotic_given`` → ``antibiotic`` (drug, route); ``antibiotic_ordered`` → ``antibiotic_order``;
* ``blood_culture_drawn`` → ``culture`` of its specimen (blood unless another is named);
* ``fluid_bolus`` → ``fluid`` (volume in mL);
* ``vasopressor_started`` / ``vasopressor_stopped`` → one ``vasopressor`` run per start (a new
  start of the same drug ends the run before it: a rate change);
* lactate, SBP, MAP and weight observations → ``measurement``; the admission → ``encounter``.

Ventilation is not used by these rules and is not converted. Hourly SOFA for onset (§3.3) is the
timeline's SOFA, each hour labelled by its end (§3.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sepsiscope.scores.sepsis3 import SofaHour
from sepsiscope.variables.events import Event

#: Observations the bundle rules read as measurements (adult-scores.md §4.1: lactate, SBP, MAP, weight).
MEASURED = ("lactate", "sbp", "map", "weight_kg")
HOUR = timedelta(hours=1)


class EventLike(Protocol):
    """The fields of a stored event (``db.models.Event``) or an API event (``EventIn``)."""

    @property
    def time(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def drug(self) -> str | None: ...
    @property
    def route(self) -> str | None: ...
    @property
    def specimen(self) -> str | None: ...
    @property
    def fluid(self) -> str | None: ...
    @property
    def volume_ml(self) -> float | None: ...
    @property
    def rate(self) -> float | None: ...
    @property
    def rate_unit(self) -> str | None: ...


def canonical_events(rows: Iterable[EventLike], measurements: Iterable[tuple[datetime, str, float | None]],
                     admitted_at: datetime | None) -> list[Event]:  # fmt: skip
    """Events (in time order) and ``(time, variable, canonical value)`` measurements as canonical events."""
    out: list[Event] = []
    running: dict[str, tuple[EventLike, int]] = {}
    for r in sorted(rows, key=lambda r: r.time):
        if r.kind == "antibiotic_given" and r.drug:
            out.append(Event(r.time, "antibiotic", r.drug, route=r.route))
        elif r.kind == "antibiotic_ordered" and r.drug:
            out.append(Event(r.time, "antibiotic_order", r.drug, route=r.route))
        elif r.kind == "blood_culture_drawn":
            out.append(Event(r.time, "culture", r.specimen or "blood"))
        elif r.kind == "fluid_bolus" and r.fluid:
            out.append(Event(r.time, "fluid", r.fluid, value=r.volume_ml, unit="mL", route=r.route))
        elif r.kind in ("vasopressor_started", "vasopressor_stopped") and r.drug:
            before = running.pop(r.drug, None)
            if before is not None:
                start, index = before
                out[index] = Event(start.time, "vasopressor", start.drug or "", value=start.rate,
                                   unit=start.rate_unit, end=r.time)  # fmt: skip
            if r.kind == "vasopressor_started":
                running[r.drug] = (r, len(out))
                out.append(Event(r.time, "vasopressor", r.drug, value=r.rate, unit=r.rate_unit))
    for time, variable, value in measurements:
        if variable in MEASURED and value is not None:
            out.append(Event(time, "measurement", variable, value=float(value)))
    if admitted_at is not None:
        out.append(Event(admitted_at, "encounter", "hospital_admission"))
    return sorted(out, key=lambda e: (e.time, e.kind, e.code))


def sofa_series(hours: Sequence[tuple[datetime, object]]) -> list[SofaHour]:
    """The timeline's SOFA ``(hour start, total)`` as the §3.3 series, each hour labelled by its end."""
    return [SofaHour(start + HOUR, int(total) if isinstance(total, (int, float)) else None) for start, total in hours]
