"""FHIR ``Patient`` and ``Encounter`` → the service's patient record.

The Patient's logical id *is* the service's ``patient_id`` (``PUT Patient/MRN-0042`` and
``PUT /api/v1/patients/MRN-0042`` are the same patient). ``birthDate`` (a full date) becomes
``birth_date`` and ``gender`` becomes ``sex``. An Encounter sets ``admitted_at`` from
``period.start``. Only the fields a resource carries change.
"""

from __future__ import annotations

from datetime import date

from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.patient import Patient

from sepsiscope.ehr.fhir_in.mapped import Mapped, PatientFields, Scope, patient_id, patient_of, when
from sepsiscope.ehr.outcome import error


def map_patient(pat: Patient, scope: Scope, logical_id: str | None) -> Mapped:
    """The patient fields of one Patient (``logical_id``: from ``PUT Patient/ID`` or ``Patient.id``)."""
    where = scope.where
    pid = logical_id or pat.id
    if not pid:
        raise error("required", f"{where}.id: the Patient needs its id (PUT Patient/ID): it is the service's "
                    "patient_id", f"{where}.id")  # fmt: skip
    if logical_id and pat.id and pat.id != logical_id:
        raise error("invalid", f"{where}.id: {pat.id!r} differs from the id in the request URL {logical_id!r}",
                    f"{where}.id", pat.id)  # fmt: skip
    values: dict[str, object] = {}
    if pat.birthDate is not None:
        if not isinstance(pat.birthDate, date):
            raise error("value", f"{where}.birthDate: a full date is needed", f"{where}.birthDate", str(pat.birthDate))
        values["birth_date"] = pat.birthDate
    if pat.gender is not None:
        values["sex"] = pat.gender
    return Mapped(patient=PatientFields(patient_id(pid, f"{where}.id"), values))


def map_encounter(enc: Encounter, scope: Scope) -> Mapped:
    """The admission time of one Encounter (``period.start``)."""
    where = scope.where
    pid = patient_of(enc.subject, scope, f"{where}.subject")
    start = when(enc.period.start if enc.period else None, f"{where}.period.start")
    return Mapped(patient=PatientFields(pid, {"admitted_at": start}))
