"""The PhysioNet/CinC 2019 challenge utility: per-hour utility weights, normalized utility, utility curves.

Source: Reyna MA, Josef CS, Jeter R, et al. Early Prediction of Sepsis From Clinical Data: the
PhysioNet/Computing in Cardiology Challenge 2019. Crit Care Med 2020;48(2):210-217, and the challenge's
published scoring code (github.com/physionetchallenges/evaluation-2019, ``evaluate_sepsis_score.py``:
``compute_prediction_utility`` and the best/inaction predictions of ``evaluate_sepsis_score``).
Labelling rule: shared/docs/clinical/adult-scores.md §3.6.

Every function takes one value per patient-hour, in row order, plus ``patient_ids``. A row's time
``t`` is its 0-based position among its patient's rows (order of appearance), exactly as the
challenge indexes the rows of one file; one row is one hour.

The utility, per patient (the challenge's code, vectorised over the cohort):

- septic if any label is 1; ``t_sepsis = first labelled row - dt_optimal`` (= first label + 6, because
  PhysioNet labels start 6 h before onset); ``d = t - t_sepsis``;
- septic rows with ``d <= dt_late``: an alert scores ``max(m1 d + b1, u_fp)`` up to ``d = dt_optimal``
  (0 at -12 h, 1 at -6 h; earlier alerts cost ``u_fp``) and ``m2 d + b2`` after it (1 at -6 h falling
  to 0 at +3 h); no alert scores 0 up to ``dt_optimal`` and ``m3 d + b3`` after it (0 at -6 h falling
  to -2 at +3 h);
- septic rows with ``d > dt_late`` score 0 whatever the prediction (the challenge loop skips them);
- never-septic rows: an alert scores ``u_fp`` (-0.05), no alert ``u_tn`` (0);
- normalized utility = ``(U - U_inaction) / (U_best - U_inaction)`` over the whole cohort, where the best
  predictions alert a septic patient exactly on ``dt_early <= d <= dt_late`` and never otherwise, and
  inaction never alerts. It is NaN when no patient is septic (the challenge divides by zero).

Alerts: a row alerts when its prediction is 1; from probabilities, when ``probability >= threshold``.
All of these are re-exported by :mod:`sepsiscope.model.metrics`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from sepsiscope.model.metric_inputs import (
    BoolArray,
    FloatArray,
    IntArray,
    as_binary,
    as_probabilities,
    same_length,
)


@dataclass(frozen=True)
class UtilityParameters:
    """Utility constants of the PhysioNet/CinC 2019 challenge (hours relative to onset; scores)."""

    dt_early: int = -12
    dt_optimal: int = -6
    dt_late: int = 3
    max_u_tp: float = 1.0
    min_u_fn: float = -2.0
    u_fp: float = -0.05
    u_tn: float = 0.0


#: The challenge's values (evaluate_sepsis_score.py; Reyna 2020, Figure 2).
CHALLENGE_2019 = UtilityParameters()


@dataclass(frozen=True)
class UtilityTotals:
    """Cohort utility sums and the normalized utility built from them."""

    observed: float
    best: float
    inaction: float
    normalized: float


@dataclass(frozen=True)
class OnsetIndex:
    """Where each row sits: its patient, its hour within the patient and its hours from onset."""

    code: IntArray  # patient number per row, 0..patients-1
    position: IntArray  # 0-based row within its patient
    patients: int
    septic_patient: BoolArray  # per patient
    d: FloatArray  # per row: position - t_sepsis; NaN for never-septic patients

    @property
    def septic(self) -> BoolArray:
        """Per row: does the row belong to a septic patient."""
        return ~np.isnan(self.d)


def onset_index(labels: BoolArray, patient_ids: npt.ArrayLike | pl.Series, params: UtilityParameters) -> OnsetIndex:
    """Index the rows by patient (order of appearance) and by hours from the challenge's ``t_sepsis``."""
    if not params.dt_early < params.dt_optimal < params.dt_late:
        raise ValueError(f"utility parameters need dt_early < dt_optimal < dt_late, got {params}")
    ids = patient_ids.alias("id") if isinstance(patient_ids, pl.Series) else pl.Series("id", np.asarray(patient_ids))
    same_length(labels=labels, patient_ids=ids)
    if ids.null_count():
        raise ValueError("patient_ids holds missing values; every row needs its patient")
    frame = pl.DataFrame([ids]).select(
        code=pl.col("id").rank("dense").cast(pl.Int64) - 1,
        position=pl.int_range(pl.len(), dtype=pl.Int64).over("id"),
    )
    code = frame["code"].to_numpy()
    position = frame["position"].to_numpy()
    patients = int(code.max()) + 1 if len(code) else 0
    first = np.full(patients, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, code[labels], position[labels])
    septic_patient = first < np.iinfo(np.int64).max
    t_sepsis = np.where(septic_patient, first.astype(np.float64) - params.dt_optimal, np.nan)
    return OnsetIndex(code, position, patients, septic_patient, position - t_sepsis[code])


