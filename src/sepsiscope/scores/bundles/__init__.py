"""Sepsis bundles for one encounter: the SSC hour-1 bundle and CMS SEP-1 (adult-scores.md §4).

Pure functions over one patient's events, used by the cohort engine (``cohort.bundles``) and by
the monitoring service for the ward's bundle clocks::

    report = bundle_status(events, t_zero, now)       # SSC hour-1 as it stands at `now`
    report = sep1(events)                              # SEP-1, all-or-none
    json_object = report.to_json()                     # §4.3
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sepsiscope.scores.bundles.report import BundleName, BundleReport, Element, compliant
from sepsiscope.scores.bundles.sep1 import MANUAL_VERSION, sep1
from sepsiscope.scores.bundles.ssc import ssc_hour1, time_zero
from sepsiscope.variables.events import Event

__all__ = [
    "MANUAL_VERSION",
    "BundleName",
    "BundleReport",
    "Element",
    "bundle_status",
    "compliant",
    "sep1",
    "ssc_hour1",
    "time_zero",
]


def bundle_status(
    events: Iterable[Event], t_zero: datetime | None, now: datetime | None = None, *, bundle: BundleName = "ssc_hour1"
) -> BundleReport:
    """The bundle of one encounter as it stands at ``now`` (``None``: all data).

    ``t_zero`` is the SSC time zero (:func:`time_zero`); SEP-1 finds its own presentation time
    and ignores it. Elements not yet met whose deadline is after ``now`` are open (``met`` null).
    """
    if bundle == "sep1":
        return sep1(events, now=now)
    return ssc_hour1(events, t_zero, now=now)
