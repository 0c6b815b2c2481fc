"""Which validation design on set A ranks models as the other hospital did? (issue 11)

For each model configuration: repeated nested patient-grouped CV (threshold chosen inside each
training part), leave-one-ICU-type-out (medical, surgical), the old in-sample design (threshold
chosen on the same out-of-fold scores) and stress tests on the nested predictions (sepsis
prevalence, stay length, labs thinned). Raw per-row results go to /tmp/sepsiscope-proxies/<tag>.npz;
``--report`` reads them and prints how each proxy ranks the issue-11 rows against the external
figures. Set A only (read once into /tmp by setA_cache.py).

Each run uses TrainConfig's defaults except ``--set field=value`` (e.g. ``--set bag=3``: the
seed bag exactly as ``train --bag 3`` builds it; ``--set lab_thinning=0.75``: augmented copies).

The external table's rows as they were trained (v1 settings: one booster, 300 rounds) and the
peer (its own features and LightGBM settings, threshold chosen by our utility rule), then the
report (the peer's row reads ``peer.npz``, ``peer_r1.npz``, ... and ``peer_loio.npz``):

    V1="--repeats 1 --set bag=1 --set early_stopping=false --set threads=1"
    nice -n 19 .venv/bin/python benchmarks/validation_proxies.py run physiology --tag v1_physiology $V1
    nice -n 19 .venv/bin/python benchmarks/validation_proxies.py run all --tag v1_all $V1
    PEER="--matrix /tmp/peer --set bag=1 --set threads=1 --set negative_fraction=1.0 --set num_leaves=63
          --set min_data_in_leaf=200 --set feature_fraction=0.6 --set lambda_l2=5"   # peer_features.py
    .venv/bin/python benchmarks/validation_proxies.py run peer --tag peer --nested-only --repeats 1 $PEER
    .venv/bin/python benchmarks/validation_proxies.py run peer --tag peer_loio --repeats 0 $PEER
    .venv/bin/python benchmarks/validation_proxies.py report --physiology v1_physiology --all v1_all
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import setA_cache  # noqa: E402

from sepsiscope.model import metrics  # noqa: E402
from sepsiscope.model.augment import augmented_rows  # noqa: E402
from sepsiscope.model.dataset import ModelData, features_matrix, labels, patient_folds  # noqa: E402
from sepsiscope.model.train import TrainConfig, choose_threshold, threshold_candidates  # noqa: E402
from sepsiscope.model.validation.clock import best_clock_hour, clock_alerts  # noqa: E402
from sepsiscope.model.validation.heldout import RULES, leave_group_out, nested_cv, pooled  # noqa: E402
from sepsiscope.model.validation.ranking import EXTERNAL, discordant_pairs, kendall_tau  # noqa: E402
from sepsiscope.model.validation.shifts import SHIFTS, thin_labs, weighted_utility  # noqa: E402

OUT = Path(os.environ.get("SEPSISCOPE_PROXIES_DIR", "/tmp/sepsiscope-proxies"))
LAB_KEEP = 0.5


def run(
    tag: str,
    features: str,
    config: TrainConfig,
    repeats: int,
    leave_out: bool = True,
    first: int = 0,
    drop: str | None = None,
    matrix: Path | None = None,
) -> None:
    """Every design for one configuration (ICU types left out only if ``leave_out``); per-row results saved.

    Repeats ``first`` .. ``first + repeats - 1`` (repeat r splits the patients with seed r), so a
    later run can add repeats to an earlier one under the tag ``<tag>_r<first>``. ``drop``: a
    regular expression; feature columns whose names it matches fully are left out (a candidate
    feature set, before it is worth a name in ``features.build``). ``matrix``: a directory with
    another feature builder's matrices of set A and of its labs-halved copy (``full.npz``,
    ``thinned.npz``: the peer's, from ``peer_features.py``) instead of ``features``. Each training part's
    calibrated out-of-fold scores are saved too (``nested<r>_inner``, NaN outside the part), so
    another threshold rule can be judged on the same models (``rules``).
    """
    OUT.mkdir(exist_ok=True)
    table = setA_cache.table()
    y = labels(table)
    n = len(y)
    saved: dict[str, np.ndarray] = {"y": y}
    t0 = time.perf_counter()
    if matrix is None:
        data = setA_cache.features(features)
        thinned = features_matrix(thin_labs(table, LAB_KEEP, seed=7), config_groups(features), data.features).X
    else:
        data, thinned = _external(matrix, table)
        if config.lab_thinning > 0:
            raise SystemExit("--matrix: augmented copies need our feature builder")
    if drop:
        keep = [j for j, name in enumerate(data.features) if not re.fullmatch(drop, name)]
        print(f"{tag}: {len(data.features) - len(keep)} columns dropped by {drop!r}, {len(keep)} kept", flush=True)
        data = replace(data, X=data.X[:, keep], features=[data.features[j] for j in keep])
        thinned = thinned[:, keep]
        saved["features"] = np.array(data.features)
    extra = None
    if config.lab_thinning > 0:  # augmented copies (model.augment), thinned with another seed than the proxy's
        extra = augmented_rows(
            table, config_groups(features), data.features, config.lab_thinning, config.negative_fraction, seed=2019 + 7
        )
        print(f"{tag}: {len(extra)} augmented rows at {time.perf_counter() - t0:.0f} s", flush=True)
    unit = table.get_column("unit_micu").to_numpy()
    for name, mask in (("medical", unit == True), ("surgical", unit == False)) if leave_out else ():  # noqa: E712
        part = leave_group_out(
            data.X, y, data.patient_id, data.features, config, np.asarray(mask, bool), label=name, extra=extra
        )
        for rule in RULES:
            saved[f"loio_{name}_{rule}"] = pooled([part], n, rule)[1]
        saved[f"loio_{name}_prob"] = pooled([part], n, RULES[0])[0]
        saved[f"loio_{name}_rows"] = part.rows
        print(f"{tag}: left out {name} at {time.perf_counter() - t0:.0f} s", flush=True)
    for r in range(first, first + repeats):
        parts = nested_cv(data.X, y, data.patient_id, data.features, config, folds=5, seed=r, extra=extra)
        prob, _, _ = pooled(parts, n, RULES[0])
        saved[f"nested{r}_prob"] = prob
        thin_prob = np.zeros(n)
        for p in parts:
            thin_prob[p.rows] = p.calibration(p.booster.predict(thinned[p.rows]))
        saved[f"thin{r}_prob"] = thin_prob
        for rule in RULES:
            saved[f"nested{r}_{rule}"] = pooled(parts, n, rule)[1]
            thin_alert = np.zeros(n, dtype=np.bool_)
            for p in parts:
                thin_alert[p.rows] = thin_prob[p.rows] >= p.thresholds[rule]
            saved[f"thin{r}_{rule}"] = thin_alert
        # float64: calibrated probabilities are isotonic steps and every threshold is one of them, so
        # float32 rounding moves whole blocks of tied rows across it (the first runs saved float32:
        # `rules` recomputed their utility rule 0.4185 against 0.4189 saved).
        inner = np.full((len(parts), n), np.nan)
        for i, p in enumerate(parts):
            inner[i, p.train_rows] = p.train_probability
        saved[f"nested{r}_inner"] = inner
        saved[f"nested{r}_thresholds"] = np.array([[p.thresholds[rule] for rule in RULES] for p in parts])
        saved[f"nested{r}_rounds"] = np.array([p.rounds for p in parts])
        print(f"{tag}: repeat {r} done at {time.perf_counter() - t0:.0f} s", flush=True)
    np.savez_compressed(OUT / f"{tag}.npz", **saved)
    (OUT / f"{tag}.json").write_text(
        json.dumps({"features": features, "config": repr(config), "repeats": repeats, "first_repeat": first})
    )


def _external(directory: Path, table: Any) -> tuple[ModelData, np.ndarray]:
    """Another builder's matrices (full, labs halved), checked against our table's rows."""
    full, thin = (np.load(directory / f"{name}.npz", allow_pickle=False) for name in ("full", "thinned"))
    pid = table.get_column("patient_id").to_numpy().astype(str)
    for z in (full, thin):
        if not np.array_equal(z["patient_id"], pid) or list(z["features"]) != list(full["features"]):
            raise SystemExit(f"{directory}: rows or columns differ from set A's table")
    features = [str(f) for f in full["features"]]
    return ModelData(full["X"], features, full["patient_id"], full["hour"], None), thin["X"]


class _Bag:
    """Seed bagging, for these experiments only: the mean probability of several boosters."""

    def __init__(self, members: list[Any]) -> None:
        self.members = members

    def predict(self, X: np.ndarray, num_iteration: int | None = None) -> np.ndarray:
        return np.mean([m.predict(X, num_iteration=num_iteration) for m in self.members], axis=0)  # type: ignore[no-any-return]


def use_bagging(k: int) -> None:
    """Make every model the nested CV fits a bag of ``k`` boosters (member 0 is the unbagged model).

    The members and curves are those of ``train --bag K`` (``fitting.fit_members``); only the
    averaging differs: mean probability here, mean log-odds (one merged booster) in the product
    (``--set bag=K``). Only the product form can ship: one booster that TreeSHAP explains.
    """
    from sepsiscope.model import fitting
    from sepsiscope.model.validation import heldout

    def fit_with_curves(X, y, rows, config, names, seed, held_out=(), extra=None):  # type: ignore[no-untyped-def]
        members, curves = fitting.fit_members(X, y, rows, replace(config, bag=k), names, seed, held_out, extra)
        return _Bag(members), curves

    def fit_booster(X, y, rows, config, names, seed, extra=None):  # type: ignore[no-untyped-def]
        return fit_with_curves(X, y, rows, config, names, seed, (), extra)[0]

    heldout.fit_with_curves = fit_with_curves  # type: ignore[assignment]
    heldout.fit_booster = fit_booster  # type: ignore[assignment]


def config_groups(features: str) -> tuple[str, ...]:
    from sepsiscope.features.build import feature_groups

    return feature_groups(features)


def _repeat_paths(tag: str) -> list[Path]:
    """``<tag>``'s saved run and the runs that added repeats to it (``<tag>_r<k>``)."""
    return [OUT / f"{tag}.npz", *sorted(OUT.glob(f"{tag}_r[0-9]*.npz"))]


