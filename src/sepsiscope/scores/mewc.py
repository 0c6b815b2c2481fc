"""MEWC — maternal early warning criteria (National Partnership for Maternal Safety).

Source: Mhyre JM, D'Oria R, Hameed AB, et al. The maternal early warning criteria: a
proposal from the National Partnership for Maternal Safety. Obstet Gynecol
2014;124(4):782-786, doi:10.1097/AOG.0000000000000480.
Rules and edge cases: shared/docs/clinical/pediatric-obstetric.md §3.2 (strict triggers;
SpO2 judged on room air only; urine output and pre-eclampsia symptoms optional, 0 when
absent; ``positive`` as soon as any trigger is met). Any trigger calls for prompt bedside
review; the list supports, never replaces, clinical judgement.
"""

from __future__ import annotations

from sepsiscope.scores.arrays import Inputs, at_least, strict_total, where3
from sepsiscope.scores.base import Component, Extra, ScoreColumns, ScoreDefinition, listed_missing

SBP_BELOW = 90
SBP_ABOVE = 160
DBP_ABOVE = 100
HR_BELOW = 50
HR_ABOVE = 120
RR_BELOW = 10
RR_ABOVE = 30
SPO2_BELOW_ON_AIR = 95
URINE_BELOW_ML_PER_H = 35

LISTED = ("consciousness", "dbp", "heart_rate", "resp_rate", "sbp", "spo2")


def compute(x: Inputs) -> ScoreColumns:
    """MEWC triggers, total (number of triggers) and ``positive`` (§3.2)."""
    sbp, dbp, hr, rr, spo2 = (x[n] for n in ("sbp", "dbp", "heart_rate", "resp_rate", "spo2"))
    on_oxygen = x.is_true("supplemental_o2")
    mental_met = x.code("consciousness", "C", "V", "P", "U") | x.is_true("agitation")
    components = {
        "sbp": where3((sbp < SBP_BELOW) | (sbp > SBP_ABOVE), x.present("sbp")),
        "dbp": where3(dbp > DBP_ABOVE, x.present("dbp")),
        "heart_rate": where3((hr < HR_BELOW) | (hr > HR_ABOVE), x.present("heart_rate")),
        "resp_rate": where3((rr < RR_BELOW) | (rr > RR_ABOVE), x.present("resp_rate")),
        "spo2": where3((spo2 < SPO2_BELOW_ON_AIR) & ~on_oxygen, x.present("spo2") & ~on_oxygen),
        "mental_status": where3(mental_met, x.present("consciousness")),
        "urine_output": (x["urine_ml_per_h"] < URINE_BELOW_ML_PER_H).astype(float),
        "preeclampsia_symptoms": x.is_true("preeclampsia_symptoms").astype(float),
    }
    return ScoreColumns(
        components=components,
        total=strict_total(components.values()),
        missing=listed_missing(x, LISTED),
        extras={"positive": at_least(components.values(), 1)},
    )


DEFINITION = ScoreDefinition(
    name="mewc",
    title="Maternal early warning criteria (Mhyre 2014)",
    source="Mhyre JM et al. Obstet Gynecol 2014;124(4):782-786, doi:10.1097/AOG.0000000000000480",
    doc="pediatric-obstetric.md §3.2",
    version="NPMS 2014",
    components=(
        Component("sbp", ("sbp",), f"< {SBP_BELOW} or > {SBP_ABOVE} mm[Hg] triggers"),
        Component("dbp", ("dbp",), f"> {DBP_ABOVE} mm[Hg] triggers"),
        Component("heart_rate", ("heart_rate",), f"< {HR_BELOW} or > {HR_ABOVE} /min triggers"),
        Component("resp_rate", ("resp_rate",), f"< {RR_BELOW} or > {RR_ABOVE} /min triggers"),
        Component(
            "spo2",
            ("spo2", "supplemental_o2"),
            f"< {SPO2_BELOW_ON_AIR} % on room air triggers; null on supplemental oxygen (cannot be judged)",
        ),
        Component(
            "mental_status",
            ("consciousness", "agitation"),
            "ACVPU C/V/P/U or new agitation triggers; null when consciousness is absent and agitation is not true",
        ),
        Component(
            "urine_output",
            ("urine_ml_per_h",),
            f"< {URINE_BELOW_ML_PER_H} mL/h (mean over ≥ 2 h) triggers; 0 when absent",
        ),
        Component("preeclampsia_symptoms", ("preeclampsia_symptoms",), "true triggers; 0 when absent"),
    ),
    listed_inputs=LISTED,
    total_range=(0, 8),
    compute=compute,
    extras=(Extra("positive", "bool3"),),
)
