"""Early-warning metrics, defined once: challenge utility, AUROC, AUPRC, calibration, alert burden.

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
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

HOURS_PER_DAY = 24


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


# -- inputs -----------------------------------------------------------------------------------


def _binary(values: npt.ArrayLike, what: str) -> BoolArray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be one value per row (1-D), got shape {arr.shape}")
    if arr.dtype == np.bool_:
        return arr
    bad = ~np.isin(arr, (0, 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{what} must be 0 or 1; row {i} holds {arr[i]!r}")
    return arr.astype(np.bool_)


def _probabilities(values: npt.ArrayLike, what: str = "probabilities") -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be one value per row (1-D), got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{what} must be finite numbers; row {i} holds {arr[i]!r}")
    return arr


def _same_length(**arrays: npt.NDArray[np.generic] | pl.Series) -> int:
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"one value per row is needed in each input; lengths differ: {lengths}")
    return next(iter(lengths.values()))


@dataclass(frozen=True)
class _Cohort:
    """Where each row sits: its patient, its hour within the patient and its hours from onset."""

    code: IntArray  # patient number per row, 0..patients-1
    position: IntArray  # 0-based row within its patient
    patients: int
    septic_patient: BoolArray  # per patient
    d: FloatArray  # per row: position - t_sepsis; NaN for never-septic patients

    @property
    def septic(self) -> BoolArray:
        return ~np.isnan(self.d)


def _cohort(labels: BoolArray, patient_ids: npt.ArrayLike | pl.Series, params: UtilityParameters) -> _Cohort:
    if not params.dt_early < params.dt_optimal < params.dt_late:
        raise ValueError(f"utility parameters need dt_early < dt_optimal < dt_late, got {params}")
    ids = patient_ids.alias("id") if isinstance(patient_ids, pl.Series) else pl.Series("id", np.asarray(patient_ids))
    _same_length(labels=labels, patient_ids=ids)
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
    return _Cohort(code, position, patients, septic_patient, position - t_sepsis[code])


def _row_utilities(cohort: _Cohort, params: UtilityParameters) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Utility of an alert and of no alert at each row, and the challenge's best prediction."""
    p = params
    m1 = p.max_u_tp / (p.dt_optimal - p.dt_early)
    b1 = -m1 * p.dt_early
    m2 = -p.max_u_tp / (p.dt_late - p.dt_optimal)
    b2 = -m2 * p.dt_late
    m3 = p.min_u_fn / (p.dt_late - p.dt_optimal)
    b3 = -m3 * p.dt_optimal
    septic = cohort.septic
    d = np.where(septic, cohort.d, 0.0)
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


def _normalize(observed: float, best: float, inaction: float) -> float:
    return (observed - inaction) / (best - inaction) if best != inaction else math.nan


# -- utility ----------------------------------------------------------------------------------


def utility_per_row(
    labels: npt.ArrayLike,
    predictions: npt.ArrayLike,
    patient_ids: npt.ArrayLike | pl.Series,
    params: UtilityParameters = CHALLENGE_2019,
) -> FloatArray:
    """The challenge utility earned by each row's binary prediction (sums to the observed utility)."""
    y = _binary(labels, "labels")
    alert = _binary(predictions, "predictions")
    _same_length(labels=y, predictions=alert)
    u_alert, u_quiet, _ = _row_utilities(_cohort(y, patient_ids, params), params)
    return np.where(alert, u_alert, u_quiet)


def utility_totals(
    labels: npt.ArrayLike,
    predictions: npt.ArrayLike,
    patient_ids: npt.ArrayLike | pl.Series,
    params: UtilityParameters = CHALLENGE_2019,
) -> UtilityTotals:
    """Observed, best and inaction utility of the cohort, and the normalized utility."""
    y = _binary(labels, "labels")
    alert = _binary(predictions, "predictions")
    _same_length(labels=y, predictions=alert)
    u_alert, u_quiet, best = _row_utilities(_cohort(y, patient_ids, params), params)
    observed = float(np.sum(np.where(alert, u_alert, u_quiet)))
    top = float(np.sum(np.where(best, u_alert, u_quiet)))
    inaction = float(np.sum(u_quiet))
    return UtilityTotals(observed, top, inaction, _normalize(observed, top, inaction))


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
    y = _binary(labels, "labels")
    prob = _probabilities(probabilities)
    _same_length(labels=y, probabilities=prob)
    cohort = _cohort(y, patient_ids, params)
    u_alert, u_quiet, best = _row_utilities(cohort, params)
    if septic_weight != 1.0:
        weight = np.where(cohort.septic, septic_weight, 1.0)
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
    return _cohort(_binary(labels, "labels"), patient_ids, params).d


# -- discrimination ---------------------------------------------------------------------------


def _ranked(labels: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[IntArray, IntArray, FloatArray]:
    """True and false positives at each distinct score, highest score first (ties count together)."""
    y = _binary(labels, "labels")
    s = _probabilities(scores, "scores")
    _same_length(labels=y, scores=s)
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
    y = _binary(labels, "labels")
    prob = _probabilities(probabilities)
    n = _same_length(labels=y, probabilities=prob)
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


# -- alerts -----------------------------------------------------------------------------------


def alerts_per_patient_day(predictions: npt.ArrayLike) -> float:
    """Positive predictions per 24 patient-hours (rows / 24)."""
    alert = _binary(predictions, "predictions")
    return float(alert.sum() / (len(alert) / HOURS_PER_DAY)) if len(alert) else math.nan


def alert_burden_curve(probabilities: npt.ArrayLike, thresholds: npt.ArrayLike) -> FloatArray:
    """Alerts per patient-day when alerting at ``probability >= threshold``, for each threshold."""
    prob = np.sort(_probabilities(probabilities))
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
    prob = np.sort(_probabilities(probabilities))[::-1]
    if not len(prob):
        raise ValueError("no probabilities: the alert budget needs at least one row")
    allowed = math.floor(alerts_per_patient_day * len(prob) / HOURS_PER_DAY + 1e-9)
    if allowed >= len(prob):
        return float(prob[-1])
    above = prob[prob > prob[allowed]]
    return float(above[-1]) if len(above) else float(np.nextafter(prob[0], np.inf))


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
    y = _binary(labels, "labels")
    prob = _probabilities(probabilities)
    alert = _binary(predictions, "predictions")
    rows = _same_length(labels=y, probabilities=prob, predictions=alert)
    cohort = _cohort(y, patient_ids, params)
    u_alert, u_quiet, best = _row_utilities(cohort, params)
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
        "normalized_utility": _normalize(observed, top, inaction),
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