def _merged(tag: str) -> dict[str, np.ndarray]:
    """One configuration's saved arrays: ``<tag>``, the repeats added to it and its ICU-types-left-out run."""
    out: dict[str, np.ndarray] = {}
    for path in [*_repeat_paths(tag), OUT / f"{tag}_loio.npz"]:
        if path.exists():
            with np.load(path) as z:
                out.update({key: z[key] for key in z.files})
    if not out:
        raise SystemExit(f"no saved run {tag!r} in {OUT}")
    return out


def _n_repeats(z: dict[str, np.ndarray]) -> int:
    """Repeats 0 .. n - 1 a merged run has (the ranking uses the ones every row has)."""
    n = 0
    while f"nested{n}_prob" in z:
        n += 1
    return n


class SetA:
    """Labels, keys, ICU clock and ICU types of set A (for scoring saved runs)."""

    def __init__(self) -> None:
        table = setA_cache.table()
        self.y = labels(table)
        self.pid = table.get_column("patient_id").to_numpy()
        self.icu_hour = table.get_column("iculos_h").to_numpy().astype(float)
        unit = table.get_column("unit_micu").to_numpy()
        self.held = {"medical": np.flatnonzero(unit == True), "surgical": np.flatnonzero(unit == False)}  # noqa: E712

    def utility(self, alert: np.ndarray, rows: np.ndarray | None = None) -> float:
        if rows is None:
            return metrics.normalized_utility(self.y, alert, self.pid)
        return metrics.normalized_utility(self.y[rows], alert[rows], self.pid[rows])


