"""Who is on the synthetic ward: admission, care setting, personal baselines and organ responses.

**Everything here is made up** (see :mod:`sepsiscope.synth.ward`). Each patient gets an age,
a sex, an admission label (e.g. "pneumonia, day 2"), a care setting — ICU (hourly
observations) or ward (every 2-4 h) — and a personal baseline: heart rate, respiratory
rate, temperature, MAP and pulse pressure, SpO2 on air, WBC, platelets, creatinine,
bilirubin, lactate and PaCO2. Some stable patients have chronic abnormalities that real
early-warning scores flag too: atrial fibrillation with a fast rate, COPD on low-flow oxygen.

The source of infection weights the organs a sepsis strikes (pneumonia: lungs;
pyelonephritis: kidneys; cholangitis: liver); :mod:`sepsiscope.synth.trajectories` applies
the weights. Septic patients always have an infective admission; about 40 % of the others do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Admission reasons: (label, lung, kidney, liver weight). Infective ones can deteriorate.
INFECTIVE: tuple[tuple[str, float, float, float], ...] = (
    ("pneumonia", 1.3, 0.7, 0.5),
    ("aspiration pneumonia", 1.4, 0.7, 0.5),
    ("pyelonephritis", 0.4, 1.4, 0.5),
    ("urinary tract infection", 0.4, 1.2, 0.4),
    ("cholangitis", 0.4, 0.9, 2.5),
    ("cellulitis", 0.3, 0.8, 0.5),
    ("post-op bowel resection", 0.6, 1.0, 0.9),
    ("infected central line", 0.5, 0.9, 0.6),
)
NON_INFECTIVE: tuple[str, ...] = (
    "hip fracture",
    "heart failure",
    "COPD exacerbation",
    "stroke",
    "GI bleed",
    "knee replacement",
    "syncope",
    "DKA, resolving",
)


@dataclass(frozen=True)
class Patient:
    """One made-up patient: who they are, their baseline physiology and how their organs respond.

    ``lung``/``kidney``/``liver`` are the admission's organ weights (0 for non-infective
    admissions); the ``f_*`` gains scale each organ's response to the sepsis severity.
    """

    age: float
    sex: str
    label: str
    lung: float
    kidney: float
    liver: float
    icu: bool
    chronic_o2: bool
    fast_af: bool
    # baselines
    hr0: float
    rr0: float
    temp0: float
    map0: float
    pp0: float
    spo2_0: float
    wbc0: float
    plt0: float
    cr0: float
    bili0: float
    lac0: float
    paco2_0: float
    # organ responses
    f_hr: float
    f_rr: float
    f_circ: float
    f_lac: float
    f_coag: float
    f_wbc: float
    f_lung: float
    f_kidney: float
    f_liver: float
    f_neuro: float
    temp_shift: float
    wbc_up: bool


def draw_patient(rng: np.random.Generator, septic: bool) -> Patient:
    """Draw one patient from ``rng`` (a septic one always has an infective admission)."""
    # --- who is this patient
    age = float(np.clip(np.round(rng.normal(66.0, 15.0)), 18, 95))
    sex = "female" if rng.random() < 0.5 else "male"
    day = int(rng.integers(1, 6))
    if septic or rng.random() < 0.4:
        source, lung, kidney, liver = INFECTIVE[int(rng.integers(len(INFECTIVE)))]
    else:
        source, lung, kidney, liver = NON_INFECTIVE[int(rng.integers(len(NON_INFECTIVE)))], 0.0, 0.0, 0.0
    label = f"{source}, day {day}"
    icu = rng.random() < 0.35
    chronic_o2 = not septic and rng.random() < {"COPD exacerbation": 0.6, "heart failure": 0.3}.get(source, 0.04)
    fast_af = rng.random() < 0.08

    # --- baselines
    hr0 = rng.uniform(92, 106) if fast_af else float(np.clip(rng.normal(80, 9), 58, 98))
    rr0 = float(np.clip(rng.normal(16, 1.8), 12, 20))
    temp0 = float(np.clip(rng.normal(36.8, 0.25), 36.2, 37.4))
    map0 = float(np.clip(rng.normal(88, 8), 74, 105))
    pp0 = float(np.clip(rng.normal(46 + 0.25 * (age - 60), 8), 32, 75))
    spo2_0 = rng.uniform(89.5, 91.5) if chronic_o2 else float(np.clip(rng.normal(97.2, 1.0), 95.5, 99.5))
    wbc0 = float(np.clip(rng.normal(7.5, 1.8), 4.5, 11.0))
    plt0 = float(np.clip(rng.normal(245, 55), 160, 420))
    cr0 = float(np.clip(rng.normal(0.9, 0.2), 0.5, 1.3))
    bili0 = float(np.clip(rng.normal(0.6, 0.2), 0.2, 1.1))
    lac0 = float(np.clip(rng.normal(1.1, 0.3), 0.5, 1.8))
    paco2_0 = float(np.clip(rng.normal(40, 2.5), 35, 45))

    # --- organ responses
    def gain(weight: float) -> float:
        return weight * rng.uniform(0.8, 1.2)

    f_hr, f_rr, f_circ, f_lac, f_coag, f_wbc = (gain(1.0) for _ in range(6))
    f_lung, f_kidney, f_liver = gain(lung), gain(kidney), gain(liver)
    f_neuro = rng.uniform(0.5, 1.3) * (1.3 if age > 75 else 1.0)
    fever = rng.random() < 0.8
    temp_shift = rng.uniform(1.6, 2.4) if fever else -rng.uniform(1.2, 1.8)
    wbc_up = rng.random() < 0.8
    return Patient(
        age=age,
        sex=sex,
        label=label,
        lung=lung,
        kidney=kidney,
        liver=liver,
        icu=icu,
        chronic_o2=chronic_o2,
        fast_af=fast_af,
        hr0=hr0,
        rr0=rr0,
        temp0=temp0,
        map0=map0,
        pp0=pp0,
        spo2_0=spo2_0,
        wbc0=wbc0,
        plt0=plt0,
        cr0=cr0,
        bili0=bili0,
        lac0=lac0,
        paco2_0=paco2_0,
        f_hr=f_hr,
        f_rr=f_rr,
        f_circ=f_circ,
        f_lac=f_lac,
        f_coag=f_coag,
        f_wbc=f_wbc,
        f_lung=f_lung,
        f_kidney=f_kidney,
        f_liver=f_liver,
        f_neuro=f_neuro,
        temp_shift=temp_shift,
        wbc_up=wbc_up,
    )
