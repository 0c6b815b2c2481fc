"""Seeded synthetic ward and ICU stays in the canonical wide table layout.

**Everything here is made up.** No real patient data ships with sepsiscope; this package
draws plausible-looking stays from a small hand-written physiological model so that the
``demo`` command and the tests have something to score. The model is a caricature built
to exercise the scores and the cohort engine — it is *not* a validated simulator and must
not be used to train, calibrate or evaluate clinical prediction models.

Each stay is drawn in four steps, one module each, from one ``np.random.default_rng(seed)``:

1. :mod:`~sepsiscope.synth.patients` — who the patient is (age, sex, admission, ICU or ward,
   chronic abnormalities), their baseline physiology and how their organs respond;
2. :mod:`~sepsiscope.synth.trajectories` — the trajectory (``stable``, ``sepsis``,
   ``septic_shock``): severity over time, onset, shock, norepinephrine, intubation, and
   the latent bedside physiology they drive;
3. :mod:`~sepsiscope.synth.schedule` — when each measurement is charted;
4. :mod:`~sepsiscope.synth.charting` — the charted values (false alarms, rounding,
   plausible ranges).

``onset_hour`` is the model's Sepsis-3 onset (shared/docs/clinical/adult-scores.md §3.5) and
``shock_hour`` the first hour with norepinephrine > 0 (§3.7). No antibiotic or culture events
are generated, so a labeller cannot derive suspected infection from the table.

The table has one row per patient-hour (hour 1 .. ``hours``), like the PhysioNet 2019
files, so the cohort engine can score every hour. Same ``seed`` → identical output; only
``np.random.default_rng(seed)`` is used and the steps always draw in the same order.
Patient ids are ``p900001``, ``p900002``, ..., outside the id ranges of the PhysioNet 2019
training sets, so the files written by :func:`sepsiscope.synth.export.to_psv_folder` are
never mistaken for real ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from sepsiscope.synth.charting import chart
from sepsiscope.synth.patients import draw_patient
from sepsiscope.synth.schedule import draw_schedule
from sepsiscope.synth.trajectories import TRAJECTORIES, FloatArray, draw_course, latent_physiology

MIN_HOURS = 24
MAX_PATIENTS = 99_999
ID_OFFSET = 900_000

#: Float64 columns of the table, in order (all canonical registry names).
NUMERIC_COLUMNS: tuple[str, ...] = (
    "heart_rate",
    "resp_rate",
    "temp_c",
    "sbp",
    "dbp",
    "map",
    "spo2",
    "fio2",
    "pao2",
    "paco2",
    "ph",
    "sao2",
    "wbc",
    "platelets",
    "creatinine",
    "bilirubin_total",
    "lactate",
    "gcs",
    "norepinephrine",
    "age_years",
)
SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.Utf8(),
    "hour": pl.Int32(),
    **{name: pl.Float64() for name in NUMERIC_COLUMNS if name not in ("gcs", "norepinephrine", "age_years")},
    "supplemental_o2": pl.Boolean(),
    "ventilated": pl.Boolean(),
    "gcs": pl.Float64(),
    "consciousness": pl.Utf8(),
    "norepinephrine": pl.Float64(),
    "age_years": pl.Float64(),
    "sex": pl.Utf8(),
}
TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.Utf8(),
    "trajectory": pl.Utf8(),
    "onset_hour": pl.Int32(),
    "shock_hour": pl.Int32(),
    "bed": pl.Utf8(),
    "label": pl.Utf8(),
}


@dataclass(frozen=True)
class SyntheticWard:
    """A generated ward: the wide ``table`` and the per-patient ground ``truth``.

    ``table``: ``patient_id``, ``hour`` (Int32, 1-based, every hour of the stay), canonical
    variables (Float64, null = not measured), ``consciousness``/``sex`` (Utf8),
    ``supplemental_o2``/``ventilated`` (Boolean); sorted by patient then hour.
    ``truth``: ``patient_id``, ``trajectory`` (stable / sepsis / septic_shock),
    ``onset_hour``, ``shock_hour`` (Int32, null when not applicable), ``bed``, ``label``.
    """

    table: pl.DataFrame
    truth: pl.DataFrame


@dataclass(frozen=True)
class _Stay:
    trajectory: str
    onset_hour: int | None
    shock_hour: int | None
    label: str
    columns: dict[str, list[object]]


def generate_ward(
    n_patients: int = 24,
    hours: int = 48,
    *,
    seed: int = 0,
    mix: tuple[float, float, float] = (0.6, 0.25, 0.15),
) -> SyntheticWard:
    """Generate ``n_patients`` synthetic stays of ``hours`` hours (see the module docstring).

    ``mix`` gives the fractions of stable, sepsis and septic-shock patients; the counts are
    the largest-remainder rounding of ``n_patients * mix`` and the trajectories are shuffled
    over the patients and beds. Septic onsets fall in
    [max(8, 0.3 × hours), max(that, min(0.7 × hours, hours − 12))], leaving room for the
    prodrome before and the response after. Raises ``ValueError`` for ``n_patients`` outside 1-99999, ``hours`` below
    24 or a ``mix`` that is not three non-negative fractions summing to 1.
    """
    if not 1 <= n_patients <= MAX_PATIENTS:
        raise ValueError(f"n_patients must be 1-{MAX_PATIENTS}, got {n_patients}")
    if hours < MIN_HOURS:
        raise ValueError(f"hours must be at least {MIN_HOURS} (prodrome, onset and response), got {hours}")
    fractions = np.asarray(mix, dtype=float)
    if fractions.shape != (3,) or (fractions < 0).any() or not math.isclose(fractions.sum(), 1.0, abs_tol=1e-6):
        raise ValueError(f"mix must be three non-negative fractions (stable, sepsis, septic shock) summing to 1: {mix}")

    rng = np.random.default_rng(seed)
    counts = _largest_remainder(fractions, n_patients)
    trajectories = rng.permutation(np.repeat(np.arange(3), counts))
    beds = rng.permutation(n_patients) + 1
    width = max(2, len(str(n_patients)))

    columns: dict[str, list[object]] = {name: [] for name in SCHEMA}
    truth: dict[str, list[object]] = {name: [] for name in TRUTH_SCHEMA}
    for i in range(n_patients):
        pid = f"p{ID_OFFSET + i + 1:06d}"
        stay = _simulate(rng, TRAJECTORIES[int(trajectories[i])], hours)
        columns["patient_id"].extend([pid] * hours)
        columns["hour"].extend(range(1, hours + 1))
        for name in SCHEMA:
            if name not in ("patient_id", "hour"):
                columns[name].extend(stay.columns[name])
        truth["patient_id"].append(pid)
        truth["trajectory"].append(stay.trajectory)
        truth["onset_hour"].append(stay.onset_hour)
        truth["shock_hour"].append(stay.shock_hour)
        truth["bed"].append(f"Bed {int(beds[i]):0{width}d}")
        truth["label"].append(stay.label)

    table = pl.DataFrame(columns, schema=SCHEMA)
    return SyntheticWard(table=table, truth=pl.DataFrame(truth, schema=TRUTH_SCHEMA))


def _largest_remainder(fractions: FloatArray, n: int) -> npt.NDArray[np.int64]:
    raw = fractions * n
    counts = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n - int(counts.sum())]] += 1
    return counts


def _simulate(rng: np.random.Generator, trajectory: str, hours: int) -> _Stay:
    """One stay: patient, course, latent physiology, schedule, chart — drawn in this order."""
    patient = draw_patient(rng, septic=trajectory != "stable")
    course = draw_course(rng, patient, trajectory, hours)
    physiology = latent_physiology(rng, patient, course)
    schedule = draw_schedule(rng, patient, course, physiology)
    columns = chart(rng, patient, course, physiology, schedule)
    return _Stay(trajectory, course.onset_hour, course.shock_hour, patient.label, columns)
