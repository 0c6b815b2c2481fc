"""Alert burden: alerts per patient-day at a threshold, and the threshold that keeps within a budget.

One row is one patient-hour (the PhysioNet/CinC 2019 hourly layout: Reyna MA, Josef CS, Jeter R, et al.
Early Prediction of Sepsis From Clinical Data: the PhysioNet/Computing in Cardiology Challenge 2019.
Crit Care Med 2020;48(2):210-217), so a patient-day is 24 rows. A row alerts when its prediction is 1;
from probabilities, when ``probability >= threshold``. All of these are re-exported by
:mod:`sepsiscope.model.metrics`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from sepsiscope.model.metric_inputs import FloatArray, as_binary, as_probabilities

HOURS_PER_DAY = 24


def alerts_per_patient_day(predictions: npt.ArrayLike) -> float:
    """Positive predictions per 24 patient-hours (rows / 24)."""
    alert = as_binary(predictions, "predictions")
    return float(alert.sum() / (len(alert) / HOURS_PER_DAY)) if len(alert) else math.nan


def alert_burden_curve(probabilities: npt.ArrayLike, thresholds: npt.ArrayLike) -> FloatArray:
    """Alerts per patient-day when alerting at ``probability >= threshold``, for each threshold."""
    prob = np.sort(as_probabilities(probabilities))
    alerting = len(prob) - np.searchsorted(prob, np.asarray(thresholds, dtype=np.float64), "left")
    return alerting / (len(prob) / HOURS_PER_DAY) if len(prob) else np.full(len(alerting), np.nan)


def threshold_for_alert_budget(probabilities: npt.ArrayLike, alerts_per_patient_day: float) -> float:
    """The lowest threshold whose alerts (``probability >= threshold``) stay within the budget.

    The budget allows ``floor(alerts_per_patient_day * rows / 24)`` alerting rows. The result is one of
    the probabilities (so tied rows alert together and never overshoot); when even the highest
    probability would overshoot, it is the next float above it, and nothing alerts.
    """
    if not alerts_per_patient_day >= 0:
        raise ValueError(f"alerts_per_patient_day must be >= 0, got {alerts_per_patient_day}")
    prob = np.sort(as_probabilities(probabilities))[::-1]
    if not len(prob):
        raise ValueError("no probabilities: the alert budget needs at least one row")
    allowed = math.floor(alerts_per_patient_day * len(prob) / HOURS_PER_DAY + 1e-9)
    if allowed >= len(prob):
        return float(prob[-1])
    above = prob[prob > prob[allowed]]
    return float(above[-1]) if len(above) else float(np.nextafter(prob[0], np.inf))
