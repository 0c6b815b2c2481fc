"""MEWS — Modified Early Warning Score (the QJM 2001 five-parameter version).

Source: Subbe CP, Kruger M, Rutherford P, Gemmel L. Validation of a modified Early Warning
Score in medical admissions. QJM 2001;94(10):521-526, doi:10.1093/qjmed/94.10.521.
Bands and edge cases: shared/docs/clinical/adult-scores.md §2.4 (gap rule D-1; ACVPU "C"
scores like "V", D-6; ``high_risk`` at ≥ 5).
"""

from __future__ import annotations

import numpy as np

from sepsiscope.scores.arrays import Inputs, available_sum, strict_total, where3
from sepsiscope.scores.bands import BandTable
from sepsiscope.scores.base import Component, Extra, ScoreColumns, ScoreDefinition, adult_only, listed_missing

SBP = BandTable.of(("< 71", 3), ("[71, 81)", 2), ("[81, 101)", 1), ("[101, 199]", 0), ("> 199", 2))
HEART_RATE = BandTable.of(
    ("< 41", 2), ("[41, 51)", 1), ("[51, 100]", 0), ("(100, 110]", 1), ("(110, 129]", 2), ("> 129", 3)
)
RESP_RATE = BandTable.of(("< 9", 2), ("[9, 14]", 0), ("(14, 20]", 1), ("(20, 29]", 2), ("> 29", 3))
TEMP_C = BandTable.of(("< 35", 2), ("[35, 38.4]", 0), ("> 38.4", 2))
#: ACVPU -> points (Subbe's AVPU; "C" scores like "V", D-6).
CONSCIOUSNESS = {"A": 0, "C": 1, "V": 1, "P": 2, "U": 3}
HIGH_RISK_FROM = 5

LISTED = ("consciousness", "heart_rate", "resp_rate", "sbp", "temp_c")


def compute(x: Inputs) -> ScoreColumns:
    """MEWS components, total and ``high_risk`` (adult-scores.md §2.4)."""
    consciousness = np.full(x.n, np.nan)
    for code, pts in CONSCIOUSNESS.items():
        consciousness[x.code("consciousness", code)] = pts
    components = {
        "sbp": SBP.points(x["sbp"]),
        "heart_rate": HEART_RATE.points(x["heart_rate"]),
        "resp_rate": RESP_RATE.points(x["resp_rate"]),
        "temp_c": TEMP_C.points(x["temp_c"]),
        "consciousness": consciousness,
    }
    total = strict_total(components.values())
    high = available_sum(components.values()) >= HIGH_RISK_FROM
    return ScoreColumns(
        components=components,
        total=total,
        missing=listed_missing(x, LISTED),
        extras={"high_risk": where3(high, ~np.isnan(total) & (total < HIGH_RISK_FROM))},
    )


DEFINITION = ScoreDefinition(
    name="mews",
    title="Modified Early Warning Score (Subbe 2001)",
    source="Subbe CP et al. QJM 2001;94(10):521-526, doi:10.1093/qjmed/94.10.521",
    doc="adult-scores.md §2.4",
    version="Subbe 2001",
    components=(
        Component("sbp", ("sbp",), SBP.text()),
        Component("heart_rate", ("heart_rate",), HEART_RATE.text()),
        Component("resp_rate", ("resp_rate",), RESP_RATE.text()),
        Component("temp_c", ("temp_c",), TEMP_C.text()),
        Component("consciousness", ("consciousness",), "A → 0; V or C → 1; P → 2; U → 3"),
    ),
    listed_inputs=LISTED,
    total_range=(0, 14),
    compute=compute,
    extras=(Extra("high_risk", "bool3"),),
    check_population=adult_only,
)
