"""Sepsis-3 and bundles on Spark: the embedded per-patient functions, run per partition.

Same design as ``cohort.spark`` (docs/architecture.md "How the one definition reaches Spark"):
no rule is rewritten. The canonical event table is repartitioned by ``patient_id`` and each
chunk of whole patients goes through the very function the embedded engine calls — grid and
hourly SOFA from the events (:func:`~sepsiscope.cohort.sepsis3.hourly_sofa`), the long patient
table, then :func:`~sepsiscope.cohort.sepsis3.episodes_of`, :func:`~sepsiscope.cohort.sepsis3.hours_of`
or :func:`~sepsiscope.cohort.bundles.bundles_of`. Results are identical, row for row, up to order.

``apply_by_patient`` orders rows by (``patient_id``, ``hour``); here ``hour`` is the event time
in hours since the epoch, used only for that ordering and dropped before the rules see the rows.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Literal

import polars as pl

from sepsiscope.cohort.bundles import bundles_of
from sepsiscope.cohort.sepsis3 import LONG_SCHEMA, episodes_of, hourly_sofa, hours_of, labels_of, patient_table
from sepsiscope.cohort.spark import apply_by_patient
from sepsiscope.scores.bundles import BundleName
from sepsiscope.scores.sepsis3 import Baseline

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame

Output = Literal["episodes", "hours", "labels", "bundles"]


def events_chunk(
    events: pl.DataFrame, *, output: Output, baseline: Baseline = "zero", bundle: BundleName = "ssc_hour1"
) -> pl.DataFrame:
    """One chunk of whole patients' events (plus the ordering ``hour``) -> one output table."""
    ev = events.drop("hour") if "hour" in events.columns else events
    # an empty chunk (Spark asks for the output schema with one) gives the empty long table
    long = patient_table(ev, hourly_sofa(ev)) if ev.height else pl.DataFrame(schema=LONG_SCHEMA)
    if output == "episodes":
        return episodes_of(long, baseline)
    if output == "hours":
        return hours_of(long, baseline)
    if output == "labels":
        return labels_of(long)
    return bundles_of(long, bundle, baseline)


def sepsis3_spark_frame(
    events: DataFrame,
    output: Output,
    *,
    baseline: Baseline = "zero",
    bundle: BundleName = "ssc_hour1",
    partitions: int | None = None,
) -> DataFrame:
    """Lazy Spark DataFrame of one output (episodes, hours, labels or bundles) for a Spark event table."""
    from pyspark.sql import functions as F

    ordered = events.withColumn("hour", F.col("time").cast("double") / F.lit(3600.0))
    fn = partial(events_chunk, output=output, baseline=baseline, bundle=bundle)
    return apply_by_patient(ordered, fn, partitions=partitions)
