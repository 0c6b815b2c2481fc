"""Stress tests: what moves between hospitals, applied to held-out predictions.

A new hospital differs from the training one in how common sepsis is, how long patients stay
and how often labs are drawn. Each shift here re-weights or re-measures the held-out patients
of a validation design and recomputes the challenge utility with the alerts (thresholds) the
training procedure chose — the labels of the held-out patients never move a threshold.

* prevalence: septic patients' hours weighted 0.5 or 2 (half / twice as common);
* length of stay: every patient weighted by stay length relative to the median (longer
  stays) or by its inverse (shorter stays);
* lab draws: each lab value kept with probability ``keep`` (:func:`thin_labs`), features rebuilt
  and the held-out models re-run (see ``sepsiscope.model.validation.report``).

Utility: the PhysioNet/CinC 2019 normalized utility (:mod:`sepsiscope.model.utility`), with a
weight per row applied to the observed, best and inaction sums alike.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from sepsiscope.features.build import LABS
from sepsiscope.model.metric_inputs import as_binary, same_length
from sepsiscope.model.utility import CHALLENGE_2019, normalize_utility, onset_index, row_utilities

Weights = Callable[[np.ndarray, np.ndarray], np.ndarray]


def weighted_utility(y: np.ndarray, alert: np.ndarray, patient_id: np.ndarray, weight: np.ndarray) -> float:
    """Normalized challenge utility with each row's utilities multiplied by ``weight`` (≥ 0)."""
    labels = as_binary(y, "labels")
    alerts = as_binary(alert, "alerts")
    same_length(labels=labels, alerts=alerts, weight=np.asarray(weight))
    if np.any(weight < 0) or not np.all(np.isfinite(weight)):
        raise ValueError("row weights must be finite and non-negative")
    u_alert, u_quiet, best = row_utilities(onset_index(labels, patient_id, CHALLENGE_2019), CHALLENGE_2019)
    u_alert, u_quiet = u_alert * weight, u_quiet * weight
    observed = float(np.sum(np.where(alerts, u_alert, u_quiet)))
    top = float(np.sum(np.where(best, u_alert, u_quiet)))
    return normalize_utility(observed, top, float(np.sum(u_quiet)))


def _stay_hours(patient_id: np.ndarray) -> np.ndarray:
    """Per row: the number of rows (hours) of its patient."""
    _, inverse, counts = np.unique(patient_id, return_inverse=True, return_counts=True)
    return counts[inverse].astype(np.float64)  # type: ignore[no-any-return]


def _septic_rows(y: np.ndarray, patient_id: np.ndarray) -> np.ndarray:
    _, inverse = np.unique(patient_id, return_inverse=True)
    septic = np.zeros(inverse.max() + 1 if len(inverse) else 0, dtype=np.bool_)
    septic[inverse[y.astype(bool)]] = True
    return septic[inverse]  # type: ignore[no-any-return]


def prevalence(factor: float) -> Weights:
    """Septic patients ``factor`` times as common (their rows weighted ``factor``)."""
    if factor <= 0:
        raise ValueError(f"prevalence factor must be positive, got {factor}")
    return lambda y, pid: np.where(_septic_rows(y, pid), factor, 1.0)


def stay_length(power: float) -> Weights:
    """Patients weighted by (stay length / median stay) ** power: > 0 longer stays, < 0 shorter."""

    def weights(y: np.ndarray, pid: np.ndarray) -> np.ndarray:
        hours = _stay_hours(pid)
        return (hours / np.median(hours)) ** power  # type: ignore[no-any-return]

    return weights


#: The re-weighting shifts reported for every validation design (name -> weights).
SHIFTS: dict[str, Weights] = {
    "as is": lambda y, pid: np.ones(len(y)),
    "sepsis 0.5x": prevalence(0.5),
    "sepsis 2x": prevalence(2.0),
    "shorter stays": stay_length(-1.0),
    "longer stays": stay_length(1.0),
}


def thin_labs(table: pl.DataFrame, keep: float, seed: int) -> pl.DataFrame:
    """Each lab value (not vitals, demographics or ICU columns) kept with probability ``keep``."""
    if not 0 < keep <= 1:
        raise ValueError(f"keep fraction must be in (0, 1], got {keep}")
    rng = np.random.default_rng(seed)
    present = [c for c in LABS if c in table.columns]
    masks = {c: pl.Series(rng.random(table.height) < keep) for c in present}
    return table.with_columns(pl.when(masks[c]).then(pl.col(c)).otherwise(None).alias(c) for c in present)
