"""Matching the columns of a CSV/Parquet table to canonical targets, and the units given for them.

A source column matches by an explicit ``columns`` map, or else by canonical name, PhysioNet 2019
column name or LOINC code (``REGISTRY.lookup``; aliases in ``variables.toml``). ``patient_id`` and
``hour`` are required. A unit named in ``units`` must have a conversion in ``variables.units``
(adult-scores.md §1.2). Unknown columns raise unless the caller ignores them, and ignored ones are
listed in the report (style.md §4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from sepsiscope.errors import ReadError, UnitError, UsageError
from sepsiscope.variables.registry import REGISTRY
from sepsiscope.variables.units import convert

Unknown = Literal["error", "ignore"]

#: Targets that are not registry variables.
KEYS = ("patient_id", "hour")
LABEL = "sepsis_label"
_LABEL_ALIASES = {"sepsis_label": LABEL, "SepsisLabel": LABEL}


def _targets(
    file: str, present: Sequence[str], columns: Mapping[str, str], unknown: Unknown
) -> tuple[dict[str, str], list[str]]:
    """source column -> target name (canonical variable, patient_id, hour, sepsis_label), and unknown columns."""
    missing = [c for c in columns if c not in present]
    if missing:
        raise ReadError(
            f"columns= names {missing[0]!r}, which is not in the file",
            file=file,
            field=missing[0],
            hint=f"the file has: {', '.join(present)}",
        )
    out: dict[str, str] = {}
    strangers: list[str] = []
    for col in present:
        target = _target(columns[col]) if col in columns else _target(col)
        if target is None:
            if col in columns:
                raise UsageError(f"columns= maps {col!r} to {columns[col]!r}, which is not a canonical name")
            strangers.append(col)
            continue
        clash = [s for s, t in out.items() if t == target]
        if clash:
            raise ReadError(
                f"columns {clash[0]!r} and {col!r} both map to {target!r}",
                file=file,
                field=col,
                hint="drop one, or map it elsewhere with columns=",
            )
        out[col] = target
    if strangers and unknown == "error":
        raise ReadError(
            f"unknown columns: {', '.join(repr(c) for c in strangers)}",
            file=file,
            field=strangers[0],
            hint="map them with columns={'source': 'canonical_name'}, or pass unknown='ignore' to leave them out",
        )
    for key in KEYS:
        if key not in out.values():
            raise ReadError(
                f"no {key!r} column",
                file=file,
                field=key,
                hint=f"name one {key!r} or map it, e.g. columns={{'stay_id': 'patient_id', 'ICULOS': 'hour'}}",
            )
    return out, strangers


def _units(file: str, units: Mapping[str, str], targets: dict[str, str]) -> dict[str, str]:
    """target -> unit given in ``units`` (keyed by source or canonical name); checked to be convertible."""
    unit_of: dict[str, str] = {}
    for key, unit in units.items():
        target = targets.get(key) or _target(key)
        if target is None or target not in targets.values() or target not in REGISTRY:
            raise UsageError(f"units= names {key!r}, which is not a numeric column of {file}")
        try:
            convert(np.zeros(0), target, unit)
        except UnitError as exc:
            raise UsageError(str(exc)) from None
        unit_of[target] = unit
    return unit_of


def _target(name: str) -> str | None:
    """Canonical target of a column or columns= value, or None."""
    if name in KEYS:
        return name
    if name in _LABEL_ALIASES:
        return _LABEL_ALIASES[name]
    try:
        return REGISTRY.lookup(name).name
    except KeyError:
        return None
