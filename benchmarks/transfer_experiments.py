"""Transfer experiments behind docs/model-card.md (set A only; no other hospital's data).

1. Feature sets, 5-fold patient-grouped CV on set A: AUROC and normalized utility (threshold
   chosen on the same out-of-fold predictions: in-sample optimism included, as in published CV).
2. A within-A proxy for "a hospital it never saw": train on medical-ICU patients, test on
   surgical-ICU patients, and the reverse (ICU type = PhysioNet Unit1/Unit2; patients with
   neither are left out). The threshold is chosen on the source's own 3-fold out-of-fold
   predictions by each rule, then applied unchanged to the target.
3. Threshold rules compared on that proxy: plain utility maximum vs the prevalence-robust rule.

Run: .venv/bin/python benchmarks/transfer_experiments.py  (about 15 minutes on 2 cores)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from sepsiscope.io import read_any
from sepsiscope.model import metrics
from sepsiscope.model.dataset import features_matrix, labels, patient_folds
from sepsiscope.model.train import TrainConfig, choose_threshold, fit_booster, fit_calibration

ROOT = Path(__file__).resolve().parents[1]
SET_A = ROOT.parent / "shared" / "data" / "physionet2019" / "training_setA.zip"
SETS = {
    "physiology": ("physiology",),
    "physiology+measurement": ("physiology", "measurement"),
    "all (incl. ICU time, admission, unit)": ("physiology", "measurement", "context"),
}


def oof(X, y, rows, pid, k, cfg, names, seed):
    folds = patient_folds(pid[rows], k, seed)
    raw = np.zeros(len(rows))
    for f in range(k):
        b = fit_booster(X[rows], y[rows], np.flatnonzero(folds != f), cfg, names, seed + f)
        raw[folds == f] = b.predict(X[rows][folds == f])
    return raw


def main() -> None:
    cfg = TrainConfig()
    table = read_any(SET_A).table
    y = labels(table)
    unit = table.get_column("unit_micu").to_numpy()
    results: dict[str, dict] = {}
    for name, groups in SETS.items():
        t0 = time.perf_counter()
        d = features_matrix(table, groups)
        everyone = np.arange(len(y))
        cal = fit_calibration(raw := oof(d.X, y, everyone, d.patient_id, 5, cfg, d.features, 1), y)
        prob = cal(raw)
        row = {"features": len(d.features), "cv_auroc": metrics.auroc(y, prob)}
        for rule in ("utility", "robust"):
            thr, _, _ = choose_threshold(prob, y, d.patient_id, None, rule)
            s = metrics.summary(y, prob, prob >= thr, d.patient_id)
            row[f"cv_utility_{rule}"] = s["normalized_utility"]
            row[f"cv_alerts_per_day_{rule}"] = s["alerts_per_patient_day"]
        for src_name, src_val in (("medical->surgical", True), ("surgical->medical", False)):
            src = np.flatnonzero(unit == src_val)
            dst = np.flatnonzero(unit == (not src_val))
            raw_src = oof(d.X, y, src, d.patient_id, 3, cfg, d.features, 20)
            cal_src = fit_calibration(raw_src, y[src])
            booster = fit_booster(d.X, y, src, cfg, d.features, 99)
            p_dst = cal_src(booster.predict(d.X[dst]))
            row[f"{src_name} target AUROC"] = metrics.auroc(y[dst], p_dst)
            for rule in ("utility", "robust"):
                thr, _, _ = choose_threshold(cal_src(raw_src), y[src], d.patient_id[src], None, rule)
                s = metrics.summary(y[dst], p_dst, p_dst >= thr, d.patient_id[dst])
                row[f"{src_name} target utility ({rule})"] = s["normalized_utility"]
                row[f"{src_name} target alerts/day ({rule})"] = s["alerts_per_patient_day"]
        row["seconds"] = round(time.perf_counter() - t0)
        results[name] = row
        print(json.dumps({name: row}, indent=1), flush=True)
    json.dump(results, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
