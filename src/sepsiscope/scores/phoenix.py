"""Phoenix Sepsis Score — SCCM 2024 pediatric sepsis and septic shock criteria.

Source: Schlapbach LJ, Watson RS, Sorce LR, et al. JAMA 2024;331(8):665-674,
doi:10.1001/jama.2024.0179 (criteria); Sanchez-Pinto LN, Bennett TD, DeWitt PE, et al.
JAMA 2024;331(8):675-686, doi:10.1001/jama.2024.0196 (derivation); reference software
``phoenix`` (CRAN) / ``phoenix-sepsis`` 1.1.3 (PyPI), DeWitt PE et al. JAMIA Open
2024;7(3):ooae066, doi:10.1093/jamiaopen/ooae066.
Rules and edge cases: shared/docs/clinical/pediatric-obstetric.md §1 — inputs §1.3 (P/F and
S/F rounded to 1 decimal half-even, S/F only when SpO2 ≤ 97, MAP derived from SBP/DBP,
vasoactives counted from drug keys), systems §1.4-§1.7 (the reference software's half-open
bands, §1.10), total and definitions §1.8, missing §1.9, contract §1.12.

The four system functions are shared with Phoenix-8 (:mod:`sepsiscope.scores.phoenix8`).
"""

from __future__ import annotations

import numpy as np

from sepsiscope.scores.age import PEDIATRIC_LIMIT_MONTHS, age_months, pediatric_population
from sepsiscope.scores.arrays import BoolArray, FloatArray, Inputs, lenient_total, where3
from sepsiscope.scores.bands import Band, BandTable
from sepsiscope.scores.base import Component, Extra, ScoreColumns, ScoreDefinition, listed_missing

# --- respiratory (§1.3, §1.4) ---
RATIO_DECIMALS = 1
SF_MAX_SPO2 = 97
ROOM_AIR_FIO2 = 0.21
#: (P/F below, S/F below) for the support point, the first IMV point and the second IMV point.
SUPPORT_LOW = (400, 292)
IMV_LOW = (200, 220)
IMV_VERY_LOW = (100, 148)
SUPPORT_FLAGS = ("ventilated_invasive", "ventilated", "supplemental_o2", "noninvasive_support")
RESPIRATORY_INPUTS = ("pao2", "spo2", "fio2", *SUPPORT_FLAGS)

# --- cardiovascular (§1.3, §1.5) ---
VASOACTIVE_DRUG_RATES = ("norepinephrine", "epinephrine", "dopamine", "dobutamine", "milrinone")
VASOACTIVE_DRUG_FLAGS = ("vasopressin",)
VASOACTIVE_DRUGS = (*VASOACTIVE_DRUG_RATES, *VASOACTIVE_DRUG_FLAGS)
VASOACTIVES = BandTable.of(("< 1", 0), ("[1, 2)", 1), ("≥ 2", 2))
LACTATE = BandTable.of(("< 5", 0), ("[5, 11)", 1), ("≥ 11", 2))
#: Age band (months) -> MAP band table (mmHg); the last age band is closed at 216 (§1.5, §1.10).
MAP_BY_AGE = (
    (Band.parse("[0, 1)", 0), BandTable.of(("< 17", 2), ("[17, 31)", 1), ("≥ 31", 0))),
    (Band.parse("[1, 12)", 0), BandTable.of(("< 25", 2), ("[25, 39)", 1), ("≥ 39", 0))),
    (Band.parse("[12, 24)", 0), BandTable.of(("< 31", 2), ("[31, 44)", 1), ("≥ 44", 0))),
    (Band.parse("[24, 60)", 0), BandTable.of(("< 32", 2), ("[32, 45)", 1), ("≥ 45", 0))),
    (Band.parse("[60, 144)", 0), BandTable.of(("< 36", 2), ("[36, 49)", 1), ("≥ 49", 0))),
    (Band.parse(f"[144, {PEDIATRIC_LIMIT_MONTHS}]", 0), BandTable.of(("< 38", 2), ("[38, 52)", 1), ("≥ 52", 0))),
)
CARDIOVASCULAR_INPUTS = ("vasoactive_count", *VASOACTIVE_DRUGS, "lactate", "map", "sbp", "dbp")

# --- coagulation (§1.6) ---
PLATELETS_LOW = 100
INR_HIGH = 1.3
D_DIMER_HIGH = 2
FIBRINOGEN_LOW = 100
COAGULATION_CAP = 2
COAGULATION_INPUTS = ("platelets", "inr", "d_dimer", "fibrinogen")

# --- neurologic (§1.7) ---
GCS_MAX_FOR_POINT = 10
FIXED_PUPILS_POINTS = 2
NEUROLOGIC_INPUTS = ("gcs", "pupils")

# --- definitions (§1.8) ---
THRESHOLD = 2
AGE_INPUTS = ("age_days", "age_months", "age_years")

COMPONENTS = ("respiratory", "cardiovascular", "coagulation", "neurologic")
LISTED = (
    "age_months",
    "d_dimer",
    "fibrinogen",
    "fio2",
    "gcs",
    "inr",
    "lactate",
    "map",
    "pao2",
    "platelets",
    "pupils",
    "spo2",
    "suspected_infection",
    "vasoactive_count",
)


