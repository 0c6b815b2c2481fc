"""Seeded synthetic ward and ICU stays in the canonical wide table layout.

**Everything here is made up.** No real patient data ships with sepsiscope; this module
draws plausible-looking stays from a small hand-written physiological model so that the
``demo`` command and the tests have something to score. The model is a caricature built
to exercise the scores and the cohort engine — it is *not* a validated simulator and must
not be used to train, calibrate or evaluate clinical prediction models.

Model of deterioration
----------------------
Each patient gets a personal baseline (heart rate, respiratory rate, temperature, MAP and
pulse pressure, SpO2 on air, WBC, platelets, creatinine, bilirubin, lactate, PaCO2), an
age, a sex, an admission label (e.g. "pneumonia, day 2") and a care setting: ICU
(hourly observations) or ward (observations every 2-4 h, more often when the patient
looks worse). One of three trajectories is assigned from ``mix``:

* ``stable``: a severity of 0 throughout. Values wander around the baseline (AR(1)
  noise); some patients have chronic abnormalities that real early-warning scores flag
  too (atrial fibrillation with a fast rate, COPD on low-flow oxygen), and every patient
  has occasional isolated abnormal readings (a fast pulse after mobilising, a transient
  SpO2 dip, a single febrile temperature, a low systolic pressure), i.e. realistic false
  alarms.
* ``sepsis``: a latent severity ``s(t)`` in [0, 1] follows a logistic curve centred
  4 h before ``onset_hour`` (time constant 2.5-3.5 h; peak 0.7-1), so physiology drifts
  for roughly 8-12 h before onset and is at about 80 % of its peak at onset: heart rate
  and respiratory rate rise, temperature rises (or, in about one in five, falls), MAP
  and systolic pressure fall, SpO2 on air falls and supplemental O2 is started with
  FiO2 titrated to the deficit, WBC rises (or falls),
  lactate rises, and — lagging 2 h behind — platelets fall and creatinine and bilirubin
  rise. Confusion (GCS < 15, ACVPU not "A") appears late, once ``s`` exceeds 0.6. The
  source of infection weights the organs (pneumonia: lungs; pyelonephritis: kidneys;
  cholangitis: liver). 10-19 h after onset (treatment) the severity decays slowly.
  ``onset_hour`` is the model's Sepsis-3 onset (shared/docs/clinical/adult-scores.md
  §3.5): by then organ dysfunction is usually visible (SOFA ≥ 2 in the 24-h window), and
  a sepsis work-up (vitals, labs, lactate) is charted that hour. No antibiotic or culture
  events are generated, so a labeller cannot derive suspected infection from the table.
* ``septic_shock``: sepsis as above, and then circulatory failure
  (adult-scores.md §3.7): MAP is < 65 mmHg from ``shock_hour - 2``; norepinephrine is
  started at ``shock_hour`` and titrated up over a few hours, lactate is > 2 mmol/L and
  measured that hour, heart rate and lactate rise further, GCS drops, and some patients
  (mostly pneumonias) are intubated (``ventilated``). Under norepinephrine MAP recovers
  to about 65-72 mmHg; once the patient improves the drug is weaned and stopped.
  ``shock_hour`` (2-7 h after onset) is the first hour with norepinephrine > 0; the
  patient is in ICU-level care (hourly observations) from ``shock_hour - 2``. The excess
  lactate clears with a half-life of about 6 h once perfusion is restored.

Measurement: vitals hourly with random missing hours in ICU, every 2-4 h on the ward
(hourly once severity is high), temperature and consciousness/GCS about every 4 h, labs
every 12-24 h (6-8 h once deteriorating), blood gases rare (some ICU patients, and ward
patients only once severely ill). Every value is rounded the way it is charted and
clipped to its plausible range from ``variables.toml``; missing is ``null``, never NaN.

The table has one row per patient-hour (hour 1 .. ``hours``), like the PhysioNet 2019
files, so the cohort engine can score every hour. Same ``seed`` → identical output; only
``np.random.default_rng(seed)`` is used. Patient ids are ``p900001``, ``p900002``, ...,
outside the id ranges of the PhysioNet 2019 training sets, so the files written by
:func:`to_psv_folder` are never mistaken for real ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from sepsiscope.variables.registry import REGISTRY

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

TRAJECTORIES: tuple[str, str, str] = ("stable", "sepsis", "septic_shock")
MIN_HOURS = 24
MAX_PATIENTS = 99_999
ID_OFFSET = 900_000
#: PhysioNet 2019: SepsisLabel is 1 from this many hours before onset (adult-scores.md §3.6).
SEPSIS_LABEL_LEAD_H = 6
#: Organ labs (platelets, creatinine, bilirubin, WBC) follow the bedside severity this late.
LAB_LAG_H = 2
#: Confusion appears only once the severity passes this (late sign).
NEURO_FROM = 0.6

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

PHYSIONET_HEADER: tuple[str, ...] = tuple(
    "HR|O2Sat|Temp|SBP|MAP|DBP|Resp|EtCO2|BaseExcess|HCO3|FiO2|pH|PaCO2|SaO2|AST|BUN|Alkalinephos|Calcium|"
    "Chloride|Creatinine|Bilirubin_direct|Glucose|Lactate|Magnesium|Phosphate|Potassium|Bilirubin_total|"
    "TroponinI|Hct|Hgb|PTT|WBC|Fibrinogen|Platelets|Age|Gender|Unit1|Unit2|HospAdmTime|ICULOS|SepsisLabel".split("|")
)

# Admission reasons: (label, lung, kidney, liver weight). Infective ones can deteriorate.
_INFECTIVE: tuple[tuple[str, float, float, float], ...] = (
    ("pneumonia", 1.3, 0.7, 0.5),
    ("aspiration pneumonia", 1.4, 0.7, 0.5),
    ("pyelonephritis", 0.4, 1.4, 0.5),
    ("urinary tract infection", 0.4, 1.2, 0.4),
    ("cholangitis", 0.4, 0.9, 2.5),
    ("cellulitis", 0.3, 0.8, 0.5),
    ("post-op bowel resection", 0.6, 1.0, 0.9),
    ("infected central line", 0.5, 0.9, 0.6),
)
_NON_INFECTIVE: tuple[str, ...] = (
    "hip fracture",
    "heart failure",
    "COPD exacerbation",
    "stroke",
    "GI bleed",
    "knee replacement",
    "syncope",
    "DKA, resolving",
)
#: Charted FiO2 steps (nasal cannula 1-4 L/min, then masks).
_FIO2_STEPS = np.array([0.24, 0.28, 0.32, 0.36, 0.40, 0.50, 0.60, 0.80])
#: Severinghaus (1979) SpO2-PaO2 curve, used to keep PaO2 consistent with SpO2.
_PAO2_GRID = np.linspace(15.0, 700.0, 1400)
_SAT_GRID = 100.0 / (23400.0 / (_PAO2_GRID**3 + 150.0 * _PAO2_GRID) + 1.0)


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


def to_psv_folder(ward: SyntheticWard, folder: str | Path) -> list[Path]:
    """Write one PhysioNet 2019-style ``<patient_id>.psv`` per patient; return the paths.

    Columns are :data:`PHYSIONET_HEADER`, values come from the table through the registry's
    ``physionet`` aliases (canonical units; FiO2 as a fraction), ``NaN`` when missing or
    when the table has no such variable. ``Gender`` is 0 female / 1 male, ``ICULOS`` the
    hour, and ``SepsisLabel`` 1 from ``onset_hour - 6`` on for septic patients
    (adult-scores.md §3.6).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    onset = dict(ward.truth.select("patient_id", "onset_hour").iter_rows())
    sources: list[str | None] = []
    for col in PHYSIONET_HEADER:
        var = REGISTRY.by_physionet.get(col)
        sources.append(var.name if var is not None and var.name in ward.table.columns else None)
    paths: list[Path] = []
    for (pid,), rows in ward.table.sort("patient_id", "hour").group_by("patient_id", maintain_order=True):
        first_labelled = onset.get(pid)
        records = rows.to_dicts()
        lines = ["|".join(PHYSIONET_HEADER)]
        for rec in records:
            cells = []
            for col, src in zip(PHYSIONET_HEADER, sources, strict=True):
                if col == "ICULOS":
                    cells.append(str(rec["hour"]))
                elif col == "SepsisLabel":
                    septic = first_labelled is not None and rec["hour"] >= first_labelled - SEPSIS_LABEL_LEAD_H
                    cells.append("1" if septic else "0")
                elif col == "Gender":
                    cells.append({"female": "0", "male": "1"}.get(rec.get("sex") or "", "NaN"))
                else:
                    cells.append(_psv_cell(rec[src] if src is not None else None))
            lines.append("|".join(cells))
        path = out / f"{pid}.psv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _psv_cell(value: object) -> str:
    if value is None:
        return "NaN"
    if isinstance(value, bool):
        return "1" if value else "0"
    x = float(value)  # type: ignore[arg-type]
    return str(int(x)) if x.is_integer() else repr(round(x, 4))


