"""omqSOFA — obstetric modified quick SOFA (SOMANZ 2017).

Source: Bowyer L, Robinson HL, Barrett H, et al. SOMANZ guidelines for the investigation
and management of sepsis in pregnancy. Aust N Z J Obstet Gynaecol 2017;57(5):540-551,
doi:10.1111/ajo.12646 (adapting qSOFA, Seymour CW et al. JAMA 2016;315(8):762-774,
doi:10.1001/jama.2016.0288).
Rules and edge cases: shared/docs/clinical/pediatric-obstetric.md §3.1 (RR ≥ 25, SBP < 90,
altered mentation as adult qSOFA D-4; three-valued ``positive``; ``in_population`` is
reported but never stops scoring). The 2023 SOMANZ position statement withdrew qSOFA-based
scores for diagnosing sepsis in pregnancy: research and comparison only, never a
diagnostic or rule-out test.
"""

from __future__ import annotations

import numpy as np

from sepsiscope.scores.arrays import Inputs, at_least, strict_total, where3
from sepsiscope.scores.base import Component, Extra, ScoreColumns, ScoreDefinition, listed_missing
from sepsiscope.scores.qsofa import GCS_NORMAL, altered_mentation

RR_MIN = 25
SBP_BELOW = 90
POSITIVE_FROM = 2
POSTPARTUM_MAX_WEEKS = 6

LISTED = ("consciousness", "gcs", "resp_rate", "sbp")


def compute(x: Inputs) -> ScoreColumns:
    """omqSOFA components, total, ``positive`` and ``in_population`` (§3.1)."""
    mentation_met, mentation_normal = altered_mentation(x)
    components = {
        "resp_rate": where3(x["resp_rate"] >= RR_MIN, x.present("resp_rate")),
        "sbp": where3(x["sbp"] < SBP_BELOW, x.present("sbp")),
        "mentation": where3(mentation_met, mentation_normal),
    }
    in_population = x.is_true("pregnant") | (x["weeks_postpartum"] <= POSTPARTUM_MAX_WEEKS)
    return ScoreColumns(
        components=components,
        total=strict_total(components.values()),
        missing=listed_missing(x, LISTED),
        extras={
            "positive": at_least(components.values(), POSITIVE_FROM),
            "in_population": in_population.astype(np.float64),
        },
    )


DEFINITION = ScoreDefinition(
    name="omqsofa",
    title="Obstetric modified qSOFA (SOMANZ 2017; research use, withdrawn for diagnosis in 2023)",
    source="Bowyer L et al. Aust N Z J Obstet Gynaecol 2017;57(5):540-551, doi:10.1111/ajo.12646",
    doc="pediatric-obstetric.md §3.1",
    version="SOMANZ 2017",
    components=(
        Component("resp_rate", ("resp_rate",), f"≥ {RR_MIN} /min scores 1"),
        Component("sbp", ("sbp",), f"< {SBP_BELOW} mm[Hg] scores 1"),
        Component("mentation", ("gcs", "consciousness"), f"gcs < {GCS_NORMAL} or ACVPU C/V/P/U scores 1 (D-4)"),
    ),
    listed_inputs=LISTED,
    total_range=(0, 3),
    compute=compute,
    extras=(Extra("positive", "bool3"), Extra("in_population", "bool3")),
    reads=("pregnant", "weeks_postpartum"),
)
