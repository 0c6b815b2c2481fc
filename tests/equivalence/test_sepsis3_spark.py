"""Sepsis-3 and bundles: embedded engine vs Spark (local mode), identical outputs up to row order.

Marker ``spark``: needs Java 17 and PySpark; skipped with the reason when absent, a failure under
SEPSISCOPE_REQUIRE_ALL=1 (CI). The session fixture is the one of test_spark_equivalence.
"""

from __future__ import annotations

import polars as pl
import pytest

from sepsiscope.cohort.bundles import bundles_of
from sepsiscope.cohort.compare import assert_frames_equivalent
from sepsiscope.cohort.sepsis3 import episodes_of, hourly_sofa, hours_of, labels_of, patient_table
from sepsiscope.synth.clinical_events import generate_clinical_events
from tests.equivalence.test_spark_equivalence import spark  # noqa: F401  (session fixture)

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def synth():
    return generate_clinical_events(80, seed=13)


def _spark(spark, events: pl.DataFrame, tmp_path, output, **kw) -> pl.DataFrame:  # noqa: F811
    from sepsiscope.cohort.sepsis3_spark import sepsis3_spark_frame

    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")  # zoned (UTC) instants
    src = tmp_path / f"events_{output}.parquet"
    events.write_parquet(src)
    df = spark.read.parquet(str(src))
    out = tmp_path / f"out_{output}"
    sepsis3_spark_frame(df, output, partitions=3, **kw).write.mode("overwrite").parquet(str(out))
    return pl.read_parquet(str(out / "*.parquet"))


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """compare.canonical orders by (patient_id, hour); episodes are keyed by their number instead."""
    if "hour" in frame.columns:
        return frame
    return frame.with_columns(pl.col("episode").cast(pl.Float64).alias("hour"))


@pytest.mark.parametrize("output", ["episodes", "hours", "labels"])
def test_sepsis3_identical(spark, synth, tmp_path, output) -> None:  # noqa: F811
    long = patient_table(synth.events, hourly_sofa(synth.events))
    embedded = {"episodes": episodes_of, "hours": hours_of, "labels": labels_of}[output](long)
    got = _spark(spark, synth.events, tmp_path, output)
    assert got.height == embedded.height > 0
    assert_frames_equivalent(_keyed(got), _keyed(embedded))


@pytest.mark.parametrize("bundle", ["ssc_hour1", "sep1"])
def test_bundles_identical(spark, synth, tmp_path, bundle) -> None:  # noqa: F811
    long = patient_table(synth.events, hourly_sofa(synth.events))
    embedded = bundles_of(long, bundle)
    got = _spark(spark, synth.events, tmp_path, "bundles", bundle=bundle)
    one_row_each = pl.lit(0.0).alias("hour")  # compare.canonical orders by (patient_id, hour)
    assert got.height == embedded.height == synth.truth.height
    assert_frames_equivalent(got.with_columns(one_row_each), embedded.with_columns(one_row_each))
