"""The synthetic ward's care events: only septic patients, valid events, timings as documented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from sepsiscope.synth import generate_ward
from sepsiscope.synth.ward_events import ward_care_events
from sepsiscope.variables.events import Event, validate_event

BASE = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def ward_and_events() -> tuple[pl.DataFrame, pl.DataFrame]:
    ward = generate_ward(60, 48, seed=11)
    return ward.truth, ward_care_events(ward.truth, BASE, seed=11)


def test_only_septic_patients_get_care_and_every_one_of_them_does(ward_and_events: tuple) -> None:
    truth, events = ward_and_events
    septic = set(truth.filter(pl.col("trajectory") != "stable").get_column("patient_id"))
    assert septic, "the seed must draw septic patients for this test to mean anything"
    assert set(events.get_column("patient_id")) == septic


def test_every_event_is_valid_by_the_one_definition(ward_and_events: tuple) -> None:
    _, events = ward_and_events
    for row in events.iter_rows(named=True):
        validate_event(Event(time=row["time"], kind=row["kind"], code=row["code"], value=row["value"],
                                     unit=row["unit"], route=row["route"], end=row["end"]))  # fmt: skip


def test_timings_follow_recognition_after_onset(ward_and_events: tuple) -> None:
    truth, events = ward_and_events
    for rec in truth.filter(pl.col("trajectory") != "stable").iter_rows(named=True):
        mine = events.filter(pl.col("patient_id") == rec["patient_id"])
        first = {
            k: mine.filter(pl.col("kind") == k).get_column("time").min() for k in ("antibiotic_order", "antibiotic")
        }
        onset = BASE + timedelta(hours=rec["onset_hour"])
        assert onset - timedelta(minutes=85) <= first["antibiotic_order"] <= onset + timedelta(minutes=150)
        assert first["antibiotic"] >= first["antibiotic_order"] + timedelta(minutes=15)
        pressor = mine.filter(pl.col("kind") == "vasopressor")
        assert pressor.height == (rec["shock_hour"] is not None)


def test_cultures_after_the_antibiotic_happen_but_are_the_exception(ward_and_events: tuple) -> None:
    _, events = ward_and_events
    order = events.group_by("patient_id").agg(
        (
            pl.col("time").filter(pl.col("kind") == "culture").min()
            > pl.col("time").filter(pl.col("kind") == "antibiotic").min()
        ).alias("late")
    )
    late = order.get_column("late").sum()
    assert 0 < late < order.height


def test_same_seed_same_events_and_base_needs_an_offset() -> None:
    truth = generate_ward(20, 36, seed=3).truth
    assert ward_care_events(truth, BASE, seed=3).equals(ward_care_events(truth, BASE, seed=3))
    with pytest.raises(ValueError, match="UTC offset"):
        ward_care_events(truth, datetime(2026, 3, 1), seed=3)