def _any_present(x: Inputs, names: tuple[str, ...]) -> BoolArray:
    mask = np.zeros(x.n, dtype=bool)
    for name in names:
        mask |= x.present(name)
    return mask


def _points_or_zero(points: FloatArray) -> FloatArray:
    """An unmeasured part contributes 0 points (§1.9)."""
    return np.nan_to_num(points, nan=0.0)


def pf_ratio(x: Inputs) -> FloatArray:
    """PaO2/FiO2 rounded to 1 decimal, half to even (§1.3); NaN unless both are present."""
    return np.round(x["pao2"] / x["fio2"], RATIO_DECIMALS)  # type: ignore[no-any-return]


def sf_ratio(x: Inputs) -> FloatArray:
    """SpO2/FiO2 rounded like P/F, only where SpO2 ≤ 97 (§1.3); NaN otherwise."""
    spo2 = x["spo2"]
    ratio = np.round(spo2 / x["fio2"], RATIO_DECIMALS)
    return np.where(spo2 <= SF_MAX_SPO2, ratio, np.nan)  # type: ignore[no-any-return]


def any_support(x: Inputs) -> BoolArray:
    """Any respiratory support: a support flag is true, or FiO2 above room air (§1.3)."""
    support = x["fio2"] > ROOM_AIR_FIO2
    for flag in SUPPORT_FLAGS:
        support |= x.is_true(flag)
    return support


def respiratory(x: Inputs) -> FloatArray:
    """Respiratory 0-3 (§1.4): either ratio may be low; null when nothing respiratory is given."""
    pf, sf = pf_ratio(x), sf_ratio(x)
    imv = x.is_true("ventilated_invasive")

    def low(limits: tuple[int, int]) -> BoolArray:
        return (pf < limits[0]) | (sf < limits[1])  # type: ignore[no-any-return]

    points = (
        (any_support(x) & low(SUPPORT_LOW)).astype(float)
        + (imv & low(IMV_LOW)).astype(float)
        + (imv & low(IMV_VERY_LOW)).astype(float)
    )
    return np.where(_any_present(x, RESPIRATORY_INPUTS), points, np.nan)  # type: ignore[no-any-return]


def mean_arterial_pressure(x: Inputs) -> FloatArray:
    """``map`` if given, else DBP + (SBP − DBP)/3 when SBP > DBP (not rounded), else NaN (§1.3)."""
    sbp, dbp = x["sbp"], x["dbp"]
    derived = np.where(sbp > dbp, dbp + (sbp - dbp) / 3, np.nan)
    return np.where(x.present("map"), x["map"], derived)  # type: ignore[no-any-return]


def vasoactive_count(x: Inputs) -> FloatArray:
    """``vasoactive_count`` if given, else the drugs running (rate > 0, vasopressin true) when any
    drug key is given, else NaN (§1.3)."""
    counted = np.zeros(x.n)
    for drug in VASOACTIVE_DRUG_RATES:
        counted += x[drug] > 0
    for drug in VASOACTIVE_DRUG_FLAGS:
        counted += x.is_true(drug)
    counted = np.where(_any_present(x, VASOACTIVE_DRUGS), counted, np.nan)
    return np.where(x.present("vasoactive_count"), x["vasoactive_count"], counted)  # type: ignore[no-any-return]


def map_points(mean_ap: FloatArray, months: FloatArray) -> FloatArray:
    """Age-banded MAP points (§1.5); 0 where age or MAP is unavailable (or age is out of range)."""
    points = np.zeros(mean_ap.shape)
    for age_band, table in MAP_BY_AGE:
        in_band = age_band.contains(months)
        points[in_band] = _points_or_zero(table.points(mean_ap[in_band]))
    return points


def cardiovascular(x: Inputs, months: FloatArray) -> FloatArray:
    """Cardiovascular 0-6 = vasoactives + lactate + MAP (§1.5); null when none of its inputs is given."""
    points = (
        _points_or_zero(VASOACTIVES.points(vasoactive_count(x)))
        + _points_or_zero(LACTATE.points(x["lactate"]))
        + map_points(mean_arterial_pressure(x), months)
    )
    return np.where(_any_present(x, CARDIOVASCULAR_INPUTS), points, np.nan)  # type: ignore[no-any-return]


def coagulation(x: Inputs) -> FloatArray:
    """One point per abnormal test, capped at 2 (§1.6); null when no test is given."""
    abnormal = (
        (x["platelets"] < PLATELETS_LOW).astype(float)
        + (x["inr"] > INR_HIGH)
        + (x["d_dimer"] > D_DIMER_HIGH)
        + (x["fibrinogen"] < FIBRINOGEN_LOW)
    )
    points = np.minimum(abnormal, COAGULATION_CAP)
    return np.where(_any_present(x, COAGULATION_INPUTS), points, np.nan)  # type: ignore[no-any-return]


