"""The ``order-sign`` card: an antibiotic being signed with no blood culture drawn in the window.

The window is the hour-1 bundle's culture look-back (adult-scores.md §4.1, D-14: a culture
counts from 24 h before time zero; here time zero is the signing, ``ssc.LOOKBACK_LONG``), over
the service's stored cultures and the EHR's prefetched ones. "Cultures before antibiotics" is
the bundle rule; the card is a ``warning`` that suggests a blood-culture draft and never blocks.
It says plainly that the antibiotic must not wait when waiting would harm (SSC 2021: antimicrobials
immediately for possible septic shock; adult-scores.md §4.1).
"""

from __future__ import annotations

import uuid
from typing import Any

from fhir.resources.R4B.medicationrequest import MedicationRequest
from pydantic import ValidationError

from sepsiscope.ehr.cds.drafts import blood_culture_code
from sepsiscope.ehr.cds.patient_view import SOURCE
from sepsiscope.ehr.cds.picture import Picture
from sepsiscope.ehr.cds.schemas import Action, Card, Coding, Suggestion
from sepsiscope.ehr.fhir_in.medications import medication
from sepsiscope.ehr.outcome import FhirError
from sepsiscope.scores.bundles.events import PatientEvents, first_in
from sepsiscope.scores.bundles.ssc import LOOKBACK_LONG

OVERRIDE_SYSTEM = "https://sepsiscope.org/fhir/CodeSystem/cds-override-reason"
OVERRIDE_REASONS = [
    Coding(system=OVERRIDE_SYSTEM, code="delay-would-harm", display="Giving the antibiotic now; delay would harm"),
    Coding(system=OVERRIDE_SYSTEM, code="cultures-drawn", display="Cultures already drawn (not yet recorded)"),
    Coding(system=OVERRIDE_SYSTEM, code="not-for-infection", display="Not treating an infection (e.g. prophylaxis)"),
]


def draft_antibiotics(draft_orders: Any) -> list[str]:
    """Antibiotics (events.toml codes) among the MedicationRequests of ``context.draftOrders``."""
    if not isinstance(draft_orders, dict):
        return []
    found = []
    for i, e in enumerate(draft_orders.get("entry") or []):
        raw = e.get("resource") if isinstance(e, dict) else None
        if not isinstance(raw, dict) or raw.get("resourceType") != "MedicationRequest":
            continue
        try:
            req = MedicationRequest.model_validate(raw)
            cls, drug = medication(req.medicationCodeableConcept, req.medicationReference, req.contained,
                                   f"context.draftOrders.entry[{i}].resource")  # fmt: skip
        except (ValidationError, FhirError):
            continue
        if cls == "antibiotic":
            found.append(drug)
    return found


def order_sign_card(pic: Picture, antibiotics: list[str]) -> Card | None:
    """The warning card, or ``None`` (no antibiotic ordered, or a blood culture in the window)."""
    if not antibiotics:
        return None
    cultures = PatientEvents.of(pic.events, pic.now).blood_cultures
    if first_in(cultures, pic.now - LOOKBACK_LONG, pic.now) is not None:
        return None
    hours = int(LOOKBACK_LONG.total_seconds() // 3600)
    drugs = ", ".join(sorted(set(antibiotics)))
    detail = (
        f"No blood culture is recorded for this patient in the last {hours} h, and {drugs} is being ordered. "
        "The hour-1 sepsis bundle asks for blood cultures **before** the first antibiotic dose, so that the "
        "organism can still be grown.\n\n"
        "**Do not delay the antibiotic** if drawing cultures would hold it up in a patient who is very ill "
        "(possible septic shock): give it now, and draw cultures as soon as possible.\n\n"
        "_This card never blocks the order. Supports, never replaces, clinical judgement._"
    )
    resource = {"resourceType": "ServiceRequest", "status": "draft", "intent": "proposal", "priority": "stat",
                "code": blood_culture_code(), "subject": {"reference": f"Patient/{pic.patient_id}"},
                "note": [{"text": "Blood cultures before the first antibiotic dose (SSC hour-1 bundle)"}]}  # fmt: skip
    label = "Draw blood cultures first"
    return Card(
        uuid=str(uuid.uuid4()), summary=f"No blood culture in the last {hours} h: draw cultures before {drugs}"[:140],
        detail=detail, indicator="warning", source=SOURCE,
        suggestions=[Suggestion(label=label, uuid=str(uuid.uuid4()), isRecommended=True,
                                actions=[Action(type="create", description=label, resource=resource)])],
        selectionBehavior="at-most-one", overrideReasons=OVERRIDE_REASONS,
    )  # fmt: skip
