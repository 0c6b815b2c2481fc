"""Bundle reports for whole tables: one §4.3 object per encounter (shared/docs/clinical/adult-scores.md §4).

The rules are :mod:`sepsiscope.scores.bundles`; this module only moves tables. It takes the
same long per-patient table as :mod:`sepsiscope.cohort.sepsis3` (events and hourly SOFA, whole
patients), so it runs unchanged per partition on Spark. An encounter is a patient of the table.

Output: ``patient_id``, ``bundle``, ``t0``, ``compliant``, ``report`` (the §4.3 JSON object as
text) and, per element, ``<element>_applicable``, ``<element>_met`` and ``<element>_time`` for
quality-team summaries.
"""

from __future__ import annotations

import json

import polars as pl

from sepsiscope.cohort.sepsis3 import UTC_US, patients
from sepsiscope.errors import UsageError
from sepsiscope.scores.bundles import BundleName, BundleReport, sep1, ssc_hour1, time_zero
from sepsiscope.scores.bundles.sep1 import ELEMENTS as SEP1_ELEMENTS
from sepsiscope.scores.bundles.ssc import ELEMENTS as SSC_ELEMENTS
from sepsiscope.scores.sepsis3 import Baseline, earliest, onset, suspected_infection
from sepsiscope.scores.sepsis3.baseline import check_baseline

BUNDLES: dict[str, tuple[str, ...]] = {"ssc_hour1": SSC_ELEMENTS, "sep1": SEP1_ELEMENTS}


def bundle_schema(bundle: BundleName) -> dict[str, pl.DataType]:
    """The output columns of :func:`bundles_of` for one bundle."""
    schema: dict[str, pl.DataType] = {
        "patient_id": pl.String(),
        "bundle": pl.String(),
        "t0": UTC_US,
        "compliant": pl.Boolean(),
        "report": pl.String(),
    }
    for name in BUNDLES[bundle]:
        schema |= {f"{name}_applicable": pl.Boolean(), f"{name}_met": pl.Boolean(), f"{name}_time": UTC_US}
    return schema


def bundles_of(long: pl.DataFrame, bundle: BundleName = "ssc_hour1", baseline: Baseline = "zero") -> pl.DataFrame:
    """One row per patient with its bundle report (§4.3); SSC time zero from the Sepsis-3 onset (§4.1, §3.5)."""
    if bundle not in BUNDLES:
        raise UsageError(f"bundle must be one of {', '.join(BUNDLES)}, not {bundle!r}")
    rule = check_baseline(baseline)
    rows = []
    for p in patients(long):
        report: BundleReport
        if bundle == "sep1":
            report = sep1(p.events)
        else:
            patient = earliest(onset(suspected_infection(p.events), p.sofa, baseline=rule))
            report = ssc_hour1(p.events, time_zero(p.events, patient.t_onset if patient else None))
        row: list[object] = [p.pid, bundle, report.t0, report.compliant, json.dumps(report.to_json())]
        for name in BUNDLES[bundle]:
            e = report.elements.get(name)
            row += [None, None, None] if e is None else [e.applicable, e.met, e.time]
        rows.append(tuple(row))
    return pl.DataFrame(rows, schema=bundle_schema(bundle), orient="row")
