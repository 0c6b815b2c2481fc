"""Figures for the model card: cross-validated metrics overall and by subgroup.

Computed on out-of-fold predictions (every patient scored by a model that never saw them),
with the metrics of :mod:`sepsiscope.model.metrics`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from sepsiscope.model import metrics

AGE_BANDS = ((0, 45, "18-44"), (45, 65, "45-64"), (65, 80, "65-79"), (80, 200, "80+"))


def subgroups(table: pl.DataFrame) -> dict[str, np.ndarray]:
    """Row masks of the model-card subgroups (age band, sex, ICU type) from the input table."""
    out: dict[str, np.ndarray] = {}
    if "age_years" in table.columns:
        age = table.get_column("age_years").fill_null(-1).to_numpy()
        for lo, hi, name in AGE_BANDS:
            out[f"age {name}"] = (age >= lo) & (age < hi)
    if "sex" in table.columns:
        sex = table.get_column("sex").to_numpy()
        out["female"], out["male"] = sex == "female", sex == "male"
    if "unit_micu" in table.columns:
        micu = table.get_column("unit_micu").to_numpy()
        out["medical ICU"] = micu == True  # noqa: E712 - object array with None
        out["surgical ICU"] = micu == False  # noqa: E712
        out["ICU type unknown"] = np.array([m is None for m in micu])
    return out


def subgroup_metrics(
    table: pl.DataFrame, y: np.ndarray, probability: np.ndarray, threshold: float, patient_id: np.ndarray
) -> dict[str, dict[str, Any]]:
    """Headline metrics per subgroup at the model's threshold."""
    keep = ("patients", "septic_patients", "auroc", "normalized_utility", "sensitivity_patient", "ppv_patient",
            "alerts_per_patient_day")  # fmt: skip
    out = {}
    for name, mask in subgroups(table).items():
        if mask.sum() == 0 or y[mask].sum() == 0:
            continue
        s = metrics.summary(y[mask], probability[mask], probability[mask] >= threshold, patient_id[mask])
        out[name] = {k: s[k] for k in keep}
    return out
