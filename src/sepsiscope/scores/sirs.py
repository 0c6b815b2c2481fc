"""SIRS — systemic inflammatory response syndrome criteria.

Source: Bone RC, Balk RA, Cerra FB, et al. Definitions for sepsis and organ failure and
guidelines for the use of innovative therapies in sepsis. Chest 1992;101(6):1644-1655,
doi:10.1378/chest.101.6.1644.
Bands and edge cases: shared/docs/clinical/adult-scores.md §2.1 (all inequalities strict;
three-valued ``positive``, decision D-3).
"""

from __future__ import annotations

from sepsiscope.scores.arrays import Inputs, at_least, strict_total, where3
from sepsiscope.scores.base import Component, Extra, ScoreColumns, ScoreDefinition, adult_only, listed_missing

TEMP_HIGH_C = 38.0
TEMP_LOW_C = 36.0
HR_HIGH = 90
RR_HIGH = 20
PACO2_LOW = 32
WBC_HIGH = 12.0
WBC_LOW = 4.0
BANDS_HIGH_PCT = 10

LISTED = ("bands_pct", "heart_rate", "paco2", "resp_rate", "temp_c", "wbc")


def compute(x: Inputs) -> ScoreColumns:
    """SIRS components, total and three-valued ``positive`` (adult-scores.md §2.1)."""
    temp, hr, rr, paco2, wbc, bands = (x[n] for n in ("temp_c", "heart_rate", "resp_rate", "paco2", "wbc", "bands_pct"))
    temp_met = (temp > TEMP_HIGH_C) | (temp < TEMP_LOW_C)
    hr_met = hr > HR_HIGH
    resp_met = (rr > RR_HIGH) | (paco2 < PACO2_LOW)
    wbc_met = (wbc > WBC_HIGH) | (wbc < WBC_LOW) | (bands > BANDS_HIGH_PCT)
    components = {
        "temperature": where3(temp_met, x.present("temp_c")),
        "heart_rate": where3(hr_met, x.present("heart_rate")),
        "respiratory": where3(resp_met, x.present("resp_rate")),
        "wbc": where3(wbc_met, x.present("wbc")),
    }
    return ScoreColumns(
        components=components,
        total=strict_total(components.values()),
        missing=listed_missing(x, LISTED),
        extras={"positive": at_least(components.values(), 2)},
    )


DEFINITION = ScoreDefinition(
    name="sirs",
    title="SIRS criteria (1992 ACCP/SCCM consensus)",
    source="Bone RC et al. Chest 1992;101(6):1644-1655, doi:10.1378/chest.101.6.1644",
    doc="adult-scores.md §2.1",
    version="ACCP/SCCM 1992",
    components=(
        Component("temperature", ("temp_c",), f"> {TEMP_HIGH_C} or < {TEMP_LOW_C} Cel scores 1"),
        Component("heart_rate", ("heart_rate",), f"> {HR_HIGH} /min scores 1"),
        Component(
            "respiratory", ("resp_rate", "paco2"), f"resp_rate > {RR_HIGH} /min or paco2 < {PACO2_LOW} mm[Hg] scores 1"
        ),
        Component(
            "wbc",
            ("wbc", "bands_pct"),
            f"wbc > {WBC_HIGH} or < {WBC_LOW} 10*3/uL, or bands_pct > {BANDS_HIGH_PCT} %, scores 1",
        ),
    ),
    listed_inputs=LISTED,
    total_range=(0, 4),
    compute=compute,
    extras=(Extra("positive", "bool3"),),
    check_population=adult_only,
)
