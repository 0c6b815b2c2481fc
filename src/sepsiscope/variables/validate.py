"""Validate one calculator case against the registry.

Source: shared/docs/clinical/adult-scores.md §5.2-§5.4 (calculator contract, error codes,
decision D-17: every present key validated in input order, unknown keys rejected, first
error only) and pediatric-obstetric.md §0.1.
"""

from __future__ import annotations

import math
from typing import Any

from sepsiscope.errors import CaseError
from sepsiscope.variables.registry import REGISTRY, Registry


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_case(case: Any, registry: Registry = REGISTRY) -> dict[str, Any]:
    """Return the case with ``null`` keys removed, or raise :class:`CaseError`.

    Checks, in input key order: ``unknown_variable``, ``wrong_type``, ``invalid_value``,
    ``out_of_range``. Score-specific population checks (``not_adult``, ``not_pediatric``)
    are the score's job, after every key is valid.
    """
    if not isinstance(case, dict):
        raise CaseError("not_an_object", None, f"expected a JSON object, got {type(case).__name__}")
    clean: dict[str, Any] = {}
    for key, value in case.items():
        if key not in registry:
            raise CaseError("unknown_variable", key, f"{key!r} is not a registry variable")
        if value is None:
            continue
        var = registry[key]
        if var.kind in ("number", "integer"):
            if not _is_number(value):
                raise CaseError("wrong_type", key, f"{key} must be a number, got {json_type(value)}")
            if not math.isfinite(value):
                raise CaseError("wrong_type", key, f"{key} must be a finite number")
            if var.kind == "integer" and not float(value).is_integer():
                raise CaseError("wrong_type", key, f"{key} must be an integer")
            if not var.in_range(float(value)):
                raise CaseError("out_of_range", key, _range_message(key, value, var.range_text()))
            clean[key] = float(value)
        elif var.kind == "boolean":
            if not isinstance(value, bool):
                raise CaseError("wrong_type", key, f"{key} must be true or false, got {json_type(value)}")
            clean[key] = value
        else:
            if not isinstance(value, str):
                raise CaseError("wrong_type", key, f"{key} must be a string code, got {json_type(value)}")
            if value not in var.codes:
                raise CaseError("invalid_value", key, f"{key} {value!r} is not one of {', '.join(var.codes)}")
            clean[key] = value
    return clean


def json_type(value: Any) -> str:
    """JSON name of a Python value's type, for messages."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


_HINTS = {
    "temp_c": (45, "looks like Fahrenheit; convert to Celsius"),
    "fio2": (1, "looks like a percentage; send a fraction (40 % -> 0.4)"),
    "wbc": (1000, "looks like cells/uL; send 10^3/uL (12000 -> 12.0)"),
    "platelets": (3000, "looks like cells/uL; send 10^3/uL"),
}


def _range_message(key: str, value: float, range_text: str) -> str:
    text = f"{key} {value} outside {range_text}"
    hint = _HINTS.get(key)
    if hint and value > hint[0]:
        text += f" ({hint[1]})"
    if key == "paco2" and value < 15:
        text += " (looks like kPa; multiply by 7.50062)"
    return text
