"""The Spark engine: the embedded cohort functions, run per partition on a Spark cluster.

Design (docs/architecture.md, docs/scale-out.md): no rule is rewritten for Spark. Rows are
repartitioned by ``patient_id`` (the one shuffle), sorted within each partition by
(``patient_id``, ``hour``), and each partition's Arrow batches go through
:func:`~sepsiscope.cohort.partitions.map_patient_batches` with the same Python function the
embedded engine calls (``score_table``), executed by ``mapInArrow`` on the executors.
Results are therefore identical to the embedded engine's, row for row.

PySpark (the ``[spark]`` extra) is imported lazily, so the rest of sepsiscope works without it;
every entry point here first calls :func:`sepsiscope.extras.require`, so a missing PySpark or
pandas is a :class:`~sepsiscope.errors.MissingExtraError` naming what to install.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

from sepsiscope.cohort.partitions import TableFn, map_patient_batches, to_arrow_plain
from sepsiscope.cohort.scoring import DEFAULT_SCORES, score_table
from sepsiscope.extras import require

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

KEY = ["patient_id", "hour"]
FEATURE = "the Spark engine"


def active_session() -> SparkSession | None:
    """The Spark session already running in this process (e.g. a notebook's), if any."""
    require("spark", FEATURE)
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


def spark_session(
    master: str | None = None, *, app_name: str = "sepsiscope", conf: dict[str, str] | None = None
) -> SparkSession:
    """A Spark session: ``master`` (e.g. ``spark://host:7077``), else whatever the environment
    configures (``spark-submit`` / ``SPARK_MASTER``), else local mode on every core.

    Workers must run a Python that has sepsiscope installed; locally that is this interpreter
    (``PYSPARK_PYTHON`` is set to it unless already set).
    """
    require("spark", FEATURE)
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    chosen = master or os.environ.get("SPARK_MASTER")
    if chosen:
        builder = builder.master(chosen)
    elif not os.environ.get("PYSPARK_GATEWAY_PORT"):  # set by spark-submit, whose --master then applies
        builder = builder.master("local[*]")
    defaults = {
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.maxRecordsPerBatch": "50000",
        "spark.driver.memory": "4g",
        "spark.sql.shuffle.partitions": "8",
    }
    for key, value in {**defaults, **(conf or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def output_schema(fn: TableFn, input_schema: pl.Schema) -> pa.Schema:
    """The Arrow schema ``fn`` produces, found by running it on an empty table of the input schema."""
    empty = pl.DataFrame(schema=input_schema)
    return to_arrow_plain(fn(empty)).schema


def apply_by_patient(df: DataFrame, fn: TableFn, *, partitions: int | None = None) -> DataFrame:
    """Run a patient-table function on every partition of a Spark DataFrame.

    One repartition by ``patient_id`` puts each patient's hours in one task; rows are then
    sorted within partitions and streamed through ``fn`` in chunks of whole patients.
    """
    require("spark", FEATURE)
    from pyspark.sql.pandas.types import from_arrow_schema

    arrow_in = df.limit(0).toArrow().schema
    polars_in = pl.from_arrow(pa.Table.from_batches([], schema=arrow_in)).schema  # type: ignore[union-attr]
    schema = output_schema(fn, polars_in)
    n = partitions or max(df.sparkSession.sparkContext.defaultParallelism * 2, 2)
    ordered = df.repartition(n, "patient_id").sortWithinPartitions(*KEY)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return map_patient_batches(batches, fn)

    return ordered.mapInArrow(run, from_arrow_schema(schema))


def score_parquet(
    session: SparkSession,
    source: str | Path,
    out: str | Path,
    scores: Sequence[str] = DEFAULT_SCORES,
    *,
    partitions: int | None = None,
) -> None:
    """Score a Parquet dataset (file or folder, local or object-store URL) into a Parquet folder."""
    df = session.read.parquet(str(source))
    scored = apply_by_patient(df, partial(score_table, scores=tuple(scores)), partitions=partitions)
    scored.write.mode("overwrite").parquet(str(out))


def score_spark_frame(df: DataFrame, scores: Sequence[str] = DEFAULT_SCORES, **kw: Any) -> DataFrame:
    """Lazy Spark DataFrame of the scores of ``df`` (not yet computed)."""
    return apply_by_patient(df, partial(score_table, scores=tuple(scores)), **kw)
