"""Validation designs: no held-out label ever moves a threshold; shifts and rankings behave as defined."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sepsiscope.features.build import LABS, VITALS
from sepsiscope.model import metrics
from sepsiscope.model.config import TrainConfig
from sepsiscope.model.dataset import features_matrix, labels, patient_folds
from sepsiscope.model.fitting import best_rounds
from sepsiscope.model.train import choose_threshold
from sepsiscope.model.validation.clock import best_clock_hour, clock_alerts
from sepsiscope.model.validation.heldout import leave_group_out, nested_cv, pooled
from sepsiscope.model.validation.ranking import EXTERNAL, discordant_pairs, kendall_tau
from sepsiscope.model.validation.shifts import SHIFTS, prevalence, stay_length, thin_labs, weighted_utility
from tests.unit.model.test_train_predict import labelled_ward

CONFIG = TrainConfig(
    folds=3, rounds=15, min_data_in_leaf=20, negative_fraction=0.5, seed=3, early_stopping=False, patience=0, bag=1
)


@pytest.fixture(scope="module")
def ward():
    table = labelled_ward(60, seed=21)
    data = features_matrix(table, ("physiology",))
    return table, data, labels(table)


def test_nested_cv_holds_out_every_row_once_and_never_reads_held_out_labels(ward) -> None:
    table, data, y = ward
    parts = nested_cv(data.X, y, data.patient_id, data.features, CONFIG, folds=3, seed=1)
    rows = np.sort(np.concatenate([p.rows for p in parts]))
    np.testing.assert_array_equal(rows, np.arange(len(y)))
    for p in parts:
        assert len(np.unique(data.patient_id[p.rows])) == len(set(data.patient_id[p.rows]))
        assert all(0 < t < 1 for t in p.thresholds.values())
        # The training part's scores are kept: its rows are every other row, and its thresholds come from them.
        np.testing.assert_array_equal(np.sort(np.concatenate([p.rows, p.train_rows])), np.arange(len(y)))
        for rule, t in p.thresholds.items():
            train = p.train_rows
            assert choose_threshold(p.train_probability, y[train], data.patient_id[train], None, rule)[0] == t
    # Flip every label of outer fold 0: its thresholds and probabilities must not move.
    fold = patient_folds(data.patient_id, 3, 1)
    flipped = np.where(fold == 0, 1 - y, y).astype(y.dtype)
    again = nested_cv(data.X, flipped, data.patient_id, data.features, CONFIG, folds=3, seed=1)
    assert again[0].thresholds == parts[0].thresholds
    np.testing.assert_array_equal(again[0].probability, parts[0].probability)
    assert again[1].thresholds != parts[1].thresholds or not np.array_equal(again[1].probability, parts[1].probability)


def test_nested_cv_needs_three_folds(ward) -> None:
    _, data, y = ward
    with pytest.raises(ValueError, match="at least 3 folds"):
        nested_cv(data.X, y, data.patient_id, data.features, CONFIG, folds=2)


def test_leave_group_out_ignores_the_group_labels(ward) -> None:
    table, data, y = ward
    group = np.isin(data.patient_id, np.unique(data.patient_id)[:15])
    part = leave_group_out(data.X, y, data.patient_id, data.features, CONFIG, group, label="first 15")
    np.testing.assert_array_equal(part.rows, np.flatnonzero(group))
    flipped = np.where(group, 1 - y, y).astype(y.dtype)
    again = leave_group_out(data.X, flipped, data.patient_id, data.features, CONFIG, group, label="first 15")
    assert again.thresholds == part.thresholds
    np.testing.assert_array_equal(again.probability, part.probability)
    prob, alert, seen = pooled([part], len(y), "utility")
    assert seen.sum() == group.sum() and not alert[~seen].any() and (prob[~seen] == 0).all()
    with pytest.raises(ValueError, match="both the training and the held-out part"):
        leave_group_out(data.X, y, data.patient_id, data.features, CONFIG, np.ones(len(y), bool), label="all")


ids = st.lists(st.sampled_from("abcde"), min_size=2, max_size=60)


@settings(max_examples=60, deadline=None)
@given(ids, st.data())
def test_unit_weights_give_the_challenge_utility(pids, data) -> None:
    pid = np.array(sorted(pids))
    y = np.array(data.draw(st.lists(st.booleans(), min_size=len(pid), max_size=len(pid))))
    alert = np.array(data.draw(st.lists(st.booleans(), min_size=len(pid), max_size=len(pid))))
    expected = metrics.normalized_utility(y, alert, pid)
    for w in (np.ones(len(y)), np.full(len(y), 3.0), prevalence(1.0)(y, pid)):
        got = weighted_utility(y, alert, pid, w)
        assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_prevalence_weights_only_septic_patients() -> None:
    pid = np.array(["a", "a", "b", "b", "b"])
    y = np.array([0, 1, 0, 0, 0])
    np.testing.assert_array_equal(prevalence(0.5)(y, pid), [0.5, 0.5, 1, 1, 1])
    np.testing.assert_array_equal(stay_length(1.0)(y, pid), [2 / 3, 2 / 3, 1, 1, 1])
    np.testing.assert_array_equal(stay_length(-1.0)(y, pid), [1.5, 1.5, 1, 1, 1])
    with pytest.raises(ValueError, match="positive"):
        prevalence(0.0)
    with pytest.raises(ValueError, match="non-negative"):
        weighted_utility(y, y, pid, np.array([1, 1, -1, 1, 1.0]))
    assert set(SHIFTS) >= {"as is", "sepsis 0.5x", "sepsis 2x", "shorter stays", "longer stays"}


def test_fewer_septic_patients_cost_an_over_alerting_rule_utility() -> None:
    pid = np.repeat(np.arange(20), 30).astype(str)
    y = np.zeros(600, dtype=np.int8)
    y[20:30] = 1  # patient 0 septic from hour 20
    alert = np.ones(600, dtype=bool)  # alert always
    assert weighted_utility(y, alert, pid, prevalence(0.5)(y, pid)) < weighted_utility(y, alert, pid, np.ones(600))


def test_thin_labs_drops_only_labs_and_is_seeded() -> None:
    table = labelled_ward(10, seed=4)
    assert thin_labs(table, 1.0, seed=0).equals(table)
    thin = thin_labs(table, 0.5, seed=0)
    assert thin.equals(thin_labs(table, 0.5, seed=0))
    for v in VITALS:
        if v in table.columns:
            assert thin.get_column(v).equals(table.get_column(v))
    labs = [c for c in LABS if c in table.columns]
    before = sum(table.get_column(c).is_not_null().sum() for c in labs)
    after = sum(thin.get_column(c).is_not_null().sum() for c in labs)
    assert 0.35 * before < after < 0.65 * before
    for keep in (0.0, 1.5):
        with pytest.raises(ValueError, match="keep fraction"):
            thin_labs(table, keep, seed=0)


def test_clock_hour_is_tuned_on_training_rows_only() -> None:
    # 10 patients of 60 h; the septic ones (labels from hour 40) make alerting late worthwhile.
    pid = np.repeat(np.arange(10), 60).astype(str)
    hour = np.tile(np.arange(1, 61), 10).astype(float)
    y = np.where((pid.astype(int) < 5) & (hour >= 40), 1, 0)
    h = best_clock_hour(hour, y, pid)
    assert 28 <= h <= 46
    held = [np.flatnonzero(pid == "9")]
    alert, chosen = clock_alerts(hour, y, pid, held)
    assert not alert[pid != "9"].any() and (alert[held[0]] == (hour[held[0]] >= chosen[0])).all()
    flipped = y.copy()
    flipped[held[0]] = 1
    assert clock_alerts(hour, flipped, pid, held)[1] == chosen
    with pytest.raises(ValueError, match="ICULOS"):
        best_clock_hour(np.array([1.0, np.nan]), np.array([0, 1]), np.array(["a", "a"]))


def test_kendall_tau_and_discordant_pairs() -> None:
    ref = {k: v.utility for k, v in EXTERNAL.items()}
    assert kendall_tau(ref, ref) == 1.0
    assert kendall_tau({k: -v for k, v in ref.items()}, ref) == -1.0
    n, pairs = len(ref), len(ref) * (len(ref) - 1) // 2
    top = max(ref, key=ref.__getitem__)
    swapped = dict(ref, **{top: 0.0})  # the best row measured, ranked last: n - 1 pairs flip
    assert set(discordant_pairs(swapped, ref)) == {(top, k) for k in ref if k != top}
    assert discordant_pairs(ref, ref) == []
    assert kendall_tau(swapped, ref) == pytest.approx((pairs - 2 * (n - 1)) / pairs)
    assert math.isnan(kendall_tau(dict(ref, **{"all, robust": math.nan}), ref))
    with pytest.raises(ValueError, match="differ"):
        kendall_tau({"a": 1.0, "b": 2.0}, ref)
    with pytest.raises(ValueError, match="at least two"):
        kendall_tau({"a": 1.0}, {"a": 1.0})
    tied = dict(ref, **{"all, robust": ref["all, utility"]})
    assert kendall_tau(tied, ref) == pytest.approx((pairs - 1) / pairs)


def test_weighted_utility_refuses_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        weighted_utility(np.array([0, 1]), np.array([0, 1]), np.array(["a", "a"]), np.ones(3))


def test_frame_helpers_do_not_touch_keys() -> None:
    table = labelled_ward(5, seed=6)
    thin = thin_labs(table, 0.3, seed=2)
    assert thin.select("patient_id", "hour").equals(table.select("patient_id", "hour"))
    assert isinstance(thin, pl.DataFrame)


def test_best_rounds_is_the_lowest_mean_held_out_loss() -> None:
    assert best_rounds([np.array([3.0, 2.0, 1.0, 2.0]), np.array([3.0, 1.0, 1.5, 2.0])]) == 3
    assert best_rounds([np.array([1.0, 2.0])]) == 1
    with pytest.raises(ValueError, match="at least one"):
        best_rounds([])


def test_early_stopping_picks_rounds_inside_the_training_part(ward) -> None:
    _, data, y = ward
    config = replace(CONFIG, rounds=40, early_stopping=True)
    parts = nested_cv(data.X, y, data.patient_id, data.features, config, folds=3, seed=2)
    assert all(1 <= p.rounds <= 40 and p.booster.num_trees() == p.rounds for p in parts)
    fold = patient_folds(data.patient_id, 3, 2)
    flipped = np.where(fold == 1, 1 - y, y).astype(y.dtype)
    again = nested_cv(data.X, flipped, data.patient_id, data.features, config, folds=3, seed=2)
    assert again[1].rounds == parts[1].rounds and again[1].thresholds == parts[1].thresholds
    np.testing.assert_array_equal(again[1].probability, parts[1].probability)