def neurologic(x: Inputs) -> FloatArray:
    """2 for bilaterally fixed pupils, else 1 for GCS ≤ 10, else 0 (§1.7); null without GCS and pupils."""
    points = np.where(
        x.code("pupils", "both_fixed"), float(FIXED_PUPILS_POINTS), (x["gcs"] <= GCS_MAX_FOR_POINT).astype(float)
    )
    return np.where(_any_present(x, NEUROLOGIC_INPUTS), points, np.nan)  # type: ignore[no-any-return]


def four_systems(x: Inputs) -> dict[str, FloatArray]:
    """The four Phoenix components, each 0..max or NaN (null)."""
    return {
        "respiratory": respiratory(x),
        "cardiovascular": cardiovascular(x, age_months(x)),
        "coagulation": coagulation(x),
        "neurologic": neurologic(x),
    }


def phoenix_missing(x: Inputs, listed: tuple[str, ...] = LISTED) -> dict[str, BoolArray]:
    """Listed inputs absent (§1.9), with the derived rules for ``age_months``, ``map`` and
    ``vasoactive_count``."""
    missing = listed_missing(x, listed)
    missing["age_months"] = np.isnan(age_months(x))
    missing["map"] = np.isnan(mean_arterial_pressure(x))
    missing["vasoactive_count"] = np.isnan(vasoactive_count(x))
    return missing


def compute(x: Inputs) -> ScoreColumns:
    """Phoenix components, total, ``threshold_met``, ``sepsis`` and ``septic_shock`` (§1.8)."""
    components = four_systems(x)
    total = lenient_total(components.values())
    threshold_met = np.nan_to_num(total, nan=0.0) >= THRESHOLD
    infection_true = x.is_true("suspected_infection")
    infection_false = x["suspected_infection"] == 0.0
    sepsis = where3(threshold_met & infection_true, ~threshold_met | infection_false)
    no_shock = (sepsis == 0.0) | (np.nan_to_num(components["cardiovascular"], nan=0.0) < 1)
    septic_shock = np.where(no_shock, 0.0, sepsis)
    return ScoreColumns(
        components=components,
        total=total,
        missing=phoenix_missing(x),
        extras={"threshold_met": threshold_met.astype(float), "sepsis": sepsis, "septic_shock": septic_shock},
    )


#: ``not_pediatric`` above 216 months (§1.2, §0.1).
check_population = pediatric_population(PEDIATRIC_LIMIT_MONTHS, limit_included=True)

COMPONENT_DEFINITIONS = (
    Component(
        "respiratory",
        ("pao2", "spo2", "fio2", *SUPPORT_FLAGS),
        f"P/F and S/F rounded to {RATIO_DECIMALS} decimal (S/F only when spo2 ≤ {SF_MAX_SPO2}); "
        f"1 = any support (a support flag or fio2 > {ROOM_AIR_FIO2}) and (P/F < {SUPPORT_LOW[0]} or "
        f"S/F < {SUPPORT_LOW[1]}); +1 with IMV and (P/F < {IMV_LOW[0]} or S/F < {IMV_LOW[1]}); +1 with IMV "
        f"and (P/F < {IMV_VERY_LOW[0]} or S/F < {IMV_VERY_LOW[1]})",
    ),
    Component(
        "cardiovascular",
        (*CARDIOVASCULAR_INPUTS, *AGE_INPUTS),
        f"vasoactive infusions {VASOACTIVES.text()}; lactate {LACTATE.text()}; MAP (map, else dbp + (sbp − dbp)/3) "
        "by age in months: "
        + "; ".join(f"{age.text()}: {table.text()}" for age, table in MAP_BY_AGE)
        + "; summed (0-6)",
    ),
    Component(
        "coagulation",
        COAGULATION_INPUTS,
        f"1 each for platelets < {PLATELETS_LOW} 10*3/uL, inr > {INR_HIGH}, d_dimer > {D_DIMER_HIGH} mg/L FEU, "
        f"fibrinogen < {FIBRINOGEN_LOW} mg/dL; at most {COAGULATION_CAP}",
    ),
    Component(
        "neurologic",
        NEUROLOGIC_INPUTS,
        f"pupils both_fixed → {FIXED_PUPILS_POINTS}; else gcs ≤ {GCS_MAX_FOR_POINT} → 1; else 0",
    ),
)

DEFINITION = ScoreDefinition(
    name="phoenix",
    title="Phoenix Sepsis Score (SCCM 2024 pediatric criteria)",
    source=(
        "Schlapbach LJ et al. JAMA 2024;331(8):665-674, doi:10.1001/jama.2024.0179; "
        "Sanchez-Pinto LN et al. JAMA 2024;331(8):675-686, doi:10.1001/jama.2024.0196; "
        "reference software phoenix-sepsis 1.1.3 (DeWitt PE et al. JAMIA Open 2024;7(3):ooae066)"
    ),
    doc="pediatric-obstetric.md §1",
    version="Phoenix 2024 (reference software phoenix-sepsis 1.1.3)",
    components=COMPONENT_DEFINITIONS,
    listed_inputs=LISTED,
    total_range=(0, 13),
    compute=compute,
    extras=(Extra("threshold_met", "bool3"), Extra("sepsis", "bool3"), Extra("septic_shock", "bool3")),
    check_population=check_population,
)
