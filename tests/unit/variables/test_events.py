"""The event registry (events.toml) and one event's validation: errors name the field and the value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sepsiscope.errors import ReadError
from sepsiscope.variables.events import EVENTS, Event, validate_event

T = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_registry_lists_are_consistent() -> None:
    assert EVENTS.codes("vasopressors").isdisjoint(EVENTS.codes("inotropes"))
    assert {"dobutamine", "milrinone"} == EVENTS.codes("inotropes")
    assert EVENTS.codes("crystalloids") < EVENTS.codes("fluids")
    assert EVENTS.systemic_routes.isdisjoint(EVENTS.other_routes)
    assert EVENTS.intravenous_routes <= EVENTS.systemic_routes
    assert "lactate" in EVENTS.kinds["measurement"].codes


GOOD = [
    Event(T, "antibiotic", "piperacillin_tazobactam", 4.5, "g", "iv"),
    Event(T, "culture", "blood"),
    Event(T, "fluid", "sodium_chloride_0_9", 1000, "mL", "iv", T + timedelta(minutes=30)),
    Event(T, "vasopressor", "norepinephrine", 0.1, "ug/kg/min", "iv", None),
    Event(T, "vasopressor", "norepinephrine", 0.0, "ug/kg/min", "iv", T),  # zero-length, rate 0: allowed
    Event(T, "ventilation", "invasive", end=T + timedelta(hours=5)),
    Event(T, "measurement", "lactate", 2.0, "mmol/L"),
    Event(T, "encounter", "icu_admission"),
    Event(T, "documentation", "infection_suspected"),
]


@pytest.mark.parametrize("event", GOOD, ids=[f"{e.kind}_{e.code}" for e in GOOD])
def test_valid_events_pass(event) -> None:
    assert validate_event(event) is event


BAD = [
    ("unknown_drug", Event(T, "antibiotic", "penicillin_x", route="iv"), "code", "penicillin_x", "unknown drug"),
    ("negative_volume", Event(T, "fluid", "lactated_ringers", -250, "mL"), "value", "-250", "negative volume"),
    (
        "stop_before_start",
        Event(T, "vasopressor", "epinephrine", 0.05, None, "iv", T - timedelta(minutes=1)),
        "end",
        (T - timedelta(minutes=1)).isoformat(),
        "before start",
    ),
    (
        "time_without_zone",
        Event(T.replace(tzinfo=None), "culture", "blood"),
        "time",
        "2026-03-01 08:00:00",
        "no time zone",
    ),
    (
        "end_without_zone",
        Event(T, "ventilation", "invasive", end=datetime(2026, 3, 2)),
        "end",
        "2026-03-02 00:00:00",
        "no time zone",
    ),
    ("unknown_kind", Event(T, "procedure", "x"), "kind", "procedure", "unknown event kind"),
    ("unknown_specimen", Event(T, "culture", "nasal_swab_x"), "code", "nasal_swab_x", "unknown specimen"),
    ("antibiotic_without_route", Event(T, "antibiotic", "vancomycin"), "route", None, "needs a route"),
    ("unknown_route", Event(T, "antibiotic", "vancomycin", route="rectal_x"), "route", "rectal_x", "unknown route"),
    ("fluid_without_volume", Event(T, "fluid", "lactated_ringers"), "value", None, "needs a value"),
    ("fluid_in_litres", Event(T, "fluid", "lactated_ringers", 1.0, "L"), "unit", "L", "give fluid volumes in mL"),
    ("negative_rate", Event(T, "vasopressor", "dopamine", -1.0), "value", "-1.0", "negative rate"),
    ("culture_with_value", Event(T, "culture", "blood", 1.0), "value", "1.0", "takes no value"),
    ("lactate_implausible", Event(T, "measurement", "lactate", 80.0), "value", "80.0", "plausible range"),
    ("lactate_in_mg_dl", Event(T, "measurement", "lactate", 18.0, "mg/dL"), "unit", "mg/dL", "canonical unit"),
    ("nan_value", Event(T, "measurement", "lactate", float("nan")), "value", "nan", "not a finite number"),
    ("point_event_with_end", Event(T, "culture", "blood", end=T), "end", str(T), "has no end time"),
]


@pytest.mark.parametrize(("event", "field", "value", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_events_name_field_and_value(event, field, value, message) -> None:
    with pytest.raises(ReadError) as info:
        validate_event(event)
    assert (info.value.field, info.value.value) == (field, value)
    assert message in str(info.value)
    assert f"field {field!r}" in str(info.value)
