"""The canonical clinical event table from CSV or Parquet, with a column map.

Canonical columns (``EVENT_SCHEMA``): ``patient_id``, ``time`` (UTC), ``kind``, ``code``,
``value``, ``unit``, ``route``, ``end`` (UTC). A source column matches by canonical name or by
the ``columns`` map (source -> canonical). Times must carry a zone (ISO 8601 with ``Z`` or an
offset such as ``+01:00``; Parquet: a zoned timestamp); a time without one is refused, never
guessed.

Every row goes through :func:`sepsiscope.variables.events.validate_event`, the one definition of
a valid event (unknown drug, negative volume, stop before start, ...). Measurements in another
unit are converted by ``variables.units.convert`` first and recorded as ``converted``. As every
reader here (style.md §4): strict by default — the first bad row raises
:class:`~sepsiscope.errors.ReadError` with file, line, field and value; ``on_invalid="quarantine"``
sets bad rows aside, each with a :class:`~sepsiscope.io.report.RowProblem`, and goes on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import polars as pl

from sepsiscope.errors import ReadError, UsageError
from sepsiscope.io.event_rows import EventRows, frame_to_events
from sepsiscope.io.report import Flagged, IntArray, OnInvalid, ReadReport, ReadResult, literal, resolve_rows
from sepsiscope.io.tabular_load import _load

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "time": pl.Datetime("us", "UTC"),
    "kind": pl.String(),
    "code": pl.String(),
    "value": pl.Float64(),
    "unit": pl.String(),
    "route": pl.String(),
    "end": pl.Datetime("us", "UTC"),
}
REQUIRED = ("patient_id", "time", "kind", "code")
_HINT = "fix the file, or pass on_invalid='quarantine' (CLI: --on-invalid quarantine) to set bad rows aside"


def read_events(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    on_invalid: OnInvalid = "error",
    separator: str | None = None,
) -> ReadResult:
    """Read a CSV or Parquet event table into the canonical event table (``EVENT_SCHEMA``).

    ``columns`` maps source column -> canonical column. Unknown columns raise. Problems are
    located by line (CSV, header = line 1) or 0-based row index (Parquet).
    """
    if on_invalid not in ("error", "quarantine"):
        raise UsageError(f"on_invalid must be 'error' or 'quarantine', not {on_invalid!r}")
    p = Path(path)
    frame, is_csv = _load(p, separator)
    frame = _rename(p.name, frame, columns or {})
    meaning = "line number in the file (header = line 1)" if is_csv else "row index in the Parquet file (0-based)"
    report = ReadReport(source=p.name, files=[p.name], line_meaning=meaning)
    report.rows_read = frame.height
    source = _Source(p, frame, is_csv)
    rows = EventRows.parse(frame)
    problems = rows.check(report, source.locate)
    flags = [
        Flagged(np.array([row], dtype=np.int64), err.field, [err.value], reason, literal(err.reason), _HINT)
        for row, err, reason in problems
    ]
    keep = resolve_rows(
        frame.height,
        flags,
        on_invalid=on_invalid,
        locate=source.locate,
        raw_text=source.raw_text,
        report=report,
        line_label=None if is_csv else "row index {line} (0-based)",
    )
    table = rows.table().filter(pl.Series(keep))
    report.rows_out = table.height
    return ReadResult(table, report)


def _rename(file: str, frame: pl.DataFrame, columns: Mapping[str, str]) -> pl.DataFrame:
    for source, target in columns.items():
        if source not in frame.columns:
            raise ReadError(f"columns= names {source!r}, which is not in the file", file=file, field=source)
        if target not in EVENT_SCHEMA:
            raise UsageError(f"columns= maps {source!r} to {target!r}; canonical columns are {', '.join(EVENT_SCHEMA)}")
    renamed = frame.rename(dict(columns))
    unknown = [c for c in renamed.columns if c not in EVENT_SCHEMA]
    if unknown:
        raise ReadError(
            f"unknown columns: {', '.join(repr(c) for c in unknown)}",
            file=file,
            field=unknown[0],
            hint=f"map them with columns={{'source': 'canonical'}}; canonical columns are {', '.join(EVENT_SCHEMA)}",
        )
    seen = list(renamed.columns)
    if len(set(seen)) != len(seen):
        dup = next(c for c in seen if seen.count(c) > 1)
        raise ReadError(f"two columns map to {dup!r}", file=file, field=dup)
    for key in REQUIRED:
        if key not in renamed.columns:
            raise ReadError(f"no {key!r} column", file=file, field=key, hint="name it or map it with columns=")
    return renamed


class _Source:
    """Where a row of the file is (line or row index) and its raw text."""

    def __init__(self, path: Path, frame: pl.DataFrame, is_csv: bool) -> None:
        self.path, self.frame, self.is_csv = path, frame, is_csv
        self._lines: list[str] | None = None

    def locate(self, rows: IntArray) -> tuple[list[str], IntArray]:
        return [self.path.name] * len(rows), rows + 2 if self.is_csv else rows.copy()

    def raw_text(self, rows: IntArray) -> list[str]:
        if not self.is_csv:
            return [json.dumps(self.frame.row(int(r), named=True), default=str) for r in rows]
        if self._lines is None:
            self._lines = self.path.read_text(encoding="utf-8-sig").splitlines()
        return [self._lines[int(r) + 1] if int(r) + 1 < len(self._lines) else "" for r in rows]


__all__ = ["EVENT_SCHEMA", "frame_to_events", "read_events"]
