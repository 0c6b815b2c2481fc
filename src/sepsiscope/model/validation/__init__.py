"""Validation designs that try to predict how the model does at a hospital it never saw.

``heldout`` (nested patient-grouped CV, leave-one-group-out), ``shifts`` (prevalence, stay
length and lab-draw stress tests), ``clock`` (the ICU-hour baseline rule) and ``ranking`` (the
independently measured external figures and a rank agreement). Run by
``benchmarks/validation_proxies.py``; results in docs/model-card.md.
"""