def model_proxies(a: SetA, z: Any, rule: str, repeats: int) -> dict[str, float]:
    """Every proxy's utility (and nested AUROC) for one saved run and threshold rule."""
    y, pid = a.y, a.pid
    out: dict[str, float] = {}
    thr = choose_threshold(z["nested0_prob"], y, pid, None, rule)[0]
    out["in-sample threshold (old CV design)"] = a.utility(z["nested0_prob"] >= thr)
    for shift, weights in SHIFTS.items():
        w = weights(y, pid)
        out[f"nested CV, {shift}"] = float(np.mean([weighted_utility(y, z[f"nested{r}_{rule}"], pid, w)
                                                    for r in range(repeats)]))  # fmt: skip
    out["nested CV, labs thinned 0.5"] = float(np.mean([a.utility(z[f"thin{r}_{rule}"]) for r in range(repeats)]))
    for name, rows in a.held.items():
        out[f"ICU type left out: {name}"] = a.utility(z[f"loio_{name}_{rule}"], rows)
    out["nested CV AUROC"] = float(np.mean([metrics.auroc(y, z[f"nested{r}_prob"]) for r in range(repeats)]))
    folds = patient_folds(pid, 5, 0)
    per_fold = [a.utility(z[f"nested0_{rule}"], np.flatnonzero(folds == k)) for k in range(5)]
    out["nested CV, fold sd (repeat 0)"] = float(np.std(per_fold, ddof=1))
    out["nested CV, alerts per patient-day"] = float(np.mean([metrics.alerts_per_patient_day(z[f"nested{r}_{rule}"])
                                                               for r in range(repeats)]))  # fmt: skip
    return out


