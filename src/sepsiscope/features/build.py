"""Causal features for the early-warning model, one row per patient-hour.

Every feature at hour t uses only rows at or before t of the same patient. Values come
from the cohort engine's primitives (carry-forward, windows, the bedside scores through
``score_table``): no clinical rule is restated here.

Feature groups (the transfer study in docs/model-card.md compares them):

* ``physiology`` — latest values of vitals and labs, 6/12/24-h window statistics and trends
  of vitals, their deviation from the patient's own stay baseline and stay extremes, derived
  ratios, the bedside scores (SIRS, qSOFA, NEWS2, MEWS partial sums; SOFA and its 24-h rise),
  age and sex.
* ``lab_trends`` (with ``physiology`` only) — each lab's change over 24 h and deviation from its
  stay mean, and for eight organ-dysfunction labs their 24-h and stay extremes. Their values
  depend on how often a hospital draws labs; the default set leaves them out
  (docs/model-card.md).
* ``measurement`` — how the hospital measures: hours since each variable was last
  charted and how many times in the last 24 h. Strong in-sample, site-specific.
* ``context`` — ICU length of stay so far, hours from hospital to ICU admission, ICU type:
  they encode each hospital's labelling and admission habits.
* ``baseline`` — each patient's own admission values and the change since
  (``sepsiscope.features.baseline``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from sepsiscope.cohort.scoring import column_as_float, patient_rows, score_table
from sepsiscope.cohort.timeseries import (
    FloatArray,
    carry_forward,
    hours_since_observed,
    segment_cumsum,
    segment_running_extreme,
    window_first,
)
from sepsiscope.features.baseline import baseline_features
from sepsiscope.features.windows import Window

VITALS = ("heart_rate", "resp_rate", "temp_c", "sbp", "dbp", "map", "spo2")
LABS = (
    "base_excess", "hco3", "fio2", "ph", "paco2", "sao2", "ast", "bun", "alk_phos", "calcium", "chloride",
    "creatinine", "bilirubin_direct", "glucose", "lactate", "magnesium", "phosphate", "potassium",
    "bilirubin_total", "troponin_i", "hct", "hgb", "ptt", "wbc", "fibrinogen", "platelets",
)  # fmt: skip
CONTEXT = ("iculos_h", "hosp_adm_time_h", "unit_micu", "unit_sicu")
SCORE_COLUMNS = (
    "sirs_partial", "qsofa_partial", "news2_partial", "mews_partial", "sofa_total",
    "sofa_coagulation", "sofa_liver", "sofa_cardiovascular", "sofa_renal",
)  # fmt: skip
GROUPS = ("physiology", "lab_trends", "measurement", "context", "baseline")

#: Named feature sets used by ``train --features`` and the transfer experiments. The first four
#: keep the columns (and their order) they had before ``lab_trends`` was split out of
#: ``physiology``; ``all-lab_trends`` is ``all`` without those columns, in the same order.
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "physiology": ("physiology", "lab_trends"),
    "physiology+measurement": ("physiology", "lab_trends", "measurement"),
    "all": ("physiology", "lab_trends", "measurement", "context"),
    "all-lab_trends": ("physiology", "measurement", "context"),
    "all+baseline": ("physiology", "lab_trends", "measurement", "context", "baseline"),
}


@dataclass(frozen=True)
class FeatureSpec:
    """What ``build_features`` computes."""

    groups: tuple[str, ...] = ("physiology",)

    def __post_init__(self) -> None:
        unknown = set(self.groups) - set(GROUPS)
        if unknown:
            raise ValueError(f"unknown feature groups {sorted(unknown)}; choose from {GROUPS}")
        if "lab_trends" in self.groups and "physiology" not in self.groups:
            raise ValueError("feature group lab_trends is built with physiology: add physiology")


def feature_groups(name: str) -> tuple[str, ...]:
    """Groups of a named feature set (``FEATURE_SETS``: ``all-lab_trends``, ``all``, ``physiology``, …)."""
    try:
        return FEATURE_SETS[name]
    except KeyError:
        raise ValueError(f"unknown feature set {name!r}; choose from {', '.join(FEATURE_SETS)}") from None


def _ratio(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / b, np.nan)


def _stay_mean(values: FloatArray, start: np.ndarray) -> FloatArray:
    """Mean of all measurements from the start of the stay up to and including each row."""
    s = segment_cumsum(values, start)
    n = segment_cumsum((~np.isnan(values)).astype(float), start)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / n, np.nan)


#: What the features mean: bumped whenever a feature's definition changes, so a model trained on
#: other definitions refuses to load instead of scoring silently wrong inputs. 2: stay extremes
#: are carried over the hours without a measurement (1 left them empty there).
FEATURES_VERSION = 2

#: Labs whose worst value so far in the stay is a feature (markers of organ dysfunction).
STAY_EXTREME_LABS = ("lactate", "creatinine", "bilirubin_total", "wbc", "platelets", "bun", "hco3", "ph")

#: The ``lab_trends`` group's columns.
LAB_TREND_COLUMNS = frozenset(
    [f"{v}__{s}" for v in STAY_EXTREME_LABS for s in ("stay_max", "stay_min", "min24", "max24")]
    + [f"{v}__{s}" for v in LABS for s in ("delta24", "vs_stay")]
)


def _stay_extreme(values: FloatArray, hours: FloatArray, start: np.ndarray, largest: bool) -> FloatArray:
    """Highest (or lowest) measurement of the stay so far, on every hour from the first measurement on.

    NaN only before the variable was first measured: an hour without a new measurement keeps the
    stay's extreme (features version 2; version 1 left those hours empty, which made the feature
    say "measured this hour" more than "worst value so far").
    """
    return carry_forward(segment_running_extreme(values, start, largest), hours, start, None)


def _physiology(
    raw: dict[str, FloatArray],
    last: dict[str, FloatArray],
    hours,
    start,
    w: dict[int, Window],
    out: dict,
    lab_trends: bool,
) -> None:
    """The ``physiology`` columns, with the ``lab_trends`` ones in their places if asked for."""
    w6, w12, w24 = w[6], w[12], w[24]
    for v in VITALS:
        x = raw[v]
        out[v] = last[v]
        out[f"{v}__mean6"], out[f"{v}__min6"], out[f"{v}__max6"] = w6.mean(x), w6.min(x), w6.max(x)
        out[f"{v}__slope6"] = w6.slope(x)
        out[f"{v}__mean12"], out[f"{v}__slope12"] = w12.mean(x), w12.slope(x)
        out[f"{v}__min24"], out[f"{v}__max24"] = w24.min(x), w24.max(x)
        out[f"{v}__delta6"] = last[v] - last[v][w6.first]
        out[f"{v}__vs_stay"] = last[v] - _stay_mean(x, start)
        out[f"{v}__stay_max"] = _stay_extreme(x, hours, start, True)
        out[f"{v}__stay_min"] = _stay_extreme(x, hours, start, False)
    for v in STAY_EXTREME_LABS if lab_trends else ():
        out[f"{v}__stay_max"] = _stay_extreme(raw[v], hours, start, True)
        out[f"{v}__stay_min"] = _stay_extreme(raw[v], hours, start, False)
        out[f"{v}__min24"], out[f"{v}__max24"] = w24.min(raw[v]), w24.max(raw[v])
    for v in LABS:
        out[v] = last[v]
        if lab_trends:
            out[f"{v}__delta24"] = last[v] - last[v][w24.first]
            out[f"{v}__vs_stay"] = last[v] - _stay_mean(raw[v], start)
    out["shock_index"] = _ratio(last["heart_rate"], last["sbp"])
    out["pulse_pressure"] = last["sbp"] - last["dbp"]
    out["bun_creatinine"] = _ratio(last["bun"], last["creatinine"])
    out["spo2_fio2"] = _ratio(last["spo2"], last["fio2"])


def build_features(table: pl.DataFrame, groups: Sequence[str] = ("physiology",)) -> pl.DataFrame:
    """Features for every row of a wide table, same rows and order: keys, then Float32 columns.

    Never reads ``sepsis_label``. Variables the table lacks are treated as never measured.
    """
    spec = FeatureSpec(tuple(groups))
    present = set(table.columns)
    wanted = [v for v in (*VITALS, *LABS, "age_years", "sex", *CONTEXT) if v in present]
    rows = patient_rows(table, wanted)
    n = rows.frame.height
    nan = np.full(n, np.nan)
    raw = {v: column_as_float(rows.frame, v) if v in present else nan for v in (*VITALS, *LABS)}
    last = {v: carry_forward(x, rows.hours, rows.start, None) for v, x in raw.items()}
    out: dict[str, FloatArray] = {}
    windows = {h: Window(rows.hours, rows.start, window_first(rows.hours, rows.start, h)) for h in (6, 12, 24)}
    if "physiology" in spec.groups:
        _physiology(raw, last, rows.hours, rows.start, windows, out, "lab_trends" in spec.groups)
        scored = score_table(rows.frame)
        for c in SCORE_COLUMNS:
            out[c] = scored.get_column(c).cast(pl.Float64).fill_null(np.nan).to_numpy()
        out["sofa__rise24"] = out["sofa_total"] - windows[24].min(out["sofa_total"])
        out["age_years"] = column_as_float(rows.frame, "age_years") if "age_years" in present else nan
        out["sex_male"] = (
            rows.frame.get_column("sex").eq("male").cast(pl.Float64).fill_null(np.nan).to_numpy()
            if "sex" in present
            else nan
        )
    if "measurement" in spec.groups:
        for v, x in raw.items():
            out[f"{v}__hours_since"] = hours_since_observed(x, rows.hours, rows.start)
            out[f"{v}__n24"] = windows[24].count(x)
    if "context" in spec.groups:
        for v in CONTEXT:
            out[v] = column_as_float(rows.frame, v) if v in present else nan
    if "baseline" in spec.groups:
        out.update(baseline_features(raw, last, rows.hours, rows.start, VITALS, LABS))
    columns = [pl.Series(name, values if rows.back is None else values[rows.back], dtype=pl.Float32)
               for name, values in out.items()]  # fmt: skip
    return table.select("patient_id", "hour").with_columns(columns).fill_nan(None)