def _largest_remainder(fractions: FloatArray, n: int) -> npt.NDArray[np.int64]:
    raw = fractions * n
    counts = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n - int(counts.sum())]] += 1
    return counts


# --------------------------------------------------------------------------- one patient


@dataclass
class _Stay:
    trajectory: str
    onset_hour: int | None
    shock_hour: int | None
    label: str
    columns: dict[str, list[object]]


def _ar1(rng: np.random.Generator, n: int, sd: float, phi: float = 0.7) -> FloatArray:
    """Stationary AR(1) noise with marginal standard deviation ``sd``."""
    z = rng.normal(0.0, sd, n)
    out = np.empty(n)
    out[0] = z[0]
    innov = math.sqrt(1.0 - phi * phi)
    for i in range(1, n):
        out[i] = phi * out[i - 1] + innov * z[i]
    return out


def _schedule(n: int, first: int, step: object) -> BoolArray:
    """Hours (1-based) visited from ``first`` by repeatedly adding ``step(hour)``."""
    taken = np.zeros(n, dtype=bool)
    h = first
    while h <= n:
        taken[h - 1] = True
        h += int(step(h))  # type: ignore[operator]
    return taken


def _every(candidates: BoolArray, interval: object) -> BoolArray:
    """Among ``candidates``, take one whenever ``interval(hour)`` hours have passed."""
    taken = np.zeros(len(candidates), dtype=bool)
    due = 0
    for idx in np.flatnonzero(candidates):
        h = int(idx) + 1
        if h >= due:
            taken[idx] = True
            due = h + int(interval(h))  # type: ignore[operator]
    return taken


