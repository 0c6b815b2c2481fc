"""FHIR ``MedicationAdministration`` and ``MedicationRequest`` → the service's clinical events.

The drug is named by ``medicationCodeableConcept`` or a *contained* ``Medication`` (its code and
ingredients) and recognised by name (``codes.py``). What each becomes (docs/service.md, events):

==========================  ==================  =================================================
resource                    drug class          service event
==========================  ==================  =================================================
MedicationAdministration    antibiotic          ``antibiotic_given`` (``dosage.route`` required)
MedicationAdministration    vasoactive          ``vasopressor_started`` with ``dosage.rateQuantity``;
                                                ``vasopressor_stopped`` at ``effectivePeriod.end``
MedicationAdministration    IV fluid            ``fluid_bolus`` with ``dosage.dose`` in mL
MedicationRequest           antibiotic          ``antibiotic_ordered`` at ``authoredOn``
==========================  ==================  =================================================

Any other drug is refused with its name: the service stores only what its rules use.
"""

from __future__ import annotations

from datetime import datetime

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource

from sepsiscope.ehr.fhir_in.codes import CodeProblem, DrugClass, drug_of, route_of
from sepsiscope.ehr.fhir_in.mapped import Mapped, Scope, check_key, patient_of, when, when_given
from sepsiscope.ehr.outcome import error
from sepsiscope.service.api.schemas import EventIn

GIVEN_STATUS = ("completed", "in-progress", "stopped")
ORDER_STATUS = ("active", "completed", "on-hold")


def medication(concept: CodeableConcept | None, ref: Reference | None, contained: list[Resource] | None,
               where: str) -> tuple[DrugClass, str]:  # fmt: skip
    """(class, events.toml code) of the medication a resource names."""
    concepts: list[CodeableConcept | None] = [concept]
    path = f"{where}.medicationCodeableConcept"
    if concept is None:
        path = f"{where}.medicationReference"
        if ref is None or not (ref.reference or "").startswith("#"):
            raise error("not-supported", f"{path}: send medicationCodeableConcept or a reference to a contained "
                        "Medication (#id)", path, ref.reference if ref else None)  # fmt: skip
        wanted = (ref.reference or "")[1:]
        med = next((r for r in contained or [] if isinstance(r, Medication) and r.id == wanted), None)
        if med is None:
            raise error("not-found", f"{path}: no contained Medication with id {wanted!r}", path, ref.reference)
        concepts = [med.code] + [i.itemCodeableConcept for i in med.ingredient or []]
    try:
        return drug_of(concepts)
    except CodeProblem as p:
        raise error("code-invalid", f"{path}: {p.text}", path, p.value) from None


def _given_time(adm: MedicationAdministration, where: str) -> tuple[datetime, datetime | None, str]:
    if adm.effectiveDateTime is not None:
        path = f"{where}.effectiveDateTime"
        return when(adm.effectiveDateTime, path), None, path
    period = adm.effectivePeriod
    if period is None:
        raise error("required", f"{where}: effective[x] is missing", f"{where}.effective[x]")
    start = when(period.start, f"{where}.effectivePeriod.start")
    end = when_given(period.end, f"{where}.effectivePeriod.end")
    return start, end, f"{where}.effectivePeriod.start"


def _check_status(status: str | None, stored: tuple[str, ...], where: str) -> None:
    if status not in stored:
        raise error("not-supported", f"{where}.status: {status!r} is not stored; send one of {', '.join(stored)}",
                    f"{where}.status", status)  # fmt: skip


