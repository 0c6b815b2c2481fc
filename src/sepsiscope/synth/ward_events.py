"""The care a synthetic ward's septic patients receive: cultures, antibiotics, fluids, pressors.

**Made up, like the rest of** :mod:`sepsiscope.synth`. The ward generator draws physiology
only; this module adds what a ward team does once a patient with a ``sepsis`` or
``septic_shock`` trajectory deteriorates, so that the live demo's dashboard has bundle clocks
to show (hour-1 bundle, shared/docs/clinical/adult-scores.md §4.1). The timings are drawn to
cover what a quality team meets: a prompt bundle, a late antibiotic, a culture drawn after
the antibiotic, no fluids. None of it is a model of real practice.

Per septic patient, in minutes after ward hour 0 (the table's hour ``h`` is minute ``60 h``):

* recognition: from 90 minutes before ``onset_hour`` (infection suspected before the
  SOFA rise: then time zero is the suspicion) to 120 minutes after it (recognised late);
* blood culture drawn 0–50 minutes after recognition (in one patient in four, 10–40 minutes
  *after* the antibiotic instead: the order the bundle asks for is broken);
* antibiotic ordered 5–30 minutes after recognition and given 15–150 minutes after the
  order (piperacillin-tazobactam 4.5 g IV);
* a crystalloid bolus (lactated Ringer's, 1,000–2,000 mL in 30–60 min) 20–120 minutes after
  recognition in three patients in four;
* for ``shock_hour``: norepinephrine started at that hour (the ward table's own
  ``norepinephrine`` column sets when, this adds the drug event the bundle clock needs).

Output: the canonical event table (``sepsiscope.io.events.EVENT_SCHEMA``; times are minutes
from ``base``), one row per event, ordered by patient and time. Same truth and seed → same
events. Patients with a ``stable`` trajectory get none.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl

from sepsiscope.io.events import EVENT_SCHEMA

ANTIBIOTIC = ("piperacillin_tazobactam", 4.5, "g")
FLUID = "lactated_ringers"
VASOPRESSOR = ("norepinephrine", 0.1, "ug/kg/min")


def _row(pid: str, at: datetime, kind: str, code: str, value: float | None = None, unit: str | None = None,
         route: str | None = None, end: datetime | None = None) -> dict[str, object]:  # fmt: skip
    return {"patient_id": pid, "time": at, "kind": kind, "code": code, "value": value, "unit": unit, "route": route,
            "end": end}  # fmt: skip


def ward_care_events(truth: pl.DataFrame, base: datetime, *, seed: int = 0) -> pl.DataFrame:
    """Care events for the septic patients of a synthetic ward's ``truth`` (see the module)."""
    if base.tzinfo is None:
        raise ValueError("base needs a UTC offset")
    rng = np.random.default_rng([seed, 4])
    rows: list[dict[str, object]] = []
    for rec in truth.sort("patient_id").iter_rows(named=True):
        if rec["trajectory"] == "stable" or rec["onset_hour"] is None:
            continue
        pid = str(rec["patient_id"])

        def at(minutes: float) -> datetime:
            return base + timedelta(minutes=round(minutes))

        seen = 60 * int(rec["onset_hour"]) + rng.uniform(-90, 120)
        ordered = seen + rng.uniform(5, 30)
        given = ordered + rng.uniform(15, 150)
        culture = given + rng.uniform(10, 40) if rng.random() < 0.25 else seen + rng.uniform(0, 50)
        code, dose, unit = ANTIBIOTIC
        rows.append(_row(pid, at(ordered), "antibiotic_order", code, dose, unit, "iv"))
        rows.append(_row(pid, at(given), "antibiotic", code, dose, unit, "iv"))
        rows.append(_row(pid, at(culture), "culture", "blood"))
        if rng.random() < 0.75:
            start = seen + rng.uniform(20, 120)
            rows.append(_row(pid, at(start), "fluid", FLUID, float(rng.choice([1000, 1500, 2000])), "mL", "iv",
                             at(start + rng.uniform(30, 60))))  # fmt: skip
        if rec["shock_hour"] is not None:
            drug, rate, rate_unit = VASOPRESSOR
            rows.append(_row(pid, at(60 * int(rec["shock_hour"])), "vasopressor", drug, rate, rate_unit, "iv"))
    return pl.DataFrame(rows, schema=EVENT_SCHEMA).sort("patient_id", "time", maintain_order=True)
