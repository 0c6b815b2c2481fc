"""Both sides of every threshold of symptom-checker.md §4-§6, through ``calc symptom_checker``.

Table-driven: each row is (id, input, code, fires, section). ``fires`` says whether rule
``code`` is in ``components`` (or, for ``risk:...``/``esc:...`` codes, whether that risk group
is listed / which "get help now if…" list applies). Numbers are copied from the document,
never from the code under test; age bands are checked at both of their edges too.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import pytest

from sepsiscope.scores.calculator import run


class Row(NamedTuple):
    id: str
    input: dict[str, Any]
    code: str
    fires: bool
    section: str


ROWS: list[Row] = []


def add(id_: str, case: dict[str, Any], code: str, fires: bool, section: str) -> None:
    ROWS.append(Row(id_, case, code, fires, section))


INF = {"infection": True}

# ---------------------------------------------------------------------------------------
# §5 first table, children: (band, lo months, hi months, RR E ≥, RR U ≥, HR E ≥, HR U ≥)
CHILD_RATES = [
    ("under1", 0, 12, 60, 50, 160, 150),
    ("1-2y", 12, 36, 50, 40, 150, 140),
    ("3-4y", 36, 60, 40, 35, 140, 130),
    ("5y", 60, 72, 29, 24, 130, 120),
    ("6-7y", 72, 96, 27, 24, 120, 110),
    ("8-11y", 96, 144, 25, 22, 115, 105),
]
for band, lo, hi, rr_e, rr_u, hr_e, hr_u in CHILD_RATES:
    for age in (lo, hi - 0.5):  # both ends of the band
        a = {"age_months": age, **INF}
        s = "§5 table 1 / §6 E11 U02"
        add(f"{band}-m{age:g}-rr{rr_e}-E11", {**a, "resp_rate": rr_e}, "E11", True, s)
        add(f"{band}-m{age:g}-rr{rr_e - 1}-noE11", {**a, "resp_rate": rr_e - 1}, "E11", False, s)
        add(f"{band}-m{age:g}-rr{rr_e - 1}-U02", {**a, "resp_rate": rr_e - 1}, "U02", True, s)
        add(f"{band}-m{age:g}-rr{rr_u}-U02", {**a, "resp_rate": rr_u}, "U02", True, s)
        add(f"{band}-m{age:g}-rr{rr_u - 0.5:g}-noU02", {**a, "resp_rate": rr_u - 0.5}, "U02", False, s)
        s = "§5 table 1 / §6 E12 U03"
        add(f"{band}-m{age:g}-hr{hr_e}-E12", {**a, "heart_rate": hr_e}, "E12", True, s)
        add(f"{band}-m{age:g}-hr{hr_e - 1}-noE12", {**a, "heart_rate": hr_e - 1}, "E12", False, s)
        add(f"{band}-m{age:g}-hr{hr_e - 1}-U03", {**a, "heart_rate": hr_e - 1}, "U03", True, s)
        add(f"{band}-m{age:g}-hr{hr_u}-U03", {**a, "heart_rate": hr_u}, "U03", True, s)
        add(f"{band}-m{age:g}-hr{hr_u - 0.5:g}-noU03", {**a, "heart_rate": hr_u - 0.5}, "U03", False, s)
        add(f"{band}-m{age:g}-hr59.9-E12", {**a, "heart_rate": 59.9}, "E12", True, "§5 HR < 60")
        add(f"{band}-m{age:g}-hr60-noE12", {**a, "heart_rate": 60}, "E12", False, "§5 HR < 60")
    # URGENT bands need a possible infection (D11); EMERGENCY bands do not
    add(f"{band}-rr{rr_u}-no-infection-noU02", {"age_months": lo, "resp_rate": rr_u}, "U02", False, "§6 U02 / D11")
    add(f"{band}-hr{hr_u}-no-infection-noU03", {"age_months": lo, "heart_rate": hr_u}, "U03", False, "§6 U03 / D11")
    add(f"{band}-rr{rr_e}-no-infection-E11", {"age_months": lo, "resp_rate": rr_e}, "E11", True, "§6 E11 / D11")

# Band edges: the same breathing rate on each side of an age edge
for (band, _lo, hi, _re, _ru, _he, _hu), nxt in zip(CHILD_RATES, CHILD_RATES[1:], strict=False):
    rr = nxt[3]  # the next band's EMERGENCY cut-off: EMERGENCY there, not yet EMERGENCY here
    add(
        f"edge-{band}-m{hi - 0.5:g}-rr{rr}", {"age_months": hi - 0.5, "resp_rate": rr}, "E11", rr >= _re, "§5 age bands"
    )
    add(f"edge-{nxt[0]}-m{hi}-rr{rr}", {"age_months": hi, "resp_rate": rr}, "E11", True, "§5 age bands")

# 12+: RR ≥ 25 or ≤ 8 EMERGENCY; 21 to < 25 URGENT. HR > 130 or ≤ 40; 91-130 (pregnant 100-130).
# Values between two published 12+ bands go to the more urgent band (§6, "as in adult-scores.md
# D-1"; issue 13): RR 8.5 and 24.5 → EMERGENCY, 20.5 → URGENT; HR 40.5 → EMERGENCY, 90.5 → URGENT.
GAP = "§6 between published 12+ bands → more urgent (D-1)"
ADULT = {"age_years": 30, **INF}
for age in ({"age_months": 144}, {"age_years": 30}, {"age_years": 90}):
    a = {**age, **INF}
    tag = "-".join(f"{k}{v}" for k, v in age.items())
    s = "§5 table 1, 12+"
    add(f"12p-{tag}-rr25-E11", {**a, "resp_rate": 25}, "E11", True, s)
    add(f"12p-{tag}-rr24-noE11", {**a, "resp_rate": 24}, "E11", False, s)
    add(f"12p-{tag}-rr24-U02", {**a, "resp_rate": 24}, "U02", True, s)
    add(f"12p-{tag}-rr21-U02", {**a, "resp_rate": 21}, "U02", True, s)
    add(f"12p-{tag}-rr20-noU02", {**a, "resp_rate": 20}, "U02", False, s)
    add(f"12p-{tag}-rr8-E11", {**a, "resp_rate": 8}, "E11", True, s + " (NEWS2 ≤ 8)")
    add(f"12p-{tag}-rr9-noE11", {**a, "resp_rate": 9}, "E11", False, s + " (NEWS2 ≤ 8)")
    add(f"12p-{tag}-hr131-E12", {**a, "heart_rate": 131}, "E12", True, s)
    add(f"12p-{tag}-hr130-noE12", {**a, "heart_rate": 130}, "E12", False, s)
    add(f"12p-{tag}-hr130-U03", {**a, "heart_rate": 130}, "U03", True, s)
    add(f"12p-{tag}-hr91-U03", {**a, "heart_rate": 91}, "U03", True, s)
    add(f"12p-{tag}-hr90-noU03", {**a, "heart_rate": 90}, "U03", False, s)
    add(f"12p-{tag}-hr40-E12", {**a, "heart_rate": 40}, "E12", True, s + " (NEWS2 ≤ 40)")
    add(f"12p-{tag}-hr41-noE12", {**a, "heart_rate": 41}, "E12", False, s + " (NEWS2 ≤ 40)")
    add(f"12p-{tag}-rr8.5-E11-gap", {**a, "resp_rate": 8.5}, "E11", True, GAP)
    add(f"12p-{tag}-rr20.5-U02-gap", {**a, "resp_rate": 20.5}, "U02", True, GAP)
    add(f"12p-{tag}-rr24.5-E11-gap", {**a, "resp_rate": 24.5}, "E11", True, GAP)
    add(f"12p-{tag}-rr24.5-noU02-gap", {**a, "resp_rate": 24.5}, "U02", False, GAP)
    add(f"12p-{tag}-hr40.5-E12-gap", {**a, "heart_rate": 40.5}, "E12", True, GAP)
    add(f"12p-{tag}-hr90.5-U03-gap", {**a, "heart_rate": 90.5}, "U03", True, GAP)
    add(f"12p-{tag}-hr130.5-E12-gap", {**a, "heart_rate": 130.5}, "E12", True, GAP + " (§6 example)")
    add(f"12p-{tag}-hr130.5-noU03-gap", {**a, "heart_rate": 130.5}, "U03", False, GAP + " (§6 example)")
for preg, label in (({"pregnant": True}, "pregnant"), ({"weeks_postpartum": 6}, "6wk-after")):
    a = {**ADULT, **preg}
    s = "§5 table 1, 12+ pregnancy band (NG255)"
    add(f"12p-{label}-hr100-U03", {**a, "heart_rate": 100}, "U03", True, s)
    add(f"12p-{label}-hr99-noU03", {**a, "heart_rate": 99}, "U03", False, s)
    add(f"12p-{label}-hr130-U03", {**a, "heart_rate": 130}, "U03", True, s)
    add(f"12p-{label}-hr131-E12", {**a, "heart_rate": 131}, "E12", True, s)
    add(f"12p-{label}-hr99.5-U03-gap", {**a, "heart_rate": 99.5}, "U03", True, GAP)
add(
    "12p-7wk-after-hr95-U03",
    {**ADULT, "weeks_postpartum": 7, "heart_rate": 95},
    "U03",
    True,
    "§4 pregnant_or_recent ≤ 6",
)
add(
    "12p-11y-pregnant-band-not-used",
    {"age_years": 11, "pregnant": True, **INF, "heart_rate": 105},
    "U03",
    True,
    "§5 8-11y",
)

# ---------------------------------------------------------------------------------------
# §5 second table: SpO2 (E13/U04), SBP (E14/U05)
for age, tag in (({"age_months": 0}, "m0"), ({"age_months": 143.5}, "m143.5")):
    s = "§5 table 2, child SpO2"
    add(f"spo2-{tag}-89.9-E13", {**age, "spo2": 89.9}, "E13", True, s)
    add(f"spo2-{tag}-90-noE13", {**age, "spo2": 90}, "E13", False, s)
    add(f"spo2-{tag}-90-U04", {**age, "spo2": 90}, "U04", True, s)
    add(f"spo2-{tag}-91.9-U04", {**age, "spo2": 91.9}, "U04", True, s)
    add(f"spo2-{tag}-92-noU04", {**age, "spo2": 92}, "U04", False, s)
for age, tag in (({"age_months": 144}, "m144"), ({"age_years": 60}, "y60")):
    s = "§5 table 2, 12+ SpO2 (NEWS2)"
    add(f"spo2-{tag}-91-E13", {**age, "spo2": 91}, "E13", True, s)
    add(f"spo2-{tag}-92-noE13", {**age, "spo2": 92}, "E13", False, s)
    add(f"spo2-{tag}-92-U04", {**age, "spo2": 92}, "U04", True, s)
    add(f"spo2-{tag}-94-U04", {**age, "spo2": 94}, "U04", True, s)
    add(f"spo2-{tag}-95-noU04", {**age, "spo2": 95}, "U04", False, s)
    # between the printed bands (≤ 91 | 92 to 94 | normal from 95): the more urgent band
    add(f"spo2-{tag}-91.5-E13-gap", {**age, "spo2": 91.5}, "E13", True, GAP + " (§6 example)")
    add(f"spo2-{tag}-91.5-noU04-gap", {**age, "spo2": 91.5}, "U04", False, GAP + " (§6 example)")
    add(f"spo2-{tag}-94.5-U04-gap", {**age, "spo2": 94.5}, "U04", True, GAP)
add(
    "spo2-no-infection-needed", {"age_years": 60, "spo2": 93}, "U04", True, "§5: SpO2 applies with or without infection"
)

for age, tag in (({"age_months": 144}, "m144"), ({"age_years": 50}, "y50")):
    s = "§5 table 2 / §6 E14 U05"
    add(f"sbp-{tag}-90-E14", {**age, "sbp": 90}, "E14", True, s)
    add(f"sbp-{tag}-91-noE14", {**age, "sbp": 91}, "E14", False, s)
    add(f"sbp-{tag}-91-U05", {**age, "sbp": 91}, "U05", True, s)
    add(f"sbp-{tag}-100-U05", {**age, "sbp": 100}, "U05", True, s)
    add(f"sbp-{tag}-101-noU05", {**age, "sbp": 101}, "U05", False, s)
    # NICE publishes ≤ 90 | 91-100 | normal: 90.5 → EMERGENCY, 100.5 → URGENT (issue 13)
    add(f"sbp-{tag}-90.5-E14-gap", {**age, "sbp": 90.5}, "E14", True, GAP)
    add(f"sbp-{tag}-90.5-noU05-gap", {**age, "sbp": 90.5}, "U05", False, GAP)
    add(f"sbp-{tag}-100.5-U05-gap", {**age, "sbp": 100.5}, "U05", True, GAP)
add("sbp-11y-not-used-E14", {"age_months": 143.5, "sbp": 60}, "E14", False, "§5: SBP not used under 12")
add("sbp-11y-not-used-U05", {"age_months": 143.5, "sbp": 95}, "U05", False, "§5: SBP not used under 12")

# ---------------------------------------------------------------------------------------
# Temperature: E09 (≥ 38.0, m < 3), E10 (< 36.0, m < 60), U06 (< 36.0 from 60; ≥ 39.0 at 3 ≤ m < 7)
T = "§5 table 2 / §6 E09 E10 U06 / D10"
add("temp-m2.9-38.0-E09", {"age_months": 2.9, "temp_c": 38.0}, "E09", True, T)
add("temp-m2.9-37.9-noE09", {"age_months": 2.9, "temp_c": 37.9}, "E09", False, T)
add("temp-m3-38.5-noE09", {"age_months": 3, "temp_c": 38.5}, "E09", False, T)
add("temp-m0-38.0-E09", {"age_months": 0, "temp_c": 38.0}, "E09", True, T)
add("temp-m2-39.5-E09-not-U06", {"age_months": 2, "temp_c": 39.5}, "U06", False, T)
add("temp-m3-39.0-U06", {"age_months": 3, "temp_c": 39.0}, "U06", True, T)
add("temp-m3-38.9-noU06", {"age_months": 3, "temp_c": 38.9}, "U06", False, T)
add("temp-m6.9-39.0-U06", {"age_months": 6.9, "temp_c": 39.0}, "U06", True, T)
add("temp-m7-39.0-noU06", {"age_months": 7, "temp_c": 39.0}, "U06", False, T)
add("temp-m0-35.9-E10", {"age_months": 0, "temp_c": 35.9}, "E10", True, T)
add("temp-m59.9-35.9-E10", {"age_months": 59.9, "temp_c": 35.9}, "E10", True, T)
add("temp-m59.9-36.0-noE10", {"age_months": 59.9, "temp_c": 36.0}, "E10", False, T)
add("temp-m60-35.9-noE10", {"age_months": 60, "temp_c": 35.9}, "E10", False, T)
add("temp-m60-35.9-U06", {"age_months": 60, "temp_c": 35.9}, "U06", True, T)
add("temp-y40-35.9-U06", {"age_years": 40, "temp_c": 35.9}, "U06", True, T)
add("temp-y40-36.0-noU06", {"age_years": 40, "temp_c": 36.0}, "U06", False, T)

# ---------------------------------------------------------------------------------------
# Urine (E08, U07; D4)
U = "§5 table 2 / §6 E08 U07 / D4"
for age, tag in (({"age_months": 144}, "m144"), ({"age_years": 40}, "y40"), ({}, "age-unknown")):
    add(f"urine-{tag}-18-E08", {**age, "no_urine_hours": 18}, "E08", True, U)
    add(f"urine-{tag}-17.9-noE08", {**age, "no_urine_hours": 17.9}, "E08", False, U)
    add(f"urine-{tag}-17.9-U07", {**age, "no_urine_hours": 17.9}, "U07", True, U)
    add(f"urine-{tag}-18-noU07", {**age, "no_urine_hours": 18}, "U07", False, U)
    add(f"urine-{tag}-12-U07", {**age, "no_urine_hours": 12}, "U07", True, U)
    add(f"urine-{tag}-11.9-noU07", {**age, "no_urine_hours": 11.9}, "U07", False, U)
for age in (0, 143.5):
    add(f"urine-child-m{age:g}-12-U07", {"age_months": age, "no_urine_hours": 12}, "U07", True, U)
    add(f"urine-child-m{age:g}-11.9-noU07", {"age_months": age, "no_urine_hours": 11.9}, "U07", False, U)
    add(f"urine-child-m{age:g}-30-U07", {"age_months": age, "no_urine_hours": 30}, "U07", True, U)
    add(f"urine-child-m{age:g}-30-noE08", {"age_months": age, "no_urine_hours": 30}, "E08", False, U)

# ---------------------------------------------------------------------------------------
# §4 derived facts and the lay-sign rules
D = "§4 / §6"
add("fever-temp38.0-U12", {"age_years": 70, "temp_c": 38.0}, "U12", True, D + " fever: temp ≥ 38.0")
add("fever-temp37.9-noU12", {"age_years": 70, "infection": True, "temp_c": 37.9}, "U12", False, D)
add("pi-temp35.9-U01", {"age_years": 30, "temp_c": 35.9, "fast_breathing": True}, "U01", True, D + " temp < 36")
add("pi-temp36.0-noU01", {"age_years": 30, "temp_c": 36.0, "fast_breathing": True}, "U01", False, D)
add("pi-chills-U01", {"age_years": 30, "fever_or_chills": True, "clammy_skin": True}, "U01", True, D)
add("W5-0-noU01", {"age_years": 30, **INF}, "U01", False, D)
add("W5-1-U01", {"age_years": 30, **INF, "extreme_pain": True}, "U01", True, D)
add("W6-2-noE17", {**ADULT, "fast_breathing": True, "fever_or_chills": True}, "E17", False, D)
add("W6-3-E17", {**ADULT, "fast_breathing": True, "short_of_breath": True, "fever_or_chills": True}, "E17", True, D)
add("W5-3-E17", {**ADULT, "fast_breathing": True, "short_of_breath": True, "clammy_skin": True}, "E17", True, D)
add(
    "W6-3-no-infection-noE17",
    {"age_years": 30, "fast_breathing": True, "short_of_breath": True, "clammy_skin": True},
    "E17",
    False,
    D,
)
add(
    "fever-counted-once",
    {**ADULT, "fast_breathing": True, "fever_or_chills": True, "temp_c": 38.5},
    "E17",
    False,
    "§4 W6",
)
add("U08-worse", {**ADULT, "getting_worse": True}, "U08", True, D)
add("U08-worse-no-infection", {"age_years": 30, "getting_worse": True}, "U08", False, D)
add("U10-behaving", {"behaving_differently": True}, "U10", True, D)
add("U11-m143.5", {"age_months": 143.5, **INF, "cold_hands_feet": True}, "U11", True, "§6 U11 under 12")
add("U11-m144", {"age_months": 144, **INF, "leg_pain": True}, "U11", False, "§6 U11 under 12")
add("U11-no-infection", {"age_months": 100, "leg_pain": True}, "U11", False, "§6 U11")
add("E15-chemo-fever", {"immune_weakness": ["chemotherapy"], "temp_c": 38.0}, "E15", True, "§6 E15")
add("E15-chemo-no-fever", {"immune_weakness": ["chemotherapy"], "temp_c": 37.9}, "E15", False, "§6 E15")
add("E15-steroids-fever", {"immune_weakness": ["steroids"], "fever_or_chills": True}, "E15", False, "§6 E15")
for code, key in [("E01", "confusion"), ("E02", "hard_to_wake"), ("E03", "skin_mottled_ashen_blue"),
                  ("E04", "non_blanching_rash"), ("E05", "breathing_difficulty_severe"),
                  ("E06", "weak_high_pitched_cry"), ("E07", "not_responding_normally")]:  # fmt: skip
    add(f"{code}-{key}-yes", {key: True}, code, True, "§6.1 all ages")
    add(f"{code}-{key}-false", {key: False}, code, False, "§6.1")

# E16: under 16, weak immunity, and a NICE moderate criterion
E16 = {"immune_weakness": ["other"], **INF, "heart_rate": 95}
add("E16-m191.9", {"age_months": 191.9, **E16}, "E16", True, "§6 E16 (NG254 1.6.1)")
add("E16-m192", {"age_months": 192, **E16}, "E16", False, "§6 E16 not from 16")
add("E16-m192-still-U03", {"age_months": 192, **E16}, "U03", True, "§6 U03")
add("E16-U10", {"age_years": 3, "immune_weakness": ["transplant"], "behaving_differently": True}, "E16", True, "§6 E16")
add(
    "E16-U01-does-not-count",
    {"age_years": 3, "immune_weakness": ["transplant"], **INF, "fast_breathing": True},
    "E16",
    False,
    "§6 E16",
)
add("E16-no-weakness", {"age_years": 7, **INF, "heart_rate": 112}, "E16", False, "§6 E16")

# ---------------------------------------------------------------------------------------
# Age missing (§6, D13): every age-limited rule fires if it would fire at ANY age (any band
# of §5, child or 12+, pregnant or not); no age group is assumed. Edges of the union of the
# §5 bands, both sides. RR EMERGENCY: ≥ 25 (8-11 y; 12+ > 24) or ≤ 8 (12+, < 9). RR URGENT:
# 12+ 21-24, 8-11 y 22 to < 25, 5 y 24 to < 29, ..., 3-4 y 35 to < 40, ..., under 1 50 to < 60.
# HR EMERGENCY: < 60 (every child) or ≥ 115 (8-11 y). HR URGENT: 12+ 91-130 ... under 1 150 to < 160.
NA = "§6 age missing / D13"
for rr, e11, u02 in ((8.5, True, False), (9, False, False), (20, False, False), (20.5, False, True),
                     (24, False, True), (24.5, True, True), (28.9, True, True), (29, True, False),
                     (34.9, True, False), (35, True, True), (59.9, True, True), (60, True, False)):  # fmt: skip
    add(f"noage-rr{rr:g}-E11-{e11}", {**INF, "resp_rate": rr}, "E11", e11, NA)
    add(f"noage-rr{rr:g}-U02-{u02}", {**INF, "resp_rate": rr}, "U02", u02, NA)
add("noage-rr24-no-infection-noU02", {"resp_rate": 24}, "U02", False, NA + " (D11)")
for hr, e12, u03 in ((40.5, True, False), (59.9, True, False), (60, False, False), (90, False, False),
                     (90.5, False, True), (114.9, False, True), (115, True, True), (159.9, True, True),
                     (160, True, False)):  # fmt: skip
    add(f"noage-hr{hr:g}-E12-{e12}", {**INF, "heart_rate": hr}, "E12", e12, NA)
    add(f"noage-hr{hr:g}-U03-{u03}", {**INF, "heart_rate": hr}, "U03", u03, NA)
add("noage-pregnant-hr95-U03", {**INF, "pregnant": True, "heart_rate": 95}, "U03", True, NA + " (pregnant or not)")
for spo2, e13, u04 in ((80, True, False), (89.9, True, False), (90, True, False), (91.5, True, False),
                       (92, False, True), (94.5, False, True), (95, False, False)):  # fmt: skip
    add(f"noage-spo2-{spo2:g}-E13-{e13}", {"spo2": spo2}, "E13", e13, NA + " (≤ 91; CX26)")
    add(f"noage-spo2-{spo2:g}-U04-{u04}", {"spo2": spo2}, "U04", u04, NA + " (U04: 92 to 94; ≤ 91 is E13)")
for sbp, e14, u05 in ((60, True, False), (90.5, True, False), (91, False, True), (100.5, False, True),
                      (101, False, False)):  # fmt: skip
    add(f"noage-sbp{sbp:g}-E14-{e14}", {"sbp": sbp}, "E14", e14, NA + " (12+ rule)")
    add(f"noage-sbp{sbp:g}-U05-{u05}", {"sbp": sbp}, "U05", u05, NA + " (12+ rule)")
for temp, e09, e10, u06 in ((35.9, False, True, True), (36.0, False, False, False), (37.9, False, False, False),
                            (38.0, True, False, False), (38.3, True, False, False), (38.9, True, False, False),
                            (39.0, True, False, True)):  # fmt: skip
    add(f"noage-temp{temp:g}-E09-{e09}", {"temp_c": temp}, "E09", e09, NA + " (38.3 °C example)")
    add(f"noage-temp{temp:g}-E10-{e10}", {"temp_c": temp}, "E10", e10, NA)
    add(f"noage-temp{temp:g}-U06-{u06}", {"temp_c": temp}, "U06", u06, NA)
add("noage-U11-leg-pain", {**INF, "leg_pain": True}, "U11", True, NA + " (under 12 rule)")
add("noage-U11-cold-hands", {**INF, "cold_hands_feet": True}, "U11", True, NA + " (under 12 rule)")
add("noage-U11-no-infection", {"leg_pain": True}, "U11", False, NA)
NA16 = {"immune_weakness": ["other"], **INF}
add("noage-E16-hr95", {**NA16, "heart_rate": 95}, "E16", True, NA + " (under 16 rule)")
add("noage-E16-hr90", {**NA16, "heart_rate": 90}, "E16", False, NA)
add("noage-E16-behaving", {"immune_weakness": ["steroids"], "behaving_differently": True}, "E16", True, NA)
add("noage-E16-no-weakness", {**INF, "heart_rate": 95}, "E16", False, NA)
add("noage-U09-not-assumed", {**INF}, "U09", False, NA + ": no age group is assumed")
add("noage-U09-own-group", {**INF, "frail": True}, "U09", True, NA)
add("noage-U12-not-assumed", {"fever_or_chills": True}, "U12", False, NA + ": no age group is assumed")
add("noage-no-risk-group", {**INF}, "risk:under_1", False, NA)

# ---------------------------------------------------------------------------------------
# §3.3 risk groups at their edges (risk:<group>) and U09/U12
R = "§3.3 / §6 U09 U12"
add("risk-m11.9-under_1", {"age_months": 11.9}, "risk:under_1", True, R)
add("risk-m12-not-under_1", {"age_months": 12}, "risk:under_1", False, R)
add("risk-y64.9-not-65", {"age_years": 64.9}, "risk:age_65_plus", False, R)
add("risk-y65-65", {"age_years": 65}, "risk:age_65_plus", True, R)
add("risk-y74.9-65", {"age_years": 74.9}, "risk:age_65_plus", True, R)
add("risk-y75-not-65", {"age_years": 75}, "risk:age_65_plus", False, R)
add("risk-y75-75", {"age_years": 75}, "risk:age_75_plus", True, R)
add("risk-6wk-postpartum", {"weeks_postpartum": 6}, "risk:pregnant_or_recent", True, R)
add("risk-6.5wk-postpartum", {"weeks_postpartum": 6.5}, "risk:pregnant_or_recent", False, R)
add("risk-procedure-6wk", {"recent_procedure_weeks": 6}, "risk:recent_surgery", True, R)
add("risk-procedure-7wk", {"recent_procedure_weeks": 7}, "risk:recent_surgery", False, R)
add("risk-empty-list", {"immune_weakness": []}, "risk:weakened_immunity", False, R)
add("U09-y75-infection", {"age_years": 75, **INF}, "U09", True, R)
add("U09-y74-infection", {"age_years": 74, **INF}, "U09", False, R)
add("U09-frail", {"age_years": 50, "frail": True, **INF}, "U09", True, R)
add("U09-procedure-6wk", {"age_years": 50, "recent_procedure_weeks": 6, **INF}, "U09", True, R)
add("U09-procedure-7wk", {"age_years": 50, "recent_procedure_weeks": 7, **INF}, "U09", False, R)
add("U09-no-infection", {"age_years": 80}, "U09", False, R)
add(
    "U12-diabetes-infection-no-fever",
    {"age_years": 50, "chronic_conditions": ["diabetes"], **INF},
    "U12",
    False,
    "§9 D7",
)
add(
    "U12-diabetes-fever",
    {"age_years": 50, "chronic_conditions": ["diabetes"], "fever_or_chills": True},
    "U12",
    True,
    "§9 D7",
)
add("U12-survivor-fever", {"sepsis_survivor": True, "fever_or_chills": True}, "U12", True, R)
add("U12-hospital-fever", {"recent_hospital_stay": True, "temp_c": 38.2}, "U12", True, R)

# §7.5 which list applies (esc:<group>, checked by its first and last-but-one item)
add("esc-m59.9-under5", {"age_months": 59.9}, "esc:under_5", True, "§7.5")
add("esc-m60-5to11", {"age_months": 60}, "esc:5_to_11", True, "§7.5")
add("esc-m143.9-5to11", {"age_months": 143.9}, "esc:5_to_11", True, "§7.5")
add("esc-m144-12plus", {"age_months": 144}, "esc:12_plus", True, "§7.5")
add("esc-unknown", {}, "esc:unknown", True, "§7.5")

_ESC_FIRST = {
    "under_5": ("Skin, lips, or tongue look blue, gray, pale, or blotchy", 9),
    "5_to_11": ("Skin, lips, or tongue look blue, gray, pale, or blotchy", 7),
    "12_plus": ("New confusion, slurred speech, or not making sense", 8),
    "unknown": ("New confusion, slurred speech, or not making sense", 14),
}


def _calc(case: dict[str, Any]) -> dict[str, Any]:
    (line,) = list(run("symptom_checker", [json.dumps(case)]))
    assert line.ok, line.payload
    return line.payload


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_boundary(row: Row) -> None:
    out = _calc(row.input)
    if row.code.startswith("risk:"):
        assert (row.code[5:] in out["risk_groups"]) is row.fires, (row.section, out["risk_groups"])
    elif row.code.startswith("esc:"):
        first, count = _ESC_FIRST[row.code[4:]]
        assert out["escalate_if"][0]["text"] == first, row.section
        assert len(out["escalate_if"]) == count, row.section
    else:
        fired = out["components"]["emergency"] + out["components"]["urgent"]
        assert (row.code in fired) is row.fires, (row.section, fired)


def test_ids_are_unique() -> None:
    assert len({r.id for r in ROWS}) == len(ROWS)
