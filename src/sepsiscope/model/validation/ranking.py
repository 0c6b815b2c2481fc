"""Does a proxy rank models as the new hospital did? The external figures and a rank agreement.

The figures below were measured independently (issue 11): models trained on PhysioNet 2019
set A only, run without labels on about 20,000 ICU stays of the challenge's other hospital
and scored with the challenge utility by someone outside this project. Nobody here can
measure that hospital; these numbers are the yardstick a within-A proxy is judged against.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ExternalResult:
    """One model's figures at the other hospital (issue 11 table)."""

    utility: float
    auroc: float
    alerts_per_patient_day: float


#: Rows of the issue-11 table this project can reproduce on set A (key: feature set, threshold rule).
#: ``peer, utility``: prodrome 0.1.0 with a utility threshold chosen on A, reproduced with its own
#: feature code and its LightGBM settings (``benchmarks/peer_features.py``); its own alert policy
#: (0.247) is not reproducible here and is left out.
EXTERNAL: dict[str, ExternalResult] = {
    "physiology, robust": ExternalResult(0.200, 0.768, 1.46),
    "physiology, utility": ExternalResult(0.220, 0.768, 3.44),
    "all, robust": ExternalResult(0.255, 0.780, 1.49),
    "all, utility": ExternalResult(0.277, 0.780, 2.65),
    "peer, utility": ExternalResult(0.295, 0.802, 3.24),
    "ICU hour clock": ExternalResult(0.243, 0.628, 1.67),
}


def kendall_tau(proxy: Mapping[str, float], reference: Mapping[str, float]) -> float:
    """Kendall's tau-a between two scorings of the same keys (1 = same order, -1 = reversed).

    A pair tied in either scoring counts 0; NaN anywhere gives NaN.
    """
    keys = sorted(reference)
    if sorted(proxy) != keys:
        raise ValueError(f"proxy keys {sorted(proxy)} differ from reference keys {keys}")
    if len(keys) < 2:
        raise ValueError("ranking needs at least two models")
    if any(math.isnan(proxy[k]) or math.isnan(reference[k]) for k in keys):
        return math.nan
    score = 0
    pairs = list(itertools.combinations(keys, 2))
    for a, b in pairs:
        p, r = proxy[a] - proxy[b], reference[a] - reference[b]
        score += (p > 0) - (p < 0) if r > 0 else ((p < 0) - (p > 0) if r < 0 else 0)
    return score / len(pairs)


def discordant_pairs(proxy: Mapping[str, float], reference: Mapping[str, float]) -> list[tuple[str, str]]:
    """Pairs the proxy orders the other way round from the reference (the reference's better one first)."""
    out = []
    for a, b in itertools.combinations(sorted(reference), 2):
        hi, lo = (a, b) if reference[a] > reference[b] else (b, a)
        if reference[a] != reference[b] and proxy[hi] < proxy[lo]:
            out.append((hi, lo))
    return out
