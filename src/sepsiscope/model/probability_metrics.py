"""Metrics of the predicted probabilities themselves: discrimination (ROC, PR, AUROC, AUPRC) and calibration.

Source: the AUROC and AUPRC the PhysioNet/CinC 2019 challenge reports alongside its utility (Reyna MA,
Josef CS, Jeter R, et al. Crit Care Med 2020;48(2):210-217; scoring code github.com/physionetchallenges/
evaluation-2019, ``evaluate_sepsis_score.py``: ``compute_auc``), computed as scikit-learn's
``roc_auc_score`` and ``average_precision_score`` do (tied scores form one point). Calibration: equal-count
risk bins (deciles by default) of expected vs observed positives, and the Brier score (mean squared
difference between probability and label).

Every function takes one value per patient-hour, in row order; rows are scored against ``SepsisLabel``
with no patient grouping. All of these are re-exported by :mod:`sepsiscope.model.metrics`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from sepsiscope.model.metric_inputs import FloatArray, IntArray, as_binary, as_probabilities, same_length


@dataclass(frozen=True)
class CalibrationBin:
    """One risk bin: ``rows`` rows with probabilities in [lower, upper]; expected vs observed positives."""

    lower: float
    upper: float
    rows: int
    expected: float
    observed: int
    mean_predicted: float
    observed_rate: float


@dataclass(frozen=True)
class Calibration:
    """Equal-count risk bins (deciles by default) and the Brier score."""

    bins: tuple[CalibrationBin, ...]
    brier_score: float

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {"bins": [asdict(b) for b in self.bins], "brier_score": self.brier_score}


# -- discrimination ---------------------------------------------------------------------------


def _ranked(labels: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[IntArray, IntArray, FloatArray]:
    """True and false positives at each distinct score, highest score first (ties count together)."""
    y = as_binary(labels, "labels")
    s = as_probabilities(scores, "scores")
    same_length(labels=y, scores=s)
    order = np.argsort(s, kind="stable")[::-1]
    s_sorted = s[order]
    ends = np.r_[np.flatnonzero(np.diff(s_sorted)), len(s) - 1] if len(s) else np.zeros(0, np.int64)
    tps = np.cumsum(y[order], dtype=np.int64)[ends]
    return tps, ends + 1 - tps, s_sorted[ends]


def roc_curve(labels: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """False positive rate, true positive rate and thresholds, starting at (0, 0) with threshold +inf."""
    tps, fps, thresholds = _ranked(labels, scores)
    tps, fps = np.r_[0, tps], np.r_[0, fps]
    pos, neg = tps[-1], fps[-1]
    fpr = fps / neg if neg else np.full(len(fps), np.nan)
    tpr = tps / pos if pos else np.full(len(tps), np.nan)
    return fpr, tpr, np.r_[np.inf, thresholds]


def precision_recall_curve(labels: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Precision, recall and thresholds, one point per distinct score, highest threshold first."""
    tps, fps, thresholds = _ranked(labels, scores)
    pos = tps[-1] if len(tps) else 0
    precision = tps / (tps + fps)
    recall = tps / pos if pos else np.full(len(tps), np.nan)
    return precision, recall, thresholds


def auroc(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """Area under the ROC curve (trapezoids; tied scores form one point, as scikit-learn's roc_auc_score).

    NaN when only one class is present.
    """
    fpr, tpr, _ = roc_curve(labels, scores)
    if np.isnan(fpr).any() or np.isnan(tpr).any():
        return math.nan
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def auprc(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """Average precision: sum of (R_k - R_k-1) P_k over distinct thresholds (scikit-learn's definition).

    Precision is a step function of recall, as in the challenge's compute_auc. NaN with no positives.
    """
    precision, recall, _ = precision_recall_curve(labels, scores)
    if not len(recall) or np.isnan(recall).any():
        return math.nan
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


# -- calibration ------------------------------------------------------------------------------


def calibration(labels: npt.ArrayLike, probabilities: npt.ArrayLike, bins: int = 10) -> Calibration:
    """Equal-count bins of predicted risk (deciles by default): expected vs observed, plus the Brier score.

    Rows are ranked by probability (stable order for ties) and cut into ``bins`` groups of equal size.
    """
    y = as_binary(labels, "labels")
    prob = as_probabilities(probabilities)
    n = same_length(labels=y, probabilities=prob)
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    order = np.argsort(prob, kind="stable")
    group = np.arange(n) * bins // max(n, 1)
    out = []
    for b in range(bins):
        rows = order[group == b]
        if not len(rows):
            continue
        p, hit = prob[rows], y[rows]
        out.append(
            CalibrationBin(
                lower=float(p.min()),
                upper=float(p.max()),
                rows=len(rows),
                expected=float(p.sum()),
                observed=int(hit.sum()),
                mean_predicted=float(p.mean()),
                observed_rate=float(hit.mean()),
            )
        )
    brier = float(np.mean((prob - y) ** 2)) if n else math.nan
    return Calibration(tuple(out), brier)
