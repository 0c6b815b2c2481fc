"""FHIR ``Observation`` → the service's observations (one per value: the resource's or its components').

* ``code`` (or each ``component.code``) maps through the LOINC codes of ``variables.toml``; an
  unknown code is refused with the codes sent, never guessed.
* ``valueQuantity`` needs its UCUM ``code``; the service converts it (``variables/units.py``).
* A panel that holds only ``hasMember`` references (the vital-signs panel) stores nothing itself:
  its members are their own resources. One with ``dataAbsentReason`` and no value stores nothing
  and says so.
* ``status`` must be final, amended, corrected or preliminary.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.observation import Observation, ObservationComponent

from sepsiscope.ehr.fhir_in.codes import UCUM, CodeProblem, variable_of
from sepsiscope.ehr.fhir_in.mapped import Mapped, Paths, Scope, check_key, patient_of, when
from sepsiscope.ehr.outcome import Issue, error
from sepsiscope.service.api.schemas import ObservationIn
from sepsiscope.variables.registry import Variable

STORED_STATUS = ("final", "amended", "corrected", "preliminary")
_VALUE_FIELDS = ("valueQuantity", "valueInteger", "valueBoolean", "valueString", "valueCodeableConcept")


def _time(obs: Observation, where: str) -> tuple[datetime, str]:
    value: datetime | date | None
    if obs.effectiveDateTime is not None:
        path, value = f"{where}.effectiveDateTime", obs.effectiveDateTime
    elif obs.effectiveInstant is not None:
        path, value = f"{where}.effectiveInstant", obs.effectiveInstant
    elif obs.effectivePeriod is not None:
        path, value = f"{where}.effectivePeriod.start", obs.effectivePeriod.start
    else:
        raise error("required", f"{where}: effective[x] is missing (when was it measured?)", f"{where}.effective[x]")
    t = when(value, path)
    return t, path


def _has_value(part: Observation | ObservationComponent) -> bool:
    return any(getattr(part, f, None) is not None for f in _VALUE_FIELDS)


def _variable(code: CodeableConcept | None, expression: str) -> Variable:
    try:
        return variable_of(code)
    except CodeProblem as p:
        raise error("code-invalid", f"{expression}: {p.text}", expression, p.value) from None


def _value(part: Observation | ObservationComponent, var: Variable, where: str) -> tuple[Any, str | None, Paths]:
    """(value, UCUM unit or None, the FHIRPaths of the value and the unit)."""
    q = part.valueQuantity
    if q is not None:
        expr = f"{where}.valueQuantity"
        if q.value is None:
            raise error("required", f"{expr}.value: the quantity has no value", f"{expr}.value")
        if q.code is None or (q.system is not None and q.system != UCUM):
            raise error("value", f"{expr}.code: a UCUM unit is needed (system {UCUM}, code such as 'mm[Hg]'); got "
                        f"unit {q.unit!r}, system {q.system!r}, code {q.code!r}", f"{expr}.code", q.code)  # fmt: skip
        if not var.is_numeric:
            raise error("value", f"{expr}: {var.name} is a {var.kind}, not a quantity", expr, float(q.value))
        return float(q.value), q.code, {"value": f"{expr}.value", "unit": f"{expr}.code"}
    if part.valueInteger is not None:
        return int(part.valueInteger), None, {"value": f"{where}.valueInteger"}
    if part.valueBoolean is not None:
        return bool(part.valueBoolean), None, {"value": f"{where}.valueBoolean"}
    if part.valueString is not None:
        return str(part.valueString), None, {"value": f"{where}.valueString"}
    concept = part.valueCodeableConcept
    expr = f"{where}.valueCodeableConcept"
    codes = [c.code for c in (concept.coding if concept else None) or [] if c.code in var.codes]
    if var.kind != "code" or len(set(codes)) != 1:
        sent = [c.code for c in (concept.coding if concept else None) or []]
        raise error("value", f"{expr}: {var.name} takes {'one of ' + ', '.join(var.codes) if var.codes else var.kind}; "
                    f"got codes {sent}", expr, sent)  # fmt: skip
    return codes[0], None, {"value": expr}


def map_observation(obs: Observation, scope: Scope) -> Mapped:
    """The service observations of one FHIR Observation (or an error naming the element)."""
    where = scope.where
    if obs.status not in STORED_STATUS:
        raise error("not-supported", f"{where}.status: {obs.status!r} is not stored; send one of "
                    f"{', '.join(STORED_STATUS)}", f"{where}.status", obs.status)  # fmt: skip
    check_key(scope.key, obs.identifier, where)
    patient = patient_of(obs.subject, scope, f"{where}.subject")
    time, time_path = _time(obs, where)
    parts: list[tuple[Observation | ObservationComponent, CodeableConcept | None, str]] = []
    if _has_value(obs):
        parts.append((obs, obs.code, where))
    for k, comp in enumerate(obs.component or []):
        if _has_value(comp):
            parts.append((comp, comp.code, f"{where}.component[{k}]"))
    out = Mapped()
    if not parts:
        if obs.hasMember:
            out.notes.append(Issue("information", "informational", f"{where}: a panel of {len(obs.hasMember)} "
                                   "members; each member is stored from its own resource", where))  # fmt: skip
            return out
        if obs.dataAbsentReason is not None:
            out.notes.append(Issue("information", "informational", f"{where}: no value (dataAbsentReason); nothing "
                                   "stored, and the value stays missing", where))  # fmt: skip
            return out
        raise error("required", f"{where}: no value[x], component or hasMember: nothing to store", f"{where}.value[x]")
    for k, (part, code, path) in enumerate(parts):
        var = _variable(code, f"{path}.code")
        value, unit, paths = _value(part, var, path)
        item = ObservationIn(id=scope.item_id("Observation", k), patient_id=patient, time=time, variable=var.name,
                             value=value, unit=unit)  # fmt: skip
        paths |= {"variable": f"{path}.code", "patient_id": f"{where}.subject", "time": time_path,
                  "id": f"{where}.identifier"}  # fmt: skip
        out.observations.append((item, paths))
    return out