def clock_proxies(a: SetA, repeats: int) -> dict[str, float]:
    """The same proxies for the ICU-clock rule (hour tuned inside the same training parts)."""
    y, pid, hour = a.y, a.pid, a.icu_hour
    out: dict[str, float] = {}
    h_all = best_clock_hour(hour, y, pid)
    print(f"clock hour tuned on all of A: {h_all}")
    out["in-sample threshold (old CV design)"] = a.utility(hour >= h_all)
    nested = []
    for r in range(repeats):
        fold = patient_folds(pid, 5, r)
        nested.append(clock_alerts(hour, y, pid, [np.flatnonzero(fold == k) for k in range(5)])[0])
    for shift, weights in SHIFTS.items():
        w = weights(y, pid)
        out[f"nested CV, {shift}"] = float(np.mean([weighted_utility(y, al, pid, w) for al in nested]))
    out["nested CV, labs thinned 0.5"] = out["nested CV, as is"]
    for name, rows in a.held.items():
        out[f"ICU type left out: {name}"] = a.utility(clock_alerts(hour, y, pid, [rows])[0], rows)
    out["nested CV AUROC"] = metrics.auroc(y, hour / (hour.max() + 1))
    folds = patient_folds(pid, 5, 0)
    out["nested CV, fold sd (repeat 0)"] = float(np.std([a.utility(nested[0], np.flatnonzero(folds == k))
                                                         for k in range(5)], ddof=1))  # fmt: skip
    out["nested CV, alerts per patient-day"] = float(np.mean([metrics.alerts_per_patient_day(al) for al in nested]))
    return out


def with_composites(values: dict[str, float]) -> dict[str, float]:
    """Composite proxies: mean of the two ICU directions, worst case over the shifts."""
    out = dict(values)
    out["ICU type left out: mean"] = (values["ICU type left out: medical"] + values["ICU type left out: surgical"]) / 2
    shifts = [p for p in values if p.startswith("nested CV,") and "sd" not in p and "per patient-day" not in p]
    out["nested CV, worst shift"] = min(values[p] for p in shifts)
    return out


NOT_RANKED = ("nested CV, fold sd (repeat 0)", "nested CV, alerts per patient-day")


def _repeat_runs(tag: str) -> dict[int, np.lib.npyio.NpzFile]:
    """Repeat number -> saved run, for ``tag`` and the runs that added repeats to it (``<tag>_r<k>``)."""
    out: dict[int, np.lib.npyio.NpzFile] = {}
    for path in _repeat_paths(tag):
        z = np.load(path)
        for key in z.files:
            if key.startswith("thin") and key.endswith("_prob"):
                out[int(key[len("thin") : -len("_prob")])] = z
    return out


