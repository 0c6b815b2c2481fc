"""The online path equals batch ``predict`` bit for bit: features, probabilities, alerts."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from sepsiscope.errors import ScoreInputError
from sepsiscope.features.build import feature_groups
from sepsiscope.model.artifact import load_default
from sepsiscope.model.dataset import features_matrix
from sepsiscope.model.online import OnlineRisk, risk_for_new_hour
from sepsiscope.model.predict import predict_table
from sepsiscope.model.train import train
from tests.conftest import SET_A_ZIP, require
from tests.unit.model.test_train_predict import CONFIG, labelled_ward


@pytest.fixture(scope="module")
def every_group_model():
    """A small model on every feature group the online path computes."""
    return train(labelled_ward(40, seed=8), replace(CONFIG, features="all+baseline", rounds=10)).artifact


def _online(artifact, patient: pl.DataFrame, stored: int) -> tuple[np.ndarray, np.ndarray]:
    """Features and probabilities of the hours after the first ``stored``, added one at a time."""
    state = OnlineRisk.from_history(artifact, patient.head(stored)) if stored else None
    rows, probs = [], []
    for k in range(stored, patient.height):
        if state is None:
            state = OnlineRisk(artifact, str(patient.get_column("patient_id")[0]))
        risk = state.add_hour(patient.slice(k, 1))
        rows.append(risk.features)
        probs.append(risk.probability)
    return np.vstack(rows), np.array(probs)


@pytest.mark.parametrize("stored", [0, 1, 7, 30])
def test_every_feature_equals_the_batch_features(every_group_model, stored) -> None:
    table = labelled_ward(6, seed=19).drop("sepsis_label")
    for pid in table.get_column("patient_id").unique(maintain_order=True):
        patient = table.filter(pl.col("patient_id") == pid)
        batch = features_matrix(patient, feature_groups("all+baseline"), every_group_model.features)
        X, _ = _online(every_group_model, patient, stored)
        np.testing.assert_array_equal(X, batch.X[stored:])


def test_probabilities_equal_batch_predict(every_group_model) -> None:
    table = labelled_ward(5, seed=23).drop("sepsis_label")
    batch = predict_table(every_group_model, table).frame
    for pid in table.get_column("patient_id").unique(maintain_order=True):
        patient = table.filter(pl.col("patient_id") == pid)
        _, probs = _online(every_group_model, patient, 3)
        expected = batch.filter(pl.col("patient_id") == pid).get_column("probability").to_numpy()[3:]
        np.testing.assert_array_equal(probs, expected)


def test_hours_must_move_forward(every_group_model) -> None:
    patient = labelled_ward(1, seed=3).drop("sepsis_label")
    state = OnlineRisk.from_history(every_group_model, patient.head(5))
    with pytest.raises(ScoreInputError, match="not after the last stored hour"):
        state.add_hour(patient.slice(4, 1))
    with pytest.raises(ScoreInputError, match="one row"):
        state.add_hour(patient.slice(5, 2))
    with pytest.raises(ScoreInputError, match="needs its hour"):
        state.add_hour({"patient_id": "x", "hour": None})
    with pytest.raises(ScoreInputError, match="exactly one patient"):
        OnlineRisk.from_history(every_group_model, labelled_ward(2, seed=3))


def test_service_entry_point_takes_a_mapping(every_group_model) -> None:
    patient = labelled_ward(1, seed=4).drop("sepsis_label")
    state = OnlineRisk.from_history(every_group_model, patient.head(10))
    row = patient.slice(10, 1).to_dicts()[0]
    risk = risk_for_new_hour(state, row)
    expected = predict_table(every_group_model, patient.head(11)).frame.get_column("probability")[-1]
    assert risk.hour == row["hour"] and risk.probability == expected


def test_indeterminate_as_predict_abstain(every_group_model) -> None:
    patient = labelled_ward(1, seed=5).drop("sepsis_label")
    wild = patient.with_columns(
        pl.when(pl.col("hour") == 12).then(300.0).otherwise(pl.col("heart_rate")).alias("heart_rate")
    )
    batch = predict_table(every_group_model, wild, abstain=True)
    state = OnlineRisk.from_history(every_group_model, wild.head(5))
    risks = [state.add_hour(wild.slice(k, 1)) for k in range(5, wild.height)]
    expected = batch.frame.get_column("indeterminate").to_list()[5:]
    assert [r.indeterminate for r in risks] == expected and any(expected)
    reasons = {item["hour"]: item["reason"] for item in batch.indeterminate}
    assert all(r.reason == reasons.get(r.hour, "") for r in risks)


def _set_a_patients(folder: Path, count: int) -> pl.DataFrame:
    from sepsiscope.io import read_any

    with zipfile.ZipFile(require(SET_A_ZIP, "PhysioNet 2019 training set A")) as zf:
        names = sorted(n for n in zf.namelist() if n.endswith(".psv"))[::500][:count]
        for name in names:
            (folder / Path(name).name).write_bytes(zf.read(name))
    return read_any(folder).table.drop("sepsis_label")


@pytest.mark.physionet
def test_set_a_patients_online_equals_batch_with_the_shipped_model(tmp_path) -> None:
    """Set-A patients through the shipped model: every hour's probability and alert equal batch predict."""
    artifact = load_default()
    table = _set_a_patients(tmp_path, 40)
    batch = predict_table(artifact, table).frame
    for pid in table.get_column("patient_id").unique(maintain_order=True):
        patient = table.filter(pl.col("patient_id") == pid).sort("hour")
        stored = patient.height // 3
        _, probs = _online(artifact, patient, stored)
        expected = batch.filter(pl.col("patient_id") == pid).sort("hour").get_column("probability").to_numpy()
        np.testing.assert_array_equal(probs, expected[stored:])
