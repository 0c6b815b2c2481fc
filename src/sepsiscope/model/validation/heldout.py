"""Held-out predictions made exactly as ``sepsiscope train`` would make them, without the held-out rows.

The question a validation design must answer is how the *whole training procedure* — fold
models, isotonic calibration on their out-of-fold scores, threshold chosen on those
calibrated scores, final model — does on patients it never saw. So every held-out part here
gets its own run of that procedure on the rest of the data; nothing about the held-out part
(not even the threshold) is chosen with its labels.

* :func:`nested_cv` — repeated patient-grouped K-fold. For outer fold k the training part's
  out-of-fold scores come from inner models trained without folds {k, j}; the model for the
  pair {k, j} serves both outer folds k and j, so a repeat costs K(K-1)/2 + K fits, not K².
  With early stopping, outer fold k's rounds come from the pair models' held-out log-loss on
  the folds j != k, as ``train`` chooses them from its folds.
* :func:`leave_group_out` — train on every patient outside a group (e.g. an ICU type), test
  on the group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import lightgbm as lgb
import numpy as np

from sepsiscope.model.artifact import Calibration
from sepsiscope.model.augment import ExtraRows, copies_of
from sepsiscope.model.bagging import predict_rounds
from sepsiscope.model.config import TrainConfig
from sepsiscope.model.dataset import patient_folds
from sepsiscope.model.fitting import best_rounds, fit_booster, fit_with_curves
from sepsiscope.model.target import fit_target
from sepsiscope.model.train import choose_threshold, cross_validate, fit_calibration

#: Threshold rules judged by the validation designs (``train --threshold-rule``).
RULES = ("robust", "utility")


@dataclass
class HeldOut:
    """One held-out part: its rows, calibrated probabilities, and each rule's threshold."""

    rows: np.ndarray  # indices into the full data
    probability: np.ndarray  # calibrated, aligned with ``rows``
    thresholds: dict[str, float]
    booster: lgb.Booster = field(repr=False)
    calibration: Calibration = field(repr=False)
    label: str = ""
    rounds: int = 0  # boosting rounds of the held-out part's model
    # The training part's calibrated out-of-fold scores, on which the thresholds were chosen
    # (so another threshold rule can be judged later without refitting).
    train_rows: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64), repr=False)
    train_probability: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)

    def alerts(self, rule: str) -> np.ndarray:
        """Alert per row of ``rows`` under a threshold rule."""
        return self.probability >= self.thresholds[rule]


def _procedure(
    inner_raw: np.ndarray, train_rows: np.ndarray, y: np.ndarray, patient_id: np.ndarray, rules: Sequence[str]
) -> tuple[Calibration, dict[str, float], np.ndarray]:
    """Calibration, thresholds and calibrated scores from a training part's out-of-fold scores (as ``train`` does)."""
    calibration = fit_calibration(inner_raw, y[train_rows])
    probability = calibration(inner_raw)
    thresholds = {r: choose_threshold(probability, y[train_rows], patient_id[train_rows], None, r)[0] for r in rules}
    return calibration, thresholds, probability


def nested_cv(
    X: np.ndarray,
    y: np.ndarray,
    patient_id: np.ndarray,
    names: list[str],
    config: TrainConfig,
    *,
    folds: int = 5,
    seed: int = 0,
    rules: Sequence[str] = RULES,
    extra: ExtraRows | None = None,
) -> list[HeldOut]:
    """One repeat of patient-grouped K-fold with the whole training procedure inside each training part.

    ``extra`` (augmented copies, ``model.augment``) fit every booster of their patients'
    training parts, as ``train`` uses them; they are never scored.
    """
    if folds < 3:
        raise ValueError(f"nested cross-validation needs at least 3 folds, got {folds}")
    fold = patient_folds(patient_id, folds, seed)
    fit = fit_target(config.target, y, patient_id)
    pairs: dict[tuple[int, int], tuple[lgb.Booster, dict[int, np.ndarray]]] = {}
    for a in range(folds):
        for b in range(a + 1, folds):
            train_rows = np.flatnonzero((fold != a) & (fold != b))
            held = [np.flatnonzero(fold == a), np.flatnonzero(fold == b)] if config.early_stopping else []
            copies = copies_of(extra, patient_id[train_rows])
            booster, curves = fit_with_curves(
                X, fit.y, train_rows, config, names, seed * 1000 + a * folds + b, held, copies, fit.weight
            )
            pairs[(a, b)] = (booster, dict(zip((a, b), curves, strict=False)))
    out = []
    for k in range(folds):
        others = [j for j in range(folds) if j != k]
        # The pair model without {k, j} scores fold j for outer fold k; its curve on j picks the rounds.
        models = {j: pairs[(min(k, j), max(k, j))] for j in others}
        rounds = best_rounds([models[j][1][j] for j in others]) if config.early_stopping else config.rounds
        inner = np.full(len(y), np.nan)
        for j in others:
            rows = np.flatnonzero(fold == j)
            inner[rows] = predict_rounds(models[j][0], X[rows], rounds, config.bag)
        train_rows = np.flatnonzero(fold != k)
        test_rows = np.flatnonzero(fold == k)
        calibration, thresholds, inner_probability = _procedure(inner[train_rows], train_rows, y, patient_id, rules)
        outer = replace(config, rounds=rounds)
        copies = copies_of(extra, patient_id[train_rows])
        booster = fit_booster(X, fit.y, train_rows, outer, names, seed * 1000 + 999 - k, copies, fit.weight)
        probability = calibration(np.asarray(booster.predict(X[test_rows])))
        label = f"repeat seed {seed} fold {k}"
        out.append(
            HeldOut(
                test_rows, probability, thresholds, booster, calibration, label, rounds, train_rows, inner_probability
            )
        )
    return out


def leave_group_out(
    X: np.ndarray,
    y: np.ndarray,
    patient_id: np.ndarray,
    names: list[str],
    config: TrainConfig,
    held_out: np.ndarray,
    *,
    label: str,
    seed: int = 0,
    rules: Sequence[str] = RULES,
    extra: ExtraRows | None = None,
) -> HeldOut:
    """Train on rows outside ``held_out`` (boolean per row) with inner K-fold; predict the held-out rows."""
    train_rows = np.flatnonzero(~held_out)
    test_rows = np.flatnonzero(held_out)
    if not len(train_rows) or not len(test_rows):
        raise ValueError(f"{label}: both the training and the held-out part need rows")
    copies = copies_of(extra, patient_id[train_rows])
    inner, rounds = cross_validate(X, y, train_rows, patient_id, config, names, seed * 1000, extra=copies)
    calibration, thresholds, inner_probability = _procedure(inner, train_rows, y, patient_id, rules)
    fit = fit_target(config.target, y, patient_id)
    booster = fit_booster(
        X, fit.y, train_rows, replace(config, rounds=rounds), names, seed * 1000 + 999, copies, fit.weight
    )
    probability = calibration(np.asarray(booster.predict(X[test_rows])))
    return HeldOut(
        test_rows, probability, thresholds, booster, calibration, label, rounds, train_rows, inner_probability
    )


def pooled(parts: Sequence[HeldOut], n: int, rule: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probabilities and alerts of every held-out row put back in data order, and which rows were held out."""
    probability = np.zeros(n)
    alert = np.zeros(n, dtype=np.bool_)
    seen = np.zeros(n, dtype=np.bool_)
    for part in parts:
        probability[part.rows] = part.probability
        alert[part.rows] = part.alerts(rule)
        seen[part.rows] = True
    return probability, alert, seen