def candidates(a: SetA, tags: list[str], baseline: str, rule: str) -> None:
    """The chosen proxy (nested CV, labs thinned) for candidate runs beside the baseline run, per fold.

    Every repeat both runs have is used (repeat r: 5 outer folds split with seed r, the same
    patients in both runs). A candidate beats the baseline only if its mean gain over all outer
    folds exceeds the fold spread (sd over folds of the candidate's thinned-lab utility). The
    paired t statistic of the per-fold gains (mean / (sd / sqrt(n))) is printed beside it, and the
    mean gain of each repeat (the sharpened rule: positive in every repeat and t ≥ 2).
    """
    base_runs = _repeat_runs(baseline)

    def per_fold(runs: dict[int, np.lib.npyio.NpzFile], r: int, key: str) -> np.ndarray:
        folds = patient_folds(a.pid, 5, r)
        return np.array([a.utility(runs[r][key.format(r=r)], np.flatnonzero(folds == k)) for k in range(5)])

    print(f"threshold rule: {rule}; baseline {baseline}; repeats {sorted(base_runs)}")
    print("| run | repeats | labs thinned 0.5: utility | fold sd | gain vs baseline (sd of gain) | "
          "gain per repeat | paired t | "
          "nested utility | nested AUROC | thinned AUROC | alerts/pt-day | rounds (outer folds) |")  # fmt: skip
    for tag in [baseline, *tags]:
        runs = _repeat_runs(tag)
        reps = sorted(set(runs) & set(base_runs))
        thin = np.concatenate([per_fold(runs, r, f"thin{{r}}_{rule}") for r in reps])
        gain = thin - np.concatenate([per_fold(base_runs, r, f"thin{{r}}_{rule}") for r in reps])
        t, per_repeat = _paired(gain)
        m = _repeat_means(a, runs, reps, rule)
        print(
            f"| {tag} | {len(reps)} | {m['thin']:.3f} | {thin.std(ddof=1):.3f} | "
            f"{gain.mean():+.3f} ({gain.std(ddof=1):.3f}) | {per_repeat} | {t:+.2f} | "
            f"{m['nested']:.3f} | {m['auroc']:.3f} | "
            f"{m['thin_auroc']:.3f} | {m['alerts']:.2f} | {m['rounds']} |"
        )


def _paired(gain: np.ndarray) -> tuple[float, str]:
    """Paired t of per-fold gains (5 outer folds per repeat, in repeat order) and each repeat's mean gain."""
    t = gain.mean() / (gain.std(ddof=1) / np.sqrt(len(gain))) if gain.any() else float("nan")
    return float(t), " / ".join(f"{g:+.4f}" for g in gain.reshape(-1, 5).mean(axis=1))


def _repeat_means(a: SetA, runs: dict[int, np.lib.npyio.NpzFile], reps: list[int], rule: str) -> dict[str, Any]:
    """One run's figures, averaged over the repeats ``reps``."""
    z = [(r, runs[r]) for r in reps]
    rounds = [v for r, run in z if f"nested{r}_rounds" in run.files for v in run[f"nested{r}_rounds"].tolist()]
    return {
        "thin": np.mean([a.utility(run[f"thin{r}_{rule}"]) for r, run in z]),
        "nested": np.mean([a.utility(run[f"nested{r}_{rule}"]) for r, run in z]),
        "auroc": np.mean([metrics.auroc(a.y, run[f"nested{r}_prob"]) for r, run in z]),
        "thin_auroc": np.mean([metrics.auroc(a.y, run[f"thin{r}_prob"]) for r, run in z]),
        "alerts": np.mean([metrics.alerts_per_patient_day(run[f"nested{r}_{rule}"]) for r, run in z]),
        "rounds": f"{min(rounds)}-{max(rounds)}" if rounds else "-",
    }


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))  # type: ignore[no-any-return]


def hedged_threshold(prob: np.ndarray, y: np.ndarray, pid: np.ndarray, sigma: float) -> float:
    """The threshold of highest expected utility when a new site's scores may be shifted (experiment).

    Shifts of the log-odds δ ~ N(0, sigma²) (9 points over ±2 sigma): the utility curve of the
    out-of-fold scores, as a function of the log-odds threshold, is smoothed by that
    distribution and its maximum taken. A symmetric hedge: it moves the threshold only as far as
    the curve falls more steeply on one side than on the other.
    """
    from sepsiscope.model.utility import utility_curve

    grid = np.unique(np.quantile(prob, np.linspace(0.0, 0.9995, 1200)))
    curve = utility_curve(y, prob, pid, grid)
    candidates = threshold_candidates(prob)  # the utility rule's, so the two differ only in the objective
    deltas = np.linspace(-2.0, 2.0, 9) * sigma
    weights = np.exp(-0.5 * np.linspace(-2.0, 2.0, 9) ** 2)
    weights /= weights.sum()
    lg, lc = _logit(grid), _logit(candidates)
    objective = sum(w * np.interp(lc - d, lg, curve) for d, w in zip(deltas, weights, strict=True))
    return float(candidates[int(np.argmax(objective))])


