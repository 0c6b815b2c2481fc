"""Sepsis-3 over time for one patient: suspected infection, ΔSOFA, onset, septic shock, PhysioNet labels.

Pure functions over one patient's :class:`~sepsiscope.variables.events.Event` list and hourly
SOFA (shared/docs/clinical/adult-scores.md §3). The cohort engine (``sepsiscope.cohort.sepsis3``)
and the monitoring service call these same functions::

    episodes = suspected_infection(events)                      # §3.2
    onsets = onset(episodes, hourly_sofa, baseline="zero")       # §3.4, §3.5
    patient = earliest(onsets)
    shock = shock_hours(events, [h.time for h in hourly_sofa], patient.t_onset if patient else None)  # §3.7
    label = physionet_label(events, hourly_sofa)                 # §3.6
"""

from sepsiscope.scores.sepsis3.baseline import BASELINES, Baseline, delta_sofa
from sepsiscope.scores.sepsis3.hourly import SofaHour, hour_end, hour_index
from sepsiscope.scores.sepsis3.infection import Episode, suspected_infection
from sepsiscope.scores.sepsis3.onset import Onset, earliest, onset
from sepsiscope.scores.sepsis3.physionet import PhysioNetLabel, physionet_label
from sepsiscope.scores.sepsis3.shock import ShockHour, shock_hours, shock_onset, vasopressor_runs

__all__ = [
    "BASELINES",
    "Baseline",
    "Episode",
    "Onset",
    "PhysioNetLabel",
    "ShockHour",
    "SofaHour",
    "delta_sofa",
    "earliest",
    "hour_end",
    "hour_index",
    "onset",
    "physionet_label",
    "shock_hours",
    "shock_onset",
    "suspected_infection",
    "vasopressor_runs",
]
