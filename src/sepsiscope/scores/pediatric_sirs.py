"""Pediatric SIRS — Goldstein 2005 International Pediatric Sepsis Consensus Conference.

Source: Goldstein B, Giroir B, Randolph A; International Consensus Conference on Pediatric
Sepsis. Pediatr Crit Care Med 2005;6(1):2-8, doi:10.1097/01.PCC.0000149131.72248.E6
(definition text and Table 3, age-specific vital signs and laboratory variables).
Rules and edge cases: shared/docs/clinical/pediatric-obstetric.md §2 — age groups §2.2
(12-23 months put in the toddler group), thresholds §2.3 (all strict), criteria and the
three-valued ``positive`` ("two criteria, one of them temperature or leukocytes") §2.4,
contract §2.5. Superseded by Phoenix (2024); kept for research and comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sepsiscope.scores.age import PEDIATRIC_LIMIT_MONTHS, age_days, age_months, pediatric_population
from sepsiscope.scores.arrays import FloatArray, Inputs, strict_total, where3
from sepsiscope.scores.base import Component, Extra, ScoreColumns, ScoreDefinition, listed_missing

TEMP_HIGH_C = 38.5
TEMP_LOW_C = 36.0
BANDS_HIGH_PCT = 10
NEWBORN_BEFORE_DAYS = 7


@dataclass(frozen=True)
class AgeGroup:
    """One row of §2.2/§2.3: its age range in months and its strict thresholds (NaN = none).

    ``sbp_low`` is Goldstein's hypotension cut-off, informational only (not a SIRS criterion,
    not verified against the printed article; §2.3) and never used.
    """

    label: str
    months_from: float
    months_to: float
    tachycardia_above: float
    bradycardia_below: float
    resp_rate_above: float
    wbc_above: float
    wbc_below: float
    sbp_low: float


NONE = float("nan")
#: §2.3 Table (Goldstein 2005 Table 3). Newborn is decided on age in days (< 7), see :func:`age_group`.
AGE_GROUPS = (
    AgeGroup("newborn", 0, 1, 180, 100, 50, 34, NONE, 65),
    AgeGroup("neonate", 0, 1, 180, 100, 40, 19.5, 5, 75),
    AgeGroup("infant", 1, 12, 180, 90, 34, 17.5, 5, 100),
    AgeGroup("toddler_preschool", 12, 72, 140, NONE, 22, 15.5, 6, 94),
    AgeGroup("school_age", 72, 156, 130, NONE, 18, 13.5, 4.5, 105),
    AgeGroup("adolescent", 156, PEDIATRIC_LIMIT_MONTHS, 110, NONE, 14, 11, 4.5, 117),
)
AGE_GROUP_LABELS = tuple(group.label for group in AGE_GROUPS)

LISTED = ("age_months", "bands_pct", "heart_rate", "resp_rate", "temp_c", "wbc")


def age_group(x: Inputs) -> FloatArray:
    """Index into :data:`AGE_GROUPS` (§2.2); NaN without age (or at/after 216 months)."""
    months, days = age_months(x), age_days(x)
    group = np.full(x.n, np.nan)
    for index, g in enumerate(AGE_GROUPS):
        group[(months >= g.months_from) & (months < g.months_to)] = index
    # 0-1 month: "newborn" before day 7, "neonate" from day 7.
    group[(months < 1) & (days < NEWBORN_BEFORE_DAYS)] = AGE_GROUP_LABELS.index("newborn")
    group[(months < 1) & (days >= NEWBORN_BEFORE_DAYS)] = AGE_GROUP_LABELS.index("neonate")
    return group


def _threshold(group: FloatArray, field: str) -> FloatArray:
    """Per-row threshold of the row's age group; NaN where the group (or the threshold) is missing."""
    values = np.array([getattr(g, field) for g in AGE_GROUPS], dtype=float)
    known = ~np.isnan(group)
    out = np.full(group.shape, np.nan)
    out[known] = values[group[known].astype(int)]
    return out