def rules(a: SetA, tags: list[str], sigmas: list[float]) -> None:
    """Threshold rules judged on saved runs' models: thresholds from each training part's saved
    out-of-fold scores, applied to its held-out part (as is and with half the labs)."""
    choose: dict[str, Any] = {
        "utility": lambda p, y, pid: choose_threshold(p, y, pid, None, "utility")[0],
        **{f"hedged {s}": functools.partial(hedged_threshold, sigma=s) for s in sigmas},
    }
    names = list(choose)
    print("| run | rule | labs thinned 0.5: utility | gain vs utility rule (sd) | gain per repeat | paired t | "
          "nested utility | alerts/pt-day (nested) | alerts/pt-day (labs thinned) |")  # fmt: skip
    for tag in tags:
        runs = _repeat_runs(tag)
        reps = sorted(r for r, z in runs.items() if f"nested{r}_inner" in z.files)
        fold_u: dict[str, list[float]] = {n: [] for n in names}
        pooled_u: dict[str, list[tuple[float, float, float, float]]] = {n: [] for n in names}
        for r in reps:
            z = runs[r]
            inner, nested, thin = z[f"nested{r}_inner"], z[f"nested{r}_prob"], z[f"thin{r}_prob"]
            folds = patient_folds(a.pid, 5, r)
            alerts = {n: (np.zeros(len(a.y), bool), np.zeros(len(a.y), bool)) for n in names}
            for k in range(5):
                train = np.flatnonzero(~np.isnan(inner[k]))
                test = np.flatnonzero(folds == k)
                p = inner[k][train].astype(np.float64)
                for n in names:
                    t = choose[n](p, a.y[train], a.pid[train])
                    alerts[n][0][test] = nested[test] >= t
                    alerts[n][1][test] = thin[test] >= t
                    fold_u[n].append(a.utility(alerts[n][1], test))
            for n in names:
                nested_alert, thin_alert = alerts[n]
                pooled_u[n].append((a.utility(thin_alert), a.utility(nested_alert),
                                    metrics.alerts_per_patient_day(nested_alert),
                                    metrics.alerts_per_patient_day(thin_alert)))  # fmt: skip
            saved = a.utility(z[f"thin{r}_utility"])
            print(f"{tag} repeat {r}: saved utility rule {saved:.4f}, recomputed {pooled_u['utility'][-1][0]:.4f}")
        base = np.array(fold_u["utility"])
        for n in names:
            gain = np.array(fold_u[n]) - base
            t, per_repeat = _paired(gain)
            m = np.mean(pooled_u[n], axis=0)
            print(f"| {tag} | {n} | {m[0]:.3f} | {gain.mean():+.4f} ({gain.std(ddof=1):.4f}) | {per_repeat} | "
                  f"{t:+.2f} | {m[1]:.3f} | {m[2]:.2f} | {m[3]:.2f} |")  # fmt: skip


