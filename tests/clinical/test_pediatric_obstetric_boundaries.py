"""Both sides of every threshold in pediatric-obstetric.md, through the calculator contract.

Table-driven: each row is (id, score, input, field, expected, source section). ``field`` is a
dotted path into the success/error object (``components.renal``, ``positive``,
``error.code``). The numbers below are copied from the document, never from the code under
test. Ratio edges use FiO2 values that are exact in binary (0.25, 0.5, 1.0; §0.1).
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import pytest

from sepsiscope.scores.calculator import run


class Row(NamedTuple):
    id: str
    score: str
    input: dict[str, Any]
    field: str
    expected: Any
    section: str


ROWS: list[Row] = []


def add(id_: str, score: str, case: dict[str, Any], field: str, expected: Any, section: str) -> None:
    ROWS.append(Row(id_, score, case, field, expected, section))


# ---------------------------------------------------------------------------------------------
# Phoenix §1.5 — MAP bands per age band: (age lo, age hi, representative age, 2-point below, 0 from)
PHOENIX_MAP_BANDS = [
    (0, 1, 0.5, 17, 31),
    (1, 12, 6, 25, 39),
    (12, 24, 18, 31, 44),
    (24, 60, 36, 32, 45),
    (60, 144, 100, 36, 49),
    (144, 216, 180, 38, 52),
]
for lo, hi, age, two_below, zero_from in PHOENIX_MAP_BANDS:
    for mean_ap, pts in (
        (two_below - 0.01, 2),
        (two_below, 1),
        (zero_from - 0.01, 1),
        (zero_from, 0),
    ):
        add(
            f"px-map-{lo}-{hi}mo-map{mean_ap:g}",
            "phoenix",
            {"age_months": age, "map": mean_ap},
            "components.cardiovascular",
            pts,
            "§1.5",
        )
    # the same band at its own age edges (lo included, hi excluded except 216)
    add(
        f"px-map-age{lo}-lower-edge",
        "phoenix",
        {"age_months": lo, "map": two_below},
        "components.cardiovascular",
        1,
        "§1.5",
    )
    # just below the band's upper age edge (216 itself is included) the same table applies
    upper_age = hi if hi == 216 else hi - 0.01
    add(
        f"px-map-age{upper_age:g}-upper-edge",
        "phoenix",
        {"age_months": upper_age, "map": zero_from - 0.01},
        "components.cardiovascular",
        1,
        "§1.5",
    )

# Age edges where the same MAP changes points (MAP chosen between the neighbouring bands' cut-offs).
for age_below, age_at, mean_ap, pts_below, pts_at in (
    (0.99, 1, 35, 0, 1),
    (11.99, 12, 40, 0, 1),
    (23.99, 24, 44, 0, 1),
    (59.99, 60, 46, 0, 1),
    (143.99, 144, 50, 0, 1),
):
    add(
        f"px-age{age_below:g}-map{mean_ap}",
        "phoenix",
        {"age_months": age_below, "map": mean_ap},
        "components.cardiovascular",
        pts_below,
        "§1.5",
    )
    add(
        f"px-age{age_at:g}-map{mean_ap}",
        "phoenix",
        {"age_months": age_at, "map": mean_ap},
        "components.cardiovascular",
        pts_at,
        "§1.5",
    )
add("px-age216-included", "phoenix", {"age_months": 216, "map": 37}, "components.cardiovascular", 2, "§1.5")
add("px-age216-days-included", "phoenix", {"age_days": 6574.5, "map": 37}, "components.cardiovascular", 2, "§0.2")
add("px-age-years-18-included", "phoenix", {"age_years": 18, "map": 37}, "components.cardiovascular", 2, "§1.2")
add("px-age216.01-not-pediatric", "phoenix", {"age_months": 216.01, "map": 37}, "error.code", "not_pediatric", "§0.1")
add("px-age-days-6575-not-pediatric", "phoenix", {"age_days": 6575}, "error.variable", "age_days", "§0.1")
# age_days wins over age_years (3.3 months, not 30 years: no not_pediatric error; MAP 30 in [25, 39))
add(
    "px-age-days-most-specific",
    "phoenix",
    {"age_days": 100, "age_years": 30, "map": 30},
    "components.cardiovascular",
    1,
    "§0.2",
)
add("px-age-negative", "phoenix", {"age_months": -1}, "error.code", "out_of_range", "§0.1")
add("px-no-age-map-unscored", "phoenix", {"map": 10}, "components.cardiovascular", 0, "§1.5")
add(
    "px-no-age-listed",
    "phoenix",
    {"map": 10},
    "missing",
    [
        "d_dimer",
        "fibrinogen",
        "fio2",
        "gcs",
        "inr",
        "lactate",
        "pao2",
        "platelets",
        "pupils",
        "spo2",
        "suspected_infection",
        "vasoactive_count",
        "age_months",
    ],
    "§1.9",
)

# MAP derivation §1.3
add("px-map-derived", "phoenix", {"age_months": 36, "sbp": 67, "dbp": 32}, "components.cardiovascular", 1, "§1.3")
add(
    "px-map-derived-sbp-eq-dbp",
    "phoenix",
    {"age_months": 36, "sbp": 20, "dbp": 20},
    "components.cardiovascular",
    0,
    "§1.3",
)
add(
    "px-map-derived-sbp-eq-dbp-missing",
    "phoenix",
    {"age_months": 36, "sbp": 20, "dbp": 20},
    "missing",
    [
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
    ],
    "§1.9",
)
add(
    "px-map-measured-wins",
    "phoenix",
    {"age_months": 36, "map": 50, "sbp": 40, "dbp": 20},
    "components.cardiovascular",
    0,
    "§1.3",
)
# derived 30 + (45 - 30)/3 = 35 < 45 at 36 months -> 1 point (sbp only: 0 points, map listed)
add(
    "px-map-derived-fraction",
    "phoenix",
    {"age_months": 36, "sbp": 45, "dbp": 30},
    "components.cardiovascular",
    1,
    "§1.3",
)
add("px-map-sbp-only", "phoenix", {"age_months": 36, "sbp": 45}, "components.cardiovascular", 0, "§1.3")

# Lactate §1.5
for lactate, pts in ((4.99, 0), (5, 1), (10.99, 1), (10.95, 1), (11, 2), (50, 2), (0, 0)):
    add(
        f"px-lactate{lactate:g}",
        "phoenix",
        {"age_months": 60, "lactate": lactate},
        "components.cardiovascular",
        pts,
        "§1.5",
    )

# Vasoactives §1.3, §1.5
for count, pts in ((0, 0), (1, 1), (2, 2), (6, 2)):
    add(f"px-vaso-count{count}", "phoenix", {"vasoactive_count": count}, "components.cardiovascular", pts, "§1.5")
add(
    "px-vaso-count-wins",
    "phoenix",
    {"vasoactive_count": 0, "epinephrine": 0.1, "dopamine": 5},
    "components.cardiovascular",
    0,
    "§1.3",
)
add("px-vaso-drug-zero-rate", "phoenix", {"norepinephrine": 0}, "components.cardiovascular", 0, "§1.3")
add("px-vaso-drug-one", "phoenix", {"dobutamine": 5}, "components.cardiovascular", 1, "§1.3")
add("px-vaso-vasopressin", "phoenix", {"vasopressin": True}, "components.cardiovascular", 1, "§1.3")
add("px-vaso-vasopressin-false", "phoenix", {"vasopressin": False}, "components.cardiovascular", 0, "§1.3")
add("px-vaso-two-drugs", "phoenix", {"dopamine": 5, "milrinone": 0.5}, "components.cardiovascular", 2, "§1.3")
add(
    "px-vaso-drug-key-not-listed",
    "phoenix",
    {"dopamine": 0, "age_months": 30, "map": 60},
    "missing",
    [
        "d_dimer",
        "fibrinogen",
        "fio2",
        "gcs",
        "inr",
        "lactate",
        "pao2",
        "platelets",
        "pupils",
        "spo2",
        "suspected_infection",
    ],
    "§1.9",
)
add(
    "px-cardio-max",
    "phoenix",
    {"age_months": 6, "vasoactive_count": 2, "lactate": 11, "map": 24.9},
    "components.cardiovascular",
    6,
    "§1.5",
)

# Respiratory §1.3, §1.4 — P/F edges with IMV (fio2 0.5, exact in binary)
IMV = {"ventilated_invasive": True}
for pao2, fio2, pts in (
    (49.95, 0.5, 3),  # P/F 99.9
    (50, 0.5, 2),  # P/F 100
    (99.95, 0.5, 2),  # P/F 199.9
    (100, 0.5, 1),  # P/F 200 scores 1, not 2 (§1.10)
    (199.95, 0.5, 1),  # P/F 399.9
    (200, 0.5, 0),  # P/F 400
    (25, 0.25, 2),  # P/F 100 at fio2 0.25
    (100, 1.0, 2),  # P/F 100 at fio2 1.0
    (99.9, 1.0, 3),
    (400, 1.0, 0),
    (399.9, 1.0, 1),
):
    add(
        f"px-pf-imv-{pao2:g}/{fio2:g}",
        "phoenix",
        {**IMV, "pao2": pao2, "fio2": fio2},
        "components.respiratory",
        pts,
        "§1.4",
    )
# S/F edges with IMV (fio2 0.25 / 1.0, spo2 ≤ 97)
for spo2, fio2, pts in (
    (36.9, 0.25, 3),  # S/F 147.6
    (37, 0.25, 2),  # S/F 148
    (54.9, 0.25, 2),  # S/F 219.6
    (55, 0.25, 1),  # S/F 220
    (72.9, 0.25, 1),  # S/F 291.6
    (73, 0.25, 0),  # S/F 292
    (97, 1.0, 3),  # S/F 97 < 148
    (98, 1.0, 0),  # SpO2 98: S/F not computed
    (100, 1.0, 0),
):
    add(
        f"px-sf-imv-{spo2:g}/{fio2:g}",
        "phoenix",
        {**IMV, "spo2": spo2, "fio2": fio2},
        "components.respiratory",
        pts,
        "§1.4",
    )
# Rounding to 1 decimal, half to even (§1.3)
add("px-pf-round-up-to-200", "phoenix", {**IMV, "pao2": 99.98, "fio2": 0.5}, "components.respiratory", 1, "§1.3")
add("px-pf-round-199.9", "phoenix", {**IMV, "pao2": 99.97, "fio2": 0.5}, "components.respiratory", 2, "§1.3")
add("px-pf-56/0.28-rounds-200", "phoenix", {**IMV, "pao2": 56, "fio2": 0.28}, "components.respiratory", 1, "§1.3")
add("px-sf-round-up-to-220", "phoenix", {**IMV, "spo2": 54.99, "fio2": 0.25}, "components.respiratory", 1, "§1.3")
# Either ratio: the lower one decides; a ratio that cannot be computed never counts
add("px-either-ratio", "phoenix", {**IMV, "pao2": 300, "spo2": 36, "fio2": 0.25}, "components.respiratory", 3, "§1.4")
add("px-pao2-without-fio2", "phoenix", {**IMV, "pao2": 40}, "components.respiratory", 0, "§1.4")
add("px-spo2-without-fio2", "phoenix", {**IMV, "spo2": 70}, "components.respiratory", 0, "§1.4")
# Support without IMV is capped at 1; no support scores 0 whatever the ratio
for flag in ("ventilated", "supplemental_o2", "noninvasive_support"):
    add(f"px-{flag}-capped", "phoenix", {flag: True, "pao2": 40, "fio2": 0.5}, "components.respiratory", 1, "§1.4")
add("px-fio2-room-air-no-support", "phoenix", {"pao2": 50, "fio2": 0.21}, "components.respiratory", 0, "§1.3")
add("px-fio2-above-room-air-support", "phoenix", {"pao2": 50, "fio2": 0.22}, "components.respiratory", 1, "§1.3")
add(
    "px-imv-false-flags",
    "phoenix",
    {"ventilated_invasive": False, "supplemental_o2": False, "pao2": 40, "fio2": 0.21},
    "components.respiratory",
    0,
    "§1.4",
)
add("px-resp-null", "phoenix", {"age_months": 10}, "components.respiratory", None, "§1.8")
add("px-resp-flag-only", "phoenix", {"supplemental_o2": True}, "components.respiratory", 0, "§1.8")
add("px-fio2-percentage", "phoenix", {"fio2": 40}, "error.code", "out_of_range", "§0.3")

# Coagulation §1.6
for key, value, pts in (
    ("platelets", 100, 0),
    ("platelets", 99.9, 1),
    ("inr", 1.3, 0),
    ("inr", 1.31, 1),
    ("d_dimer", 2, 0),
    ("d_dimer", 2.01, 1),
    ("fibrinogen", 100, 0),
    ("fibrinogen", 99.9, 1),
):
    add(f"px-coag-{key}{value:g}", "phoenix", {key: value}, "components.coagulation", pts, "§1.6")
add("px-coag-two", "phoenix", {"platelets": 50, "inr": 2}, "components.coagulation", 2, "§1.6")
add(
    "px-coag-cap",
    "phoenix",
    {"platelets": 50, "inr": 2, "d_dimer": 5, "fibrinogen": 50},
    "components.coagulation",
    2,
    "§1.6",
)
add("px-coag-null", "phoenix", {"gcs": 15}, "components.coagulation", None, "§1.8")

# Neurologic §1.7
for case, pts in (
    ({"gcs": 10}, 1),
    ({"gcs": 11}, 0),
    ({"gcs": 3}, 1),
    ({"gcs": 15, "pupils": "both_fixed"}, 2),
    ({"gcs": 3, "pupils": "both_fixed"}, 2),
    ({"pupils": "both_fixed"}, 2),
    ({"gcs": 5, "pupils": "one_fixed"}, 1),
    ({"pupils": "one_fixed"}, 0),
    ({"pupils": "both_reactive"}, 0),
):
    add(
        f"px-neuro-{'-'.join(f'{k}{v}' for k, v in case.items())}",
        "phoenix",
        case,
        "components.neurologic",
        pts,
        "§1.7",
    )
add("px-pupils-invalid", "phoenix", {"pupils": "fixed"}, "error.code", "invalid_value", "§0.3")

# Total and definitions §1.8
add("px-threshold-1", "phoenix", {"platelets": 50}, "threshold_met", False, "§1.8")
add("px-threshold-2", "phoenix", {"platelets": 50, "inr": 2}, "threshold_met", True, "§1.8")
add("px-threshold-null-total", "phoenix", {}, "threshold_met", False, "§1.9")
add("px-total-null", "phoenix", {}, "total", None, "§1.9")
add(
    "px-sepsis-infection-true",
    "phoenix",
    {"platelets": 50, "inr": 2, "suspected_infection": True},
    "sepsis",
    True,
    "§1.8",
)
add(
    "px-sepsis-infection-false",
    "phoenix",
    {"platelets": 50, "inr": 2, "suspected_infection": False},
    "sepsis",
    False,
    "§1.8",
)
add("px-sepsis-infection-absent", "phoenix", {"platelets": 50, "inr": 2}, "sepsis", None, "§1.8")
add("px-sepsis-below-threshold", "phoenix", {"platelets": 50}, "sepsis", False, "§1.8")
add(
    "px-shock-no-cv", "phoenix", {"platelets": 50, "inr": 2, "suspected_infection": True}, "septic_shock", False, "§1.8"
)
add(
    "px-shock-cv1",
    "phoenix",
    {"platelets": 50, "lactate": 5, "suspected_infection": True},
    "septic_shock",
    True,
    "§1.8",
)
add("px-shock-cv1-infection-absent", "phoenix", {"platelets": 50, "lactate": 5}, "septic_shock", None, "§1.8")
add(
    "px-shock-cv0-infection-absent", "phoenix", {"platelets": 50, "inr": 2, "lactate": 4}, "septic_shock", False, "§1.8"
)
add(
    "px-shock-infection-false",
    "phoenix",
    {"platelets": 50, "lactate": 11, "suspected_infection": False},
    "septic_shock",
    False,
    "§1.8",
)
add(
    "px-total-max",
    "phoenix",
    {
        "age_months": 6,
        "ventilated_invasive": True,
        "pao2": 40,
        "fio2": 1.0,
        "vasoactive_count": 3,
        "lactate": 12,
        "map": 10,
        "platelets": 10,
        "inr": 3,
        "pupils": "both_fixed",
    },
    "total",
    13,
    "§1.8",
)

# ---------------------------------------------------------------------------------------------
# Phoenix-8 §1.11 — renal cut-offs per age band: (representative age, cut-off)
for lo, hi, age, cutoff in (
    (0, 1, 0.5, 0.8),
    (1, 12, 6, 0.3),
    (12, 24, 18, 0.4),
    (24, 60, 36, 0.6),
    (60, 144, 100, 0.7),
    (144, 216, 180, 1.0),
):
    add(
        f"p8-renal-{lo}-{hi}mo-at",
        "phoenix8",
        {"age_months": age, "creatinine": cutoff},
        "components.renal",
        1,
        "§1.11",
    )
    add(
        f"p8-renal-{lo}-{hi}mo-below",
        "phoenix8",
        {"age_months": age, "creatinine": round(cutoff - 0.01, 2)},
        "components.renal",
        0,
        "§1.11",
    )
    add(
        f"p8-renal-age{lo}-lower-edge",
        "phoenix8",
        {"age_months": lo, "creatinine": cutoff},
        "components.renal",
        1,
        "§1.11",
    )
add(
    "p8-renal-age0.99-neonate-cutoff",
    "phoenix8",
    {"age_months": 0.99, "creatinine": 0.5},
    "components.renal",
    0,
    "§1.11",
)
add("p8-renal-age1-infant-cutoff", "phoenix8", {"age_months": 1, "creatinine": 0.5}, "components.renal", 1, "§1.11")
add("p8-renal-age216-included", "phoenix8", {"age_months": 216, "creatinine": 1.0}, "components.renal", 1, "§1.10")
add("p8-renal-no-age", "phoenix8", {"creatinine": 5}, "components.renal", 0, "§1.10")
add("p8-renal-null", "phoenix8", {"age_months": 20}, "components.renal", None, "§1.11")
add("p8-not-pediatric", "phoenix8", {"age_years": 18.01}, "error.code", "not_pediatric", "§1.12")
# Endocrine
for glucose, pts in ((49.9, 1), (50, 0), (150, 0), (150.1, 1)):
    add(f"p8-glucose{glucose:g}", "phoenix8", {"glucose": glucose}, "components.endocrine", pts, "§1.11")
add("p8-endocrine-null", "phoenix8", {"anc": 1}, "components.endocrine", None, "§1.11")
# Immunologic
for case, pts in (
    ({"anc": 0.5}, 0),
    ({"anc": 0.49}, 1),
    ({"alc": 1.0}, 0),
    ({"alc": 0.99}, 1),
    ({"anc": 0.5, "alc": 0.99}, 1),
    ({"anc": 0.49, "alc": 5}, 1),
    ({"anc": 3, "alc": 3}, 0),
):
    add(
        f"p8-immuno-{'-'.join(f'{k}{v:g}' for k, v in case.items())}",
        "phoenix8",
        case,
        "components.immunologic",
        pts,
        "§1.11",
    )
add("p8-immuno-null", "phoenix8", {"glucose": 100}, "components.immunologic", None, "§1.11")
# Hepatic
for case, pts in (
    ({"bilirubin_total": 4}, 1),
    ({"bilirubin_total": 3.99}, 0),
    ({"alt": 102}, 0),
    ({"alt": 102.1}, 1),
    ({"bilirubin_total": 1, "alt": 103}, 1),
):
    add(
        f"p8-hepatic-{'-'.join(f'{k}{v:g}' for k, v in case.items())}",
        "phoenix8",
        case,
        "components.hepatic",
        pts,
        "§1.11",
    )
add("p8-hepatic-null", "phoenix8", {"glucose": 100}, "components.hepatic", None, "§1.11")
# Totals
P8_FULL = {
    "age_months": 30,
    "platelets": 50,
    "inr": 2,
    "lactate": 5,
    "glucose": 40,
    "anc": 0.1,
    "creatinine": 0.6,
    "alt": 200,
}
add("p8-total", "phoenix8", P8_FULL, "total", 7, "§1.11")
add("p8-phoenix-total", "phoenix8", P8_FULL, "phoenix_total", 3, "§1.12")
add("p8-total-null", "phoenix8", {}, "total", None, "§1.12")
add("p8-phoenix-total-null", "phoenix8", {"glucose": 40}, "phoenix_total", None, "§1.12")
add("p8-total-extra-only", "phoenix8", {"glucose": 40}, "total", 1, "§1.12")
add(
    "p8-missing",
    "phoenix8",
    {"age_months": 30, "suspected_infection": True},
    "missing",
    [
        "alc",
        "alt",
        "anc",
        "bilirubin_total",
        "creatinine",
        "d_dimer",
        "fibrinogen",
        "fio2",
        "gcs",
        "glucose",
        "inr",
        "lactate",
        "map",
        "pao2",
        "platelets",
        "pupils",
        "spo2",
        "vasoactive_count",
    ],
    "§1.12",
)

# ---------------------------------------------------------------------------------------------
# Pediatric SIRS §2.2 — age groups at every edge
for case, group in (
    ({"age_days": 0}, "newborn"),
    ({"age_days": 6.99}, "newborn"),
    ({"age_days": 7}, "neonate"),
    ({"age_days": 30.4}, "neonate"),
    ({"age_days": 30.4375}, "infant"),
    ({"age_months": 0.2}, "newborn"),  # 6.09 days
    ({"age_months": 0.23}, "neonate"),  # 7.0006 days
    ({"age_months": 0.99}, "neonate"),
    ({"age_months": 1}, "infant"),
    ({"age_months": 11.99}, "infant"),
    ({"age_months": 12}, "toddler_preschool"),
    ({"age_years": 1}, "toddler_preschool"),
    ({"age_months": 71.99}, "toddler_preschool"),
    ({"age_months": 72}, "school_age"),
    ({"age_years": 6}, "school_age"),
    ({"age_months": 155.99}, "school_age"),
    ({"age_months": 156}, "adolescent"),
    ({"age_years": 13}, "adolescent"),
    ({"age_months": 215.99}, "adolescent"),
    ({"age_years": 17.99}, "adolescent"),
    ({}, None),
):
    key = "-".join(f"{k}{v:g}" for k, v in case.items()) or "no-age"
    add(f"sx-group-{key}", "pediatric_sirs", case, "age_group", group, "§2.2")
add("sx-age216-not-pediatric", "pediatric_sirs", {"age_months": 216}, "error.code", "not_pediatric", "§0.1")
add("sx-age18y-not-pediatric", "pediatric_sirs", {"age_years": 18}, "error.variable", "age_years", "§0.1")
add("sx-age-days-6574.5-not-pediatric", "pediatric_sirs", {"age_days": 6574.5}, "error.code", "not_pediatric", "§0.1")
add("sx-most-specific-age", "pediatric_sirs", {"age_days": 3, "age_years": 40}, "age_group", "newborn", "§0.2")

# §2.3 thresholds: (group, age input, tachycardia >, bradycardia < or None, RR >, WBC >, WBC < or None)
SIRS_TABLE = [
    ("newborn", {"age_days": 3}, 180, 100, 50, 34, None),
    ("neonate", {"age_days": 14}, 180, 100, 40, 19.5, 5),
    ("infant", {"age_months": 6}, 180, 90, 34, 17.5, 5),
    ("toddler_preschool", {"age_years": 3}, 140, None, 22, 15.5, 6),
    ("school_age", {"age_years": 8}, 130, None, 18, 13.5, 4.5),
    ("adolescent", {"age_years": 15}, 110, None, 14, 11, 4.5),
]
for group, age, tachy, brady, rr, wbc_hi, wbc_lo in SIRS_TABLE:
    add(f"sx-{group}-hr-at-tachy", "pediatric_sirs", {**age, "heart_rate": tachy}, "components.heart_rate", 0, "§2.3")
    add(
        f"sx-{group}-hr-above-tachy",
        "pediatric_sirs",
        {**age, "heart_rate": tachy + 0.5},
        "components.heart_rate",
        1,
        "§2.3",
    )
    if brady is not None:
        add(
            f"sx-{group}-hr-at-brady",
            "pediatric_sirs",
            {**age, "heart_rate": brady},
            "components.heart_rate",
            0,
            "§2.3",
        )
        add(
            f"sx-{group}-hr-below-brady",
            "pediatric_sirs",
            {**age, "heart_rate": brady - 0.5},
            "components.heart_rate",
            1,
            "§2.3",
        )
    else:
        add(f"sx-{group}-hr-no-brady", "pediatric_sirs", {**age, "heart_rate": 30}, "components.heart_rate", 0, "§2.4")
    add(f"sx-{group}-rr-at", "pediatric_sirs", {**age, "resp_rate": rr}, "components.respiratory", 0, "§2.3")
    add(f"sx-{group}-rr-above", "pediatric_sirs", {**age, "resp_rate": rr + 0.5}, "components.respiratory", 1, "§2.3")
    add(f"sx-{group}-wbc-at-high", "pediatric_sirs", {**age, "wbc": wbc_hi}, "components.wbc", 0, "§2.3")
    add(f"sx-{group}-wbc-above-high", "pediatric_sirs", {**age, "wbc": wbc_hi + 0.1}, "components.wbc", 1, "§2.3")
    if wbc_lo is not None:
        add(f"sx-{group}-wbc-at-low", "pediatric_sirs", {**age, "wbc": wbc_lo}, "components.wbc", 0, "§2.3")
        add(f"sx-{group}-wbc-below-low", "pediatric_sirs", {**age, "wbc": wbc_lo - 0.1}, "components.wbc", 1, "§2.3")
    else:
        add(f"sx-{group}-wbc-no-low", "pediatric_sirs", {**age, "wbc": 0.5}, "components.wbc", 0, "§2.3")
    add(
        f"sx-{group}-vent",
        "pediatric_sirs",
        {**age, "resp_rate": 0, "ventilated_invasive": True},
        "components.respiratory",
        1,
        "§2.4",
    )
# Bradycardia applies under 1 year only (infant row at 11.99 months vs toddler at 12)
add("sx-brady-11.99mo", "pediatric_sirs", {"age_months": 11.99, "heart_rate": 89}, "components.heart_rate", 1, "§2.4")
add("sx-brady-12mo", "pediatric_sirs", {"age_months": 12, "heart_rate": 89}, "components.heart_rate", 0, "§2.4")
# Temperature (§2.4) — no age needed
for temp, pts in ((38.5, 0), (38.51, 1), (36.0, 0), (35.99, 1), (37, 0)):
    add(f"sx-temp{temp:g}", "pediatric_sirs", {"temp_c": temp}, "components.temperature", pts, "§2.4")
# Bands (§2.4): > 10 % meets the criterion even without WBC or age
for bands, pts in ((10, None), (10.5, 1)):
    add(
        f"sx-bands{bands:g}-no-wbc",
        "pediatric_sirs",
        {"age_years": 8, "bands_pct": bands},
        "components.wbc",
        pts,
        "§2.4",
    )
add("sx-bands-no-age", "pediatric_sirs", {"bands_pct": 11}, "components.wbc", 1, "§2.4")
add("sx-bands10-with-wbc", "pediatric_sirs", {"age_years": 8, "bands_pct": 10, "wbc": 8}, "components.wbc", 0, "§2.4")
# Age unknown: the age-dependent criteria are null
add("sx-no-age-hr-null", "pediatric_sirs", {"heart_rate": 250}, "components.heart_rate", None, "§2.4")
add("sx-no-age-vent", "pediatric_sirs", {"ventilated_invasive": True}, "components.respiratory", 1, "§2.4")
add("sx-no-age-rr-null", "pediatric_sirs", {"resp_rate": 90}, "components.respiratory", None, "§2.4")
add(
    "sx-no-age-missing",
    "pediatric_sirs",
    {"resp_rate": 90, "heart_rate": 100, "temp_c": 37, "wbc": 5, "bands_pct": 1},
    "missing",
    ["age_months"],
    "§2.5",
)
# positive (§2.4)
SCHOOL = {"age_years": 8}
for name, case, expected in (
    ("temp+hr", {"temp_c": 39, "heart_rate": 140, "resp_rate": 10, "wbc": 8}, True),
    ("wbc+rr", {"temp_c": 37, "heart_rate": 100, "resp_rate": 30, "wbc": 20}, True),
    ("hr+rr-only", {"temp_c": 37, "heart_rate": 140, "resp_rate": 30, "wbc": 8}, False),
    ("temp-only", {"temp_c": 39, "heart_rate": 100, "resp_rate": 10, "wbc": 8}, False),
    ("hr+rr-temp-unknown", {"heart_rate": 140, "resp_rate": 30, "wbc": 8}, None),
    ("one-met-two-unknown", {"temp_c": 39, "heart_rate": 100}, None),
    ("none-met-two-unknown", {"temp_c": 37, "heart_rate": 100}, None),
    ("none-met-three-unknown", {"heart_rate": 100}, None),
    ("one-met-wbc-unknown", {"temp_c": 37, "heart_rate": 140, "resp_rate": 10}, None),
    ("zero-met-one-unknown", {"temp_c": 37, "heart_rate": 100, "resp_rate": 10}, False),
):
    add(f"sx-positive-{name}", "pediatric_sirs", {**SCHOOL, **case}, "positive", expected, "§2.4")

# ---------------------------------------------------------------------------------------------
# omqSOFA §3.1
PREG = {"pregnant": True}
for rr, pts in ((24, 0), (24.9, 0), (25, 1), (25.0, 1)):
    add(f"oq-rr{rr}", "omqsofa", {**PREG, "resp_rate": rr}, "components.resp_rate", pts, "§3.1")
for sbp, pts in ((90, 0), (89.9, 1), (89.99, 1)):
    add(f"oq-sbp{sbp:g}", "omqsofa", {**PREG, "sbp": sbp}, "components.sbp", pts, "§3.1")
for case, pts in (
    ({"gcs": 15}, 0),
    ({"gcs": 14}, 1),
    ({"consciousness": "A"}, 0),
    ({"consciousness": "C"}, 1),
    ({"consciousness": "U"}, 1),
    ({"consciousness": "A", "gcs": 14}, 1),
    ({"consciousness": "V", "gcs": 15}, 1),
    ({}, None),
):
    key = "-".join(f"{k}{v}" for k, v in case.items()) or "none"
    add(f"oq-mentation-{key}", "omqsofa", {**PREG, **case}, "components.mentation", pts, "§3.1")
for case, expected in (
    ({"pregnant": True}, True),
    ({"pregnant": False}, False),
    ({"weeks_postpartum": 6}, True),
    ({"weeks_postpartum": 6.1}, False),
    ({"weeks_postpartum": 0}, True),
    ({"pregnant": False, "weeks_postpartum": 2}, True),
    ({}, False),
):
    key = "-".join(f"{k}{v}" for k, v in case.items()) or "none"
    add(f"oq-population-{key}", "omqsofa", {**case, "resp_rate": 30}, "in_population", expected, "§3.1")
for name, case, expected in (
    ("two", {"resp_rate": 25, "sbp": 89, "gcs": 15}, True),
    ("one", {"resp_rate": 25, "sbp": 90, "gcs": 15}, False),
    ("one-plus-null", {"resp_rate": 25, "sbp": 90}, None),
    ("zero-plus-null", {"resp_rate": 20, "sbp": 100}, False),
    ("two-plus-null", {"resp_rate": 25, "sbp": 80}, True),
):
    add(f"oq-positive-{name}", "omqsofa", {**PREG, **case}, "positive", expected, "§3.1")
add("oq-total-null", "omqsofa", {**PREG, "resp_rate": 25, "sbp": 80}, "total", None, "§3.1")
add("oq-missing-modifiers-never", "omqsofa", {"resp_rate": 25}, "missing", ["consciousness", "gcs", "sbp"], "§3.1")
add(
    "oq-no-age-check",
    "omqsofa",
    {"age_years": 15, "pregnant": True, "resp_rate": 25},
    "components.resp_rate",
    1,
    "§3.1",
)

# ---------------------------------------------------------------------------------------------
# MEWC §3.2
for key, value, pts in (
    ("sbp", 90, 0),
    ("sbp", 89.9, 1),
    ("sbp", 160, 0),
    ("sbp", 160.1, 1),
    ("dbp", 100, 0),
    ("dbp", 100.1, 1),
    ("heart_rate", 50, 0),
    ("heart_rate", 49.9, 1),
    ("heart_rate", 120, 0),
    ("heart_rate", 120.1, 1),
    ("resp_rate", 10, 0),
    ("resp_rate", 9.9, 1),
    ("resp_rate", 30, 0),
    ("resp_rate", 30.1, 1),
    ("spo2", 95, 0),
    ("spo2", 94.9, 1),
    ("urine_ml_per_h", 35, 0),
    ("urine_ml_per_h", 34.9, 1),
):
    component = "urine_output" if key == "urine_ml_per_h" else key
    add(f"mx-{key}{value:g}", "mewc", {key: value}, f"components.{component}", pts, "§3.2")
add("mx-spo2-on-air-explicit", "mewc", {"spo2": 90, "supplemental_o2": False}, "components.spo2", 1, "§3.2")
add("mx-spo2-on-oxygen-null", "mewc", {"spo2": 90, "supplemental_o2": True}, "components.spo2", None, "§3.2")
add("mx-spo2-on-oxygen-normal-null", "mewc", {"spo2": 99, "supplemental_o2": True}, "components.spo2", None, "§3.2")
add(
    "mx-spo2-on-oxygen-not-missing",
    "mewc",
    {"spo2": 90, "supplemental_o2": True},
    "missing",
    ["consciousness", "dbp", "heart_rate", "resp_rate", "sbp"],
    "§3.2",
)
add("mx-spo2-absent-null", "mewc", {}, "components.spo2", None, "§3.2")
for case, pts in (
    ({"consciousness": "A"}, 0),
    ({"consciousness": "C"}, 1),
    ({"consciousness": "P"}, 1),
    ({"consciousness": "A", "agitation": True}, 1),
    ({"consciousness": "A", "agitation": False}, 0),
    ({"agitation": True}, 1),
    ({"agitation": False}, None),
    ({}, None),
):
    key = "-".join(f"{k}{v}" for k, v in case.items()) or "none"
    add(f"mx-mental-{key}", "mewc", case, "components.mental_status", pts, "§3.2")
add("mx-urine-absent-0", "mewc", {}, "components.urine_output", 0, "§3.2")
add("mx-preeclampsia-true", "mewc", {"preeclampsia_symptoms": True}, "components.preeclampsia_symptoms", 1, "§3.2")
add("mx-preeclampsia-false", "mewc", {"preeclampsia_symptoms": False}, "components.preeclampsia_symptoms", 0, "§3.2")
add("mx-preeclampsia-absent", "mewc", {}, "components.preeclampsia_symptoms", 0, "§3.2")
MEWC_NORMAL = {"sbp": 120, "dbp": 80, "heart_rate": 80, "resp_rate": 16, "spo2": 98, "consciousness": "A"}
add("mx-all-normal-total", "mewc", MEWC_NORMAL, "total", 0, "§3.2")
add("mx-all-normal-positive", "mewc", MEWC_NORMAL, "positive", False, "§3.2")
add("mx-one-trigger-total", "mewc", {**MEWC_NORMAL, "urine_ml_per_h": 10}, "total", 1, "§3.2")
add("mx-normal-with-null-positive", "mewc", {**MEWC_NORMAL, "supplemental_o2": True}, "positive", None, "§3.2")
add("mx-trigger-with-null-positive", "mewc", {"heart_rate": 130}, "positive", True, "§3.2")
add("mx-trigger-with-null-total", "mewc", {"heart_rate": 130}, "total", None, "§3.2")
add(
    "mx-missing-optional-never",
    "mewc",
    {"sbp": 120},
    "missing",
    ["consciousness", "dbp", "heart_rate", "resp_rate", "spo2"],
    "§3.2",
)
add("mx-consciousness-lower-case", "mewc", {"consciousness": "v"}, "error.code", "invalid_value", "§0.3")


def _field(payload: dict[str, Any], path: str) -> Any:
    value: Any = payload
    for part in path.split("."):
        assert isinstance(value, dict) and part in value, f"{path!r} not in {payload}"
        value = value[part]
    return value


def test_row_ids_are_unique() -> None:
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_boundary(row: Row) -> None:
    (result,) = list(run(row.score, [json.dumps(row.input)]))
    payload = json.loads(json.dumps(result.payload))
    got = _field(payload, row.field)
    if row.field == "missing":
        assert got == sorted(got), "missing must be sorted"
        assert got == sorted(row.expected), f"{row.score} {row.input} ({row.section})"
    else:
        assert got == row.expected, f"{row.score} {row.input}: {row.field} ({row.section})"
