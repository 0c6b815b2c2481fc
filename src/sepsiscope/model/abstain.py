"""Abstention: an hour whose inputs are far from the training data is "indeterminate".

COMPOSER (Shashikumar et al., npj Digit Med 2021;4:134) declines to predict when a patient's
data look unlike anything it was trained on, rather than give a confident number it has no
basis for. Here the check is an inductive conformal test fitted at training time:

* nonconformity of an hour: how far its most extreme measured value lies outside the
  central 99.8 % of the training values of that variable (0.1st–99.9th centile), in units
  of that range's width; 0 if every measured value is inside (a value not measured is not
  unusual: missingness is modelled by the features themselves);
* the threshold is the conformal (1 − alpha) quantile of the training hours' nonconformity,
  so on hours drawn like the training data at most about ``alpha`` are indeterminate, and an
  hour above it is rarer than that among the training hours (Vovk et al., *Algorithmic
  Learning in a Random World*, 2005, ch. 4; Angelopoulos & Bates, arXiv:2107.07511, §1).

An indeterminate hour raises no alert and carries a reason naming the variable, e.g.
"lactate 28 mmol/L is outside the values the model was trained on (0.5–14)". The check is
stored in ``model.json`` and applied only when asked (``predict --abstain``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sepsiscope.features.build import LABS, VITALS
from sepsiscope.model.wording import format_value, unit_text
from sepsiscope.variables.registry import REGISTRY

#: Central part of the training values that counts as "seen" (two-sided).
RANGE_QUANTILES = (0.001, 0.999)
DEFAULT_ALPHA = 0.005
#: Rows checked at once (bounds the float64 temporaries: set A is 790k rows).
SLICE_ROWS = 65_536


@dataclass(frozen=True)
class Abstention:
    """Per checked feature: the training range; the conformal threshold on the excess beyond it."""

    features: tuple[str, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    threshold: float
    alpha: float

    def excess(self, X: np.ndarray, columns: Sequence[str]) -> np.ndarray:
        """Per row and checked feature: distance outside the training range, in range widths (0 inside, NaN→0)."""
        where = {name: j for j, name in enumerate(columns)}
        missing = [f for f in self.features if f not in where]
        if missing:
            raise ValueError(f"the abstention check needs features {missing[:5]} that the model does not have")
        values = X[:, [where[f] for f in self.features]].astype(np.float64)
        low, high = np.asarray(self.low), np.asarray(self.high)
        width = np.maximum(high - low, 1e-9)
        with np.errstate(invalid="ignore"):
            out = np.maximum(np.maximum(low - values, values - high), 0.0) / width
        return np.nan_to_num(out, nan=0.0)

    def nonconformity(self, X: np.ndarray, columns: Sequence[str], rows: np.ndarray | None = None) -> np.ndarray:
        """Largest excess per row (of ``rows`` when given), computed in slices to bound memory."""
        index = np.arange(len(X)) if rows is None else rows
        out = np.empty(len(index))
        for lo in range(0, len(index), SLICE_ROWS):
            part = index[lo : lo + SLICE_ROWS]
            out[lo : lo + len(part)] = self.excess(X[part], columns).max(axis=1, initial=0.0)
        return out

    def indeterminate(self, X: np.ndarray, columns: Sequence[str]) -> np.ndarray:
        """True for each row whose nonconformity exceeds the conformal threshold."""
        return self.nonconformity(X, columns) > self.threshold

    def reasons(self, X: np.ndarray, columns: Sequence[str]) -> list[str]:
        """For each row: the variable farthest outside its training range, in words ("" if none)."""
        excess = self.excess(X, columns)
        where = {name: j for j, name in enumerate(columns)}
        out = []
        for r in range(len(X)):
            k = int(np.argmax(excess[r])) if excess.shape[1] else 0
            if not excess.shape[1] or excess[r, k] <= 0:
                out.append("")
                continue
            name = self.features[k]
            value = float(X[r, where[name]])
            out.append(
                f"{_meaning(name)} {_fmt(value)}{_unit(name)} is outside the values the model was trained on "
                f"({_fmt(self.low[k])}–{_fmt(self.high[k])})"
            )
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "features": list(self.features),
            "low": list(self.low),
            "high": list(self.high),
            "threshold": self.threshold,
            "alpha": self.alpha,
            "method": "inductive conformal, nonconformity = largest excess beyond the 0.1-99.9th centile range",
        }

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> Abstention:
        return cls(
            tuple(d["features"]),  # type: ignore[arg-type]
            tuple(float(v) for v in d["low"]),  # type: ignore[attr-defined]
            tuple(float(v) for v in d["high"]),  # type: ignore[attr-defined]
            float(d["threshold"]),  # type: ignore[arg-type]
            float(d["alpha"]),  # type: ignore[arg-type]
        )


def checked_features(columns: Sequence[str]) -> list[str]:
    """The features checked: the latest value of each vital sign and lab the model uses, and age."""
    return [c for c in columns if c in (*VITALS, *LABS, "age_years")]


def fit_abstention(
    X: np.ndarray,
    columns: Sequence[str],
    alpha: float = DEFAULT_ALPHA,
    calibration_rows: np.ndarray | None = None,
    ranges: Abstention | None = None,
) -> Abstention:
    """Training ranges (from ``X``, or ``ranges`` when given) and the conformal threshold on ``calibration_rows``.

    Split conformal: when ``ranges`` were fitted on other patients than ``calibration_rows``,
    an hour exchangeable with the calibration hours is indeterminate with probability at most
    ``alpha``. Without ``calibration_rows`` the threshold is taken on every row of ``X``.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    check = ranges if ranges is not None else fit_ranges(X, columns, alpha)
    scores = check.nonconformity(X, columns, calibration_rows)
    n = len(scores)
    if n == 0:
        raise ValueError("the abstention threshold needs at least one calibration row")
    level = min(1.0, math.ceil((n + 1) * (1 - alpha)) / n)
    threshold = float(np.quantile(scores, level, method="higher"))
    return Abstention(check.features, check.low, check.high, threshold, alpha)


def fit_ranges(X: np.ndarray, columns: Sequence[str], alpha: float, rows: np.ndarray | None = None) -> Abstention:
    """The 0.1st-99.9th centile range of each checked feature over ``rows`` (never-measured features left out)."""
    where = {name: j for j, name in enumerate(columns)}
    names, low, high = [], [], []
    for name in checked_features(columns):
        col = X[:, where[name]] if rows is None else X[rows, where[name]]
        col = col[~np.isnan(col)]
        if len(col):
            lo, hi = np.quantile(col.astype(np.float64), RANGE_QUANTILES)
            names.append(name)
            low.append(float(lo))
            high.append(float(hi))
    return Abstention(tuple(names), tuple(low), tuple(high), math.inf, alpha)


def _meaning(name: str) -> str:
    return REGISTRY[name].meaning


def _unit(name: str) -> str:
    return " years" if name == "age_years" else unit_text(REGISTRY[name].unit)


_fmt = format_value
