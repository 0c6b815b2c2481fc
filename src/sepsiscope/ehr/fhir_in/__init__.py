"""FHIR R4 in: resources parsed by the ``fhir.resources`` R4B models, mapped to the service's items.

Observation (LOINC through ``variables.toml``, components, ``hasMember`` panels),
MedicationAdministration, MedicationRequest, Procedure and Specimen (cultures), Patient and
Encounter. Stored through the service's one ingest path (``store.py``).
"""
