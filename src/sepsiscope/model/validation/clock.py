"""The ICU-clock rule: alert every hour from ICU hour H on, with H tuned on training data.

It knows nothing about the patient — only how long they have been in the ICU — and is the
baseline a model must beat at a new hospital (issue 11: "alert from ICU hour 53", tuned on
set A, scored 0.243 at the other hospital). Here H is chosen inside each training part, like
a model's threshold, on the challenge utility.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sepsiscope.model.utility import utility_curve


def best_clock_hour(icu_hour: np.ndarray, y: np.ndarray, patient_id: np.ndarray) -> int:
    """The hour H for which alerting at ``icu_hour >= H`` has the highest normalized utility."""
    if np.isnan(icu_hour).any():
        raise ValueError("ICU hour (ICULOS) is missing on some rows; the clock rule needs it on every row")
    top = float(icu_hour.max()) + 1
    hours = np.arange(1, int(top) + 1, dtype=np.float64)
    curve = utility_curve(y, icu_hour / top, patient_id, hours / top)
    return int(hours[int(np.nanargmax(curve))])


def clock_alerts(
    icu_hour: np.ndarray, y: np.ndarray, patient_id: np.ndarray, held_out: Sequence[np.ndarray]
) -> tuple[np.ndarray, list[int]]:
    """Alerts for every held-out part, each with H tuned on the rows outside it; and the hours chosen."""
    alert = np.zeros(len(y), dtype=np.bool_)
    chosen = []
    for rows in held_out:
        train = np.ones(len(y), dtype=np.bool_)
        train[rows] = False
        hour = best_clock_hour(icu_hour[train], y[train], patient_id[train])
        alert[rows] = icu_hour[rows] >= hour
        chosen.append(hour)
    return alert, chosen
