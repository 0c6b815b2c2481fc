"""Draft FHIR resources for the hour-1 bundle elements a card suggests (the EHR may accept them).

Each is a ``ServiceRequest`` or ``MedicationRequest`` with ``status: draft`` and ``intent:
proposal``: a proposal the clinician signs or discards, never an order. The drug is not chosen
(broad-spectrum cover follows the local sepsis guideline); the fluid volume is 30 mL/kg when a
weight is known (adult-scores.md §4.1, SSC hour-1 bundle, Levy 2018), and the vasopressor note
names the MAP target of the same rule (``scores.bundles.ssc.MAP_BELOW``) and norepinephrine as
first line (adult-scores.md §4.1, SSC 2021 points).
"""

from __future__ import annotations

from typing import Any

from sepsiscope.ehr.fhir_in.codes import LOINC, SNOMED, UCUM, tables
from sepsiscope.scores.bundles.ssc import FLUID_ML_PER_KG, MAP_BELOW
from sepsiscope.variables.registry import REGISTRY

_IV = {"coding": [{"system": SNOMED, "code": "47625008", "display": "Intravenous route"}]}
#: What each element's suggestion says (labels are the CDS Hooks suggestion labels).
LABELS = {
    "lactate": "Order a lactate",
    "lactate_remeasure": "Re-measure lactate",
    "blood_cultures": "Draw blood cultures (before antibiotics)",
    "antibiotics": "Give broad-spectrum IV antibiotics",
    "fluids": "Begin IV crystalloid 30 mL/kg",
    "vasopressors": f"Start a vasopressor to keep MAP ≥ {MAP_BELOW:g} mmHg",
}


def _subject(patient_id: str) -> dict[str, str]:
    return {"reference": f"Patient/{patient_id}"}


def blood_culture_code() -> dict[str, Any]:
    """The SNOMED CT blood-culture procedure of ``codes.toml``."""
    code = next(c for c, spec in sorted(tables().culture_procedures.items()) if spec == "blood")
    return {"coding": [{"system": SNOMED, "code": code, "display": "Blood culture"}], "text": "Blood cultures"}


def _service_request(patient_id: str, code: dict[str, Any], note: str) -> dict[str, Any]:
    return {"resourceType": "ServiceRequest", "status": "draft", "intent": "proposal", "priority": "stat",
            "code": code, "subject": _subject(patient_id), "note": [{"text": note}]}  # fmt: skip


def _medication_request(patient_id: str, text: str, dosage: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "MedicationRequest", "status": "draft", "intent": "proposal", "priority": "stat",
            "medicationCodeableConcept": {"text": text}, "subject": _subject(patient_id),
            "dosageInstruction": [{"route": _IV, **dosage}]}  # fmt: skip


def draft(element: str, patient_id: str, weight_kg: float | None) -> dict[str, Any]:
    """The draft resource suggested for one unmet bundle element."""
    if element in ("lactate", "lactate_remeasure"):
        code = REGISTRY["lactate"].loinc[0]
        concept = {"coding": [{"system": LOINC, "code": code}], "text": "Lactate"}
        return _service_request(patient_id, concept, "SSC hour-1 bundle: measure lactate (re-measure if > 2 mmol/L)")
    if element == "blood_cultures":
        return _service_request(
            patient_id, blood_culture_code(), "SSC hour-1 bundle: blood cultures before antibiotics"
        )
    if element == "antibiotics":
        return _medication_request(patient_id, "Broad-spectrum IV antibiotic (choose per the local sepsis guideline)",
                                   {"text": "IV, now: SSC hour-1 bundle"})  # fmt: skip
    if element == "fluids":
        dosage: dict[str, Any] = {"text": f"{FLUID_ML_PER_KG:g} mL/kg IV crystalloid, begin now: SSC hour-1 bundle"}
        if weight_kg is not None:
            volume = {"value": round(FLUID_ML_PER_KG * weight_kg), "unit": "mL", "system": UCUM, "code": "mL"}
            dosage["doseAndRate"] = [{"doseQuantity": volume}]
        return _medication_request(patient_id, "Balanced crystalloid (e.g. lactated Ringer's)", dosage)
    if element == "vasopressors":
        return _medication_request(patient_id, "Norepinephrine infusion (first-line vasopressor)",
                                   {"text": f"Titrate to MAP ≥ {MAP_BELOW:g} mmHg: SSC hour-1 bundle"})  # fmt: skip
    raise KeyError(element)
