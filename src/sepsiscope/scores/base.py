"""What a score is: its components, listed inputs, extras, and one compute function.

Every score module defines one :class:`ScoreDefinition`. Its ``compute`` works on
:class:`~sepsiscope.scores.arrays.Inputs` columns and returns :class:`ScoreColumns`; the
scalar calculator (:func:`evaluate`) and the cohort engine both call that same function,
so each clinical rule exists once.

Contract of the outputs: shared/docs/clinical/adult-scores.md §2 (common rules) and §5.3,
pediatric-obstetric.md §0.1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from sepsiscope.errors import CaseError
from sepsiscope.scores.arrays import BoolArray, FloatArray, Inputs
from sepsiscope.variables.registry import REGISTRY


@dataclass(frozen=True)
class Component:
    """One component: the variables it reads and its rule in words."""

    name: str
    inputs: tuple[str, ...]
    criterion: str


@dataclass(frozen=True)
class Extra:
    """An output field beyond total/components/missing.

    ``bool3``: 1/0/NaN -> true/false/null; ``int``: NaN -> null; ``label``: index into
    ``labels``, NaN -> null.
    """

    name: str
    kind: Literal["bool3", "int", "label"]
    labels: tuple[str, ...] = ()

    def decode(self, value: float) -> Any:
        """Turn the column value of one row into its JSON value."""
        if math.isnan(value):
            return None
        if self.kind == "bool3":
            return bool(value == 1.0)
        if self.kind == "int":
            return int(value)
        return self.labels[int(value)]


@dataclass
class ScoreColumns:
    """Column results of one score over n rows (NaN = null)."""

    components: dict[str, FloatArray]
    total: FloatArray
    missing: dict[str, BoolArray]
    extras: dict[str, FloatArray] = field(default_factory=dict)


Population = Callable[[Mapping[str, Any]], None]


@dataclass(frozen=True)
class ScoreDefinition:
    """A bedside score, its source and its single vectorised rule set."""

    name: str
    title: str
    source: str
    doc: str
    version: str
    components: tuple[Component, ...]
    listed_inputs: tuple[str, ...]
    total_range: tuple[int, int]
    compute: Callable[[Inputs], ScoreColumns]
    extras: tuple[Extra, ...] = ()
    check_population: Population | None = None
    #: Variables ``compute`` reads beyond its components' inputs and listed inputs.
    reads: tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        """Source and the page of the clinical reference it is implemented from."""
        return f"{self.source}; implemented from shared/docs/clinical/{self.doc}"

    @property
    def variables(self) -> tuple[str, ...]:
        """Every registry variable ``compute`` may read (component inputs and listed inputs)."""
        names = {i for c in self.components for i in c.inputs} | set(self.listed_inputs) | set(self.reads)
        return tuple(sorted(n for n in names if n in REGISTRY))

    def component(self, name: str) -> Component:
        """The component called ``name``."""
        return next(c for c in self.components if c.name == name)


def listed_missing(inputs: Inputs, names: tuple[str, ...]) -> dict[str, BoolArray]:
    """Absent-mask for each listed input (the common rule, adult-scores.md §2)."""
    return {name: ~inputs.present(name) for name in names}


def adult_only(case: Mapping[str, Any]) -> None:
    """``not_adult`` when every key is valid but ``age_years`` < 18 (adult-scores.md §5.4)."""
    age = case.get("age_years")
    if age is not None and age < 18:
        raise CaseError("not_adult", "age_years", f"age_years {age} < 18: this score is for adults")


@dataclass(frozen=True)
class ScoreResult:
    """One scored case: the contract fields plus explanations and the citation."""

    score: str
    total: int | None
    components: dict[str, int | None]
    missing: list[str]
    extras: dict[str, Any]
    explanations: dict[str, str]
    citation: str
    definition_version: str

    def to_contract(self) -> dict[str, Any]:
        """The calculator's success object (adult-scores.md §5.3)."""
        return {
            "score": self.score,
            "total": self.total,
            "components": dict(self.components),
            "missing": list(self.missing),
            **self.extras,
        }


def _int_or_none(x: float) -> int | None:
    return None if math.isnan(x) else int(x)


def _value_text(case: Mapping[str, Any], name: str) -> str:
    value = case.get(name)
    if value is None:
        return f"{name} not measured"
    var = REGISTRY[name]
    if isinstance(value, bool):
        return f"{name} {'true' if value else 'false'}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    unit = f" {var.unit}" if var.unit and var.unit not in ("1",) else ""
    return f"{name} {value}{unit}"


def explain(defn: ScoreDefinition, case: Mapping[str, Any], components: Mapping[str, int | None]) -> dict[str, str]:
    """One line per component: points, the values it used, and the rule."""
    lines = {}
    for comp in defn.components:
        pts = components[comp.name]
        shown = "null (not computable)" if pts is None else str(pts)
        used = ", ".join(_value_text(case, name) for name in comp.inputs)
        lines[comp.name] = f"{comp.name} = {shown}: {used}. Rule: {comp.criterion}"
    return lines


def evaluate(defn: ScoreDefinition, case: Mapping[str, Any]) -> ScoreResult:
    """Score one validated case (keys already checked by ``validate_case``)."""
    if defn.check_population is not None:
        defn.check_population(case)
    cols = defn.compute(Inputs.from_case(case))
    components = {c.name: _int_or_none(float(cols.components[c.name][0])) for c in defn.components}
    missing = sorted(name for name, mask in cols.missing.items() if bool(mask[0]))
    extras = {e.name: e.decode(float(cols.extras[e.name][0])) for e in defn.extras}
    return ScoreResult(
        score=defn.name,
        total=_int_or_none(float(cols.total[0])),
        components=components,
        missing=missing,
        extras=extras,
        explanations=explain(defn, case, components),
        citation=defn.citation,
        definition_version=defn.version,
    )


def points_where(shape: int, *rules: tuple[BoolArray, float], default: FloatArray | None = None) -> FloatArray:
    """First matching rule wins (rules are given from the highest priority down)."""
    out = np.full(shape, np.nan) if default is None else default.copy()
    for mask, pts in reversed(rules):
        out[mask] = pts
    return out
