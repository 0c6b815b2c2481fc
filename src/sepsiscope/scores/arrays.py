"""Column arrays that carry inputs and results through every score.

A score is computed on *columns*: one float64 array per variable, ``NaN`` meaning
"absent / null". Booleans travel as 1.0 / 0.0, codes as their position in the
registry's ``codes`` list. The scalar calculator passes arrays of length 1, the cohort
engine whole columns, so both run the very same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from sepsiscope.variables.registry import REGISTRY, Registry

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class Inputs:
    """Variable name -> float64 column; a variable not supplied reads as all-NaN."""

    def __init__(self, columns: Mapping[str, FloatArray], n: int, registry: Registry = REGISTRY) -> None:
        self.columns = dict(columns)
        self.n = n
        self.registry = registry
        self._nan = np.full(n, np.nan)

    def __getitem__(self, name: str) -> FloatArray:
        if name not in self.registry:
            raise KeyError(f"{name!r} is not a registry variable")
        return self.columns.get(name, self._nan)

    def present(self, name: str) -> BoolArray:
        """True where the variable has a value."""
        return ~np.isnan(self[name])

    def code(self, name: str, *codes: str) -> BoolArray:
        """True where the code variable equals one of ``codes``."""
        var = self.registry[name]
        col = self[name]
        mask = np.zeros(self.n, dtype=bool)
        for c in codes:
            mask |= col == var.encode_code(c)
        return mask

    def is_true(self, name: str) -> BoolArray:
        """True where a boolean variable is true (absent counts as false)."""
        return self[name] == 1.0

    @classmethod
    def from_case(cls, case: Mapping[str, Any], registry: Registry = REGISTRY) -> Inputs:
        """Encode one validated calculator case as length-1 columns."""
        cols: dict[str, FloatArray] = {}
        for key, value in case.items():
            var = registry[key]
            if var.kind == "code":
                cols[key] = np.array([var.encode_code(value)])
            else:
                cols[key] = np.array([float(value)])
        return cls(cols, 1, registry)


def where3(condition_true: BoolArray, condition_false: BoolArray) -> FloatArray:
    """1.0 where ``condition_true``, else 0.0 where ``condition_false``, else NaN."""
    out = np.full(condition_true.shape, np.nan)
    out[condition_false] = 0.0
    out[condition_true] = 1.0
    return out


def strict_total(components: Iterable[FloatArray]) -> FloatArray:
    """Sum of components; NaN if any component is NaN."""
    comps = list(components)
    total = comps[0].copy()
    for c in comps[1:]:
        total += c
    return total


def lenient_total(components: Iterable[FloatArray]) -> FloatArray:
    """Sum with NaN counting 0; NaN only where every component is NaN."""
    comps = list(components)
    total = np.zeros(comps[0].shape)
    seen = np.zeros(comps[0].shape, dtype=bool)
    for c in comps:
        ok = ~np.isnan(c)
        total += np.where(ok, c, 0.0)
        seen |= ok
    total[~seen] = np.nan
    return total


def available_sum(components: Iterable[FloatArray]) -> FloatArray:
    """Sum of the non-null components (0 where all are null)."""
    comps = list(components)
    total = np.zeros(comps[0].shape)
    for c in comps:
        total += np.where(np.isnan(c), 0.0, c)
    return total


def any_equal(components: Iterable[FloatArray], value: float) -> BoolArray:
    """True where at least one component equals ``value``."""
    comps = list(components)
    out = np.zeros(comps[0].shape, dtype=bool)
    for c in comps:
        out |= c == value
    return out


def at_least(components: Iterable[FloatArray], k: int) -> FloatArray:
    """Three-valued "at least k components are 1" (adult-scores.md D-3).

    1.0 if at least ``k`` components are 1; 0.0 if (ones + nulls) < k; NaN otherwise.
    """
    comps = list(components)
    ones = np.zeros(comps[0].shape, dtype=np.int64)
    nulls = np.zeros(comps[0].shape, dtype=np.int64)
    for c in comps:
        ones += c == 1.0
        nulls += np.isnan(c)
    return where3(ones >= k, ones + nulls < k)
