"""The cohort layer of Sepsis-3 and bundles: the hourly grid from real timestamps, tables in and out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from sepsiscope.cohort.bundles import bundle_schema, bundles_of
from sepsiscope.cohort.event_grid import anchors, hourly_from_events, with_hours
from sepsiscope.cohort.sepsis3 import (
    EPISODE_SCHEMA,
    HOUR_SCHEMA,
    episodes_of,
    hourly_sofa,
    hours_of,
    labels_of,
    patient_table,
    sepsis3,
)
from sepsiscope.errors import ScoreInputError, UsageError
from sepsiscope.synth.clinical_events import EVENT_SCHEMA, generate_clinical_events

A = datetime(2026, 3, 1, 8, 17, tzinfo=UTC)


def _events(rows) -> pl.DataFrame:
    full = [
        (pid, A + timedelta(minutes=m), kind, code, value, unit, route, end)
        for pid, m, kind, code, value, unit, route, end in rows
    ]
    return pl.DataFrame(full, schema=EVENT_SCHEMA, orient="row")


def _adm(pid="p", code="icu_admission", minute=0):
    return (pid, minute, "encounter", code, None, None, None, None)


@pytest.mark.parametrize(
    ("minute", "hour"),
    [(-61, -1), (-60, -1), (-1, 0), (0, 0), (1, 1), (30, 1), (60, 1), (61, 2)],
    ids=["-61m", "-60m", "-1m", "0m", "1m", "30m", "60m", "61m"],
)
def test_grid_hour_is_the_interval_ending_at_it(minute, hour) -> None:
    ev = _events([_adm(), ("p", minute, "culture", "blood", None, None, None, None)])
    timed = with_hours(ev, anchors(ev)).filter(pl.col("kind") == "culture")
    assert timed.get_column("hour").to_list() == [hour]  # §3.1: hour h = (h − 1, h]


def test_anchor_prefers_icu_admission_and_is_required() -> None:
    ev = _events([_adm(code="hospital_admission", minute=-600), _adm(minute=30)])
    assert anchors(ev).get_column("anchor").to_list() == [A + timedelta(minutes=30)]
    with pytest.raises(ScoreInputError, match="patient 'q' has no admission event"):
        anchors(_events([_adm(), ("q", 5, "culture", "blood", None, None, None, None)]))


def test_hourly_table_from_events() -> None:
    end = A + timedelta(minutes=185)
    ev = _events(
        [
            _adm(),
            ("p", 20, "measurement", "platelets", 180.0, None, None, None),
            ("p", 50, "measurement", "platelets", 90.0, None, None, None),  # last in hour 1
            ("p", 30, "vasopressor", "norepinephrine", 0.2, "ug/kg/min", "iv", None),  # whole hours from hour 2
            ("p", 0, "vasopressor", "vasopressin", 0.03, "U/min", "iv", end),
            ("p", 125, "ventilation", "invasive", None, None, None, A + timedelta(minutes=130)),
            ("p", 240, "encounter", "discharge", None, None, None, None),
        ]
    )
    wide = hourly_from_events(ev)
    assert wide.get_column("hour").to_list() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert wide.get_column("platelets").to_list() == [None, 90.0, None, None, None]
    assert wide.get_column("norepinephrine").to_list() == [None, None, 0.2, 0.2, 0.2]
    assert wide.get_column("vasopressin").to_list() == [0.0, 1.0, 1.0, 1.0, 1.0]  # ran until 3 h 05
    assert wide.get_column("ventilated").to_list() == [0.0, 0.0, 0.0, 1.0, 0.0]


def test_output_schemas_even_when_empty() -> None:
    empty = pl.DataFrame(
        schema=patient_table(
            _events([_adm()]),
            pl.DataFrame(schema={"patient_id": pl.String, "hour": pl.Float64, "sofa_total": pl.Float64}),
        ).schema
    )
    assert dict(episodes_of(empty).schema) == EPISODE_SCHEMA
    assert dict(hours_of(empty).schema) == HOUR_SCHEMA
    assert dict(bundles_of(empty, "sep1").schema) == bundle_schema("sep1")
    assert labels_of(empty).height == 0


def test_given_hourly_table_equals_the_one_from_events() -> None:
    synth = generate_clinical_events(40, seed=2)
    from_events = sepsis3(synth.events)
    given = sepsis3(synth.events, hourly_from_events(synth.events))
    assert given.episodes.equals(from_events.episodes) and given.hours.equals(from_events.hours)


def test_result_does_not_depend_on_event_row_order() -> None:
    synth = generate_clinical_events(30, seed=4)
    shuffled = synth.events.sample(fraction=1.0, shuffle=True, seed=1)
    assert sepsis3(shuffled).episodes.equals(sepsis3(synth.events).episodes)


def test_baseline_is_reported_and_checked() -> None:
    synth = generate_clinical_events(12, seed=1)
    long = patient_table(synth.events, hourly_sofa(synth.events))
    assert set(episodes_of(long, "cummin").get_column("baseline")) == {"cummin"}
    with pytest.raises(UsageError):
        hours_of(long, "lowest")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        bundles_of(long, "sep2")  # type: ignore[arg-type]


def test_physionet_labels_per_hour() -> None:
    synth = generate_clinical_events(20, seed=5)
    long = patient_table(synth.events, hourly_sofa(synth.events))
    labels = labels_of(long)
    assert labels.height == long.filter(pl.col("row") == "sofa").height
    assert set(labels.get_column("sepsis_label").unique()) <= {0, 1}


def test_chunks_of_patients_give_the_same_tables(monkeypatch) -> None:
    import sepsiscope.cohort.sepsis3 as module

    synth = generate_clinical_events(25, seed=6)
    whole = sepsis3(synth.events)
    monkeypatch.setattr(module, "CHUNK_PATIENTS", 7)
    assert len(module.patient_chunks(synth.events, 7)) == 4
    chunked = sepsis3(synth.events)
    assert chunked.episodes.equals(whole.episodes) and chunked.hours.equals(whole.hours)
    long = patient_table(synth.events, hourly_sofa(synth.events))
    assert module.per_chunk(synth.events, None, labels_of).equals(labels_of(long))


def test_hourly_patients_without_events_are_refused() -> None:
    synth = generate_clinical_events(5, seed=2)
    hourly = hourly_from_events(synth.events)
    extra = hourly.head(3).with_columns(pl.lit("ghost").alias("patient_id"))
    with pytest.raises(ScoreInputError, match="patient 'ghost' .* has no events"):
        sepsis3(synth.events, pl.concat([hourly, extra]))


def test_charted_rates_and_flags_merge_with_runs() -> None:
    ev = _events(
        [
            _adm(),
            ("p", 30, "measurement", "norepinephrine", 0.05, None, None, None),  # charted rate, hour 1
            ("p", 70, "measurement", "ventilated", 1.0, None, None, None),  # charted flag, hour 2
            ("p", 120, "vasopressor", "norepinephrine", 0.3, "ug/kg/min", "iv", None),  # run from hour 3
            ("p", 180, "measurement", "norepinephrine", 0.05, None, None, None),  # hour 3: the run's rate wins
            ("p", 240, "encounter", "discharge", None, None, None, None),
        ]
    )
    wide = hourly_from_events(ev)
    assert wide.get_column("norepinephrine").to_list() == [None, 0.05, None, 0.3, 0.3]
    assert wide.get_column("ventilated").to_list() == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert not [c for c in wide.columns if c.startswith("_")]