def loio(a: SetA, tags: list[str]) -> None:
    """Leave-one-ICU-type-out for saved runs: each left-out type's utility under both threshold
    rules, AUROC and alerts per patient-day (the model card's table for the lab-thinned copies)."""
    print("| left out | run | utility threshold: utility | robust threshold: utility | AUROC | alerts/pt-day |")
    runs = {tag: np.load(OUT / f"{tag}.npz") for tag in tags}
    for name, rows in a.held.items():
        for tag, z in runs.items():
            alert, robust = z[f"loio_{name}_utility"], z[f"loio_{name}_robust"]
            print(f"| {name} ICU | {tag} | {a.utility(alert, rows):.3f} | {a.utility(robust, rows):.3f} | "
                  f"{metrics.auroc(a.y[rows], z[f'loio_{name}_prob'][rows]):.3f} | "
                  f"{metrics.alerts_per_patient_day(alert[rows]):.2f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("features")
    r.add_argument("--tag")
    r.add_argument("--repeats", type=int, default=2)
    r.add_argument("--first-repeat", type=int, default=0, help="add repeats to an earlier run (tag <tag>_r<k>)")
    r.add_argument("--set", action="append", default=[], help="TrainConfig field=value (repeatable)")
    r.add_argument("--nested-only", action="store_true", help="skip leave-one-ICU-type-out (candidates)")
    r.add_argument("--bag", type=int, default=1, help="seed-bag every model, mean probability (experiment only)")
    r.add_argument("--drop", help="regular expression: leave out the feature columns it matches fully")
    r.add_argument("--matrix", type=Path, help="directory of another builder's matrices (peer_features.py)")
    rep = sub.add_parser("report")
    rep.add_argument("--physiology", default="physiology")
    rep.add_argument("--all", default="all")
    rep.add_argument("--peer", default="peer", help="the peer's run (peer_features.py, --matrix)")
    rep.add_argument("--candidates", nargs="*", default=[], help="more run tags, scored on the same proxies")
    cand = sub.add_parser("candidates", help="the chosen proxy for nested-only runs beside a baseline run")
    cand.add_argument("tags", nargs="+")
    cand.add_argument("--baseline", default="all")
    cand.add_argument("--rule", default="utility")
    rul = sub.add_parser("rules", help="threshold rules judged on saved runs (their training parts' scores)")
    rul.add_argument("tags", nargs="+")
    rul.add_argument("--sigma", type=float, action="append", default=[], help="hedge widths (log-odds)")
    lo = sub.add_parser("loio", help="leave-one-ICU-type-out figures of saved runs")
    lo.add_argument("tags", nargs="+")
    args = parser.parse_args()
    if args.cmd == "run":
        config = TrainConfig(features=args.features)
        for item in args.set:
            key, value = item.split("=", 1)
            current = getattr(config, key)
            cast = (lambda v: v.lower() in ("1", "true", "yes")) if isinstance(current, bool) else type(current)
            config = replace(config, **{key: cast(value) if current is not None else float(value)})
        if args.bag > 1:
            use_bagging(args.bag)
        tag = args.tag or args.features
        run(tag, args.features, config, args.repeats, not args.nested_only, args.first_repeat, args.drop, args.matrix)
        return
    a = SetA()
    if args.cmd == "candidates":
        candidates(a, args.tags, args.baseline, args.rule)
        return
    if args.cmd == "loio":
        loio(a, args.tags)
        return
    if args.cmd == "rules":
        rules(a, args.tags, args.sigma or [0.25, 0.5, 1.0])
        return
    tags = {"physiology": args.physiology, "all": args.all, "peer": args.peer, **{t: t for t in args.candidates}}
    runs = {fs: _merged(tag) for fs, tag in tags.items()}
    repeats = min(_n_repeats(z) for z in runs.values())
    rows: dict[str, dict[str, float]] = {}
    for fs, z in runs.items():
        for rule in RULES:
            rows[f"{fs}, {rule}"] = with_composites(model_proxies(a, z, rule, repeats))
    rows["ICU hour clock"] = with_composites(clock_proxies(a, repeats))
    proxies = list(rows["ICU hour clock"])
    result: dict[str, object] = {"repeats": repeats, "rows": rows}
    print(f"repeats used: {repeats}")
    print(
        "| proxy | " + " | ".join(EXTERNAL) + " | tau | discordant |" + " | ".join(r for r in rows if r not in EXTERNAL)
    )
    for proxy in proxies:
        values = {k: rows[k][proxy] for k in EXTERNAL}
        extra = " | ".join(f"{rows[r][proxy]:.3f}" for r in rows if r not in EXTERNAL)
        if proxy in NOT_RANKED:
            print(f"| {proxy} | " + " | ".join(f"{v:.3f}" for v in values.values()) + f" | | | {extra}")
            continue
        ref = {k: v.auroc if proxy == "nested CV AUROC" else v.utility for k, v in EXTERNAL.items()}
        tau = kendall_tau(values, ref)
        bad = discordant_pairs(values, ref)
        result[proxy] = {"tau": tau, "discordant": bad}
        cells = " | ".join(f"{v:.3f}" for v in values.values())
        print(f"| {proxy} | {cells} | {tau:+.1f} | {len(bad)} | {extra}")
    (OUT / "report.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
