"""Synthetic clinical events: the designed onset, shock and bundle timings are recovered exactly."""

from __future__ import annotations

import polars as pl
import pytest

from sepsiscope.cohort.bundles import bundles_of
from sepsiscope.cohort.sepsis3 import episodes_of, hourly_sofa, hours_of, patient_table
from sepsiscope.io.events import frame_to_events
from sepsiscope.synth.clinical_events import ARCHETYPES, generate_clinical_events
from sepsiscope.variables.events import validate_event

N = 160


@pytest.fixture(scope="module")
def synth():
    return generate_clinical_events(N, seed=7)


@pytest.fixture(scope="module")
def long(synth):
    return patient_table(synth.events, hourly_sofa(synth.events))


def test_same_seed_same_data_other_seed_other_data(synth) -> None:
    again = generate_clinical_events(N, seed=7)
    assert again.events.equals(synth.events) and again.truth.equals(synth.truth)
    assert not generate_clinical_events(N, seed=8).events.equals(synth.events)


def test_every_event_is_valid(synth) -> None:
    for event in frame_to_events(synth.events):
        validate_event(event)


def test_archetypes_come_first(synth) -> None:
    assert synth.truth.get_column("archetype").to_list()[: len(ARCHETYPES)] == list(ARCHETYPES)


def test_episodes_and_onset_recovered(synth, long) -> None:
    ep = episodes_of(long)
    counts = ep.group_by("patient_id").len("found")
    first = (
        ep.filter(pl.col("t_onset").is_not_null())
        .sort("t_onset")
        .group_by("patient_id", maintain_order=True)
        .first()
        .select("patient_id", pl.col("t_si").alias("si"), pl.col("t_sofa").alias("sofa"), pl.col("t_onset").alias("on"))
    )
    got = synth.truth.join(counts, on="patient_id", how="left").join(first, on="patient_id", how="left")
    assert got.get_column("found").fill_null(0).to_list() == got.get_column("n_episodes").to_list()
    for truth, found in (("t_sofa", "sofa"), ("t_onset", "on")):
        assert got.get_column(found).to_list() == got.get_column(truth).to_list(), truth
    septic = got.filter(pl.col("t_onset").is_not_null())
    assert septic.get_column("si").to_list() == septic.get_column("t_si").to_list()
    assert 0.2 < septic.height / N < 0.8  # both septic and non-septic patients are present


def test_shock_recovered(synth, long) -> None:
    shock = hours_of(long).filter("septic_shock").group_by("patient_id").agg(pl.col("time").min().alias("found"))
    got = synth.truth.join(shock, on="patient_id", how="left")
    assert got.get_column("found").to_list() == got.get_column("t_shock").to_list()
    assert got.get_column("t_shock").drop_nulls().len() >= 3


def test_awkward_cases(synth, long) -> None:
    truth = {r["archetype"]: r for r in synth.truth.head(len(ARCHETYPES)).iter_rows(named=True)}
    ep = episodes_of(long)
    hours = hours_of(long)
    same = ep.filter(pl.col("patient_id") == truth["same_minute"]["patient_id"]).row(0, named=True)
    assert same["order"] == "antibiotic_first" and same["t_si"] == same["t_antibiotic"] == same["t_culture"]
    late = ep.filter(pl.col("patient_id") == truth["culture_23h59_after_antibiotic"]["patient_id"]).row(0, named=True)
    assert (late["t_culture"] - late["t_antibiotic"]).total_seconds() == 23 * 3600 + 59 * 60
    assert ep.filter(pl.col("patient_id") == truth["two_episodes"]["patient_id"]).height == 2
    rise_first = truth["sofa_rise_before_suspicion"]
    assert rise_first["t_onset"] == rise_first["t_sofa"] < rise_first["t_si"]
    assert truth["shock_60_min_rule"]["t_shock"] is not None
    for name in ("vasopressor_59_min", "lactate_exactly_2", "no_infection"):
        pid = truth[name]["patient_id"]
        assert not hours.filter((pl.col("patient_id") == pid) & pl.col("septic_shock")).height, name
    no_weight = hours.filter(pl.col("patient_id") == truth["missing_weight"]["patient_id"])
    assert no_weight.get_column("fluids_30ml_kg_24h").null_count() == no_weight.height
    assert truth["ed_triage"]["t0"] < truth["ed_triage"]["admission"]


def test_ssc_bundle_elements_recovered(synth, long) -> None:
    b = bundles_of(long, "ssc_hour1")
    got = synth.truth.join(b, on="patient_id", how="left", suffix="_found")
    assert got.get_column("t0_found").to_list() == got.get_column("t0").to_list()
    for truth, found in (
        ("abx_met", "antibiotics_met"),
        ("cultures_met", "blood_cultures_met"),
        ("lactate_met", "lactate_met_found"),
    ):
        assert got.get_column(found).to_list() == got.get_column(truth).to_list(), truth
