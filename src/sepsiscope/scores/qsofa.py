"""qSOFA — quick Sequential Organ Failure Assessment.

Source: Seymour CW et al. JAMA 2016;315(8):762-774, doi:10.1001/jama.2016.0288;
Singer M et al. JAMA 2016;315(8):801-810, doi:10.1001/jama.2016.0287.
Bands and edge cases: shared/docs/clinical/adult-scores.md §2.2 (altered mentation =
GCS < 15 or ACVPU not "A", decision D-4; three-valued ``positive``, D-3).
"""

from __future__ import annotations

from sepsiscope.scores.arrays import BoolArray, Inputs, at_least, strict_total, where3
from sepsiscope.scores.base import Component, Extra, ScoreColumns, ScoreDefinition, adult_only, listed_missing

RR_MIN = 22
SBP_MAX = 100
GCS_NORMAL = 15

LISTED = ("consciousness", "gcs", "resp_rate", "sbp")


def altered_mentation(x: Inputs) -> tuple[BoolArray, BoolArray]:
    """(abnormal, known-normal) masks for "altered mentation" (D-4).

    Abnormal: GCS < 15 or ACVPU in {C, V, P, U}. Normal: every present one is normal.
    Shared with omqSOFA (pediatric-obstetric.md §3.1), which uses the same rule.
    """
    abnormal = (x["gcs"] < GCS_NORMAL) | x.code("consciousness", "C", "V", "P", "U")
    known = x.present("gcs") | x.present("consciousness")
    return abnormal, known & ~abnormal


def compute(x: Inputs) -> ScoreColumns:
    """qSOFA components, total and three-valued ``positive`` (adult-scores.md §2.2)."""
    mentation_met, mentation_normal = altered_mentation(x)
    components = {
        "resp_rate": where3(x["resp_rate"] >= RR_MIN, x.present("resp_rate")),
        "sbp": where3(x["sbp"] <= SBP_MAX, x.present("sbp")),
        "mentation": where3(mentation_met, mentation_normal),
    }
    return ScoreColumns(
        components=components,
        total=strict_total(components.values()),
        missing=listed_missing(x, LISTED),
        extras={"positive": at_least(components.values(), 2)},
    )


DEFINITION = ScoreDefinition(
    name="qsofa",
    title="quick SOFA (Sepsis-3)",
    source="Seymour CW et al. JAMA 2016;315(8):762-774, doi:10.1001/jama.2016.0288; Singer M et al. JAMA 2016",
    doc="adult-scores.md §2.2",
    version="Sepsis-3 2016",
    components=(
        Component("resp_rate", ("resp_rate",), f"≥ {RR_MIN} /min scores 1"),
        Component("sbp", ("sbp",), f"≤ {SBP_MAX} mm[Hg] scores 1"),
        Component("mentation", ("gcs", "consciousness"), f"gcs < {GCS_NORMAL} or ACVPU C/V/P/U scores 1 (D-4)"),
    ),
    listed_inputs=LISTED,
    total_range=(0, 3),
    compute=compute,
    extras=(Extra("positive", "bool3"),),
    check_population=adult_only,
)
