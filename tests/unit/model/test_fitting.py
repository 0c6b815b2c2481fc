"""Booster fitting: early stopping on held-out patients, monotone constraints, chunked features."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sepsiscope.model.dataset as dataset
from sepsiscope.features.build import feature_groups
from sepsiscope.model.config import MONOTONE_INCREASING, TrainConfig
from sepsiscope.model.dataset import features_matrix, labels, patient_chunks, patient_folds
from sepsiscope.model.fitting import best_rounds, fit_with_curves
from tests.unit.model.test_train_predict import CONFIG, labelled_ward


@pytest.fixture(scope="module")
def ward():
    table = labelled_ward(60, seed=31)
    return table, features_matrix(table, feature_groups("all")), labels(table)


def test_patience_stops_when_no_held_out_curve_improves(ward) -> None:
    _, data, y = ward
    fold = patient_folds(data.patient_id, 3, 0)
    config = replace(CONFIG, rounds=400, learning_rate=0.3, early_stopping=True, patience=5)
    held = [np.flatnonzero(fold == 0), np.flatnonzero(fold == 1)]
    booster, curves = fit_with_curves(data.X, y, np.flatnonzero(fold == 2), config, data.features, 1, held)
    reached = len(curves[0])
    assert reached < 400 and booster.num_trees() == reached
    assert all(int(np.argmin(c)) <= reached - 1 - 5 for c in curves)  # every curve flat for 5 rounds
    again = fit_with_curves(data.X, y, np.flatnonzero(fold == 2), config, data.features, 1, held)[1]
    assert all(np.array_equal(a, b) for a, b in zip(curves, again, strict=True))


def test_best_rounds_compares_curves_over_the_rounds_they_all_reached() -> None:
    assert best_rounds([np.array([3.0, 2.0, 1.0, 0.1]), np.array([3.0, 1.0, 2.5])]) == 2  # 0.1 never reached by both
    with pytest.raises(ValueError, match="no rounds"):
        best_rounds([np.array([])])


def test_monotone_constraints_only_on_one_directional_features() -> None:
    names = ["heart_rate", "lactate", "sofa_total", "temp_c"]
    assert "monotone_constraints" not in TrainConfig().lgb_params(names)
    params = TrainConfig(monotone=True).lgb_params(names)
    assert params["monotone_constraints"] == [0, 1, 1, 0]
    assert {"heart_rate", "temp_c", "wbc", "platelets"}.isdisjoint(MONOTONE_INCREASING)


def test_monotone_model_never_lowers_risk_as_lactate_rises(ward) -> None:
    _, data, y = ward
    config = replace(CONFIG, monotone=True, rounds=30)
    booster = fit_with_curves(data.X, y, np.arange(len(y)), config, data.features, 2)[0]
    j = data.features.index("lactate")
    rows = data.X[::97].copy()
    previous = None
    for lactate in (0.5, 1.0, 2.0, 4.0, 8.0, 16.0):
        rows[:, j] = lactate
        score = booster.predict(rows, raw_score=True)
        if previous is not None:
            assert np.all(score >= previous - 1e-12)
        previous = score


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=60), st.integers(1, 20))
def test_patient_chunks_hold_whole_patients_once(patients: list[int], rows: int) -> None:
    pid = np.array([f"p{p}" for p in patients])
    chunks = patient_chunks(pid, rows)
    np.testing.assert_array_equal(np.sort(np.concatenate(chunks)), np.arange(len(pid)))
    owners = [set(pid[c]) for c in chunks]
    assert sum(len(o) for o in owners) == len(set(patients))  # no patient in two chunks
    assert all(np.all(np.diff(c) > 0) for c in chunks)  # input order inside a chunk


def test_chunked_features_equal_one_pass(monkeypatch, ward) -> None:
    table, _, _ = ward
    monkeypatch.setattr(dataset, "CHUNK_ROWS", 333)
    shuffled = table.sample(fraction=1.0, shuffle=True, seed=4)
    assert len(patient_chunks(shuffled.get_column("patient_id").to_numpy(), 333)) > 3
    chunked = features_matrix(shuffled, feature_groups("all"))
    monkeypatch.setattr(dataset, "CHUNK_ROWS", 10**9)
    one = features_matrix(shuffled, feature_groups("all"))
    np.testing.assert_array_equal(chunked.X, one.X)
    np.testing.assert_array_equal(chunked.patient_id, one.patient_id)
    np.testing.assert_array_equal(chunked.hour, one.hour)
