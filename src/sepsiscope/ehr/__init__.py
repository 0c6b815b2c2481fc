"""EHR integration over the monitoring service: FHIR R4 in, CDS Hooks 2.0 cards out.

Sits on top of ``sepsiscope.service``: FHIR resources become the service's own observations
and events (one ingest path), and the cards come from the same scores, model and bundle
definitions the service and the pages use. Adds no clinical rule.
"""