def compute(x: Inputs) -> ScoreColumns:
    """Pediatric SIRS components, total, ``positive`` and ``age_group`` (§2.4, §2.5)."""
    group = age_group(x)
    age_known = ~np.isnan(group)
    temp, hr, rr, wbc = x["temp_c"], x["heart_rate"], x["resp_rate"], x["wbc"]
    hr_met = (hr > _threshold(group, "tachycardia_above")) | (hr < _threshold(group, "bradycardia_below"))
    rr_met = x.is_true("ventilated_invasive") | (rr > _threshold(group, "resp_rate_above"))
    wbc_met = (
        (x["bands_pct"] > BANDS_HIGH_PCT)
        | (wbc > _threshold(group, "wbc_above"))
        | (wbc < _threshold(group, "wbc_below"))
    )
    components = {
        "temperature": where3((temp > TEMP_HIGH_C) | (temp < TEMP_LOW_C), x.present("temp_c")),
        "heart_rate": where3(hr_met, x.present("heart_rate") & age_known),
        "respiratory": where3(rr_met, x.present("resp_rate") & age_known),
        "wbc": where3(wbc_met, x.present("wbc") & age_known),
    }
    stack = np.vstack(list(components.values()))
    ones = (stack == 1.0).sum(axis=0)
    nulls = np.isnan(stack).sum(axis=0)
    temp_or_wbc = (components["temperature"] == 1.0) | (components["wbc"] == 1.0)
    neither = (components["temperature"] == 0.0) & (components["wbc"] == 0.0)
    positive = where3((ones >= 2) & temp_or_wbc, (ones + nulls < 2) | neither)
    missing = listed_missing(x, LISTED)
    missing["age_months"] = np.isnan(age_months(x))
    return ScoreColumns(
        components=components,
        total=strict_total(components.values()),
        missing=missing,
        extras={"positive": positive, "age_group": group},
    )


def _thresholds_text(field: str) -> str:
    return ", ".join(f"{g.label} {getattr(g, field):g}" for g in AGE_GROUPS if not np.isnan(getattr(g, field)))


DEFINITION = ScoreDefinition(
    name="pediatric_sirs",
    title="Pediatric SIRS criteria (Goldstein 2005)",
    source=(
        "Goldstein B, Giroir B, Randolph A. Pediatr Crit Care Med 2005;6(1):2-8, doi:10.1097/01.PCC.0000149131.72248.E6"
    ),
    doc="pediatric-obstetric.md §2",
    version="IPSCC 2005",
    components=(
        Component("temperature", ("temp_c",), f"core temp_c > {TEMP_HIGH_C} or < {TEMP_LOW_C} Cel scores 1"),
        Component(
            "heart_rate",
            ("heart_rate", "age_days", "age_months", "age_years"),
            f"heart_rate > {_thresholds_text('tachycardia_above')} /min, or under 1 year < "
            f"{_thresholds_text('bradycardia_below')} /min, scores 1",
        ),
        Component(
            "respiratory",
            ("resp_rate", "ventilated_invasive", "age_days", "age_months", "age_years"),
            f"ventilated_invasive, or resp_rate > {_thresholds_text('resp_rate_above')} /min, scores 1",
        ),
        Component(
            "wbc",
            ("wbc", "bands_pct", "age_days", "age_months", "age_years"),
            f"bands_pct > {BANDS_HIGH_PCT} %, or wbc > {_thresholds_text('wbc_above')} or < "
            f"{_thresholds_text('wbc_below')} 10*3/uL, scores 1",
        ),
    ),
    listed_inputs=LISTED,
    total_range=(0, 4),
    compute=compute,
    extras=(Extra("positive", "bool3"), Extra("age_group", "label", AGE_GROUP_LABELS)),
    check_population=pediatric_population(PEDIATRIC_LIMIT_MONTHS, limit_included=False),
)