def row_utilities(index: OnsetIndex, params: UtilityParameters) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Utility of an alert and of no alert at each row, and the challenge's best prediction."""
    p = params
    m1 = p.max_u_tp / (p.dt_optimal - p.dt_early)
    b1 = -m1 * p.dt_early
    m2 = -p.max_u_tp / (p.dt_late - p.dt_optimal)
    b2 = -m2 * p.dt_late
    m3 = p.min_u_fn / (p.dt_late - p.dt_optimal)
    b3 = -m3 * p.dt_optimal
    septic = index.septic
    d = np.where(septic, index.d, 0.0)
    early = septic & (d <= p.dt_optimal)
    late = septic & (d > p.dt_optimal) & (d <= p.dt_late)
    u_alert = np.zeros(len(d))
    u_quiet = np.zeros(len(d))
    u_alert[early] = np.maximum(m1 * d[early] + b1, p.u_fp)
    u_alert[late] = m2 * d[late] + b2
    u_quiet[late] = m3 * d[late] + b3
    u_alert[~septic] = p.u_fp
    u_quiet[~septic] = p.u_tn
    best = septic & (d >= p.dt_early) & (d <= p.dt_late)
    return u_alert, u_quiet, best


def normalize_utility(observed: float, best: float, inaction: float) -> float:
    """``(observed - inaction) / (best - inaction)``; NaN when best equals inaction."""
    return (observed - inaction) / (best - inaction) if best != inaction else math.nan


def _alerts_and_utilities(
    labels: npt.ArrayLike,
    predictions: npt.ArrayLike,
    patient_ids: npt.ArrayLike | pl.Series,
    params: UtilityParameters,
) -> tuple[BoolArray, FloatArray, FloatArray, BoolArray]:
    """Checked binary predictions, each row's utility if alerted / quiet, and the best alerts."""
    y = as_binary(labels, "labels")
    alert = as_binary(predictions, "predictions")
    same_length(labels=y, predictions=alert)
    u_alert, u_quiet, best = row_utilities(onset_index(y, patient_ids, params), params)
    return alert, u_alert, u_quiet, best


def utility_per_row(
    labels: npt.ArrayLike,
    predictions: npt.ArrayLike,
    patient_ids: npt.ArrayLike | pl.Series,
    params: UtilityParameters = CHALLENGE_2019,
) -> FloatArray:
    """The challenge utility earned by each row's binary prediction (sums to the observed utility)."""
    alert, u_alert, u_quiet, _ = _alerts_and_utilities(labels, predictions, patient_ids, params)
    return np.where(alert, u_alert, u_quiet)


def utility_totals(
    labels: npt.ArrayLike,
    predictions: npt.ArrayLike,
    patient_ids: npt.ArrayLike | pl.Series,
    params: UtilityParameters = CHALLENGE_2019,
) -> UtilityTotals:
    """Observed, best and inaction utility of the cohort, and the normalized utility."""
    alert, u_alert, u_quiet, best = _alerts_and_utilities(labels, predictions, patient_ids, params)
    observed = float(np.sum(np.where(alert, u_alert, u_quiet)))
    top = float(np.sum(np.where(best, u_alert, u_quiet)))
    inaction = float(np.sum(u_quiet))
    return UtilityTotals(observed, top, inaction, normalize_utility(observed, top, inaction))


def normalized_utility(
    labels: npt.ArrayLike,
    predictions: npt.ArrayLike,
    patient_ids: npt.ArrayLike | pl.Series,
    params: UtilityParameters = CHALLENGE_2019,
) -> float:
    """The PhysioNet/CinC 2019 normalized utility: 1 for the best predictions, 0 for never alerting."""
    return utility_totals(labels, predictions, patient_ids, params).normalized


def utility_curve(
    labels: npt.ArrayLike,
    probabilities: npt.ArrayLike,
    patient_ids: npt.ArrayLike | pl.Series,
    thresholds: npt.ArrayLike,
    params: UtilityParameters = CHALLENGE_2019,
    *,
    septic_weight: float = 1.0,
) -> FloatArray:
    """Normalized utility of alerting at ``probability >= threshold``, for each threshold.

    One sort and one cumulative sum serve every threshold: raising the threshold past a row only
    swaps that row's alert utility for its no-alert utility. ``septic_weight`` < 1 down-weights
    septic patients' rows, i.e. asks what the utility would be at a site where sepsis is that
    many times as common (a prevalence-shift stress test; 1 = the challenge metric).
    """
    y = as_binary(labels, "labels")
    prob = as_probabilities(probabilities)
    same_length(labels=y, probabilities=prob)
    index = onset_index(y, patient_ids, params)
    u_alert, u_quiet, best = row_utilities(index, params)
    if septic_weight != 1.0:
        weight = np.where(index.septic, septic_weight, 1.0)
        u_alert, u_quiet = u_alert * weight, u_quiet * weight
    inaction = float(np.sum(u_quiet))
    top = float(np.sum(np.where(best, u_alert, u_quiet)))
    order = np.argsort(prob, kind="stable")[::-1]
    gain = np.concatenate(([0.0], np.cumsum((u_alert - u_quiet)[order])))
    alerting = len(prob) - np.searchsorted(prob[order[::-1]], np.asarray(thresholds, dtype=np.float64), "left")
    if top == inaction:
        return np.full(len(alerting), np.nan)
    return gain[alerting] / (top - inaction)


def hours_from_onset(
    labels: npt.ArrayLike, patient_ids: npt.ArrayLike | pl.Series, params: UtilityParameters = CHALLENGE_2019
) -> FloatArray:
    """Per row, hours from the challenge's onset ``t_sepsis`` (negative = before); NaN if never septic."""
    return onset_index(as_binary(labels, "labels"), patient_ids, params).d
