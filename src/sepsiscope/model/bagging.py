"""Seed bagging as one booster: several boosters' trees in one LightGBM model that scores their mean.

A bag of K boosters (same data, different seeds) is written as a single LightGBM text model:
every member's trees, renumbered, with every leaf value (and node value) divided by K. The raw
score of that model is the members' mean raw score (mean log-odds), so everything that reads one
booster — ``predict``, TreeSHAP explanations (``pred_contrib``: additive over trees), the online
path, ``model.txt`` readable by any LightGBM — works on the bag unchanged.
"""

from __future__ import annotations

import re

import lightgbm as lgb

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
    blocks: list[str] = []
    for member in members:
        for body in _trees(member.model_to_string(num_iteration=-1))[1]:
            lines = [_scaled_line(x, k) if x.startswith(_SCALED) else x for x in body.split("\n")]
            blocks.append(f"Tree={len(blocks)}\n" + "\n".join(lines))
    sizes = " ".join(str(len(b)) for b in blocks)
    head = re.sub(r"^tree_sizes=.*$", f"tree_sizes={sizes}", head, count=1, flags=re.MULTILINE)
    return lgb.Booster(model_str=head + "".join(blocks) + tail)
