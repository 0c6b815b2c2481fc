"""NEWS2 — National Early Warning Score 2.

Source: Royal College of Physicians. National Early Warning Score (NEWS) 2. London: RCP,
December 2017, Chart 1 (scoring) and Chart 2 (thresholds and triggers).
Bands and edge cases: shared/docs/clinical/adult-scores.md §2.3 (gap rule D-1 applied in
the band tables; SpO2 scale 2 only on documented hypercapnic respiratory failure; risk
rule D-5).
"""

from __future__ import annotations

import numpy as np

from sepsiscope.scores.arrays import Inputs, any_equal, available_sum, strict_total
from sepsiscope.scores.bands import BandTable
from sepsiscope.scores.base import Component, Extra, ScoreColumns, ScoreDefinition, adult_only, listed_missing

RESP_RATE = BandTable.of(("< 9", 3), ("[9, 12)", 1), ("[12, 20]", 0), ("(20, 24]", 2), ("> 24", 3))
SPO2_SCALE1 = BandTable.of(("< 92", 3), ("[92, 94)", 2), ("[94, 96)", 1), ("≥ 96", 0))
#: Scale 2 up to 92 %, and above 92 % on oxygen; above 92 % on air scores 0.
SPO2_SCALE2_LOW = BandTable.of(("< 84", 3), ("[84, 86)", 2), ("[86, 88)", 1), ("[88, 92]", 0), ("> 92", 0))
SPO2_SCALE2_ON_O2 = BandTable.of(("≤ 92", 0), ("(92, 94]", 1), ("(94, 96]", 2), ("> 96", 3))
SCALE2_SPLIT = 92
OXYGEN_POINTS = 2
SBP = BandTable.of(("< 91", 3), ("[91, 101)", 2), ("[101, 111)", 1), ("[111, 219]", 0), ("> 219", 3))
HEART_RATE = BandTable.of(
    ("< 41", 3), ("[41, 51)", 1), ("[51, 90]", 0), ("(90, 110]", 1), ("(110, 130]", 2), ("> 130", 3)
)
TEMP_C = BandTable.of(("< 35.1", 3), ("[35.1, 36.1)", 1), ("[36.1, 38.0]", 0), ("(38.0, 39.0]", 1), ("> 39.0", 2))
CONSCIOUSNESS_NOT_ALERT = 3
ROOM_AIR_FIO2 = 0.21

#: RCP Chart 2 aggregate bands (adult-scores.md §2.3 "risk").
RISK_LABELS = ("low", "low-medium", "medium", "high")
HIGH_FROM = 7
MEDIUM_FROM = 5
RED_SCORE = 3

LISTED = ("consciousness", "heart_rate", "resp_rate", "sbp", "spo2", "supplemental_o2", "temp_c")


def on_oxygen(x: Inputs) -> np.ndarray:
    """Air (0) or oxygen (1), NaN if unknown (adult-scores.md §2.3 "Air or oxygen").

    Explicit ``supplemental_o2`` wins; else ``fio2`` > 0.21; else ``o2_flow_l_min`` > 0.
    """
    out = np.where(x.present("o2_flow_l_min"), (x["o2_flow_l_min"] > 0).astype(float), np.nan)
    out = np.where(x.present("fio2"), (x["fio2"] > ROOM_AIR_FIO2).astype(float), out)
    return np.where(x.present("supplemental_o2"), x["supplemental_o2"], out)


def compute(x: Inputs) -> ScoreColumns:
    """NEWS2 components, total, risk band and scale (adult-scores.md §2.3)."""
    oxygen = on_oxygen(x)
    scale2 = x.is_true("hypercapnic_resp_failure")
    spo2 = x["spo2"]
    high_on_scale2 = spo2 > SCALE2_SPLIT
    spo2_scale2 = np.where(
        high_on_scale2,
        np.where(oxygen == 1.0, SPO2_SCALE2_ON_O2.points(spo2), np.where(oxygen == 0.0, 0.0, np.nan)),
        SPO2_SCALE2_LOW.points(spo2),
    )
    consciousness = np.where(
        x.present("consciousness"), np.where(x.code("consciousness", "A"), 0.0, CONSCIOUSNESS_NOT_ALERT), np.nan
    )
    components = {
        "resp_rate": RESP_RATE.points(x["resp_rate"]),
        "spo2": np.where(scale2, spo2_scale2, SPO2_SCALE1.points(spo2)),
        "supplemental_o2": oxygen * OXYGEN_POINTS,
        "sbp": SBP.points(x["sbp"]),
        "heart_rate": HEART_RATE.points(x["heart_rate"]),
        "consciousness": consciousness,
        "temp_c": TEMP_C.points(x["temp_c"]),
    }
    total = strict_total(components.values())
    risk = np.select(
        [
            available_sum(components.values()) >= HIGH_FROM,
            np.isnan(total),
            total >= MEDIUM_FROM,
            any_equal(components.values(), RED_SCORE),
        ],
        [3.0, np.nan, 2.0, 1.0],
        default=0.0,
    )
    missing = listed_missing(x, LISTED)
    missing["supplemental_o2"] = np.isnan(oxygen)
    return ScoreColumns(
        components=components,
        total=total,
        missing=missing,
        extras={"risk": risk, "scale": np.where(scale2, 2.0, 1.0)},
    )


DEFINITION = ScoreDefinition(
    name="news2",
    title="National Early Warning Score 2",
    source="Royal College of Physicians. National Early Warning Score (NEWS) 2. London: RCP; 2017, Charts 1-2",
    doc="adult-scores.md §2.3",
    version="NEWS2 2017",
    components=(
        Component("resp_rate", ("resp_rate",), RESP_RATE.text()),
        Component(
            "spo2",
            ("spo2", "supplemental_o2", "hypercapnic_resp_failure"),
            f"scale 1: {SPO2_SCALE1.text()}; scale 2 (documented hypercapnic failure): "
            f"{SPO2_SCALE2_LOW.text()} on air, above {SCALE2_SPLIT} on oxygen {SPO2_SCALE2_ON_O2.text()}",
        ),
        Component(
            "supplemental_o2", ("supplemental_o2", "fio2", "o2_flow_l_min"), f"oxygen → {OXYGEN_POINTS}, air → 0"
        ),
        Component("sbp", ("sbp",), SBP.text()),
        Component("heart_rate", ("heart_rate",), HEART_RATE.text()),
        Component("consciousness", ("consciousness",), f"A → 0; C, V, P, U → {CONSCIOUSNESS_NOT_ALERT}"),
        Component("temp_c", ("temp_c",), TEMP_C.text()),
    ),
    listed_inputs=LISTED,
    total_range=(0, 20),
    compute=compute,
    extras=(Extra("risk", "label", RISK_LABELS), Extra("scale", "int")),
    check_population=adult_only,
)
