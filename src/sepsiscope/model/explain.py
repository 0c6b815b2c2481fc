"""Why an alert fired: per-row contributions from the booster, in clinical words.

LightGBM's ``pred_contrib`` gives each feature's additive contribution (TreeSHAP, in log-odds)
to one prediction. Features are grouped by the variable they describe (all heart-rate
features together), and each group is described by its current value and 6-h (vitals) or
24-h (labs) change, e.g. "respiratory rate 28 /min (rising: +6 in 6 h)".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sepsiscope.model.artifact import ModelArtifact
from sepsiscope.model.wording import format_value, unit_text
from sepsiscope.variables.registry import REGISTRY

TOP = 3
#: Change that counts as "rising"/"falling" in words, per unit of the variable (else "steady").
_SCORE_NAMES = {
    "sirs_partial": "SIRS criteria met",
    "qsofa_partial": "qSOFA points",
    "news2_partial": "NEWS2 (available parts)",
    "mews_partial": "MEWS (available parts)",
    "sofa_total": "SOFA",
    "sofa_coagulation": "SOFA coagulation points",
    "sofa_liver": "SOFA liver points",
    "sofa_cardiovascular": "SOFA cardiovascular points",
    "sofa_renal": "SOFA renal points",
    "sofa": "SOFA rise over 24 h",
    "shock_index": "shock index (HR/SBP)",
    "pulse_pressure": "pulse pressure",
    "bun_creatinine": "BUN/creatinine ratio",
    "spo2_fio2": "SpO2/FiO2",
    "sex_male": "sex",
    "age_years": "age",
}


@dataclass(frozen=True)
class Reason:
    """One group of features that pushed a prediction up."""

    variable: str
    contribution: float
    text: str


def _base(feature: str) -> str:
    return feature.split("__", 1)[0]


_fmt = format_value


def _baseline(variable: str, row: dict[str, float]) -> str:
    """ ", +35 from the patient's first 6 h" from the baseline features, when the model has them."""
    for key, since in (
        (f"{variable}__vs_first6", "the patient's first 6 h"),
        (f"{variable}__vs_first", "the first value"),
    ):
        change = row.get(key, math.nan)
        if not math.isnan(change) and change != 0:
            return f", {'+' if change > 0 else ''}{_fmt(change)} from {since}"
    return ""


def _charting(variable: str, row: dict[str, float]) -> str:
    """ ", last charted 3 h ago" from the measurement features, when the model has them."""
    since = row.get(f"{variable}__hours_since", math.nan)
    return "" if math.isnan(since) else f", last charted {_fmt(since)} h ago"


#: ICU context features (feature set ``all``), phrased for a clinician.
_UNIT_NAMES = {"unit_micu": "medical ICU", "unit_sicu": "surgical ICU"}


def _context(variable: str, value: float) -> str:
    if variable == "iculos_h":
        return "time in the ICU unknown" if math.isnan(value) else f"{_fmt(value)} h in the ICU so far"
    if variable == "hosp_adm_time_h":
        if math.isnan(value):
            return "time from hospital to ICU admission unknown"
        return f"admitted to hospital {_fmt(abs(value))} h before the ICU" if value <= 0 else (
            f"ICU admission recorded {_fmt(value)} h before hospital admission")  # fmt: skip
    unit = _UNIT_NAMES[variable]
    return (
        f"ICU type not recorded ({unit} unknown)" if math.isnan(value) else f"{'in' if value == 1 else 'not in'} {unit}"
    )


def describe(variable: str, row: dict[str, float]) -> str:
    """Clinical phrase for a variable at one row, from that row's feature values."""
    value = row.get(variable, math.nan)
    if variable in ("iculos_h", "hosp_adm_time_h", *_UNIT_NAMES):
        return _context(variable, value)
    if variable in REGISTRY and variable not in ("age_years",):
        var = REGISTRY[variable]
        unit = unit_text(var.unit)
        text = f"{var.meaning} {_fmt(value)}{unit}" if not math.isnan(value) else f"{var.meaning} not yet measured"
        for key, span in ((f"{variable}__delta6", "6 h"), (f"{variable}__delta24", "24 h")):
            delta = row.get(key, math.nan)
            if not math.isnan(delta) and delta != 0:
                text += f" ({'rising' if delta > 0 else 'falling'}: {'+' if delta > 0 else ''}{_fmt(delta)} in {span})"
                break
        return text + _baseline(variable, row) + _charting(variable, row)
    if variable == "sofa":
        return f"SOFA rise over 24 h {_fmt(row.get('sofa__rise24', math.nan))}"
    name = _SCORE_NAMES.get(variable, variable)
    if variable == "sex_male":
        return "male sex" if value == 1 else "female sex"
    return f"{name} {_fmt(value)}" if not math.isnan(value) else f"{name} unknown"


def explain_rows(artifact: ModelArtifact, X: np.ndarray, top: int = TOP) -> list[list[Reason]]:
    """Top ``top`` variable groups that raised each row's prediction (positive contributions)."""
    if len(X) == 0:
        return []
    contrib = np.asarray(artifact.booster.predict(X, pred_contrib=True))[:, :-1]
    bases = [_base(f) for f in artifact.features]
    groups = sorted(set(bases))
    index = {g: i for i, g in enumerate(groups)}
    member = np.array([index[b] for b in bases])
    grouped = np.zeros((len(X), len(groups)))
    np.add.at(grouped.T, member, contrib.T)
    out = []
    for r in range(len(X)):
        row = {f: float(v) for f, v in zip(artifact.features, X[r], strict=True)}
        order = np.argsort(-grouped[r])[:top]
        out.append(
            [Reason(groups[g], float(grouped[r, g]), describe(groups[g], row)) for g in order if grouped[r, g] > 0]
        )
    return out
