"""The sepsis3, bundle and label commands end to end on synthetic events."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from sepsiscope.cli import app
from sepsiscope.synth.clinical_events import generate_clinical_events

runner = CliRunner()


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    s = generate_clinical_events(40, seed=9)
    folder = tmp_path_factory.mktemp("events")
    s.events.write_csv(folder / "events.csv")
    s.events.write_parquet(folder / "events.parquet")
    return s, folder


def test_sepsis3_recovers_onsets(synth, tmp_path) -> None:
    s, folder = synth
    result = runner.invoke(app, ["sepsis3", "--events", str(folder / "events.csv"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    episodes = pl.read_parquet(tmp_path / "o" / "episodes.parquet")
    hours = pl.read_parquet(tmp_path / "o" / "hours.parquet")
    onset = episodes.group_by("patient_id").agg(pl.col("t_onset").min().alias("found"))
    got = s.truth.join(onset, on="patient_id", how="left")
    assert got.get_column("found").to_list() == got.get_column("t_onset").to_list()
    assert {"sepsis", "septic_shock"} <= set(hours.columns)
    assert set(episodes.get_column("baseline")) == {"zero"}


def test_sepsis3_baseline_option(synth, tmp_path) -> None:
    _, folder = synth
    args = ["sepsis3", "--events", str(folder / "events.parquet"), "--out", str(tmp_path / "o"), "--baseline"]
    assert runner.invoke(app, [*args, "min24"]).exit_code == 0
    assert set(pl.read_parquet(tmp_path / "o" / "episodes.parquet").get_column("baseline")) == {"min24"}
    bad = runner.invoke(app, [*args, "lowest"])
    assert bad.exit_code == 2 and "--baseline takes" in bad.output


def test_sepsis3_needs_events(tmp_path) -> None:
    result = runner.invoke(app, ["sepsis3", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--events" in result.output


def test_bad_event_stops_with_its_place_and_quarantine_goes_on(synth, tmp_path) -> None:
    s, _ = synth
    bad = s.events.with_columns(pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%S%:z"))
    lines = bad.write_csv().splitlines()
    lines.insert(5, "e000001,2026-03-01T09:00:00Z,fluid,lactated_ringers,-250,mL,iv,")
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "o"
    stopped = runner.invoke(app, ["sepsis3", "--events", str(path), "--out", str(out)])
    assert stopped.exit_code == 1
    assert "bad.csv, line 6, field 'value': negative volume -250" in " ".join(stopped.output.split())
    went_on = runner.invoke(app, ["sepsis3", "--events", str(path), "--out", str(out), "--on-invalid", "quarantine"])
    assert went_on.exit_code == 0, went_on.output
    problems = pl.read_csv(out.with_name("o.problems.csv"), infer_schema=False)
    assert problems.select("line", "field", "value", "reason").row(0) == ("6", "value", "-250", "negative_value")


def test_bundle_jsonl_and_report(synth, tmp_path) -> None:
    _, folder = synth
    out, report = tmp_path / "b.jsonl", tmp_path / "report"
    result = runner.invoke(app, ["bundle", str(folder / "events.parquet"), "--out", str(out), "--report", str(report)])
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(objects) == 40
    assert {"patient_id", "bundle", "t0", "elements", "compliant"} <= set(objects[0])
    assert sorted(p.name for p in report.iterdir()) == [
        "compliance_by_element.png",
        "compliance_over_time.png",
        "index.html",
        "time_to_antibiotics.png",
        "time_to_cultures.png",
    ]
    sep1 = runner.invoke(app, ["bundle", str(folder / "events.parquet"), "--out", str(out), "--bundle", "sep1"])
    assert sep1.exit_code == 0 and json.loads(out.read_text().splitlines()[0])["manual_version"] == "5.3"
    assert runner.invoke(app, ["bundle", str(folder / "events.parquet"), "--bundle", "sep2"]).exit_code == 2


def test_label_physionet(synth, tmp_path) -> None:
    _, folder = synth
    out = tmp_path / "labels.parquet"
    assert runner.invoke(app, ["label", str(folder / "events.parquet"), "--out", str(out)]).exit_code == 2
    result = runner.invoke(app, ["label", str(folder / "events.parquet"), "--physionet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out).columns == ["patient_id", "hour", "sepsis_label"]
