"""Lab-thinning augmentation: what is removed, what the copies hold, and that they only ever fit boosters."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sepsiscope.features.build import LABS, feature_groups
from sepsiscope.model.augment import ExtraRows, augmented_rows, thin_lab_draws
from sepsiscope.model.dataset import features_matrix, labels
from sepsiscope.model.fitting import fit_with_curves
from sepsiscope.model.train import cross_validate, train
from tests.unit.model.test_train_predict import CONFIG, labelled_ward


@pytest.fixture(scope="module")
def ward() -> pl.DataFrame:
    return labelled_ward(60, seed=11)


def _labs(table: pl.DataFrame) -> list[str]:
    return [c for c in LABS if c in table.columns]


def _draws(table: pl.DataFrame) -> np.ndarray:
    """Per row: does it carry any lab value (a draw)?"""
    return table.select(pl.any_horizontal([pl.col(c).is_not_null() for c in _labs(table)])).to_series().to_numpy()


def test_whole_draws_go_and_nothing_else_changes(ward: pl.DataFrame) -> None:
    thinned = thin_lab_draws(ward, 0.75, seed=1)
    assert thinned.columns == ward.columns and thinned.height == ward.height
    untouched = [c for c in ward.columns if c not in _labs(ward)]
    assert thinned.select(untouched).equals(ward.select(untouched))  # vitals, label, demographics, ICU columns
    before, after = _draws(ward), _draws(thinned)
    assert not (after & ~before).any()  # nothing invented
    gone = before & ~after
    assert gone.any()
    lab = ward.select(_labs(ward))
    # A row either keeps every lab value it had or loses them all (one draw, removed whole).
    kept_rows = np.flatnonzero(after)
    assert thinned.select(_labs(ward))[kept_rows].equals(lab[kept_rows])


def test_the_share_removed_stays_within_the_bound_per_patient() -> None:
    hours = 200  # 300 stays with a draw (lactate and WBC) every hour
    big = pl.DataFrame(
        {
            "patient_id": np.repeat([f"p{i:03d}" for i in range(300)], hours),
            "hour": np.tile(np.arange(hours), 300),
            "heart_rate": 90.0,
            "lactate": 2.0,
            "wbc": 11.0,
        }
    )
    thinned = thin_lab_draws(big, 0.4, seed=2)
    assert thinned.get_column("heart_rate").null_count() == 0
    assert thinned.select(pl.col("lactate").is_null() == pl.col("wbc").is_null()).to_series().all()  # whole draws
    removed = thinned.group_by("patient_id").agg(pl.col("lactate").is_null().mean()).get_column("lactate").to_numpy()
    assert removed.max() < 0.4 + 0.12  # d <= 0.4, binomial noise on 200 draws
    assert 0.17 < removed.mean() < 0.23  # d ~ U(0, 0.4): 0.2 on average
    assert removed.std() > 0.08  # U(0, 0.4) has sd 0.115: one rhythm per stay, not one for all


@settings(max_examples=20, deadline=None)
@given(st.floats(min_value=0.01, max_value=0.99), st.integers(0, 2**31))
def test_deterministic_for_a_seed_and_never_adds(max_drop: float, seed: int) -> None:
    table = labelled_ward(6, seed=3)
    a, b = thin_lab_draws(table, max_drop, seed), thin_lab_draws(table, max_drop, seed)
    assert a.equals(b)
    assert not (_draws(a) & ~_draws(table)).any()


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5])
def test_the_share_must_leave_something_and_remove_something(ward: pl.DataFrame, bad: float) -> None:
    with pytest.raises(ValueError, match="lab thinning"):
        thin_lab_draws(ward, bad, seed=0)


def test_copies_hold_the_thinned_features_of_every_positive_and_a_share_of_negative_hours(ward: pl.DataFrame) -> None:
    groups = feature_groups("all")
    real = features_matrix(ward, groups)
    extra = augmented_rows(ward, groups, real.features, 0.75, 0.5, seed=4)
    y = labels(ward)
    assert extra.X.shape[1] == real.X.shape[1] and extra.X.dtype == np.float32
    assert int(extra.y.sum()) == int(y.sum())  # every positive hour, once
    negatives = int((extra.y == 0).sum())
    assert 0.4 * (y == 0).sum() < negatives < 0.6 * (y == 0).sum()
    assert np.array_equal(extra.weight, np.where(extra.y == 1, 1.0, 2.0))  # balance as the fitting weights
    # The copies are the features of the thinned stays, row for row (the same code, another chart).
    thinned = features_matrix(thin_lab_draws(ward, 0.75, seed=4), groups, real.features)
    where = {(p, h): i for i, (p, h) in enumerate(zip(thinned.patient_id, thinned.hour, strict=True))}
    index = np.array([where[(p, h)] for p, h in zip(extra.patient_id, extra.hour, strict=True)])
    assert np.array_equal(extra.X, thinned.X[index], equal_nan=True)
    assert np.array_equal(extra.y, y[index])
    assert not np.array_equal(extra.X, real.X[index], equal_nan=True)  # labs really went


def test_of_patients_keeps_only_their_rows(ward: pl.DataFrame) -> None:
    groups = feature_groups("physiology")
    real = features_matrix(ward, groups)
    extra = augmented_rows(ward, groups, real.features, 0.5, 1.0, seed=5)
    some = np.unique(extra.patient_id)[:7]
    part = extra.of_patients(some)
    assert set(part.patient_id) == set(some)
    assert len(part) == int(np.isin(extra.patient_id, some).sum())
    assert len(extra.of_patients(np.array(["nobody"]))) == 0


def _extra_for(ward: pl.DataFrame, names: list[str]) -> ExtraRows:
    return augmented_rows(ward, feature_groups(CONFIG.features), names, 0.75, CONFIG.negative_fraction, seed=6)


def test_copies_change_the_fit_but_are_never_scored(ward: pl.DataFrame) -> None:
    data = features_matrix(ward, feature_groups(CONFIG.features))
    y = labels(ward)
    extra = _extra_for(ward, data.features)
    rows = np.arange(len(y))
    plain = fit_with_curves(data.X, y, rows, CONFIG, data.features, 1)[0]
    again = fit_with_curves(data.X, y, rows, CONFIG, data.features, 1, extra=None)[0]
    assert plain.model_to_string() == again.model_to_string()  # no copies: the fit is the one it always was
    with_copies = fit_with_curves(data.X, y, rows, CONFIG, data.features, 1, extra=extra)[0]
    assert with_copies.model_to_string() != plain.model_to_string()
    raw, _ = cross_validate(data.X, y, rows, data.patient_id, CONFIG, data.features, 3, extra=extra)
    assert raw.shape == (len(y),)  # out-of-fold scores for the real rows only


def test_a_fold_model_sees_only_its_training_patients_copies(ward: pl.DataFrame, monkeypatch) -> None:
    from sepsiscope.model import train as train_module

    data = features_matrix(ward, feature_groups(CONFIG.features))
    y = labels(ward)
    extra = _extra_for(ward, data.features)
    calls = []
    real_fit = train_module.fit_with_curves

    def spy(X, y_, rows, config, names, seed, held_out=(), copies=None, weight=None):  # type: ignore[no-untyped-def]
        calls.append((set(data.patient_id[rows]), set(copies.patient_id) if copies is not None else set()))
        return real_fit(X, y_, rows, config, names, seed, held_out, copies, weight)

    monkeypatch.setattr(train_module, "fit_with_curves", spy)
    cross_validate(data.X, y, np.arange(len(y)), data.patient_id, CONFIG, data.features, 3, extra=extra)
    assert len(calls) == CONFIG.folds
    for trained, copied in calls:
        assert copied and copied <= trained  # never a held-out patient's copy
        assert copied == trained & set(extra.patient_id)


def test_training_with_copies_is_deterministic_and_recorded(ward: pl.DataFrame) -> None:
    config = replace(CONFIG, lab_thinning=0.75)
    first, second = train(ward, config), train(ward, config)
    assert first.artifact.booster.model_to_string() == second.artifact.booster.model_to_string()
    assert first.artifact.booster.model_to_string() != train(ward, CONFIG).artifact.booster.model_to_string()
    assert first.artifact.metadata["config"]["lab_thinning"] == 0.75
    assert len(first.oof_probability) == ward.height
