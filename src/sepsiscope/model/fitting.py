"""One LightGBM booster as every fold model and the final model is fitted, and early stopping.

Each booster trains on all positive rows and a seeded sample of negative rows (weights
restore the class balance), which makes training several times faster at no cost in
ranking. Early stopping is chosen on *patient-grouped* held-out folds, never on rows of
patients the booster trains on: the held-out log-loss after every round is recorded, and
``best_rounds`` takes the round of the lowest mean over the folds.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import lightgbm as lgb
import numpy as np

from sepsiscope.model.augment import ExtraRows
from sepsiscope.model.bagging import merge_boosters
from sepsiscope.model.config import TrainConfig


def sample_rows(
    y: np.ndarray,
    rows: np.ndarray,
    fraction: float,
    rng: np.random.Generator,
    row_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """All positive rows and ``fraction`` of the negative rows, with balancing weights.

    ``row_weight`` (per row of ``y``; ``model.target``) multiplies the weights; rows it gives
    weight 0 are left out after sampling (so the sample itself does not depend on it).
    """
    pos = rows[y[rows] == 1]
    neg = rows[y[rows] == 0]
    keep = neg[rng.random(len(neg)) < fraction] if fraction < 1 else neg
    chosen = np.sort(np.concatenate([pos, keep]))
    weight = np.where(y[chosen] == 1, 1.0, 1.0 / fraction if fraction < 1 else 1.0)
    if row_weight is not None:
        weight = weight * row_weight[chosen]
        fitted = weight > 0
        chosen, weight = chosen[fitted], weight[fitted]
    return chosen, weight


def fit_booster(
    X: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray,
    config: TrainConfig,
    names: list[str],
    seed: int,
    extra: ExtraRows | None = None,
    row_weight: np.ndarray | None = None,
) -> lgb.Booster:
    """One booster on ``rows`` (all positives, a seeded sample of negatives), as every fold and final model.

    ``y`` and ``row_weight`` are what the booster is fitted to (``model.target.fit_target``).
    """
    return fit_with_curves(X, y, rows, config, names, seed, extra=extra, row_weight=row_weight)[0]


def _stop_when_flat(patience: int, curves: dict[str, dict[str, list[float]]]) -> Any:
    """Callback: stop once no held-out log-loss has improved for ``patience`` rounds.

    The booster keeps every tree it grew; callers choose the rounds from the curves.
    """

    def callback(env: lgb.callback.CallbackEnv) -> None:
        done = env.iteration + 1
        if done <= patience:
            return
        flat = all(int(np.argmin(c["binary_logloss"])) < done - patience for c in curves.values())
        if flat:
            raise lgb.callback.EarlyStopException(env.iteration, env.evaluation_result_list or [])

    callback.order = 30  # type: ignore[attr-defined]  # after record_evaluation (order 20)
    return callback


def fit_with_curves(
    X: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray,
    config: TrainConfig,
    names: list[str],
    seed: int,
    held_out: Sequence[np.ndarray] = (),
    extra: ExtraRows | None = None,
    row_weight: np.ndarray | None = None,
) -> tuple[lgb.Booster, list[np.ndarray]]:
    """:func:`fit_booster`, plus the log-loss after every round on each set of ``held_out`` rows
    (weighted by ``row_weight`` when given, else unweighted; rows it weighs 0 left out).

    With ``config.patience`` > 0 and held-out rows, training stops once none of the held-out
    curves has improved for that many rounds (the curves end there). With ``config.bag`` > 1
    the model is that many boosters (seeds ``seed``, ``seed`` + 104,729, …) merged into one
    that scores their mean log-odds; its curves are the members' mean log-loss, over the rounds
    every member reached. ``extra`` rows (augmented copies, already sampled and weighted) are
    added to the fitted rows as they are.
    """
    if config.bag > 1:
        members, curves = fit_members(X, y, rows, config, names, seed, held_out, extra, row_weight)
        return merge_boosters(members), curves
    rng = np.random.default_rng(seed)
    chosen, weight = sample_rows(y, rows, config.negative_fraction, rng, row_weight)
    if extra is not None and len(extra):  # one matrix, filled in place (no second copy of the sampled rows)
        fit_X = np.empty((len(chosen) + len(extra), X.shape[1]), dtype=np.result_type(X, extra.X))
        np.take(X, chosen, axis=0, out=fit_X[: len(chosen)])
        fit_X[len(chosen) :] = extra.X
        fit_y = np.concatenate([y[chosen], extra.y])
        weight = np.concatenate([weight, extra.weight])
    else:
        fit_X, fit_y = X[chosen], y[chosen]
    params = {**config.lgb_params(names), "seed": seed}
    data = lgb.Dataset(fit_X, fit_y, weight=weight, feature_name=names, free_raw_data=True, params=params)
    del fit_X
    if row_weight is not None:
        held_out = [r[row_weight[r] > 0] for r in held_out]
    valid = [
        lgb.Dataset(X[r], y[r], weight=None if row_weight is None else row_weight[r], reference=data, params=params)
        for r in held_out
    ]
    record: dict[str, dict[str, list[float]]] = {}
    callbacks: list[Any] = [lgb.record_evaluation(record)] if valid else []
    if valid and config.patience > 0:
        callbacks.append(_stop_when_flat(config.patience, record))
    booster = lgb.train(
        {**params, "metric": "binary_logloss"} if valid else params,
        data,
        num_boost_round=config.rounds,
        valid_sets=valid,
        valid_names=[f"v{i}" for i in range(len(valid))],
        callbacks=callbacks or None,
    )
    # The trees alone: a booster rebuilt from its text holds no training or held-out data (the
    # fold models wait for the chosen rounds; ~0.1 GB of binned data each on set A). The text
    # format keeps every threshold and leaf value exactly (shipped models are this text).
    curves = [np.asarray(record[f"v{i}"]["binary_logloss"]) for i in range(len(valid))]
    trees = lgb.Booster(model_str=booster.model_to_string(num_iteration=-1))
    del booster, data, valid
    gc.collect()  # the booster and its datasets refer to each other: free the binned data now, not at a later GC
    return trees, curves


def fit_members(
    X: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray,
    config: TrainConfig,
    names: list[str],
    seed: int,
    held_out: Sequence[np.ndarray] = (),
    extra: ExtraRows | None = None,
    row_weight: np.ndarray | None = None,
) -> tuple[list[lgb.Booster], list[np.ndarray]]:
    """The ``config.bag`` boosters of a seed bag (seeds ``seed``, ``seed`` + 104,729, …), unmerged, and
    the bag's held-out curves: the members' mean log-loss over the rounds every member reached."""
    one = replace(config, bag=1)
    fits = [fit_with_curves(X, y, rows, one, names, seed + 104_729 * i, held_out, extra, row_weight)
            for i in range(config.bag)]  # fmt: skip
    curves = [np.mean([f[1][j][: min(len(g[1][j]) for g in fits)] for f in fits], axis=0)
              for j in range(len(held_out))]  # fmt: skip
    return [f[0] for f in fits], curves


def best_rounds(curves: Sequence[np.ndarray]) -> int:
    """Rounds with the lowest mean held-out log-loss over patient-grouped folds (early stopping, chosen once).

    Curves that stopped early are compared over the rounds they all reached.
    """
    if not curves:
        raise ValueError("choosing the number of rounds needs at least one held-out curve")
    reached = min(len(c) for c in curves)
    if reached == 0:
        raise ValueError("a held-out curve has no rounds")
    return int(np.argmin(np.mean(np.vstack([c[:reached] for c in curves]), axis=0))) + 1
