"""Which validation design on set A ranks models as the other hospital did? (issue 11)

For each model configuration: repeated nested patient-grouped CV (threshold chosen inside each
training part), leave-one-ICU-type-out (medical, surgical), the old in-sample design (threshold
chosen on the same out-of-fold scores) and stress tests on the nested predictions (sepsis
prevalence, stay length, labs thinned). Raw per-row results go to /tmp/sepsiscope-proxies/<tag>.npz;
``--report`` reads them and prints how each proxy ranks the issue-11 rows against the external
figures. Set A only (read once into /tmp by setA_cache.py).

Run: nice -n 19 .venv/bin/python benchmarks/validation_proxies.py run physiology
     nice -n 19 .venv/bin/python benchmarks/validation_proxies.py run all
     .venv/bin/python benchmarks/validation_proxies.py report
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import setA_cache  # noqa: E402

from sepsiscope.model import metrics  # noqa: E402
from sepsiscope.model.dataset import features_matrix, labels  # noqa: E402
from sepsiscope.model.train import TrainConfig, choose_threshold  # noqa: E402
from sepsiscope.model.validation.clock import best_clock_hour, clock_alerts  # noqa: E402
from sepsiscope.model.validation.heldout import RULES, leave_group_out, nested_cv, pooled  # noqa: E402
from sepsiscope.model.validation.ranking import EXTERNAL, discordant_pairs, kendall_tau  # noqa: E402
from sepsiscope.model.validation.shifts import SHIFTS, thin_labs, weighted_utility  # noqa: E402

OUT = Path("/tmp/sepsiscope-proxies")
LAB_KEEP = 0.5


def run(tag: str, features: str, config: TrainConfig, repeats: int) -> None:
    """Every design for one configuration; per-row results saved for ``report``."""
    OUT.mkdir(exist_ok=True)
    table = setA_cache.table()
    y = labels(table)
    data = setA_cache.features(features)
    n = len(y)
    saved: dict[str, np.ndarray] = {"y": y}
    t0 = time.perf_counter()
    thinned = features_matrix(thin_labs(table, LAB_KEEP, seed=7), config_groups(features), data.features).X
    unit = table.get_column("unit_micu").to_numpy()
    for name, mask in (("medical", unit == True), ("surgical", unit == False)):  # noqa: E712
        part = leave_group_out(data.X, y, data.patient_id, data.features, config, np.asarray(mask, bool), label=name)
        for rule in RULES:
            saved[f"loio_{name}_{rule}"] = pooled([part], n, rule)[1]
        saved[f"loio_{name}_prob"] = pooled([part], n, RULES[0])[0]
        saved[f"loio_{name}_rows"] = part.rows
        print(f"{tag}: left out {name} at {time.perf_counter() - t0:.0f} s", flush=True)
    for r in range(repeats):
        parts = nested_cv(data.X, y, data.patient_id, data.features, config, folds=5, seed=r)
        prob, _, _ = pooled(parts, n, RULES[0])
        saved[f"nested{r}_prob"] = prob
        for rule in RULES:
            saved[f"nested{r}_{rule}"] = pooled(parts, n, rule)[1]
            thin_alert = np.zeros(n, dtype=np.bool_)
            for p in parts:
                thin_alert[p.rows] = p.calibration(p.booster.predict(thinned[p.rows])) >= p.thresholds[rule]
            saved[f"thin{r}_{rule}"] = thin_alert
        saved[f"nested{r}_thresholds"] = np.array([[p.thresholds[rule] for rule in RULES] for p in parts])
        print(f"{tag}: repeat {r} done at {time.perf_counter() - t0:.0f} s", flush=True)
    np.savez_compressed(OUT / f"{tag}.npz", **saved)
    (OUT / f"{tag}.json").write_text(json.dumps({"features": features, "config": repr(config), "repeats": repeats}))


def config_groups(features: str) -> tuple[str, ...]:
    from sepsiscope.features.build import feature_groups

    return feature_groups(features)


def _clock(table_hour: np.ndarray, y: np.ndarray, pid: np.ndarray, rows_by_design: dict[str, list[np.ndarray]]):
    return {d: clock_alerts(table_hour, y, pid, rows)[0] for d, rows in rows_by_design.items()}


def report(tags: dict[str, str]) -> dict[str, dict[str, float]]:
    """Utility of each issue-11 row under each proxy; rank agreement with the external figures."""
    table = setA_cache.table()
    y = labels(table)
    pid = table.get_column("patient_id").to_numpy()
    icu_hour = table.get_column("iculos_h").to_numpy().astype(float)
    unit = table.get_column("unit_micu").to_numpy()
    held = {"medical": np.flatnonzero(unit == True), "surgical": np.flatnonzero(unit == False)}  # noqa: E712
    runs = {fs: np.load(OUT / f"{tag}.npz") for fs, tag in tags.items()}
    repeats = json.loads((OUT / f"{next(iter(tags.values()))}.json").read_text())["repeats"]
    design: dict[str, dict[str, float]] = {}

    def put(proxy: str, row: str, value: float) -> None:
        design.setdefault(proxy, {})[row] = value

    for fs, z in runs.items():
        for rule in RULES:
            row = f"{fs}, {rule}"
            prob0 = z["nested0_prob"]
            thr = choose_threshold(prob0, y, pid, None, rule)[0]
            put("in-sample threshold (old CV design)", row, metrics.normalized_utility(y, prob0 >= thr, pid))
            for shift, weights in SHIFTS.items():
                w = weights(y, pid)
                vals = [weighted_utility(y, z[f"nested{r}_{rule}"], pid, w) for r in range(repeats)]
                put(f"nested CV, {shift}", row, float(np.mean(vals)))
            put("nested CV, labs thinned 0.5", row, float(np.mean(
                [metrics.normalized_utility(y, z[f"thin{r}_{rule}"], pid) for r in range(repeats)])))  # fmt: skip
            for name, rows in held.items():
                put(f"ICU type left out: {name}", row,
                    metrics.normalized_utility(y[rows], z[f"loio_{name}_{rule}"][rows], pid[rows]))  # fmt: skip
            put(
                "nested CV AUROC", row, float(np.mean([metrics.auroc(y, z[f"nested{r}_prob"]) for r in range(repeats)]))
            )
    # The ICU clock rule, H tuned inside the same training parts.
    from sepsiscope.model.dataset import patient_folds

    clock = "ICU hour clock"
    h_all = best_clock_hour(icu_hour, y, pid)
    put("in-sample threshold (old CV design)", clock, metrics.normalized_utility(y, icu_hour >= h_all, pid))
    nested_alerts = []
    for r in range(repeats):
        fold = patient_folds(pid, 5, r)
        nested_alerts.append(clock_alerts(icu_hour, y, pid, [np.flatnonzero(fold == k) for k in range(5)])[0])
    for shift, weights in SHIFTS.items():
        w = weights(y, pid)
        put(f"nested CV, {shift}", clock, float(np.mean([weighted_utility(y, a, pid, w) for a in nested_alerts])))
    put("nested CV, labs thinned 0.5", clock, design["nested CV, as is"][clock])
    for name, rows in held.items():
        alert, _ = clock_alerts(icu_hour, y, pid, [rows])
        put(f"ICU type left out: {name}", clock, metrics.normalized_utility(y[rows], alert[rows], pid[rows]))
    put("nested CV AUROC", clock, metrics.auroc(y, icu_hour / (icu_hour.max() + 1)))
    print(f"clock hour tuned on all of A: {h_all}")
    return design


def combined(design: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Composite proxies: mean of the two ICU directions, worst case over the shifts."""
    keys = list(EXTERNAL)
    out = dict(design)
    out["ICU type left out: mean"] = {k: (design["ICU type left out: medical"][k]
                                          + design["ICU type left out: surgical"][k]) / 2 for k in keys}  # fmt: skip
    shifts = [p for p in design if p.startswith("nested CV,")]
    out["nested CV, worst shift"] = {k: min(design[p][k] for p in shifts) for k in keys}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("features")
    r.add_argument("--tag")
    r.add_argument("--repeats", type=int, default=2)
    r.add_argument("--set", action="append", default=[], help="TrainConfig field=value (repeatable)")
    rep = sub.add_parser("report")
    rep.add_argument("--physiology", default="physiology")
    rep.add_argument("--all", default="all")
    args = parser.parse_args()
    if args.cmd == "run":
        config = TrainConfig(features=args.features)
        for item in args.set:
            key, value = item.split("=", 1)
            current = getattr(config, key)
            config = replace(config, **{key: type(current)(value) if current is not None else float(value)})
        run(args.tag or args.features, args.features, config, args.repeats)
        return
    design = combined(report({"physiology": args.physiology, "all": args.all}))
    reference = {k: v.utility for k, v in EXTERNAL.items()}
    result = {}
    for proxy, values in design.items():
        if proxy == "nested CV AUROC":
            ref = {k: v.auroc for k, v in EXTERNAL.items()}
        else:
            ref = reference
        tau = kendall_tau(values, ref)
        result[proxy] = {"tau": tau, "values": values, "discordant": discordant_pairs(values, ref)}
        cells = " | ".join(f"{values[k]:.3f}" for k in EXTERNAL)
        print(f"| {proxy} | {cells} | {tau:+.1f} | {len(result[proxy]['discordant'])} |")
    (OUT / "report.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
