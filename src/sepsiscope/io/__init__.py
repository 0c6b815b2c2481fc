"""Readers: PhysioNet 2019 PSV, CSV and Parquet -> one canonical wide table plus a ReadReport.

Every reader returns :class:`ReadResult` (``table``, ``report``); nothing leaves the table
without a :class:`RowProblem` in the report (shared/docs/style.md §4).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sepsiscope.errors import ReadError
from sepsiscope.io.psv import read_psv, write_psv
from sepsiscope.io.report import ReadReport, ReadResult, RowProblem
from sepsiscope.io.tabular import read_table

__all__ = ["ReadReport", "ReadResult", "RowProblem", "read_any", "read_psv", "read_table", "write_psv"]

_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")


def read_any(path: str | Path, **kw: Any) -> ReadResult:
    """Read PSV (folder, ``.zip`` or ``.psv``), CSV or Parquet, choosing the reader by suffix.

    Keyword arguments go to :func:`read_psv` or :func:`read_table` unchanged.
    """
    p = Path(path)
    name = p.name.lower()
    if p.is_dir() or name.endswith((".zip", ".psv")):
        return read_psv(p, **kw)
    if name.endswith(_TABLE_SUFFIXES):
        return read_table(p, **kw)
    raise ReadError(
        "cannot tell the format from the name",
        file=str(p),
        hint="pass a folder or .zip of .psv files, a .psv, .csv, .tsv, .parquet or .pq file",
    )
