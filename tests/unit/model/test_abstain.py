"""Abstention: a conformal check on how far an hour's inputs lie outside the training data."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sepsiscope.cli import app
from sepsiscope.errors import ModelArtifactError
from sepsiscope.model.abstain import Abstention, fit_abstention
from sepsiscope.model.artifact import ModelArtifact
from sepsiscope.model.predict import predict_table
from sepsiscope.synth import generate_ward, to_psv_folder
from tests.unit.model.test_train_predict import labelled_ward

COLUMNS = ["heart_rate", "lactate", "heart_rate__mean6"]


def _training(n: int = 4000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(85, 15, n), rng.lognormal(0.3, 0.5, n), rng.normal(85, 10, n)])
    X[rng.random(n) < 0.7, 1] = np.nan  # labs are mostly not drawn
    return X.astype(np.float32)


def test_only_latest_vitals_labs_and_age_are_checked() -> None:
    check = fit_abstention(_training(), COLUMNS)
    assert check.features == ("heart_rate", "lactate")


@pytest.mark.parametrize(
    ("row", "indeterminate"),
    [
        ([85.0, 1.2, 85.0], False),
        ([math.nan, math.nan, math.nan], False),  # nothing measured is not "far from the data"
        ([400.0, 1.2, 85.0], True),
        ([85.0, 45.0, 85.0], True),
        ([85.0, math.nan, 900.0], False),  # window statistics are not checked
    ],
)
def test_rows_far_outside_the_training_ranges_are_indeterminate(row, indeterminate) -> None:
    check = fit_abstention(_training(), COLUMNS)
    assert bool(check.indeterminate(np.array([row], dtype=np.float32), COLUMNS)[0]) is indeterminate


def test_conformal_rate_on_fresh_rows_from_the_training_distribution() -> None:
    ranges = fit_abstention(_training(seed=1), COLUMNS)
    check = fit_abstention(_training(seed=2), COLUMNS, 0.05, calibration_rows=np.arange(4000), ranges=ranges)
    fresh = check.indeterminate(_training(20_000, seed=3), COLUMNS).mean()
    assert 0.0 < fresh <= 0.05 + 0.01


def test_reason_names_the_variable_in_words() -> None:
    check = fit_abstention(_training(), COLUMNS)
    reasons = check.reasons(np.array([[85.0, 45.0, 85.0], [85.0, 1.2, 85.0]], dtype=np.float32), COLUMNS)
    assert reasons[0].startswith("lactate 45 mmol/L is outside the values the model was trained on (")
    assert reasons[1] == ""


def test_alpha_must_be_a_probability() -> None:
    for alpha in (0.0, 1.0, -0.1):
        with pytest.raises(ValueError, match="alpha"):
            fit_abstention(_training(), COLUMNS, alpha)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.001, 0.5))
def test_round_trip_through_json(alpha: float) -> None:
    check = fit_abstention(_training(500), COLUMNS, alpha)
    assert Abstention.from_dict(json.loads(json.dumps(check.to_dict()))) == check


@pytest.fixture(scope="module")
def trained():
    from sepsiscope.model.train import train
    from tests.unit.model.test_train_predict import CONFIG

    return train(labelled_ward(), CONFIG)


def test_training_fits_the_check_and_reports_its_effect(trained, tmp_path) -> None:
    artifact = trained.artifact
    assert artifact.abstention is not None and artifact.abstention.features
    effect = artifact.metadata["abstention_out_of_fold"]
    assert 0 <= effect["indeterminate_share"] <= 0.05
    assert ModelArtifact.load(artifact.save(tmp_path / "m")).abstention == artifact.abstention


def test_predict_abstain_silences_indeterminate_hours_and_says_why(trained) -> None:
    table = labelled_ward(8, seed=40)
    wild = table.with_columns(
        pl.when(pl.col("hour") == 20).then(300.0).otherwise(pl.col("heart_rate")).alias("heart_rate")
    )
    plain = predict_table(trained.artifact, wild).frame
    assert "indeterminate" not in plain.columns
    preds = predict_table(trained.artifact, wild, abstain=True)
    flagged = preds.frame.filter(pl.col("indeterminate"))
    assert flagged.height >= 8 and (flagged.get_column("label") == 0).all()
    assert set(flagged.filter(pl.col("hour") == 20).get_column("patient_id")) == set(wild.get_column("patient_id"))
    assert len(preds.indeterminate) == flagged.height
    assert all("heart rate" in item["reason"] or "outside" in item["reason"] for item in preds.indeterminate)
    same = preds.frame.filter(~pl.col("indeterminate")).drop("indeterminate")
    assert same.equals(plain.join(same.select("patient_id", "hour"), on=["patient_id", "hour"], maintain_order="right"))


def test_model_without_check_refuses_abstain(trained) -> None:
    old = replace(trained.artifact, abstention=None)
    with pytest.raises(ModelArtifactError, match="no abstention check"):
        predict_table(old, labelled_ward(2, seed=1), abstain=True)


def test_cli_predict_abstain_writes_reasons(trained, tmp_path) -> None:
    ward = generate_ward(5, 30, seed=44)
    to_psv_folder(ward, tmp_path / "psv")
    trained.artifact.save(tmp_path / "m")
    res = CliRunner().invoke(app, ["predict", str(tmp_path / "psv"), "--model", str(tmp_path / "m"), "--out",
                                   str(tmp_path / "pred"), "--abstain"])  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = (tmp_path / "pred" / "indeterminate.jsonl").read_text().splitlines()
    assert f"{len(lines)} indeterminate hours" in " ".join(res.output.split())
    assert all({"patient_id", "hour", "reason"} <= set(json.loads(x)) for x in lines)
