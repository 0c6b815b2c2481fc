"""Apply a per-patient table function to a stream of Arrow batches holding whole patients.

This is the seam between the cohort rules and any engine that moves data in Arrow record
batches (Spark's ``mapInArrow``, a Parquet dataset scanned in pieces). Rows arrive sorted by
(patient_id, hour); a patient may straddle two batches, so the tail patient of each buffer
is held back until its last row has arrived. The function itself is the embedded engine's
(e.g. :func:`sepsiscope.cohort.score_table`): no rule is restated here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import polars as pl
import pyarrow as pa

#: Score once this many rows are buffered (bounded memory per executor task).
CHUNK_ROWS = 100_000
#: Rows per output Arrow batch (small IPC messages keep the JVM <-> Python pipe flowing).
OUTPUT_BATCH_ROWS = 10_000

TableFn = Callable[[pl.DataFrame], pl.DataFrame]


def _plain_type(t: pa.DataType) -> pa.DataType:
    if pa.types.is_large_list(t) or pa.types.is_list(t) or pa.types.is_list_view(t):
        return pa.list_(_plain_type(t.value_type))
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    return t


def to_arrow_plain(frame: pl.DataFrame) -> pa.Table:
    """Arrow table in the types every Arrow consumer (Spark included) reads.

    Enum/Categorical (also inside lists) become strings; large or view strings and lists
    become their 32-bit-offset forms.
    """
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List) and isinstance(dtype.inner, (pl.Enum, pl.Categorical)):
            casts.append(pl.col(name).cast(pl.List(pl.Utf8)))
        elif isinstance(dtype, (pl.Enum, pl.Categorical)):
            casts.append(pl.col(name).cast(pl.Utf8))
    table = (frame.with_columns(casts) if casts else frame).to_arrow()
    schema = pa.schema([pa.field(f.name, _plain_type(f.type), f.nullable) for f in table.schema])
    return table.cast(schema)


def map_patient_batches(
    batches: Iterable[pa.RecordBatch], fn: TableFn, *, chunk_rows: int = CHUNK_ROWS
) -> Iterator[pa.RecordBatch]:
    """Apply ``fn`` to groups of complete patients from patient-sorted ``batches``."""
    buffer: list[pl.DataFrame] = []
    buffered = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        frame = pl.from_arrow(pa.Table.from_batches([batch]))
        assert isinstance(frame, pl.DataFrame)
        buffer.append(frame)
        buffered += frame.height
        if buffered < chunk_rows:
            continue
        table = pl.concat(buffer, how="vertical_relaxed")
        last = table.get_column("patient_id")[-1]
        tail_start = table.height - int((table.get_column("patient_id") == last).sum())
        if tail_start > 0:
            yield from to_arrow_plain(fn(table.slice(0, tail_start))).to_batches(max_chunksize=OUTPUT_BATCH_ROWS)
        buffer = [table.slice(tail_start)]
        buffered = buffer[0].height
    if buffered:
        yield from to_arrow_plain(fn(pl.concat(buffer, how="vertical_relaxed"))).to_batches(
            max_chunksize=OUTPUT_BATCH_ROWS
        )
