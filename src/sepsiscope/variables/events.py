"""Canonical clinical events: kinds and codes as data (``events.toml``), and one event's checks.

An :class:`Event` is one row of the canonical event table (patient_id, time, kind, code, value,
unit, route, end). The lists that decide what counts (systemic antibiotics and routes, body-fluid
specimens, crystalloids, vasopressors vs inotropes) live in ``events.toml`` and are cited to
shared/docs/clinical/adult-scores.md §3.2, §3.7, §4.1 and §4.2. Readers and rules look codes up
here; no other module lists a drug or a specimen.

:func:`validate_event` is the one definition of a valid event. It raises
:class:`~sepsiscope.errors.ReadError` naming the field and the value (unknown drug, negative
volume, stop before start, a time without a zone, ...); readers add the file and row.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from importlib.resources import files
from typing import Literal

from sepsiscope.errors import ReadError, RegistryError
from sepsiscope.variables.registry import REGISTRY

Presence = Literal["required", "optional", "forbidden"]
EVENT_FIELDS = ("patient_id", "time", "kind", "code", "value", "unit", "route", "end")


@dataclass(frozen=True)
class Event:
    """One clinical event of one patient.

    ``time`` and ``end`` are timezone-aware. ``value`` is a dose, volume (mL), rate or
    measurement in the canonical unit; ``end`` is the stop of a run (infusion, ventilation),
    ``None`` for point events or a run still going.
    """

    time: datetime
    kind: str
    code: str
    value: float | None = None
    unit: str | None = None
    route: str | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class EventKind:
    """One event kind: its code list and which of value, route and end it takes."""

    name: str
    meaning: str
    codes: frozenset[str]
    code_list: str
    value: Presence
    route: Presence
    end: Presence
    unit: str | None = None


@dataclass(frozen=True)
class EventRegistry:
    """Every event kind and the code lists of ``events.toml``."""

    kinds: dict[str, EventKind]
    lists: dict[str, tuple[str, ...]]
    systemic_routes: frozenset[str]
    other_routes: frozenset[str]
    intravenous_routes: frozenset[str]
    vasoactive_units: frozenset[str]

    @property
    def routes(self) -> frozenset[str]:
        """Every known route."""
        return self.systemic_routes | self.other_routes

    def codes(self, name: str) -> frozenset[str]:
        """A named code list (``antibiotics``, ``crystalloids``, ``vasopressors``, ...)."""
        try:
            return self._sets[name]
        except KeyError:
            raise RegistryError(f"events.toml has no code list {name!r}") from None

    @cached_property
    def _sets(self) -> dict[str, frozenset[str]]:
        return {k: frozenset(v) for k, v in self.lists.items()}


def _presence(kind: str, raw: dict[str, object], key: str) -> Presence:
    value = raw.get(key, "forbidden")
    if value not in ("required", "optional", "forbidden"):
        raise RegistryError(f"events.toml: kinds.{kind}.{key} = {value!r}; use required, optional or forbidden")
    return value  # type: ignore[return-value]


@cache
def load_events() -> EventRegistry:
    """Load and check ``events.toml`` (once)."""
    raw = tomllib.loads(files("sepsiscope.variables").joinpath("events.toml").read_text(encoding="utf-8"))
    lists: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in raw["codes"].items()}
    lists["variables"] = tuple(REGISTRY.names())
    for name, codes in lists.items():
        if len(set(codes)) != len(codes):
            raise RegistryError(f"events.toml: code list {name!r} repeats a code")
    for sub, whole in (("crystalloids", "fluids"), ("vasopressors", "vasoactive"), ("inotropes", "vasoactive")):
        if not set(lists[sub]) <= set(lists[whole]):
            raise RegistryError(f"events.toml: every code of {sub!r} must be in {whole!r}")
    kinds: dict[str, EventKind] = {}
    for name, spec in raw["kinds"].items():
        code_list = str(spec["codes"])
        if code_list not in lists:
            raise RegistryError(f"events.toml: kinds.{name} uses unknown code list {code_list!r}")
        kinds[name] = EventKind(
            name=name,
            meaning=str(spec["meaning"]),
            codes=frozenset(lists[code_list]),
            code_list=code_list,
            value=_presence(name, spec, "value"),
            route=_presence(name, spec, "route"),
            end=_presence(name, spec, "end"),
            unit=spec.get("unit"),
        )
    routes = raw["routes"]
    return EventRegistry(
        kinds=kinds,
        lists=lists,
        systemic_routes=frozenset(routes["systemic"]),
        other_routes=frozenset(routes["other"]),
        intravenous_routes=frozenset(routes["intravenous"]),
        vasoactive_units=frozenset(raw["units"]["vasoactive"]),
    )


EVENTS = load_events()
_ROUTES_HINT = f"use one of {', '.join(sorted(EVENTS.routes))}"


class InvalidEvent(ReadError):
    """One event breaks a rule of ``events.toml``; ``code`` is a short reason (e.g. ``unknown_code``)."""

    def __init__(self, code: str, message: str, *, field: str, value: str | None, hint: str | None = None) -> None:
        super().__init__(message, field=field, value=value, hint=hint)
        self.code = code


def _fail(field: str, value: object, message: str, hint: str | None = None, *, code: str) -> InvalidEvent:
    return InvalidEvent(code, message, field=field, value=None if value is None else str(value), hint=hint)


def _is_aware(t: datetime) -> bool:
    return t.tzinfo is not None and t.utcoffset() is not None


def validate_event(event: Event) -> Event:
    """Return ``event`` unchanged if valid; else raise :class:`ReadError` naming field and value."""
    if not isinstance(event.time, datetime) or not _is_aware(event.time):
        raise _fail(
            "time",
            event.time,
            f"time {event.time} has no time zone",
            "give an offset (e.g. +00:00) or a zone",
            code="time_without_zone",
        )
    kind = EVENTS.kinds.get(event.kind)
    if kind is None:
        raise _fail(
            "kind",
            event.kind,
            f"unknown event kind {event.kind!r}",
            f"use one of {', '.join(EVENTS.kinds)}",
            code="unknown_kind",
        )
    if event.code not in kind.codes:
        what = "drug" if kind.code_list in ("antibiotics", "vasoactive") else kind.code_list.rstrip("s")
        raise _fail(
            "code",
            event.code,
            f"unknown {what} {event.code!r} for a {kind.name} event",
            f"known codes are listed in events.toml [codes] {kind.code_list}",
            code="unknown_code",
        )
    _check_value(event, kind)
    _check_route(event, kind)
    _check_end(event, kind)
    return event


def _check_value(event: Event, kind: EventKind) -> None:
    v = event.value
    if v is None:
        if kind.value == "required":
            raise _fail("value", None, f"a {kind.name} event needs a value", code="missing_value")
        return
    if kind.value == "forbidden":
        raise _fail("value", v, f"a {kind.name} event takes no value", code="unexpected_value")
    if not math.isfinite(v):
        raise _fail("value", v, f"value {v} is not a finite number", code="not_finite")
    if v < 0:
        what = {"fluid": "volume", "vasopressor": "rate"}.get(kind.name, "value")
        raise _fail("value", v, f"negative {what} {v:g}", code="negative_value")
    if kind.name == "fluid" and event.unit not in (None, "mL"):
        raise _fail(
            "unit", event.unit, f"fluid volume in {event.unit!r}", "give fluid volumes in mL", code="unknown_unit"
        )
    if kind.name == "vasopressor" and event.unit is not None and event.unit not in EVENTS.vasoactive_units:
        raise _fail(
            "unit",
            event.unit,
            f"unknown rate unit {event.unit!r}",
            f"use one of {', '.join(sorted(EVENTS.vasoactive_units))}",
            code="unknown_unit",
        )
    if kind.name == "measurement":
        var = REGISTRY[event.code]
        if event.unit is not None and var.unit is not None and event.unit != var.unit:
            raise _fail(
                "unit",
                event.unit,
                f"{event.code} in {event.unit!r}, not its canonical unit {var.unit!r}",
                "readers convert units (variables.units); pass canonical values here",
                code="not_canonical_unit",
            )
        if var.is_numeric and not var.in_range(v):
            raise _fail(
                "value", v, f"{event.code} {v:g} is outside the plausible range {var.range_text()}", code="out_of_range"
            )


def _check_route(event: Event, kind: EventKind) -> None:
    if event.route is None:
        if kind.route == "required":
            raise _fail("route", None, f"a {kind.name} event needs a route", _ROUTES_HINT, code="missing_route")
        return
    if kind.route == "forbidden":
        raise _fail("route", event.route, f"a {kind.name} event takes no route", code="unexpected_route")
    if event.route not in EVENTS.routes:
        raise _fail("route", event.route, f"unknown route {event.route!r}", _ROUTES_HINT, code="unknown_route")


def _check_end(event: Event, kind: EventKind) -> None:
    if event.end is None:
        return
    if kind.end == "forbidden":
        raise _fail("end", event.end, f"a {kind.name} event has no end time", code="unexpected_end")
    if not isinstance(event.end, datetime) or not _is_aware(event.end):
        raise _fail(
            "end",
            event.end,
            f"end {event.end} has no time zone",
            "give an offset (e.g. +00:00) or a zone",
            code="time_without_zone",
        )
    if event.end < event.time:
        stop, start = event.end.isoformat(), event.time.isoformat()
        raise _fail("end", stop, f"stop {stop} is before start {start}", code="end_before_start")
