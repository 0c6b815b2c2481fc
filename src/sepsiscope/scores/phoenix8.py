"""Phoenix-8 — the research extension of the Phoenix Sepsis Score (not a diagnostic criterion).

Source: Sanchez-Pinto LN, Bennett TD, DeWitt PE, et al. JAMA 2024;331(8):675-686,
doi:10.1001/jama.2024.0196; reference software ``phoenix-sepsis`` 1.1.3 (PyPI) / ``phoenix``
(CRAN), DeWitt PE et al. JAMIA Open 2024;7(3):ooae066, doi:10.1093/jamiaopen/ooae066.
Rules and edge cases: shared/docs/clinical/pediatric-obstetric.md §1.11 (endocrine,
immunologic, renal, hepatic; renal band closed at 216 months and 0 renal points when age
is missing, the R package's behaviour, §1.10) and §1.12 (contract). The four Phoenix
systems come from :mod:`sepsiscope.scores.phoenix` — one definition of each rule.
"""

from __future__ import annotations

import numpy as np

from sepsiscope.scores import phoenix
from sepsiscope.scores.age import PEDIATRIC_LIMIT_MONTHS, age_months
from sepsiscope.scores.arrays import FloatArray, Inputs, lenient_total
from sepsiscope.scores.bands import Band
from sepsiscope.scores.base import Component, Extra, ScoreColumns, ScoreDefinition

GLUCOSE_LOW = 50
GLUCOSE_HIGH = 150
ANC_LOW = 0.5  # 10*3/uL (= 500 cells/mm3)
ALC_LOW = 1.0  # 10*3/uL (= 1000 cells/mm3)
BILIRUBIN_HIGH = 4  # mg/dL, point when ≥
ALT_HIGH = 102  # U/L, point when >
#: Age band (months) -> creatinine (mg/dL) at or above which renal scores 1.
CREATININE_BY_AGE = (
    (Band.parse("[0, 1)", 0), 0.8),
    (Band.parse("[1, 12)", 0), 0.3),
    (Band.parse("[12, 24)", 0), 0.4),
    (Band.parse("[24, 60)", 0), 0.6),
    (Band.parse("[60, 144)", 0), 0.7),
    (Band.parse(f"[144, {PEDIATRIC_LIMIT_MONTHS}]", 0), 1.0),
)

EXTRA_COMPONENTS = ("endocrine", "immunologic", "renal", "hepatic")
COMPONENTS = (*phoenix.COMPONENTS, *EXTRA_COMPONENTS)
LISTED = tuple(
    sorted(
        {name for name in phoenix.LISTED if name != "suspected_infection"}
        | {"alc", "alt", "anc", "bilirubin_total", "creatinine", "glucose"}
    )
)


def endocrine(x: Inputs) -> FloatArray:
    """1 when glucose < 50 or > 150 mg/dL; null without glucose."""
    glucose = x["glucose"]
    met = (glucose < GLUCOSE_LOW) | (glucose > GLUCOSE_HIGH)
    return np.where(x.present("glucose"), met.astype(float), np.nan)  # type: ignore[no-any-return]


def immunologic(x: Inputs) -> FloatArray:
    """1 when ANC < 0.5 or ALC < 1.0 (10³/µL); null when both are absent."""
    met = (x["anc"] < ANC_LOW) | (x["alc"] < ALC_LOW)
    known = x.present("anc") | x.present("alc")
    return np.where(known, met.astype(float), np.nan)  # type: ignore[no-any-return]


def renal(x: Inputs, months: FloatArray) -> FloatArray:
    """1 when creatinine ≥ the age cut-off; 0 when age is unknown; null without creatinine."""
    creatinine = x["creatinine"]
    met = np.zeros(x.n, dtype=bool)
    for age_band, cutoff in CREATININE_BY_AGE:
        met |= age_band.contains(months).astype(bool) & (creatinine >= cutoff)
    return np.where(x.present("creatinine"), met.astype(float), np.nan)  # type: ignore[no-any-return]


def hepatic(x: Inputs) -> FloatArray:
    """1 when total bilirubin ≥ 4 mg/dL or ALT > 102 U/L; null when both are absent."""
    met = (x["bilirubin_total"] >= BILIRUBIN_HIGH) | (x["alt"] > ALT_HIGH)
    known = x.present("bilirubin_total") | x.present("alt")
    return np.where(known, met.astype(float), np.nan)  # type: ignore[no-any-return]


def compute(x: Inputs) -> ScoreColumns:
    """Eight components, Phoenix-8 total and the four-system ``phoenix_total`` (§1.11, §1.12)."""
    four = phoenix.four_systems(x)
    components = {
        **four,
        "endocrine": endocrine(x),
        "immunologic": immunologic(x),
        "renal": renal(x, age_months(x)),
        "hepatic": hepatic(x),
    }
    return ScoreColumns(
        components=components,
        total=lenient_total(components.values()),
        missing=phoenix.phoenix_missing(x, LISTED),
        extras={"phoenix_total": lenient_total(four.values())},
    )


DEFINITION = ScoreDefinition(
    name="phoenix8",
    title="Phoenix-8 (research score, not a diagnostic criterion)",
    source=(
        "Sanchez-Pinto LN et al. JAMA 2024;331(8):675-686, doi:10.1001/jama.2024.0196; "
        "reference software phoenix-sepsis 1.1.3 (DeWitt PE et al. JAMIA Open 2024;7(3):ooae066)"
    ),
    doc="pediatric-obstetric.md §1.11",
    version="Phoenix-8 2024 (reference software phoenix-sepsis 1.1.3; renal as the R package)",
    components=(
        *phoenix.COMPONENT_DEFINITIONS,
        Component("endocrine", ("glucose",), f"glucose < {GLUCOSE_LOW} or > {GLUCOSE_HIGH} mg/dL scores 1"),
        Component("immunologic", ("anc", "alc"), f"anc < {ANC_LOW} or alc < {ALC_LOW} 10*3/uL scores 1"),
        Component(
            "renal",
            ("creatinine", *phoenix.AGE_INPUTS),
            "creatinine ≥ cut-off by age in months scores 1: "
            + "; ".join(f"{age.text()}: {cutoff} mg/dL" for age, cutoff in CREATININE_BY_AGE)
            + "; 0 when age is unknown",
        ),
        Component(
            "hepatic",
            ("bilirubin_total", "alt"),
            f"bilirubin_total ≥ {BILIRUBIN_HIGH} mg/dL or alt > {ALT_HIGH} U/L scores 1",
        ),
    ),
    listed_inputs=LISTED,
    total_range=(0, 17),
    compute=compute,
    extras=(Extra("phoenix_total", "int"),),
    check_population=phoenix.check_population,
)
