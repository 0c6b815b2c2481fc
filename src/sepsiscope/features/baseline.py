"""Per-patient baselines: each patient's own admission values, and how far they have moved since.

A new hospital's patients differ in their usual heart rate or creatinine, and its
laboratory draws labs on its own schedule. A change from the *patient's own* starting point
is a more portable signal than an absolute value (feature group ``baseline``):

* vitals — ``{v}__first6``: mean of the patient's measurements in the first 6 hours of the
  stay (while those hours last, the mean so far), and ``{v}__vs_first6``: latest value minus it;
* labs — ``{v}__first``: the first value measured in the stay, and ``{v}__vs_first``: latest
  value minus it.

Causal: at hour t only rows at or before t are used (the 6-h baseline is complete from
hour 6 of the stay on and then frozen).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sepsiscope.cohort.timeseries import FloatArray, IntArray, carry_forward, segment_cumsum

#: Hours from the start of the stay that make a patient's vital-sign baseline.
BASELINE_H = 6.0


def first_hours_mean(values: FloatArray, hours: FloatArray, start: IntArray, span_h: float) -> FloatArray:
    """Mean of the measurements taken in the first ``span_h`` hours of the stay, up to each row."""
    early = (hours - hours[start]) < span_h
    kept = np.where(early, values, np.nan)
    total = segment_cumsum(kept, start)
    count = segment_cumsum((~np.isnan(kept)).astype(float), start)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def first_value(values: FloatArray, hours: FloatArray, start: IntArray) -> FloatArray:
    """The first measurement of the stay, from the row it was taken on (NaN before)."""
    seen = segment_cumsum((~np.isnan(values)).astype(float), start)
    only_first = np.where(~np.isnan(values) & (seen == 1), values, np.nan)
    return carry_forward(only_first, hours, start, None)


def baseline_features(
    raw: Mapping[str, FloatArray],
    last: Mapping[str, FloatArray],
    hours: FloatArray,
    start: IntArray,
    vitals: tuple[str, ...],
    labs: tuple[str, ...],
) -> dict[str, FloatArray]:
    """The ``baseline`` group's columns for patient-sorted rows (see the module docstring)."""
    out: dict[str, FloatArray] = {}
    for v in vitals:
        base = first_hours_mean(raw[v], hours, start, BASELINE_H)
        out[f"{v}__first6"], out[f"{v}__vs_first6"] = base, last[v] - base
    for v in labs:
        first = first_value(raw[v], hours, start)
        out[f"{v}__first"], out[f"{v}__vs_first"] = first, last[v] - first
    return out
