"""Loading one CSV or Parquet table, and locating a CSV syntax error by line.

The suffix chooses the format (``.csv``/``.tsv``/``.txt`` or ``.parquet``/``.pq``). CSV cells are
read as text (no schema inference, no null values), so the value checks in
:mod:`sepsiscope.io.tabular_values` see exactly what the file holds. A repeated header name and a
line with the wrong field count are errors that name the file and line (style.md §4).
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from sepsiscope.errors import ReadError

_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_PARQUET_SUFFIXES = (".parquet", ".pq")


def _load(path: Path, separator: str | None) -> tuple[pl.DataFrame, bool]:
    name = path.name.lower()
    if not path.is_file():
        raise ReadError("no such file", file=str(path))
    if name.endswith(_PARQUET_SUFFIXES):
        try:
            return pl.read_parquet(path), False
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise ReadError(f"not a readable Parquet file ({exc})", file=path.name) from None
    if not name.endswith(_CSV_SUFFIXES):
        raise ReadError("unknown table format", file=path.name, hint="use .csv, .tsv, .txt, .parquet or .pq")
    sep = separator or ("\t" if name.endswith(".tsv") else ",")
    header = _csv_header(path, sep)
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        raise ReadError(f"column {dupes[0]!r} appears more than once in the header", file=path.name, line=1)
    try:
        frame = pl.read_csv(path, separator=sep, infer_schema=False, null_values=None, raise_if_empty=False)
    except pl.exceptions.PolarsError as exc:
        _locate_csv_error(path, sep, len(header))
        raise ReadError(f"cannot parse the CSV ({str(exc).splitlines()[0]})", file=path.name) from None
    return frame, True


def _csv_header(path: Path, sep: str) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return next(csv.reader(f, delimiter=sep), [])


def _locate_csv_error(path: Path, sep: str, width: int) -> None:
    """Slow pass after a failed parse: raise for the first line with the wrong field count."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter=sep)
        for row in reader:
            if len(row) != width:
                raise ReadError(
                    f"the line has {len(row)} fields, the header has {width}",
                    file=path.name,
                    line=reader.line_num,
                    value=sep.join(row),
                )
