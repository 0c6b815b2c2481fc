"""The symptom checker's inputs and their validation.

Source: shared/docs/clinical/symptom-checker.md §3 (inputs, accepted ranges) and §7.1
(errors: the calculator contract of adult-scores.md §5.4, same codes and order).

Each input is defined once. Lay answers that only the checker asks live in
``inputs.toml`` beside this module; measurements, age and pregnancy keys are canonical
variables and are taken from ``variables/variables.toml`` (``registry = true``), so a
temperature or pulse is accepted here exactly when every other calculator accepts it.
Scalar keys are validated by :func:`sepsiscope.variables.validate.validate_case` itself,
over a registry made of these inputs; only code lists need a check of their own.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Literal

from sepsiscope.errors import CaseError, RegistryError
from sepsiscope.variables.registry import REGISTRY, Registry, Variable
from sepsiscope.variables.validate import json_type, validate_case

InputKind = Literal["boolean", "number", "code_list"]


@dataclass(frozen=True)
class InputSpec:
    """One checker input: its kind, accepted range or codes, and where it comes from."""

    name: str
    kind: InputKind
    section: str
    source: str
    min: float | None = None
    max: float | None = None
    codes: tuple[str, ...] = ()
    registry: bool = False


def _load() -> dict[str, InputSpec]:
    text = files("sepsiscope.scores.symptom_checker").joinpath("inputs.toml").read_text(encoding="utf-8")
    out: dict[str, InputSpec] = {}
    for name, spec in tomllib.loads(text).items():
        if spec.get("registry"):
            if name not in REGISTRY:
                raise RegistryError(f"inputs.toml [{name}]: registry = true but {name} is not in variables.toml")
            var = REGISTRY[name]
            kind: InputKind = "boolean" if var.kind == "boolean" else "number"
            out[name] = InputSpec(name, kind, str(spec["section"]), "variables.toml", var.min, var.max, registry=True)
            continue
        if name in REGISTRY:
            raise RegistryError(f"inputs.toml [{name}]: already a registry variable; use registry = true")
        kind = spec.get("kind")
        if kind not in ("boolean", "number", "code_list"):
            raise RegistryError(f"inputs.toml [{name}]: kind {kind!r} is not boolean, number or code_list")
        if kind == "number" and ("min" not in spec or "max" not in spec):
            raise RegistryError(f"inputs.toml [{name}]: numbers need min and max")
        if kind == "code_list" and not spec.get("codes"):
            raise RegistryError(f"inputs.toml [{name}]: code lists need codes")
        out[name] = InputSpec(
            name=name,
            kind=kind,
            section=str(spec["section"]),
            source=str(spec["source"]),
            min=float(spec["min"]) if "min" in spec else None,
            max=float(spec["max"]) if "max" in spec else None,
            codes=tuple(spec.get("codes", ())),
        )
    return out


#: Every accepted key, in §3 order.
INPUTS: dict[str, InputSpec] = _load()


def _scalar_registry() -> Registry:
    """The registry that :func:`validate_case` checks scalar inputs against."""
    out: dict[str, Variable] = {}
    for spec in INPUTS.values():
        if spec.registry:
            out[spec.name] = REGISTRY[spec.name]
        elif spec.kind != "code_list":
            unit = "h" if spec.name.endswith("_hours") else "wk" if spec.name.endswith("_weeks") else None
            out[spec.name] = Variable(spec.name, spec.name, spec.kind, unit, spec.min, spec.max)
    return Registry(out)


_SCALARS = _scalar_registry()


def _check_code_list(spec: InputSpec, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CaseError("wrong_type", spec.name, f"{spec.name} must be a list of strings, got {json_type(value)}")
    for item in value:
        if item not in spec.codes:
            raise CaseError(
                "invalid_value", spec.name, f"{spec.name} item {item!r} is not one of {', '.join(spec.codes)}"
            )
    return list(value)


def validate_answers(case: Any) -> dict[str, Any]:
    """Return the answers with ``null`` keys removed, or raise :class:`CaseError`.

    Same checks and order as every calculator (adult-scores.md §5.4, decision D-17): keys
    in input order; the first of ``unknown_variable``, ``wrong_type``, ``invalid_value``,
    ``out_of_range`` is reported. Numbers come back as floats.
    """
    if not isinstance(case, Mapping):
        raise CaseError("not_an_object", None, f"expected a JSON object, got {json_type(case)}")
    clean: dict[str, Any] = {}
    for key, value in case.items():
        spec = INPUTS.get(key)
        if spec is None:
            raise CaseError("unknown_variable", key, f"{key!r} is not a symptom checker input (symptom-checker.md §3)")
        if value is None:
            continue
        if spec.kind == "code_list":
            clean[key] = _check_code_list(spec, value)
        else:
            clean.update(validate_case({key: value}, _SCALARS))
    return clean
