"""Canonical variable registry, loaded once from ``variables.toml``.

Source: shared/docs/clinical/adult-scores.md §1.1 and pediatric-obstetric.md §0.3.
Readers and calculators look names up here; no other module hard-codes a unit,
a plausible range or a source alias.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from typing import Literal

from sepsiscope.errors import RegistryError

Kind = Literal["number", "integer", "boolean", "code"]
_KINDS = ("number", "integer", "boolean", "code")


@dataclass(frozen=True)
class Variable:
    """One canonical variable: its unit, plausible range and source aliases."""

    name: str
    meaning: str
    kind: Kind
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    codes: tuple[str, ...] = ()
    physionet: str | None = None
    loinc: tuple[str, ...] = ()
    carry_h: float | None = None
    category: str = "other"
    extra: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_numeric(self) -> bool:
        """True for ``number`` and ``integer`` variables."""
        return self.kind in ("number", "integer")

    def in_range(self, value: float) -> bool:
        """Inclusive plausibility check (adult-scores.md §1.1: ranges are inclusive)."""
        assert self.min is not None and self.max is not None
        return self.min <= value <= self.max

    def range_text(self) -> str:
        """Human text of the plausible range, e.g. ``25-45 Cel``."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{_fmt(self.min)}-{_fmt(self.max)}{unit}"

    def encode_code(self, code: str) -> float:
        """Position of a code in ``codes`` (as float, so codes travel in numeric arrays)."""
        return float(self.codes.index(code))


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return str(int(x)) if float(x).is_integer() else str(x)


class Registry:
    """All variables, by canonical name, with lookups by PhysioNet column and LOINC."""

    def __init__(self, variables: dict[str, Variable]) -> None:
        self.variables = variables

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def __getitem__(self, name: str) -> Variable:
        return self.variables[name]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.variables.values())

    def names(self) -> list[str]:
        """Canonical names in registry order."""
        return list(self.variables)

    @cached_property
    def by_physionet(self) -> dict[str, Variable]:
        """PhysioNet 2019 column name -> variable."""
        return {v.physionet: v for v in self.variables.values() if v.physionet}

    @cached_property
    def by_loinc(self) -> dict[str, Variable]:
        """LOINC code -> variable."""
        return {code: v for v in self.variables.values() for code in v.loinc}

    def lookup(self, alias: str) -> Variable:
        """Find a variable by canonical name, PhysioNet column or LOINC code."""
        for table in (self.variables, self.by_physionet, self.by_loinc):
            if alias in table:
                return table[alias]
        raise KeyError(alias)


def _parse(raw: dict[str, dict[str, object]]) -> dict[str, Variable]:
    out: dict[str, Variable] = {}
    known = {"meaning", "kind", "unit", "min", "max", "codes", "physionet", "loinc", "carry_h", "category"}
    for name, spec in raw.items():
        kind = spec.get("kind")
        if kind not in _KINDS:
            raise RegistryError(f"variables.toml [{name}]: kind {kind!r} is not one of {_KINDS}")
        unknown = set(spec) - known
        if unknown:
            raise RegistryError(f"variables.toml [{name}]: unknown fields {sorted(unknown)}")
        if kind in ("number", "integer") and ("min" not in spec or "max" not in spec):
            raise RegistryError(f"variables.toml [{name}]: numeric variables need min and max")
        if kind == "code" and not spec.get("codes"):
            raise RegistryError(f"variables.toml [{name}]: code variables need codes")
        carry = spec.get("carry_h")
        out[name] = Variable(
            name=name,
            meaning=str(spec["meaning"]),
            kind=kind,  # type: ignore[arg-type]
            unit=spec.get("unit"),  # type: ignore[arg-type]
            min=float(spec["min"]) if "min" in spec else None,  # type: ignore[arg-type]
            max=float(spec["max"]) if "max" in spec else None,  # type: ignore[arg-type]
            codes=tuple(spec.get("codes", ())),  # type: ignore[arg-type]
            physionet=spec.get("physionet"),  # type: ignore[arg-type]
            loinc=tuple(spec.get("loinc", ())),  # type: ignore[arg-type]
            carry_h=float(carry) if carry is not None else None,  # type: ignore[arg-type]
            category=str(spec.get("category", "other")),
        )
    return out


def load_registry() -> Registry:
    """Read and validate the packaged ``variables.toml``."""
    text = files("sepsiscope.variables").joinpath("variables.toml").read_text(encoding="utf-8")
    return Registry(_parse(tomllib.loads(text)))


REGISTRY = load_registry()
