"""Early-warning metrics, defined once: challenge utility, AUROC, AUPRC, calibration, alert burden.

This module is the one place callers import metrics from. It owns :func:`summary`, the headline
numbers (utility, discrimination, calibration, alert burden and patient-level detection and warning
time, all in one pass), and re-exports every metric from the module that defines it:

- :mod:`sepsiscope.model.utility` - the PhysioNet/CinC 2019 challenge utility (per-hour utility,
  normalized utility, utility curves, hours from onset);
- :mod:`sepsiscope.model.probability_metrics` - ROC/PR curves, AUROC, AUPRC, calibration bins and Brier;
- :mod:`sepsiscope.model.alert_burden` - alerts per patient-day and alert-budget thresholds;
- :mod:`sepsiscope.model.metric_inputs` - the per-row input checks they share.

Source: Reyna MA, Josef CS, Jeter R, et al. Early Prediction of Sepsis From Clinical Data: the
PhysioNet/Computing in Cardiology Challenge 2019. Crit Care Med 2020;48(2):210-217, and the challenge's
published scoring code (github.com/physionetchallenges/evaluation-2019, ``evaluate_sepsis_score.py``:
``compute_prediction_utility`` and the best/inaction predictions of ``evaluate_sepsis_score``).
Labelling rule: shared/docs/clinical/adult-scores.md §3.6. The utility rule itself is spelled out in
the :mod:`sepsiscope.model.utility` docstring.

Every function takes one value per patient-hour, in row order, plus ``patient_ids`` where patients
matter. A row's time ``t`` is its 0-based position among its patient's rows (order of appearance),
exactly as the challenge indexes the rows of one file; one row is one hour.

Alerts: a row alerts when its prediction is 1; from probabilities, when ``probability >= threshold``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import polars as pl

from sepsiscope.model.alert_burden import (
    HOURS_PER_DAY,
    alert_burden_curve,
    alerts_per_patient_day,
    threshold_for_alert_budget,
)
from sepsiscope.model.metric_inputs import BoolArray, FloatArray, IntArray, as_binary, as_probabilities, same_length
from sepsiscope.model.probability_metrics import (
    Calibration,
    CalibrationBin,
    auprc,
    auroc,
    calibration,
    precision_recall_curve,
    roc_curve,
)
from sepsiscope.model.utility import (
    CHALLENGE_2019,
    UtilityParameters,
    UtilityTotals,
    hours_from_onset,
    normalize_utility,
    normalized_utility,
    onset_index,
    row_utilities,
    utility_curve,
    utility_per_row,
    utility_totals,
)

__all__ = [
    "CHALLENGE_2019",
    "HOURS_PER_DAY",
    "BoolArray",
    "Calibration",
    "CalibrationBin",
    "FloatArray",
    "IntArray",
    "UtilityParameters",
    "UtilityTotals",
    "alert_burden_curve",
    "alerts_per_patient_day",
    "auprc",
    "auroc",
    "calibration",
    "hours_from_onset",
    "normalized_utility",
    "precision_recall_curve",
    "roc_curve",
    "summary",
    "threshold_for_alert_budget",
    "utility_curve",
    "utility_per_row",
    "utility_totals",
]


def _ratio(num: int, den: int) -> float:
    return num / den if den else math.nan


def summary(
    labels: npt.ArrayLike,
    probabilities: npt.ArrayLike,
    predictions: npt.ArrayLike,
    patient_ids: npt.ArrayLike | pl.Series,
    params: UtilityParameters = CHALLENGE_2019,
) -> dict[str, float | int]:
    """Every headline metric as plain numbers (NaN where undefined), keys in alphabetical order.

    Patient level: a septic patient is *detected* when an alert falls in [t_sepsis + dt_early,
    t_sepsis + dt_late] (-12 h to +3 h); ``sensitivity_patient`` = detected / septic patients;
    ``ppv_patient`` = alerted patients who are septic / alerted patients. ``median_warning_hours``:
    over detected patients, t_sepsis minus the first alert in that window. Hour level: rows against
    ``SepsisLabel``. Utility: :func:`utility_totals`; AUROC, AUPRC, Brier from probabilities.
    """
    y = as_binary(labels, "labels")
    prob = as_probabilities(probabilities)
    alert = as_binary(predictions, "predictions")
    rows = same_length(labels=y, probabilities=prob, predictions=alert)
    cohort = onset_index(y, patient_ids, params)
    u_alert, u_quiet, best = row_utilities(cohort, params)
    observed = float(np.sum(np.where(alert, u_alert, u_quiet)))
    top = float(np.sum(np.where(best, u_alert, u_quiet)))
    inaction = float(np.sum(u_quiet))

    alerted = np.zeros(cohort.patients, dtype=np.bool_)
    alerted[cohort.code[alert]] = True
    in_window = alert & (cohort.d >= params.dt_early) & (cohort.d <= params.dt_late)  # NaN compares False
    first_alert = np.full(cohort.patients, np.inf)
    np.minimum.at(first_alert, cohort.code[in_window], cohort.d[in_window])
    detected = np.isfinite(first_alert)
    septic = cohort.septic_patient
    tp_hours = int(np.sum(alert & y))
    return {
        "alerted_patients": int(alerted.sum()),
        "alerts": int(alert.sum()),
        "alerts_per_patient_day": _ratio(int(alert.sum()) * HOURS_PER_DAY, rows),
        "auprc": auprc(y, prob),
        "auroc": auroc(y, prob),
        "brier_score": float(np.mean((prob - y) ** 2)) if rows else math.nan,
        "detected_patients": int(detected.sum()),
        "median_warning_hours": float(np.median(-first_alert[detected])) if detected.any() else math.nan,
        "normalized_utility": normalize_utility(observed, top, inaction),
        "patient_hours": rows,
        "patients": cohort.patients,
        "ppv_hour": _ratio(tp_hours, int(alert.sum())),
        "ppv_patient": _ratio(int(np.sum(alerted & septic)), int(alerted.sum())),
        "sensitivity_hour": _ratio(tp_hours, int(y.sum())),
        "sensitivity_patient": _ratio(int(detected.sum()), int(septic.sum())),
        "septic_patients": int(septic.sum()),
        "utility_best": top,
        "utility_inaction": inaction,
        "utility_observed": observed,
    }
