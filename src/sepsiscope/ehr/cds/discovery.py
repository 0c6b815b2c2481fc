"""The two services this CDS Service offers, and their prefetch templates (``GET /cds-services``).

The prefetch templates ask the EHR for what the service may not have been sent through FHIR in:
antibiotic administrations and orders, culture procedures and lactate results (the bundle
elements), with the LOINC codes of ``variables.toml`` (one place) and the culture procedure
codes of ``fhir_in/codes.toml``.
"""

from __future__ import annotations

from sepsiscope.ehr.cds.schemas import Discovery, ServiceDescription
from sepsiscope.ehr.fhir_in.codes import LOINC, SNOMED, tables
from sepsiscope.variables.registry import REGISTRY

PATIENT_VIEW = "sepsiscope-patient-view"
ORDER_SIGN = "sepsiscope-order-sign"
_PATIENT = "{{context.patientId}}"


def _codes(system: str, codes: list[str]) -> str:
    return ",".join(f"{system}|{c}" for c in codes)


def prefetch_templates() -> dict[str, str]:
    """Key → FHIR query template (the same for both services)."""
    lactate = _codes(LOINC, list(REGISTRY["lactate"].loinc))
    cultures = _codes(SNOMED, sorted(tables().culture_procedures))
    return {
        "patient": f"Patient/{_PATIENT}",
        "administrations": f"MedicationAdministration?patient={_PATIENT}",
        "orders": f"MedicationRequest?patient={_PATIENT}&intent=order",
        "cultures": f"Procedure?patient={_PATIENT}&code={cultures}",
        "lactate": f"Observation?patient={_PATIENT}&code={lactate}",
    }


def discovery() -> Discovery:
    """The discovery response."""
    templates = prefetch_templates()
    return Discovery(services=[
        ServiceDescription(
            hook="patient-view", id=PATIENT_VIEW, title="sepsiscope: sepsis risk and hour-1 bundle",
            description="The patient's current early-warning risk and its trend, the scores and values behind it, "
                        "the open alert, and the hour-1 bundle elements not yet done as draft orders. No card when "
                        "there is nothing to say. Supports, never replaces, clinical judgement.",
            prefetch=templates,
            usageRequirements="The patient's observations reach sepsiscope through its FHIR or JSON API.",
        ),
        ServiceDescription(
            hook="order-sign", id=ORDER_SIGN, title="sepsiscope: blood cultures before antibiotics",
            description="An antibiotic order with no blood culture drawn in the last 24 hours gets a warning card "
                        "suggesting cultures first. It never blocks: when delay would harm, give the antibiotic.",
            prefetch=templates,
        ),
    ])  # fmt: skip
