"""Readers: PhysioNet 2019 PSV, CSV and Parquet -> one canonical wide table plus a ReadReport;
clinical events from CSV/Parquet (``read_events``) and MEDS (``read_meds``) -> the canonical
event table (``EVENT_SCHEMA``).

Every reader returns :class:`ReadResult` (``table``, ``report``); nothing leaves the table
without a :class:`RowProblem` in the report (shared/docs/style.md §4).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sepsiscope.errors import ReadError
from sepsiscope.io.dataset import write_patient_dataset
from sepsiscope.io.events import EVENT_SCHEMA, read_events
from sepsiscope.io.meds_events import read_meds
from sepsiscope.io.predictions import read_prediction_dir, write_prediction_dir
from sepsiscope.io.psv import read_psv, read_psv_batches, write_psv
from sepsiscope.io.report import ReadBatches, ReadReport, ReadResult, RowProblem
from sepsiscope.io.tabular import read_table

__all__ = [
    "EVENT_SCHEMA",
    "ReadBatches",
    "ReadReport",
    "ReadResult",
    "RowProblem",
    "read_any",
    "read_batches",
    "read_events",
    "read_meds",
    "read_prediction_dir",
    "read_psv",
    "read_psv_batches",
    "read_table",
    "write_patient_dataset",
    "write_prediction_dir",
    "write_psv",
]

_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")


def read_any(path: str | Path, **kw: Any) -> ReadResult:
    """Read PSV (folder, ``.zip`` or ``.psv``), CSV or Parquet, choosing the reader by suffix.

    Keyword arguments go to :func:`read_psv` or :func:`read_table` unchanged.
    """
    p = Path(path)
    if _is_parquet_folder(p):
        return _read_parquet_folder(p, **kw)
    if _is_psv(p):
        return read_psv(p, **kw)
    if p.name.lower().endswith(_TABLE_SUFFIXES):
        return read_table(p, **kw)
    raise ReadError(
        "cannot tell the format from the name",
        file=str(p),
        hint="pass a folder or .zip of .psv files, a .psv, .csv, .tsv, .parquet or .pq file",
    )


def read_batches(path: str | Path, **kw: Any) -> ReadBatches:
    """:func:`read_any` as successive tables of whole patients, in input order.

    PhysioNet input comes in batches of files, each read while the caller works on the one
    before (:func:`read_psv_batches`); other formats come as one table.
    """
    p = Path(path)
    if _is_psv(p) and not _is_parquet_folder(p):
        return read_psv_batches(p, **kw)
    result = read_any(p, **kw)
    return ReadBatches(iter([result.table]), result.report)


def _is_parquet_folder(p: Path) -> bool:
    return p.is_dir() and not any(p.rglob("*.psv")) and any(p.glob("*.parquet"))


def _is_psv(p: Path) -> bool:
    return p.is_dir() or p.name.lower().endswith((".zip", ".psv"))


def _read_parquet_folder(folder: Path, **kw: Any) -> ReadResult:
    """A Parquet dataset folder (e.g. from ``sepsiscope convert``): every file, one report."""
    import polars as pl

    from sepsiscope.io.report import ReadReport

    parts = [read_table(f, **kw) for f in sorted(folder.glob("*.parquet"))]
    report = ReadReport(source=str(folder), line_meaning=parts[0].report.line_meaning)
    for part in parts:
        report.files.extend(part.report.files)
        report.rows_read += part.report.rows_read
        report.rows_out += part.report.rows_out
        report.rows_quarantined += part.report.rows_quarantined
        report.notes.extend(n for n in part.report.notes if n not in report.notes)
        report.ignored_columns.extend(c for c in part.report.ignored_columns if c not in report.ignored_columns)
        report.add_frame(part.report.problems_frame())
    table = pl.concat([part.table for part in parts], how="diagonal_relaxed")
    return ReadResult(table, report)