def _avpu(gcs: float) -> str:
    if gcs >= 15:
        return "A"
    if gcs >= 13:
        return "C"
    if gcs >= 9:
        return "V"
    if gcs >= 6:
        return "P"
    return "U"


def _clip_to_registry(name: str, values: FloatArray) -> FloatArray:
    var = REGISTRY[name]
    return np.clip(values, var.min, var.max)


def _simulate(rng: np.random.Generator, trajectory: str, hours: int) -> _Stay:
    n = hours
    t = np.arange(1, n + 1, dtype=float)
    septic = trajectory != "stable"
    shock = trajectory == "septic_shock"

    # --- who is this patient
    age = float(np.clip(np.round(rng.normal(66.0, 15.0)), 18, 95))
    sex = "female" if rng.random() < 0.5 else "male"
    day = int(rng.integers(1, 6))
    if septic or rng.random() < 0.4:
        source, lung, kidney, liver = _INFECTIVE[int(rng.integers(len(_INFECTIVE)))]
    else:
        source, lung, kidney, liver = _NON_INFECTIVE[int(rng.integers(len(_NON_INFECTIVE)))], 0.0, 0.0, 0.0
    label = f"{source}, day {day}"
    icu = rng.random() < 0.35
    chronic_o2 = not septic and rng.random() < {"COPD exacerbation": 0.6, "heart failure": 0.3}.get(source, 0.04)
    fast_af = rng.random() < 0.08

    # --- baselines
    hr0 = rng.uniform(92, 106) if fast_af else float(np.clip(rng.normal(80, 9), 58, 98))
    rr0 = float(np.clip(rng.normal(16, 1.8), 12, 20))
    temp0 = float(np.clip(rng.normal(36.8, 0.25), 36.2, 37.4))
    map0 = float(np.clip(rng.normal(88, 8), 74, 105))
    pp0 = float(np.clip(rng.normal(46 + 0.25 * (age - 60), 8), 32, 75))
    spo2_0 = rng.uniform(89.5, 91.5) if chronic_o2 else float(np.clip(rng.normal(97.2, 1.0), 95.5, 99.5))
    wbc0 = float(np.clip(rng.normal(7.5, 1.8), 4.5, 11.0))
    plt0 = float(np.clip(rng.normal(245, 55), 160, 420))
    cr0 = float(np.clip(rng.normal(0.9, 0.2), 0.5, 1.3))
    bili0 = float(np.clip(rng.normal(0.6, 0.2), 0.2, 1.1))
    lac0 = float(np.clip(rng.normal(1.1, 0.3), 0.5, 1.8))
    paco2_0 = float(np.clip(rng.normal(40, 2.5), 35, 45))

    # --- organ responses
    def gain(weight: float) -> float:
        return weight * rng.uniform(0.8, 1.2)

    f_hr, f_rr, f_circ, f_lac, f_coag, f_wbc = (gain(1.0) for _ in range(6))
    f_lung, f_kidney, f_liver = gain(lung), gain(kidney), gain(liver)
    f_neuro = rng.uniform(0.5, 1.3) * (1.3 if age > 75 else 1.0)
    fever = rng.random() < 0.8
    temp_shift = rng.uniform(1.6, 2.4) if fever else -rng.uniform(1.2, 1.8)
    wbc_up = rng.random() < 0.8

    # --- timeline
    onset = shock_hour = None
    s = np.zeros(n)
    circ = np.zeros(n)  # circulatory failure, 0-1
    norepi = np.full(n, np.nan)
    intubated = np.zeros(n, dtype=bool)
    if septic:
        lo = max(8, round(0.3 * hours))
        hi = max(lo, min(round(0.7 * hours), hours - 12))
        onset = int(rng.integers(lo, hi + 1))
        tau = rng.uniform(2.5, 3.5)
        peak = 1.0 if shock else rng.uniform(0.7, 1.0)
        s = peak / (1.0 + np.exp(-(t - (onset - 4)) / tau))
        recover_from = onset + int(rng.integers(10, 20))
        if shock:
            shock_hour = onset + int(rng.integers(2, 8))
            circ = np.clip((t - (shock_hour - 3)) / 2.0, 0.0, 1.0)
            d0, top = rng.uniform(0.05, 0.10), rng.uniform(0.12, 0.45)
            ramp = int(rng.integers(2, 6))
            wean = shock_hour + int(rng.integers(8, 16))
            recover_from = wean
            for h in range(shock_hour, n + 1):
                k = h - shock_hour
                dose = d0 + (top - d0) * min(k / ramp, 1.0)
                if h >= wean:
                    dose = top * 0.8 ** (h - wean + 1)
                if dose < 0.03:
                    break
                norepi[h - 1] = max(round(dose, 2), 0.01)
            if rng.random() < (0.55 if lung >= 1.0 else 0.15):
                intubation = shock_hour + int(rng.integers(0, 4))
                intubated = t >= intubation
        decay = np.where(t > recover_from, np.exp(-(t - recover_from) / rng.uniform(18, 36)), 1.0)
        s = s * decay
        circ = circ * decay
    s_lab = np.interp(t - LAB_LAG_H, t, s)  # organ labs lag the bedside picture
    on_norepi = ~np.isnan(norepi)
    # Once perfusion is restored, the excess lactate of shock clears (half-life ~6 h).
    clearance = np.ones(n)
    if shock_hour is not None:
        clearance = np.where(t > shock_hour + 3, 0.5 ** ((t - shock_hour - 3) / 6.0), 1.0)

    # --- latent bedside physiology
    hr = hr0 + 32 * s * f_hr + 18 * circ + _ar1(rng, n, 4.0)
    rr = rr0 + 10 * s * max(f_rr, f_lung) + 4 * circ + _ar1(rng, n, 1.2)
    rr = np.where(intubated, rng.integers(16, 22) + _ar1(rng, n, 1.0), rr)
    temp = temp0 + temp_shift * s + _ar1(rng, n, 0.15)
    spo2_trend = spo2_0 - 9 * s * f_lung - 2 * circ
    spo2_air = spo2_trend + _ar1(rng, n, 0.8)
    on_o2 = np.maximum.accumulate(spo2_trend < 94.0) | chronic_o2 | intubated
    deficit = np.maximum(0.0, 96.0 - spo2_air)
    step_idx = np.searchsorted(_FIO2_STEPS, 0.24 + 0.025 * deficit - 1e-9).clip(0, len(_FIO2_STEPS) - 1)
    fio2_now = np.where(on_o2, _FIO2_STEPS[step_idx], 0.21)
    fio2_now = np.where(intubated, np.maximum(fio2_now, 0.40), fio2_now)
    if chronic_o2:
        fio2_now = np.where(spo2_air > 88.0, rng.choice([0.24, 0.28]), fio2_now)
    spo2 = spo2_air + np.where(on_o2, np.where(intubated, 0.9, 0.7) * deficit + _ar1(rng, n, 0.8), 0.0)

    map_ = np.maximum(map0 - 18 * s * f_circ, 71.0) + _ar1(rng, n, 3.0)  # fluids hold it outside shock
    if shock_hour is not None:
        hypotensive = (t >= shock_hour - 2) & (t <= shock_hour)
        map_ = np.where(hypotensive, np.clip(rng.normal(57.0, 2.5, n), 50, 61), map_)
        supported = on_norepi & (t > shock_hour)
        map_ = np.where(supported, np.maximum(68.0 + _ar1(rng, n, 2.5), 65.0), map_)
    pp = np.clip(pp0 + 6 * s + _ar1(rng, n, 3.0), 22, 100)

    gcs_drop = f_neuro * 5 * np.clip((s - NEURO_FROM) / (1 - NEURO_FROM), 0, 1) + 2.5 * circ
    gcs = np.clip(15 - np.round(gcs_drop + np.abs(rng.normal(0, 0.2, n))), 3, 15)

    # --- what gets charted when
    forced = np.zeros(n, dtype=bool)
    forced[0] = True
    icu_now = np.full(n, icu)
    if onset is not None:
        forced[onset - 1] = True
    if shock_hour is not None:
        icu_now |= t >= shock_hour - 2
        forced[(t >= shock_hour - 2) & (t <= shock_hour)] = True

    def obs_step(h: int) -> int:
        if icu_now[h - 1] or s[h - 1] >= 0.6:
            return 1
        return int(rng.integers(1, 3)) if s[h - 1] >= 0.25 else int(rng.integers(2, 5))

    vitals = _schedule(n, 1, obs_step) | forced
    vitals &= ~(icu_now & (rng.random(n) < 0.12)) | forced
    measured = {v: vitals & ((rng.random(n) >= 0.03) | forced) for v in ("heart_rate", "resp_rate", "spo2", "bp")}
    temp_at = _every(vitals, lambda h: rng.integers(3, 6) if s[h - 1] < 0.5 else rng.integers(2, 4))
    neuro_at = _every(vitals, lambda h: rng.integers(3, 6) if s[h - 1] < 0.5 else rng.integers(2, 4))
    gcs_at = neuro_at & (icu_now | (rng.random(n) < 0.5) | (gcs < 15))

    first_lab = 1 if rng.random() < 0.85 else int(rng.integers(2, 9))
    labs = _schedule(n, first_lab, lambda h: rng.integers(12, 25) if s_lab[h - 1] < 0.3 else rng.integers(6, 9))
    if onset is not None:
        labs[onset - 1] = True
    bili_at = labs & ((rng.random(n) < 0.7) | (t == (onset or 0)))

    sick = (s >= 0.5) | intubated
    gas_first = 1 if (icu and rng.random() < 0.6) else int(rng.integers(2, 13))
    gas_rows = _schedule(n, gas_first, lambda h: rng.integers(4, 9) if sick[h - 1] else rng.integers(12, 25))
    gases = gas_rows & (icu_now | sick)
    if onset is not None and rng.random() < 0.5:
        gases[onset - 1] = True

    lactate_at = gases.copy()
    lactate_at[0] |= rng.random() < 0.3
    if onset is not None:
        after = _schedule(n, onset, lambda h: rng.integers(3, 7)) & (t <= onset + 24)
        lactate_at |= after
    if shock_hour is not None:
        lactate_at[shock_hour - 1] = True

    # --- isolated abnormal readings (false alarms), at charted hours only
    spike = vitals & (rng.random(n) < 0.03)
    kind = rng.integers(0, 5, n)
    size = rng.uniform(0.0, 1.0, n)
    hr = hr + np.where(spike & (kind == 0), 18 + 12 * size, 0.0)
    rr = rr + np.where(spike & (kind == 1), 5 + 3 * size, 0.0)
    spo2 = spo2 - np.where(spike & (kind == 2), 3 + 2 * size, 0.0)
    temp = temp + np.where(spike & (kind == 3), 0.9 + 0.5 * size, 0.0)
    sbp_drop = np.where(spike & (kind == 4), 15 + 10 * size, 0.0)

    # --- charted values
    sbp = np.round(map_ + 2 * pp / 3 - sbp_drop)
    dbp = np.round(map_ - pp / 3)
    sbp = np.maximum(sbp, dbp + 10)
    mean_ap = np.round((sbp + 2 * dbp) / 3)
    spo2_obs = np.clip(np.round(spo2), 70, 100)
    pao2 = np.asarray(
        np.interp(np.clip(spo2 + rng.normal(0, 0.4, n), 70, 99.6), _SAT_GRID, _PAO2_GRID), dtype=np.float64
    )
    pao2 = np.clip(pao2 + rng.normal(0, 4, n), 40.0, 600.0).round()
    sao2 = np.clip(np.interp(pao2, _PAO2_GRID, _SAT_GRID) + rng.normal(0, 0.5, n), 70.0, 100.0).round(1)
    paco2 = np.where(intubated, 40 + rng.normal(0, 3, n), paco2_0 - 8 * s * max(f_lung, 0.5) + rng.normal(0, 1.5, n))
    paco2 = np.round(np.clip(paco2, 22, 70))

    noise = rng.lognormal(0.0, np.array([[0.05], [0.05], [0.05], [0.08], [0.08]]), (5, n))
    wbc = (wbc0 + 9 * s_lab * f_wbc if wbc_up else wbc0 * (1 - 0.55 * s_lab)) * noise[0]
    platelets = plt0 * (1 - 0.55 * s_lab * f_coag - 0.2 * circ) * noise[1]
    creatinine = (cr0 + 1.5 * s_lab * max(f_kidney, 0.6) + 1.0 * circ) * noise[2]
    bilirubin = (bili0 + 1.2 * s_lab * max(f_liver, 0.4)) * noise[3]
    lactate = (lac0 + 1.8 * s * f_lac + rng.uniform(2.0, 4.0) * circ * clearance) * noise[4]
    if shock_hour is not None:
        shock_lactate = (t >= shock_hour - 2) & (t <= shock_hour + 6)
        lactate = np.where(shock_lactate, np.maximum(lactate, 2.3), lactate)
    ph = 7.40 - 0.04 * (lactate - 1.0) + 0.008 * (40 - paco2) + rng.normal(0, 0.015, n)

    def keep(values: FloatArray, at: BoolArray, name: str, decimals: int) -> list[object]:
        clipped = _clip_to_registry(name, np.round(values, decimals))
        return [float(v) if ok else None for v, ok in zip(clipped, at, strict=True)]

    fio2_at = gases | (vitals & on_o2 & (rng.random(n) < 0.5))
    vent_at = gases | (vitals & intubated)
    columns: dict[str, list[object]] = {
        "heart_rate": keep(np.clip(hr, 30, 220), measured["heart_rate"], "heart_rate", 0),
        "resp_rate": keep(np.clip(rr, 6, 50), measured["resp_rate"], "resp_rate", 0),
        "temp_c": keep(np.clip(temp, 33, 42), temp_at, "temp_c", 1),
        "sbp": keep(np.clip(sbp, 50, 240), measured["bp"], "sbp", 0),
        "dbp": keep(np.clip(dbp, 25, 140), measured["bp"], "dbp", 0),
        "map": keep(np.clip(mean_ap, 35, 170), measured["bp"], "map", 0),
        "spo2": keep(spo2_obs, measured["spo2"], "spo2", 0),
        "fio2": keep(fio2_now, fio2_at, "fio2", 2),
        "pao2": keep(pao2, gases, "pao2", 0),
        "paco2": keep(paco2, gases, "paco2", 0),
        "ph": keep(np.clip(ph, 7.0, 7.6), gases, "ph", 2),
        "sao2": keep(sao2, gases, "sao2", 1),
        "wbc": keep(np.clip(wbc, 0.5, 60), labs, "wbc", 1),
        "platelets": keep(np.clip(platelets, 10, 900), labs, "platelets", 0),
        "creatinine": keep(np.clip(creatinine, 0.3, 12), labs, "creatinine", 2),
        "bilirubin_total": keep(np.clip(bilirubin, 0.1, 30), bili_at, "bilirubin_total", 1),
        "lactate": keep(np.clip(lactate, 0.3, 20), lactate_at, "lactate", 1),
        "supplemental_o2": [bool(o) if v else None for o, v in zip(on_o2, vitals, strict=True)],
        "ventilated": [bool(v) if at else None for v, at in zip(intubated, vent_at, strict=True)],
        "gcs": keep(gcs, gcs_at, "gcs", 0),
        "consciousness": [_avpu(g) if at else None for g, at in zip(gcs, neuro_at, strict=True)],
        "norepinephrine": keep(np.nan_to_num(norepi), on_norepi, "norepinephrine", 2),
        "age_years": keep(np.full(n, age), np.ones(n, dtype=bool), "age_years", 0),
        "sex": [sex] * n,
    }
    return _Stay(trajectory, onset, shock_hour, label, columns)