def map_administration(adm: MedicationAdministration, scope: Scope) -> Mapped:
    """The service events of one MedicationAdministration."""
    where = scope.where
    _check_status(adm.status, GIVEN_STATUS, where)
    check_key(scope.key, adm.identifier, where)
    cls, drug = medication(adm.medicationCodeableConcept, adm.medicationReference, adm.contained, where)
    patient = patient_of(adm.subject, scope, f"{where}.subject")
    start, end, time_path = _given_time(adm, where)
    dosage, dpath = adm.dosage, f"{where}.dosage"
    base = {"patient_id": f"{where}.subject", "time": time_path, "id": f"{where}.identifier",
            "drug": f"{where}.medication[x]", "fluid": f"{where}.medication[x]"}  # fmt: skip
    out = Mapped()
    if cls == "antibiotic":
        if dosage is None or dosage.route is None:
            raise error("required", f"{dpath}.route: an antibiotic administration needs its route", f"{dpath}.route")
        try:
            route = route_of(dosage.route)
        except CodeProblem as p:
            raise error("code-invalid", f"{dpath}.route: {p.text}", f"{dpath}.route", p.value) from None
        item = EventIn(id=scope.item_id("MedicationAdministration", 0), patient_id=patient, time=start,
                       kind="antibiotic_given", drug=drug, route=route)  # fmt: skip
        out.events.append((item, base | {"route": f"{dpath}.route"}))
    elif cls == "vasoactive":
        rate = dosage.rateQuantity if dosage else None
        if rate is None or rate.value is None or not rate.code:
            raise error("required", f"{dpath}.rateQuantity: a vasoactive infusion needs its rate with a UCUM code "
                        "(e.g. ug/kg/min)", f"{dpath}.rateQuantity")  # fmt: skip
        item = EventIn(id=scope.item_id("MedicationAdministration", 0), patient_id=patient, time=start,
                       kind="vasopressor_started", drug=drug, rate=float(rate.value), rate_unit=rate.code)  # fmt: skip
        rate_paths = {"rate": f"{dpath}.rateQuantity.value", "rate_unit": f"{dpath}.rateQuantity.code"}
        out.events.append((item, base | rate_paths))
        if end is not None:
            stop = EventIn(id=scope.item_id("MedicationAdministration", 1), patient_id=patient, time=end,
                           kind="vasopressor_stopped", drug=drug)  # fmt: skip
            out.events.append((stop, base | {"time": f"{where}.effectivePeriod.end"}))
    else:
        dose = dosage.dose if dosage else None
        if dose is None or dose.value is None or dose.code != "mL":
            raise error("required", f"{dpath}.dose: an IV fluid needs its volume in mL (UCUM code 'mL')",
                        f"{dpath}.dose", dose.code if dose else None)  # fmt: skip
        item = EventIn(id=scope.item_id("MedicationAdministration", 0), patient_id=patient, time=start,
                       kind="fluid_bolus", fluid=drug, volume_ml=float(dose.value))  # fmt: skip
        out.events.append((item, base | {"volume_ml": f"{dpath}.dose.value"}))
    return out


def map_request(req: MedicationRequest, scope: Scope) -> Mapped:
    """An antibiotic order (``antibiotic_ordered``) from one MedicationRequest."""
    where = scope.where
    _check_status(req.status, ORDER_STATUS, where)
    check_key(scope.key, req.identifier, where)
    cls, drug = medication(req.medicationCodeableConcept, req.medicationReference, req.contained, where)
    if cls != "antibiotic":
        raise error("not-supported", f"{where}.medication[x]: only antibiotic orders are stored ({drug} is a {cls})",
                    f"{where}.medication[x]", drug)  # fmt: skip
    patient = patient_of(req.subject, scope, f"{where}.subject")
    time = when(req.authoredOn, f"{where}.authoredOn")
    item = EventIn(id=scope.item_id("MedicationRequest", 0), patient_id=patient, time=time, kind="antibiotic_ordered",
                   drug=drug)  # fmt: skip
    paths = {"patient_id": f"{where}.subject", "time": f"{where}.authoredOn", "drug": f"{where}.medication[x]",
             "id": f"{where}.identifier"}  # fmt: skip
    return Mapped(events=[(item, paths)])
