"""SOFA 1.0 — Sequential (Sepsis-related) Organ Failure Assessment.

Source: Vincent JL, Moreno R, Takala J, et al. Intensive Care Med 1996;22(7):707-710,
doi:10.1007/BF01709751; tabulated in Singer M et al. JAMA 2016 Table 1.
Bands and edge cases: shared/docs/clinical/adult-scores.md §2.5 (cut-points D-7; room-air
FiO2 D-8; respiratory support D-10; null components count 0, D-11). The hourly 24-h
worst-value series is built by the cohort engine (§3.3) from :func:`compute`.
"""

from __future__ import annotations

import numpy as np

from sepsiscope.scores.arrays import FloatArray, Inputs, lenient_total
from sepsiscope.scores.bands import BandTable
from sepsiscope.scores.base import Component, ScoreColumns, ScoreDefinition, adult_only, listed_missing, points_where

PF_RATIO = BandTable.of(("≥ 400", 0), ("[300, 400)", 1), ("[200, 300)", 2), ("[100, 200)", 3), ("< 100", 4))
#: Points 3 and 4 need ``ventilated``; without it a PF below 200 scores this.
PF_CAP_NOT_VENTILATED = 2
PF_DECIMALS = 1
ROOM_AIR_FIO2 = 0.21
PLATELETS = BandTable.of(("≥ 150", 0), ("[100, 150)", 1), ("[50, 100)", 2), ("[20, 50)", 3), ("< 20", 4))
BILIRUBIN = BandTable.of(("< 1.2", 0), ("[1.2, 2.0)", 1), ("[2.0, 6.0)", 2), ("[6.0, 12.0)", 3), ("≥ 12.0", 4))
MAP_LOW = 70
DOPAMINE_LOW = 5
DOPAMINE_HIGH = 15
CATECHOLAMINE_HIGH = 0.1  # epinephrine, norepinephrine (ug/kg/min)
GCS = BandTable.of(("≥ 15", 0), ("[13, 15)", 1), ("[10, 13)", 2), ("[6, 10)", 3), ("< 6", 4))
CREATININE = BandTable.of(("< 1.2", 0), ("[1.2, 2.0)", 1), ("[2.0, 3.5)", 2), ("[3.5, 5.0)", 3), ("≥ 5.0", 4))
URINE_24H = BandTable.of(("< 200", 4), ("[200, 500)", 3), ("≥ 500", 0))

LISTED = ("bilirubin_total", "creatinine", "fio2", "gcs", "map", "pao2", "platelets", "urine_output_ml_24h")
COMPONENTS = ("respiration", "coagulation", "liver", "cardiovascular", "cns", "renal")


def pf_ratio(x: Inputs) -> FloatArray:
    """PaO2/FiO2 rounded to 1 decimal (half-even); room air when documented (D-8)."""
    room_air = (x["supplemental_o2"] == 0.0) & ~x.is_true("ventilated")
    fio2 = np.where(x.present("fio2"), x["fio2"], np.where(room_air, ROOM_AIR_FIO2, np.nan))
    return np.round(x["pao2"] / fio2, PF_DECIMALS)  # type: ignore[no-any-return]


def respiration(x: Inputs) -> FloatArray:
    """Respiration points; 3-4 only with respiratory support (D-10)."""
    pts = PF_RATIO.points(pf_ratio(x))
    return np.where(x.is_true("ventilated"), pts, np.minimum(pts, PF_CAP_NOT_VENTILATED))


def cardiovascular(x: Inputs) -> FloatArray:
    """Cardiovascular points: the first matching row from 4 down (§2.5)."""
    dopa, dobu, epi, norepi = (np.nan_to_num(x[n]) for n in ("dopamine", "dobutamine", "epinephrine", "norepinephrine"))
    any_cat = (dopa > 0) | (dobu > 0) | (epi > 0) | (norepi > 0)
    return points_where(
        x.n,
        ((dopa > DOPAMINE_HIGH) | (epi > CATECHOLAMINE_HIGH) | (norepi > CATECHOLAMINE_HIGH), 4),
        ((dopa > DOPAMINE_LOW) | (epi > 0) | (norepi > 0), 3),
        (any_cat, 2),
        (x["map"] < MAP_LOW, 1),
        (x["map"] >= MAP_LOW, 0),
    )


def compute(x: Inputs) -> ScoreColumns:
    """SOFA components and total for one set of (already aggregated) values (§2.5)."""
    components = {
        "respiration": respiration(x),
        "coagulation": PLATELETS.points(x["platelets"]),
        "liver": BILIRUBIN.points(x["bilirubin_total"]),
        "cardiovascular": cardiovascular(x),
        "cns": GCS.points(x["gcs"]),
        "renal": np.fmax(CREATININE.points(x["creatinine"]), URINE_24H.points(x["urine_output_ml_24h"])),
    }
    return ScoreColumns(
        components=components,
        total=lenient_total(components.values()),
        missing=listed_missing(x, LISTED),
    )


DEFINITION = ScoreDefinition(
    name="sofa",
    title="SOFA 1.0 (Vincent 1996)",
    source="Vincent JL et al. Intensive Care Med 1996;22(7):707-710, doi:10.1007/BF01709751",
    doc="adult-scores.md §2.5",
    version="SOFA 1.0 (1996)",
    components=(
        Component(
            "respiration",
            ("pao2", "fio2", "ventilated", "supplemental_o2"),
            f"PaO2/FiO2 {PF_RATIO.text()}; 3-4 only when ventilated, else at most {PF_CAP_NOT_VENTILATED}",
        ),
        Component("coagulation", ("platelets",), PLATELETS.text()),
        Component("liver", ("bilirubin_total",), BILIRUBIN.text()),
        Component(
            "cardiovascular",
            ("map", "dopamine", "dobutamine", "epinephrine", "norepinephrine"),
            f"map < {MAP_LOW} → 1; dopamine ≤ {DOPAMINE_LOW} or any dobutamine → 2; dopamine > {DOPAMINE_LOW} or "
            f"epinephrine/norepinephrine ≤ {CATECHOLAMINE_HIGH} → 3; dopamine > {DOPAMINE_HIGH} or "
            f"epinephrine/norepinephrine > {CATECHOLAMINE_HIGH} → 4 (vasopressin does not score)",
        ),
        Component("cns", ("gcs",), GCS.text()),
        Component(
            "renal",
            ("creatinine", "urine_output_ml_24h"),
            f"creatinine {CREATININE.text()}; urine mL/24 h {URINE_24H.text()}; the higher counts",
        ),
    ),
    listed_inputs=LISTED,
    total_range=(0, 24),
    compute=compute,
    check_population=adult_only,
)
