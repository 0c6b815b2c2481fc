"""The batch seam used by Spark: patients split across Arrow batches are scored whole."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest

from sepsiscope.cohort import score_table
from sepsiscope.cohort.compare import assert_frames_equivalent, canonical
from sepsiscope.cohort.partitions import map_patient_batches, to_arrow_plain
from sepsiscope.errors import EngineMismatch
from sepsiscope.synth import generate_ward


@pytest.fixture(scope="module")
def ward() -> pl.DataFrame:
    return generate_ward(12, 30, seed=3).table


@pytest.mark.parametrize(("batch_rows", "chunk_rows"), [(7, 1), (25, 40), (1000, 10_000), (50, 100_000)])
def test_any_batching_gives_the_embedded_result(ward, batch_rows, chunk_rows) -> None:
    batches = ward.to_arrow().to_batches(max_chunksize=batch_rows)
    out = pa.Table.from_batches(list(map_patient_batches(batches, score_table, chunk_rows=chunk_rows)))
    assert_frames_equivalent(pl.from_arrow(out), score_table(ward))


def test_plain_arrow_types_only(ward) -> None:
    schema = to_arrow_plain(score_table(ward)).schema
    for f in schema:
        assert not pa.types.is_large_list(f.type) and not pa.types.is_large_string(f.type), f
        assert not pa.types.is_dictionary(f.type), f


def test_compare_names_the_first_difference(ward) -> None:
    a = score_table(ward)
    b = a.with_columns(pl.when(pl.int_range(pl.len()) == 5).then(9).otherwise(pl.col("sirs_total")).alias("sirs_total"))
    with pytest.raises(EngineMismatch, match="sirs_total"):
        assert_frames_equivalent(a, b)
    assert canonical(a).equals(canonical(a.reverse()))
