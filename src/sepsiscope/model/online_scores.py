"""The bedside-score features of one new hour, from running state (the online path).

``build_features`` scores a table with ``cohort.score_table``: SIRS, qSOFA, NEWS2 and MEWS on
each variable's latest value carried forward for at most its ``carry_h`` (variables.toml;
docs/cohort.md), and SOFA as the worst points of each component over the 24-h window
(t − 24 h, t] from values measured in it, FiO2 taken as carried at the sample time
(adult-scores.md §3.3). Here the same score definitions' ``compute`` functions run on one
hour: the carried values come from each variable's last measurement, and SOFA's window
maximum from the hourly component points kept for the last 24 hours. The features see only
the model's variables (``build_features`` passes no others to ``score_table``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

import numpy as np

from sepsiscope.cohort.scoring import SOFA_CURRENT_STATE, SOFA_WINDOW_H
from sepsiscope.features.build import CONTEXT, LABS, VITALS
from sepsiscope.scores.arrays import Inputs, lenient_total
from sepsiscope.scores.registry import SCORES

_BEDSIDE = ("sirs", "qsofa", "news2", "mews")
#: Score inputs among the model's variables (what ``build_features`` hands to ``score_table``).
SCORE_INPUTS = tuple(
    sorted({v for s in (*_BEDSIDE, "sofa") for v in SCORES[s].variables} & {*VITALS, *LABS, "age_years", *CONTEXT})
)
SOFA_PARTS = ("coagulation", "liver", "cardiovascular", "renal")


class RunningScores:
    """Last measurement of each score input, and SOFA component points of the last 24 hours."""

    def __init__(self) -> None:
        from sepsiscope.variables.registry import REGISTRY

        self.carry_h = {v: REGISTRY[v].carry_h for v in SCORE_INPUTS}
        self.last_value = dict.fromkeys(SCORE_INPUTS, np.nan)
        self.last_hour = dict.fromkeys(SCORE_INPUTS, np.nan)
        self.sofa_hours: deque[float] = deque()
        self.sofa_points: deque[dict[str, float]] = deque()

    def _carried(self, name: str, hour: float) -> float:
        max_age = self.carry_h[name]
        seen = not np.isnan(self.last_hour[name])
        if seen and (max_age is None or hour - self.last_hour[name] <= max_age):
            return self.last_value[name]
        return np.nan

    def add(self, hour: float, raw: Mapping[str, float]) -> dict[str, float]:
        """Take the hour's measurements (NaN: none); its score features by ``build_features`` name."""
        for name in SCORE_INPUTS:
            if not np.isnan(raw[name]):
                self.last_value[name], self.last_hour[name] = raw[name], hour
        carried = {name: np.array([self._carried(name, hour)]) for name in SCORE_INPUTS}
        out: dict[str, float] = {}
        for score in _BEDSIDE:
            defn = SCORES[score]
            cols = defn.compute(Inputs({k: carried[k] for k in defn.variables if k in carried}, 1))
            partial = sum(float(np.nan_to_num(cols.components[c.name][0])) for c in defn.components)
            out[f"{score}_partial"] = float(np.int8(partial))
        out.update(self._sofa(hour, raw, carried))
        return out

    def _sofa(self, hour: float, raw: Mapping[str, float], carried: Mapping[str, np.ndarray]) -> dict[str, float]:
        """SOFA total and parts: each component's worst points over (t − 24 h, t]."""
        defn = SCORES["sofa"]
        cols = {name: np.array([raw[name]]) for name in SCORE_INPUTS}
        for name in SOFA_CURRENT_STATE:
            if name in cols:
                cols[name] = carried[name]
        hourly = defn.compute(Inputs(cols, 1))
        self.sofa_hours.append(hour)
        self.sofa_points.append({k: float(v[0]) for k, v in hourly.components.items()})
        while self.sofa_hours[0] <= hour - SOFA_WINDOW_H:
            self.sofa_hours.popleft()
            self.sofa_points.popleft()
        worst = {k: np.array([np.fmax.reduce(np.array([p[k] for p in self.sofa_points]))]) for k in hourly.components}
        out = {"sofa_total": float(lenient_total(worst.values())[0])}
        for part in SOFA_PARTS:
            out[f"sofa_{part}"] = float(worst[part][0])
        return out
