"""Seed bagging as one booster: several boosters' trees in one LightGBM model that scores their mean.

A bag of K boosters (same data, different seeds) is written as a single LightGBM text model:
every member's trees, renumbered, with every leaf value (and node value) divided by K. The raw
score of that model is the members' mean raw score (mean log-odds), so everything that reads one
booster — ``predict``, TreeSHAP explanations (``pred_contrib``: additive over trees), the online
path, ``model.txt`` readable by any LightGBM — works on the bag unchanged.

The trees are interleaved round by round (round 1 of every member, then round 2, …), so the
first ``rounds × K`` trees are every member cut at ``rounds``: :func:`predict_rounds` is how the
cross-validation scores a bag at the rounds it chose (``num_iteration=rounds`` alone would be
member 1's first trees, divided by K).
"""

from __future__ import annotations

import re

import lightgbm as lgb
import numpy as np

_TREE = re.compile(r"^Tree=\d+\n", re.MULTILINE)
_SCALED = ("leaf_value=", "internal_value=")


def _scaled_line(line: str, k: int) -> str:
    key, _, values = line.partition("=")
    return key + "=" + " ".join(repr(float(v) / k) for v in values.split())


def _trees(model: str) -> tuple[str, list[str], str]:
    """Header (up to the first tree), tree bodies (without their ``Tree=N`` line), tail (``end of trees`` on)."""
    head, _, rest = model.partition("\nTree=0\n")
    trees_text, end, tail = rest.partition("end of trees")
    bodies = _TREE.split("Tree=0\n" + trees_text)
    return head + "\n", [b for b in bodies if b.strip()], end + tail


def merge_boosters(members: list[lgb.Booster]) -> lgb.Booster:
    """One booster whose raw score is the mean of the members' raw scores (same features required)."""
    if not members:
        raise ValueError("a bag needs at least one booster")
    if len(members) == 1:
        return members[0]
    names = members[0].feature_name()
    if any(m.feature_name() != names for m in members):
        raise ValueError("the boosters of a bag must use the same features")
    k = len(members)
    head, _, tail = _trees(members[0].model_to_string(num_iteration=-1))
    trees = [_trees(member.model_to_string(num_iteration=-1))[1] for member in members]
    blocks: list[str] = []
    for round_ in range(max(len(t) for t in trees)):
        for body in (t[round_] for t in trees if round_ < len(t)):
            lines = [_scaled_line(x, k) if x.startswith(_SCALED) else x for x in body.split("\n")]
            blocks.append(f"Tree={len(blocks)}\n" + "\n".join(lines))
    sizes = " ".join(str(len(b)) for b in blocks)
    head = re.sub(r"^tree_sizes=.*$", f"tree_sizes={sizes}", head, count=1, flags=re.MULTILINE)
    return lgb.Booster(model_str=head + "".join(blocks) + tail)


def predict_rounds(booster: lgb.Booster, X: np.ndarray, rounds: int, bag: int) -> np.ndarray:
    """Probabilities of a model of ``bag`` merged members, each cut at ``rounds`` boosting rounds.

    Exact when every member reached ``rounds`` (the cross-validation chooses rounds among those
    all members reached); a single booster (``bag`` = 1) is plain ``num_iteration=rounds``.
    """
    return np.asarray(booster.predict(X, num_iteration=rounds * bag))
