"""Unit conversion into canonical units: the only place a unit changes.

Source: shared/docs/clinical/adult-scores.md §1.2 (conversion table and check values)
and §1.3 (O2 flow -> estimated FiO2, decision D-2). Converters round their result to
4 decimal places (round-half-to-even) and do no other rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from sepsiscope.errors import UnitError
from sepsiscope.variables.registry import REGISTRY

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Linear:
    """canonical = value × factor + offset, applied only inside [valid_min, valid_max]."""

    factor: float
    offset: float = 0.0
    valid_min: float | None = None
    valid_max: float | None = None


_TEMPERATURE = {
    "[degF]": Linear(5 / 9, -32 * 5 / 9),
    "degF": Linear(5 / 9, -32 * 5 / 9),
    "F": Linear(5 / 9, -32 * 5 / 9),
}
_BLOOD_GAS = {"kPa": Linear(7.50062)}
_COUNTS = {"10*9/L": Linear(1.0), "/uL": Linear(1 / 1000), "/mm3": Linear(1 / 1000), "cells/uL": Linear(1 / 1000)}

#: (variable, source unit) -> rule. adult-scores.md §1.2.
CONVERSIONS: dict[str, dict[str, Linear]] = {
    "temp_c": _TEMPERATURE,
    "creatinine": {"umol/L": Linear(1 / 88.4)},
    "bilirubin_total": {"umol/L": Linear(1 / 17.1)},
    "bilirubin_direct": {"umol/L": Linear(1 / 17.1)},
    "lactate": {"mg/dL": Linear(1 / 9.008)},
    "platelets": _COUNTS,
    "wbc": _COUNTS,
    "fio2": {"%": Linear(1 / 100, valid_min=21, valid_max=100)},
    "pao2": _BLOOD_GAS,
    "paco2": _BLOOD_GAS,
    "hgb": {"g/L": Linear(1 / 10)},
}

DECIMALS = 4


def _rule(variable: str, unit: str) -> Linear:
    try:
        return CONVERSIONS[variable][unit]
    except KeyError:
        known = sorted(CONVERSIONS.get(variable, {}))
        canonical = REGISTRY[variable].unit if variable in REGISTRY else None
        raise UnitError(
            f"cannot convert {variable} from {unit!r}; canonical unit is {canonical!r}"
            + (f", known source units: {', '.join(known)}" if known else "")
        ) from None


@overload
def convert(value: float, variable: str, unit: str) -> float: ...
@overload
def convert(value: FloatArray, variable: str, unit: str) -> FloatArray: ...
def convert(value: float | FloatArray, variable: str, unit: str) -> float | FloatArray:
    """Convert ``value`` given in ``unit`` to ``variable``'s canonical unit.

    A value already in the canonical unit is returned unchanged. Values outside a rule's
    validity window (FiO2 % only for 21-100) raise, so a fraction is never divided twice.
    """
    if variable in REGISTRY and unit == REGISTRY[variable].unit:
        return value
    rule = _rule(variable, unit)
    arr = np.asarray(value, dtype=np.float64)
    if rule.valid_min is not None or rule.valid_max is not None:
        lo = -np.inf if rule.valid_min is None else rule.valid_min
        hi = np.inf if rule.valid_max is None else rule.valid_max
        bad = ~np.isnan(arr) & ((arr < lo) | (arr > hi))
        if bad.any():
            first = float(arr[bad].flat[0])
            raise UnitError(f"{variable} {first} {unit} is outside {lo}-{hi}, where the {unit} rule applies")
    out = np.round(arr * rule.factor + rule.offset, DECIMALS)
    return float(out) if np.ndim(value) == 0 else out


@overload
def from_canonical(value: float, variable: str, unit: str) -> float: ...
@overload
def from_canonical(value: FloatArray, variable: str, unit: str) -> FloatArray: ...
def from_canonical(value: float | FloatArray, variable: str, unit: str) -> float | FloatArray:
    """Inverse of :func:`convert` (no rounding): canonical value expressed in ``unit``."""
    if variable in REGISTRY and unit == REGISTRY[variable].unit:
        return value
    rule = _rule(variable, unit)
    arr = (np.asarray(value, dtype=np.float64) - rule.offset) / rule.factor
    return float(arr) if np.ndim(value) == 0 else arr


def urine_rate_to_24h(rate_ml_kg_h: float, weight_kg: float) -> float:
    """Urine output in mL/kg/h over 24 h -> mL per 24 h (adult-scores.md §1.2)."""
    return round(rate_ml_kg_h * weight_kg * 24, DECIMALS)


def estimate_fio2_nasal(flow_l_min: float) -> float | None:
    """Estimated FiO2 for nasal cannula only (adult-scores.md §1.3, decision D-2).

    Flow 0 -> 0.21 (room air); 0 < flow <= 6 -> 0.20 + 0.04 × flow; above 6 L/min no
    estimate (``None``). Callers must record that the value was estimated.
    """
    if flow_l_min < 0:
        raise UnitError(f"O2 flow {flow_l_min} L/min is negative")
    if flow_l_min == 0:
        return 0.21
    if flow_l_min <= 6:
        return round(0.20 + 0.04 * flow_l_min, DECIMALS)
    return None
