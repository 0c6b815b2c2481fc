"""What each booster is fitted to: the sepsis label, or the decision the challenge utility rewards.

``label`` (the default): every hour's label (SepsisLabel, shared/docs/clinical/adult-scores.md
§3.6), each hour weighing 1.

``utility``: a cost-sensitive target built from the PhysioNet/CinC 2019 utility itself
(:func:`sepsiscope.model.utility.row_utilities`, the one definition). Each hour's gain from
alerting, Δ = U(alert) − U(no alert), is known from the labels: −0.05 for every hour of a
patient who never becomes septic and for a septic patient's hours more than 12 h before onset;
0 → 1 over the early window (−12 h to −6 h, hours the label still calls negative); 1 → 2
over −6 h to +3 h; 0 afterwards (the utility neither rewards nor penalises those hours). The
booster is fitted to "Δ > 0" with weight |Δ| / 0.05, and hours with Δ = 0 are left out, so
a score above 0.5 means alerting is expected to gain utility (the expected-utility decision).
Calibration and the alert threshold are still fitted on the label afterwards, as for
``label``; only what the trees learn changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from sepsiscope.model.utility import CHALLENGE_2019, onset_index, row_utilities

Target = Literal["label", "utility"]
TARGETS: tuple[Target, ...] = ("label", "utility")


@dataclass(frozen=True)
class FitTarget:
    """Per row: the 0/1 value a booster is fitted to and the row's weight (0: never fitted; None: all 1)."""

    y: np.ndarray
    weight: np.ndarray | None


def fit_target(kind: str, labels: np.ndarray, patient_id: np.ndarray) -> FitTarget:
    """The fitted target of every row (``kind``: ``label`` or ``utility``; see the module docstring)."""
    y = np.asarray(labels)
    if kind == "label":
        return FitTarget(y, None)
    if kind != "utility":
        raise ValueError(f"unknown training target {kind!r}; choose from {', '.join(TARGETS)}")
    params = CHALLENGE_2019
    u_alert, u_quiet, _ = row_utilities(onset_index(y.astype(bool), patient_id, params), params)
    gain = u_alert - u_quiet
    return FitTarget((gain > 0).astype(y.dtype), np.abs(gain) / abs(params.u_fp))
