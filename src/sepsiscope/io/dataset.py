"""Write the canonical wide table as a Parquet dataset (a folder of files), as a data lake holds it.

Rows are sorted by (patient_id, hour) and every file holds whole patients, so any engine
can process files independently; Spark still repartitions by patient once, because it may
split a file into several tasks.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl

from sepsiscope.errors import ReadError

ROWS_PER_FILE = 250_000


def write_patient_dataset(
    table: pl.DataFrame, out_dir: str | Path, *, rows_per_file: int = ROWS_PER_FILE, overwrite: bool = False
) -> list[Path]:
    """Write ``table`` to ``out_dir/part-00000.parquet``, … with whole patients per file."""
    out = Path(out_dir)
    if out.exists():
        if not overwrite and any(out.iterdir()):
            raise ReadError("output folder is not empty", file=str(out), hint="pass --overwrite to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ordered = table.sort(["patient_id", "hour"], maintain_order=True)
    pid = ordered.get_column("patient_id")
    starts = np.flatnonzero((pid != pid.shift(1)).fill_null(True).to_numpy())
    cuts = [0]
    for start in starts:
        if start - cuts[-1] >= rows_per_file:
            cuts.append(int(start))
    cuts.append(ordered.height)
    files = []
    for k, (lo, hi) in enumerate(zip(cuts[:-1], cuts[1:], strict=True)):
        path = out / f"part-{k:05d}.parquet"
        ordered.slice(lo, hi - lo).write_parquet(path)
        files.append(path)
    return files
