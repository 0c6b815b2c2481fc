"""Numbers and units as a clinician reads them (explanations and abstention reasons)."""

from __future__ import annotations

#: UCUM codes as a clinician reads them.
UNITS = {"Cel": "°C", "mm[Hg]": "mmHg", "10*3/uL": "×10³/µL", "ug/kg/min": "µg/kg/min", "[pH]": "", "{score}": ""}


def format_value(x: float) -> str:
    """Whole numbers from 20 up, one decimal from 1, else two: "128", "38.4", "0.85"; "0" for zero."""
    if x == 0:
        return "0"
    return f"{x:.0f}" if abs(x) >= 20 else f"{x:.1f}".rstrip("0").rstrip(".") if abs(x) >= 1 else f"{x:.2f}"


def unit_text(unit: str | None) -> str:
    """A UCUM code as written after a value: " mmHg", " °C", or "" (no unit)."""
    return "" if unit in (None, "1") else f" {UNITS.get(unit, unit)}".rstrip()
