"""Replaying clinical events: the plan's API items, and events stored by a real server."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from sepsiscope.errors import UsageError
from sepsiscope.io.events import EVENT_SCHEMA
from sepsiscope.service.replay import plan_from_table, replay, synthetic_plan, with_events
from tests.live_server import cli_token, live_server

BASE = datetime(2026, 3, 1, tzinfo=UTC)
H = timedelta(hours=1)


def _events(*rows: tuple) -> pl.DataFrame:
    cols = list(EVENT_SCHEMA)
    return pl.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], schema=EVENT_SCHEMA)


def _plan() -> object:
    table = pl.DataFrame({"patient_id": ["a", "a", "b"], "hour": [1, 2, 1], "heart_rate": [80.0, 90.0, 70.0]})
    return plan_from_table(table, base=BASE)


def test_events_become_api_items_in_the_hour_they_fall_in() -> None:
    plan = with_events(_plan(), _events(
        ("a", BASE + 1.5 * H, "antibiotic", "ceftriaxone", 2.0, "g", "iv", None),
        ("a", BASE + 1.2 * H, "culture", "blood", None, None, None, None),
        ("b", BASE + 2 * H, "fluid", "lactated_ringers", 1000.0, "mL", "iv", BASE + 2.5 * H),
        ("b", BASE + 3 * H, "vasopressor", "norepinephrine", 0.1, "ug/kg/min", "iv", BASE + 5 * H),
    ))  # fmt: skip
    a, b = plan.patients
    assert plan.events == 5
    assert [(h, e["kind"]) for h, e in a.events] == [(1, "blood_culture_drawn"), (1, "antibiotic_given")]
    assert a.events[1][1] == {"patient_id": "a", "time": (BASE + 1.5 * H).isoformat(), "kind": "antibiotic_given",
                              "drug": "ceftriaxone", "route": "iv", "id": "a-event-1"}  # fmt: skip
    assert [(h, e["kind"]) for h, e in b.events] == [(2, "fluid_bolus"), (3, "vasopressor_started"),
                                                      (5, "vasopressor_stopped")]  # fmt: skip
    assert b.events[0][1]["volume_ml"] == 1000.0 and b.events[1][1]["rate_unit"] == "ug/kg/min"


def test_events_the_api_cannot_take_or_for_unknown_patients_are_refused() -> None:
    with pytest.raises(UsageError, match="'measurement' cannot be replayed"):
        with_events(_plan(), _events(("a", BASE, "measurement", "lactate", 2.0, "mmol/L", None, None)))
    with pytest.raises(UsageError, match="patients the plan does not hold: zz"):
        with_events(_plan(), _events(("zz", BASE, "culture", "blood", None, None, None, None)))


def test_synthetic_care_events_stay_within_the_hours_sent() -> None:
    plan = synthetic_plan(24, 20, seed=7, base=BASE, care_events=True)
    assert plan.events > 0
    assert all(datetime.fromisoformat(e["time"]) < BASE + 21 * H for p in plan.patients for _, e in p.events)
    assert synthetic_plan(24, 20, seed=7, base=BASE).events == 0


def test_a_paced_replay_stores_every_event_once(tmp_path: Path) -> None:
    plan = synthetic_plan(16, 30, seed=7, base=BASE, care_events=True)
    token = cli_token(tmp_path / "data", "integration")
    with live_server(tmp_path) as running:
        result = replay(plan, running.url, token, clients=2, speed=200.0)
        assert result.events_sent == plan.events
        replay(plan, running.url, token, clients=2)  # a rerun: every id known, nothing new
    with sqlite3.connect(tmp_path / "data" / "sepsiscope.db") as db:
        stored = db.execute("SELECT id, kind FROM events ORDER BY id").fetchall()
    sent = sorted((e["id"], e["kind"]) for p in plan.patients for _, e in p.events)
    assert stored == sent
