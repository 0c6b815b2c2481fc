"""Seed bagging as one booster: the merged model scores the members' mean log-odds, explains additively, reloads."""

from __future__ import annotations

from dataclasses import replace

import lightgbm as lgb
import numpy as np
import pytest

from sepsiscope.model.bagging import merge_boosters, predict_rounds
from sepsiscope.model.config import TrainConfig
from sepsiscope.model.dataset import patient_folds
from sepsiscope.model.fitting import fit_members
from sepsiscope.model.predict import predict_table
from sepsiscope.model.train import cross_validate, train
from tests.unit.model.test_train_predict import CONFIG, labelled_ward


def _members(k: int, X: np.ndarray, y: np.ndarray) -> list[lgb.Booster]:
    params = {"objective": "binary", "verbose": -1, "num_leaves": 8, "bagging_fraction": 0.7, "bagging_freq": 1,
              "feature_fraction": 0.8, "num_threads": 1}  # fmt: skip
    return [lgb.train({**params, "seed": s}, lgb.Dataset(X, y), num_boost_round=15 + 3 * s) for s in range(k)]


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 6))
    X[rng.random(X.shape) < 0.2] = np.nan  # missing values take the trees' default directions
    y = (np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1]) + rng.normal(size=3000) > 0.8).astype(int)
    return X, y


@pytest.mark.parametrize("k", [2, 3, 5])
def test_the_merged_booster_scores_the_mean_log_odds(data, k: int) -> None:
    X, y = data
    members = _members(k, X, y)
    bag = merge_boosters(members)
    mean = np.mean([m.predict(X, raw_score=True) for m in members], axis=0)
    assert bag.num_trees() == sum(m.num_trees() for m in members)
    assert np.allclose(bag.predict(X, raw_score=True), mean, rtol=0, atol=1e-12)
    contributions = bag.predict(X, pred_contrib=True)  # TreeSHAP: per-feature parts + expected value = raw score
    assert np.allclose(contributions.sum(axis=1), mean, rtol=0, atol=1e-12)
    reloaded = lgb.Booster(model_str=bag.model_to_string())  # model.txt as any LightGBM reads it
    assert np.array_equal(reloaded.predict(X, raw_score=True), bag.predict(X, raw_score=True))


def test_a_bag_cut_at_a_round_is_every_member_cut_there(data) -> None:
    """Members of different lengths (15, 18, 21 rounds): the first rounds × K trees are each member's first rounds."""
    X, y = data
    members = _members(3, X, y)
    bag = merge_boosters(members)
    for rounds in (1, 7, 15):
        mean = np.mean([m.predict(X, raw_score=True, num_iteration=rounds) for m in members], axis=0)
        assert np.allclose(predict_rounds(bag, X, rounds, 3), 1 / (1 + np.exp(-mean)), rtol=0, atol=1e-12)
    assert np.array_equal(predict_rounds(members[0], X, 7, 1), members[0].predict(X, num_iteration=7))


def test_cross_validation_of_a_bag_scores_each_fold_with_its_members_mean_at_the_chosen_rounds(data) -> None:
    """Early stopping on: the out-of-fold scores are the members' mean log-odds at the rounds the folds chose."""
    X, y = data
    patient = np.arange(len(y)) // 10
    rows = np.arange(len(y))
    names = [f"f{i}" for i in range(X.shape[1])]
    config = TrainConfig(folds=3, rounds=60, min_data_in_leaf=20, negative_fraction=1.0, seed=3,
                         early_stopping=True, patience=5, bag=3)  # fmt: skip
    oof, rounds = cross_validate(X, y, rows, patient, config, names, seed=11)
    folds = patient_folds(patient, config.folds, 11)
    for k in range(config.folds):
        members, _ = fit_members(X, y, rows[folds != k], config, names, 11 + k, [rows[folds == k]])
        mean = np.mean([m.predict(X[folds == k], raw_score=True, num_iteration=rounds) for m in members], axis=0)
        assert np.allclose(oof[folds == k], 1 / (1 + np.exp(-mean)), rtol=0, atol=1e-9)


def test_one_member_is_itself_and_a_bag_needs_members_with_the_same_features(data) -> None:
    X, y = data
    (one,) = _members(1, X, y)
    assert merge_boosters([one]) is one
    with pytest.raises(ValueError, match="at least one"):
        merge_boosters([])
    other = lgb.train({"objective": "binary", "verbose": -1}, lgb.Dataset(X[:, :5], y), num_boost_round=3)
    with pytest.raises(ValueError, match="same features"):
        merge_boosters([one, other])


def test_training_with_a_bag_is_deterministic_and_predicts_from_one_booster() -> None:
    table = labelled_ward()
    config = replace(CONFIG, bag=3)
    first, second = train(table, config), train(table, config)
    single = train(table, CONFIG)
    assert first.artifact.booster.model_to_string() == second.artifact.booster.model_to_string()
    assert first.artifact.booster.num_trees() == 3 * single.artifact.booster.num_trees()
    assert first.artifact.metadata["config"]["bag"] == 3
    preds = predict_table(first.artifact, labelled_ward(10, seed=13), explain=True)
    assert preds.frame.height > 0
