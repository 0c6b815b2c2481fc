"""Early-warning metrics: the challenge utility on hand-made patients, AUROC/AUPRC, calibration, alerts.

Expected utilities are worked out by hand from the challenge definition (model/utility.py docstring):
with dt_early=-12, dt_optimal=-6, dt_late=3, an alert at d = t - t_sepsis earns d/6 + 2 up to d = -6
(never below -0.05) and (3 - d)/9 after it; a septic hour without an alert costs (d + 6) * 2/9 after
d = -6; hours after d = 3 count 0; each alert on a never-septic patient costs 0.05.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import polars as pl
import pytest

from sepsiscope.model import metrics as m

# A septic patient with 20 hourly rows, first SepsisLabel = 1 at row 10, so t_sepsis = 16 and the rows
# sit at d = -16 .. +3 hours from onset.
SEPTIC_LABELS = [0] * 10 + [1] * 10
MISSED_HOURS = -sum(Fraction(2 * k, 9) for k in range(1, 10))  # no alert at d = -5..3: -(2+4+...+18)/9


def _alerts(rows: list[int], n: int = 20) -> list[int]:
    return [1 if i in rows else 0 for i in range(n)]


def _u(labels: list[int], predictions: list[int]) -> float:
    return float(m.utility_per_row(labels, predictions, ["p"] * len(labels)).sum())


def test_challenge_docstring_example() -> None:
    # evaluate_sepsis_score.py, compute_prediction_utility: labels 0,0,0,0,1,1 / predictions 0,0,1,1,1,1
    # t_sepsis = 10: alerts at d = -8, -7, -6, -5 earn 2/3 + 5/6 + 1 + 8/9 = 61/18.
    assert _u([0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 1, 1]) == pytest.approx(61 / 18, abs=1e-12)


@pytest.mark.parametrize(
    ("case", "alert_rows", "expected"),
    [
        # one alert exactly at the optimal hour (row 10, d = -6) earns 1; the later hours are missed.
        ("optimal_hour_only", [10], 1 + MISSED_HOURS),
        # alerting from the optimal hour on: 1 + (8 + 7 + ... + 0)/9 = 1 + 4.
        ("from_optimal_on", list(range(10, 20)), Fraction(5)),
        # too early: rows 0-3 are d = -16..-13, each floored at -0.05; then every late hour missed.
        ("too_early", [0, 1, 2, 3], 4 * Fraction(-5, 100) + MISSED_HOURS),
        # at the earliest credited hour (d = -12) an alert earns exactly 0.
        ("earliest_credited_hour", [4], MISSED_HOURS),
        # too late: d = 1, 2, 3 earn 2/9 + 1/9 + 0; d = -5..0 missed: -(2+4+...+12)/9 = -42/9.
        ("too_late", [17, 18, 19], Fraction(3, 9) - Fraction(42, 9)),
        ("never", [], MISSED_HOURS),
        # the best predictions: d = -12..3 -> (0+1+...+6)/6 + 4 = 7.5
        ("best", list(range(4, 20)), Fraction(15, 2)),
    ],
)
def test_septic_patient_by_hand(case: str, alert_rows: list[int], expected: Fraction) -> None:
    assert _u(SEPTIC_LABELS, _alerts(alert_rows)) == pytest.approx(float(expected), abs=1e-12), case


def test_missed_hours_sum_to_minus_ten() -> None:
    assert MISSED_HOURS == -10


def test_hours_after_the_window_count_nothing() -> None:
    labels = SEPTIC_LABELS + [1] * 5  # d = 4..8
    quiet = _u(labels, _alerts([], 25))
    loud = _u(labels, _alerts(list(range(20, 25)), 25))
    assert quiet == loud == pytest.approx(-10)
    assert m.utility_per_row(labels, _alerts(list(range(20, 25)), 25), ["p"] * 25)[20:].tolist() == [0.0] * 5


def test_labelled_from_the_first_row() -> None:
    # first label at row 0: t_sepsis = 6, rows are d = -6..; an alert at row 0 earns 1.
    labels = [1] * 10
    assert _u(labels, _alerts([0], 10)) == pytest.approx(1 + float(MISSED_HOURS))
    assert m.normalized_utility(labels, _alerts(list(range(10)), 10), ["p"] * 10) == pytest.approx(1.0)


@pytest.mark.parametrize("false_alarms", [0, 1, 3, 10])
def test_never_septic_patient_false_alarms(false_alarms: int) -> None:
    assert _u([0] * 10, _alerts(list(range(false_alarms)), 10)) == pytest.approx(-0.05 * false_alarms)


def test_normalisation_over_the_cohort() -> None:
    labels = SEPTIC_LABELS + [0] * 10
    ids = ["a"] * 20 + ["b"] * 10
    predictions = _alerts(list(range(10, 20))) + _alerts([0, 1, 2], 10)
    totals = m.utility_totals(labels, predictions, ids)
    assert totals.observed == pytest.approx(5 - 0.15)
    assert totals.best == pytest.approx(7.5)
    assert totals.inaction == pytest.approx(-10)
    assert totals.normalized == pytest.approx((5 - 0.15 + 10) / (7.5 + 10))
    assert m.normalized_utility(labels, predictions, ids) == totals.normalized


def test_best_scores_one_and_inaction_zero() -> None:
    labels = SEPTIC_LABELS + [0] * 10 + [1] * 4
    ids = ["a"] * 20 + ["b"] * 10 + ["c"] * 4
    best = _alerts(list(range(4, 20))) + [0] * 10 + [1] * 4
    assert m.normalized_utility(labels, best, ids) == pytest.approx(1.0)
    assert m.normalized_utility(labels, [0] * len(labels), ids) == 0.0


def test_no_septic_patient_is_not_defined() -> None:
    assert math.isnan(m.normalized_utility([0, 0, 0], [1, 0, 0], ["a", "a", "b"]))


def test_rows_are_indexed_within_each_patient_in_order_of_appearance() -> None:
    labels = np.asarray(SEPTIC_LABELS + [0] * 10)
    ids = np.asarray(["a"] * 20 + ["b"] * 10)
    predictions = np.asarray(_alerts(list(range(10, 20))) + _alerts([0, 1, 2], 10))
    expected = m.normalized_utility(labels, predictions, ids)
    # b first, then a; and a, b alternating: each patient's own rows keep their order, so nothing changes
    for order in (np.r_[np.arange(20, 30), np.arange(0, 20)], np.r_[np.c_[np.arange(10), np.arange(20, 30)].ravel(),
                                                                     np.arange(10, 20)]):  # fmt: skip
        got = m.normalized_utility(labels[order], predictions[order], pl.Series(ids[order]))
        assert got == pytest.approx(expected, abs=1e-12)


def _reference_utility(labels: np.ndarray, predictions: np.ndarray, ids: np.ndarray) -> tuple[float, float, float]:
    """Patient by patient, row by row, straight from the definition (slow; for comparison only)."""
    totals = [0.0, 0.0, 0.0]
    for pid in dict.fromkeys(ids.tolist()):
        lab, pred = labels[ids == pid], predictions[ids == pid]
        onset = int(np.argmax(lab)) + 6 if lab.any() else None
        best = [onset is not None and -12 <= t - onset <= 3 for t in range(len(lab))]
        for k, alerts in enumerate((pred, best, [0] * len(lab))):
            for t, alert in enumerate(alerts):
                if onset is None:
                    totals[k] += -0.05 if alert else 0.0
                    continue
                d = t - onset
                if d > 3:
                    continue
                if alert:
                    totals[k] += max(d / 6 + 2, -0.05) if d <= -6 else (3 - d) / 9
                elif d > -6:
                    totals[k] += -2 * (d + 6) / 9
    return totals[0], totals[1], totals[2]


@pytest.mark.parametrize("seed", range(20))
def test_vectorised_equals_row_by_row_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels, ids = [], []
    for p in range(int(rng.integers(1, 8))):
        n = int(rng.integers(1, 50))
        lab = np.zeros(n, dtype=int)
        if rng.random() < 0.6:
            lab[int(rng.integers(0, n)) :] = 1
        labels.append(lab)
        ids += [f"p{p}"] * n
    y, pid = np.concatenate(labels), np.asarray(ids)
    pred = (rng.random(len(y)) < rng.random()).astype(int)
    got = m.utility_totals(y, pred, pid)
    assert (got.observed, got.best, got.inaction) == pytest.approx(_reference_utility(y, pred, pid), abs=1e-9)


def test_utility_curve_matches_normalized_utility_at_each_threshold() -> None:
    rng = np.random.default_rng(7)
    labels = np.r_[SEPTIC_LABELS, [0] * 30, [0] * 5, [1] * 15]
    ids = np.repeat(["a", "b", "c"], [20, 30, 20])
    prob = np.round(rng.random(len(labels)), 1)  # ties on purpose
    thresholds = np.r_[0.0, np.linspace(0.05, 0.95, 19), 0.5, 1.0, 1.5]
    curve = m.utility_curve(labels, prob, ids, thresholds)
    direct = [m.normalized_utility(labels, (prob >= t).astype(int), ids) for t in thresholds]
    assert curve == pytest.approx(direct, abs=1e-12)
    assert curve[-1] == 0.0  # nothing alerts above the highest probability


def test_hours_from_onset() -> None:
    d = m.hours_from_onset([0, 1, 1, 0, 0], ["a", "a", "a", "b", "b"])
    assert d[:3].tolist() == [-7.0, -6.0, -5.0]
    assert np.isnan(d[3:]).all()


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="labels must be 0 or 1; row 1 holds"):
        m.normalized_utility([0, 2], [0, 0], ["a", "a"])
    with pytest.raises(ValueError, match="lengths differ"):
        m.normalized_utility([0, 1], [0], ["a", "a"])
    with pytest.raises(ValueError, match="finite"):
        m.auroc([0, 1], [0.1, float("nan")])


# -- AUROC / AUPRC ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "scores", "auroc", "auprc"),
    [
        # scikit-learn's documented example: roc_auc_score 0.75, average_precision_score 0.8333...
        ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.75, 0.5 * 1 + 0.5 * 2 / 3),
        # perfect ranking
        ([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], 1.0, 1.0),
        # everything tied: one ROC point (1, 1), precision 1/2 at recall 1
        ([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 0.5, 0.5),
        # a tie across classes: ROC (0, 0) -> (0, 1/2) -> (1, 1) = 0.75; AP = 1/2 * 1 + 1/2 * 2/3
        ([0, 1, 1], [0.2, 0.2, 0.9], 0.75, 0.5 + 1 / 3),
        # inverted ranking
        ([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9], 0.0, (0.5 / 3 + 0.5 / 2)),
    ],
)
def test_auroc_auprc_by_hand(labels: list[int], scores: list[float], auroc: float, auprc: float) -> None:
    assert m.auroc(labels, scores) == pytest.approx(auroc, abs=1e-12)
    assert m.auprc(labels, scores) == pytest.approx(auprc, abs=1e-12)


def test_auroc_auprc_one_class_is_not_defined() -> None:
    assert math.isnan(m.auroc([0, 0], [0.1, 0.2]))
    assert math.isnan(m.auprc([0, 0], [0.1, 0.2]))
    assert math.isnan(m.auroc([1, 1], [0.1, 0.2]))


def test_roc_curve_points() -> None:
    fpr, tpr, thresholds = m.roc_curve([0, 1, 1], [0.2, 0.2, 0.9])
    assert fpr.tolist() == [0.0, 0.0, 1.0]
    assert tpr.tolist() == [0.0, 0.5, 1.0]
    assert thresholds.tolist() == [math.inf, 0.9, 0.2]


# -- calibration and alerts -----------------------------------------------------------------------


def test_calibration_deciles_and_brier() -> None:
    prob = np.arange(20) / 20  # 0.00, 0.05, ... 0.95
    labels = (np.arange(20) >= 18).astype(int)
    cal = m.calibration(labels, prob)
    assert [b.rows for b in cal.bins] == [2] * 10
    assert cal.bins[0].lower == 0.0 and cal.bins[0].upper == 0.05
    assert cal.bins[-1].expected == pytest.approx(0.9 + 0.95)
    assert [b.observed for b in cal.bins] == [0] * 9 + [2]
    assert cal.bins[-1].observed_rate == 1.0
    assert cal.bins[4].mean_predicted == pytest.approx(0.425)
    assert cal.brier_score == pytest.approx(float(np.mean((prob - labels) ** 2)))
    assert len(m.calibration([0, 1, 0], [0.1, 0.9, 0.2]).bins) == 3  # fewer rows than bins: no empty bins


def test_alerts_per_patient_day() -> None:
    assert m.alerts_per_patient_day([1] * 3 + [0] * 45) == pytest.approx(1.5)  # 3 alerts in 2 patient-days
    burden = m.alert_burden_curve(np.arange(48) / 48, [0.0, 0.5, 1.0])
    assert burden.tolist() == [24.0, 12.0, 0.0]


def test_threshold_for_alert_budget() -> None:
    prob = np.arange(48) / 100  # 48 patient-hours = 2 patient-days, distinct probabilities
    t = m.threshold_for_alert_budget(prob, 1.0)  # budget: 2 alerts
    assert t == 0.46
    assert int((prob >= t).sum()) == 2
    assert m.threshold_for_alert_budget(prob, 0.0) > prob.max()  # nothing may alert
    assert m.threshold_for_alert_budget(prob, 24.0) == 0.0  # everything may alert
    tied = np.r_[np.zeros(44), [0.9, 0.9, 0.9, 0.8]]
    t = m.threshold_for_alert_budget(tied, 1.0)  # 3 tied at 0.9 would overshoot 2 alerts
    assert t > 0.9 and int((tied >= t).sum()) == 0
    assert m.threshold_for_alert_budget(tied, 1.5) == 0.9  # 3 alerts allowed
    with pytest.raises(ValueError, match=">= 0"):
        m.threshold_for_alert_budget(prob, -1)


def test_summary_patient_and_hour_level() -> None:
    # a: septic (t_sepsis = 16), alerts at rows 12 (d = -4) and 18 (d = +2) -> detected, warning 4 h
    # b: never septic, one false alarm;  c: septic (first label row 0, t_sepsis = 6), alert at row 12 (d = 6,
    # after the window) -> alerted, septic, but not detected;  d: never septic, no alerts.
    labels = SEPTIC_LABELS + [0] * 10 + [1] * 14 + [0] * 4
    ids = ["a"] * 20 + ["b"] * 10 + ["c"] * 14 + ["d"] * 4
    alerts = _alerts([12, 18]) + _alerts([5], 10) + _alerts([12], 14) + [0] * 4
    prob = np.where(np.asarray(alerts) == 1, 0.9, 0.1)
    s = m.summary(labels, prob, alerts, ids)
    assert s["patients"] == 4 and s["septic_patients"] == 2 and s["patient_hours"] == 48
    assert s["alerts"] == 4 and s["alerts_per_patient_day"] == pytest.approx(2.0)
    assert s["alerted_patients"] == 3 and s["detected_patients"] == 1
    assert s["sensitivity_patient"] == 0.5
    assert s["ppv_patient"] == pytest.approx(2 / 3)
    assert s["median_warning_hours"] == 4.0
    assert s["sensitivity_hour"] == pytest.approx(3 / 24)  # rows 12, 18 of a and 12 of c are labelled
    assert s["ppv_hour"] == pytest.approx(3 / 4)
    assert s["normalized_utility"] == pytest.approx(m.normalized_utility(labels, alerts, ids))
    assert list(s) == sorted(s)
