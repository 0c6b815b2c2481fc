"""CDS Hooks 2.0: discovery, ``patient-view`` and ``order-sign`` services, feedback, JWT checks.

Cards carry the service's own numbers (scores, risk, alerts) and the hour-1 bundle of
``scores.bundles``; they add no clinical rule. Specification: https://cds-hooks.hl7.org/2.0/.
"""
