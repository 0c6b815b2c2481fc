"""CSV and Parquet tables in the wide layout (one row per patient-hour) -> canonical wide table.

Columns are matched by canonical name, PhysioNet 2019 column name or LOINC code
(``REGISTRY.lookup``), or by an explicit ``columns`` map. Units other than the canonical ones
are converted by ``variables.units.convert`` (adult-scores.md §1.2); plausibility limits come
from adult-scores.md §1.1 via ``variables.toml``. Validation, quarantine and the report follow
the same rules as the PSV reader (style.md §4).

This module owns :func:`read_table` and the reader that resolves flagged rows (repeated
``(patient_id, hour)`` included), cleans or rejects implausible values and assembles the table.
Loading is in :mod:`~sepsiscope.io.tabular_load`, column matching and units in
:mod:`~sepsiscope.io.tabular_columns`, and per-column parsing in :mod:`~sepsiscope.io.tabular_values`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from sepsiscope.errors import UsageError
from sepsiscope.io.report import (
    Flagged,
    Implausible,
    IntArray,
    OnInvalid,
    ReadReport,
    ReadResult,
    number_text,
    record_values,
    resolve_rows,
)
from sepsiscope.io.tabular_columns import KEYS as KEYS  # re-exported: targets that are not variables
from sepsiscope.io.tabular_columns import LABEL, Unknown, _targets, _units
from sepsiscope.io.tabular_load import _load
from sepsiscope.io.tabular_values import _HINT_QUARANTINE, _Parser
from sepsiscope.variables.registry import REGISTRY, Variable


def read_table(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    on_invalid: OnInvalid = "error",
    implausible: Implausible = "clean",
    unknown: Unknown = "error",
    null_values: Sequence[str] = ("", "NA", "NaN"),
    separator: str | None = None,
) -> ReadResult:
    """Read a CSV or Parquet table (one row per patient-hour) into the canonical wide table.

    ``columns`` maps source column -> canonical name (``patient_id``, ``hour``, ``sepsis_label``
    or a registry variable); other columns match by canonical name, PhysioNet name or LOINC.
    ``patient_id`` and ``hour`` are required. ``units`` maps a column (source or canonical
    name) to its unit, e.g. ``{"temp_c": "degF"}``. Unknown columns raise unless
    ``unknown="ignore"``, which leaves them out and lists them in the report.

    Problems are located by line (CSV, header = line 1; a quoted field spanning lines shifts
    the count) or 0-based row index (Parquet).
    ``on_invalid`` and ``implausible`` work as in :func:`sepsiscope.io.psv.read_psv`; a repeated
    (patient_id, hour) is an invalid row.
    """
    if on_invalid not in ("error", "quarantine"):
        raise UsageError(f"on_invalid must be 'error' or 'quarantine', not {on_invalid!r}")
    if implausible not in ("clean", "reject"):
        raise UsageError(f"implausible must be 'clean' or 'reject', not {implausible!r}")
    if unknown not in ("error", "ignore"):
        raise UsageError(f"unknown must be 'error' or 'ignore', not {unknown!r}")
    p = Path(path)
    frame, is_csv = _load(p, separator)
    return _Table(p, frame, is_csv, on_invalid, implausible, tuple(null_values)).read(
        columns or {}, units or {}, unknown
    )


# -- the reader ----------------------------------------------------------------------------


class _Table:
    def __init__(
        self,
        path: Path,
        frame: pl.DataFrame,
        is_csv: bool,
        on_invalid: OnInvalid,
        implausible: Implausible,
        null_values: tuple[str, ...],
    ) -> None:
        self.path = path
        self.name = path.name
        self.frame = frame
        self.is_csv = is_csv
        self.on_invalid = on_invalid
        self.implausible = implausible
        self.line_label = None if is_csv else "row index {line} (0-based)"
        meaning = "line number in the file (header = line 1)" if is_csv else "row index in the Parquet file (0-based)"
        self.report = ReadReport(source=path.name, files=[path.name], line_meaning=meaning)
        self.report.rows_read = frame.height
        self.parser = _Parser(frame, path.name, implausible, null_values, self.report)
        self._lines: list[str] | None = None

    # -- reading ---------------------------------------------------------------------------
    def read(self, columns: Mapping[str, str], units: Mapping[str, str], unknown: Unknown) -> ReadResult:
        targets, ignored = _targets(self.name, self.frame.columns, columns, unknown)
        self.report.ignored_columns = ignored
        unit_of = _units(self.name, units, targets)
        n = self.frame.height
        out: dict[str, pl.Series] = {}
        row_flags: list[Flagged] = []
        value_flags: list[tuple[str, Flagged]] = []  # (target, flag): set to missing when cleaning
        for source, target in targets.items():
            series, flag = self.parser.column(source, target, unit_of.get(target), row_flags)
            out[target] = series
            if flag is not None:
                value_flags.append((target, flag))
        row_flags.extend(self._duplicates(out, targets))
        if self.implausible == "reject":
            row_flags.extend(f for _, f in value_flags)
        keep = resolve_rows(
            n,
            row_flags,
            on_invalid=self.on_invalid,
            locate=self._locate,
            raw_text=self._raw_text,
            report=self.report,
            line_label=self.line_label,
        )
        if self.implausible == "clean":
            for target, flag in value_flags:
                stay = keep[flag.rows]
                kept = Flagged(
                    flag.rows[stay],
                    flag.field,
                    [v for v, k in zip(flag.values, stay, strict=True) if k],
                    flag.reason,
                    flag.message,
                    flag.hint,
                )
                record_values(kept, "set_missing", locate=self._locate, report=self.report)
                if len(flag.rows):
                    out[target] = out[target].scatter(flag.rows, None)
        table = self._assemble(out).filter(pl.Series(keep))
        self.report.rows_out = table.height
        return ReadResult(table, self.report)

    def _duplicates(self, out: dict[str, pl.Series], targets: dict[str, str]) -> list[Flagged]:
        keys = pl.DataFrame({"p": out["patient_id"], "h": out["hour"]}).with_row_index("r")
        dup = keys.filter(pl.col("p").is_not_null() & pl.col("h").is_not_null() & pl.struct("p", "h").is_duplicated())
        if not dup.height:
            return []
        first = dup.group_by("p", "h").agg(pl.col("r").min().alias("first"))
        later = dup.join(first, on=["p", "h"]).filter(pl.col("r") != pl.col("first")).sort("r")
        rows = later["r"].to_numpy().astype(np.int64)
        _, first_lines = self._locate(later["first"].to_numpy().astype(np.int64))
        where = "line" if self.is_csv else "row index"
        details = [f"same patient and hour as {where} {int(x)}" for x in first_lines]
        hour_col = next(s for s, t in targets.items() if t == "hour")
        values = number_text(later["h"])
        message = "hour {value} repeats an earlier row of the same patient"
        return [Flagged(rows, hour_col, values, "duplicate_hour", message, _HINT_QUARANTINE, details)]

    def _assemble(self, out: dict[str, pl.Series]) -> pl.DataFrame:
        cols = [out["patient_id"], out["hour"]]
        var: Variable
        for var in REGISTRY:
            if var.name in out:
                cols.append(out[var.name])
        if LABEL in out:
            cols.append(out[LABEL])
        return pl.DataFrame(cols)

    # -- locating --------------------------------------------------------------------------
    def _locate(self, rows: IntArray) -> tuple[list[str], IntArray]:
        return [self.name] * len(rows), rows + 2 if self.is_csv else rows.copy()

    def _raw_text(self, rows: IntArray) -> list[str]:
        if not self.is_csv:
            return [json.dumps(self.frame.row(int(r), named=True), default=str) for r in rows]
        if self._lines is None:
            self._lines = self.path.read_text(encoding="utf-8-sig").splitlines()
        return [self._lines[int(r) + 1] if int(r) + 1 < len(self._lines) else "" for r in rows]
