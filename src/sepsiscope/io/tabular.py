"""CSV and Parquet tables in the wide layout (one row per patient-hour) -> canonical wide table.

Columns are matched by canonical name, PhysioNet 2019 column name or LOINC code
(``REGISTRY.lookup``), or by an explicit ``columns`` map. Units other than the canonical ones
are converted by ``variables.units.convert`` (adult-scores.md §1.2); plausibility limits come
from adult-scores.md §1.1 via ``variables.toml``. Validation, quarantine and the report follow
the same rules as the PSV reader (style.md §4).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from sepsiscope.errors import ReadError, UnitError, UsageError
from sepsiscope.io.report import (
    Flagged,
    Implausible,
    IntArray,
    OnInvalid,
    ReadReport,
    ReadResult,
    literal,
    number_text,
    record_values,
    resolve_rows,
)
from sepsiscope.variables.registry import REGISTRY, Variable
from sepsiscope.variables.units import CONVERSIONS, convert

Unknown = Literal["error", "ignore"]

#: Targets that are not registry variables.
KEYS = ("patient_id", "hour")
LABEL = "sepsis_label"
_LABEL_ALIASES = {"sepsis_label": LABEL, "SepsisLabel": LABEL}
_TRUE = {"true", "1", "1.0", "yes"}
_FALSE = {"false", "0", "0.0", "no"}
_PHYSIONET_GENDER = {"0": "female", "1": "male", "0.0": "female", "1.0": "male"}
_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_HINT_QUARANTINE = "fix the file, or pass on_invalid='quarantine' to set bad rows aside with a record"
_HINT_CLEAN = "pass implausible='clean' to set implausible values to missing and record each one"


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


# -- loading -------------------------------------------------------------------------------


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
        self.null_values = null_values
        self.line_label = None if is_csv else "row index {line} (0-based)"
        meaning = "line number in the file (header = line 1)" if is_csv else "row index in the Parquet file (0-based)"
        self.report = ReadReport(source=path.name, files=[path.name], line_meaning=meaning)
        self.report.rows_read = frame.height
        self._lines: list[str] | None = None

    # -- columns ---------------------------------------------------------------------------
    def _targets(self, columns: Mapping[str, str], unknown: Unknown) -> dict[str, str]:
        """source column -> target name (canonical variable, patient_id, hour, sepsis_label)."""
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise ReadError(
                f"columns= names {missing[0]!r}, which is not in the file",
                file=self.name,
                field=missing[0],
                hint=f"the file has: {', '.join(self.frame.columns)}",
            )
        out: dict[str, str] = {}
        strangers: list[str] = []
        for col in self.frame.columns:
            target = _target(columns[col]) if col in columns else _target(col)
            if target is None:
                if col in columns:
                    raise UsageError(f"columns= maps {col!r} to {columns[col]!r}, which is not a canonical name")
                strangers.append(col)
                continue
            clash = [s for s, t in out.items() if t == target]
            if clash:
                raise ReadError(
                    f"columns {clash[0]!r} and {col!r} both map to {target!r}",
                    file=self.name,
                    field=col,
                    hint="drop one, or map it elsewhere with columns=",
                )
            out[col] = target
        if strangers and unknown == "error":
            raise ReadError(
                f"unknown columns: {', '.join(repr(c) for c in strangers)}",
                file=self.name,
                field=strangers[0],
                hint="map them with columns={'source': 'canonical_name'}, or pass unknown='ignore' to leave them out",
            )
        self.report.ignored_columns = strangers
        for key in KEYS:
            if key not in out.values():
                raise ReadError(
                    f"no {key!r} column",
                    file=self.name,
                    field=key,
                    hint=f"name one {key!r} or map it, e.g. columns={{'stay_id': 'patient_id', 'ICULOS': 'hour'}}",
                )
        return out

    # -- reading ---------------------------------------------------------------------------
    def read(self, columns: Mapping[str, str], units: Mapping[str, str], unknown: Unknown) -> ReadResult:
        targets = self._targets(columns, unknown)
        unit_of = self._units(units, targets)
        n = self.frame.height
        out: dict[str, pl.Series] = {}
        row_flags: list[Flagged] = []
        value_flags: list[tuple[str, Flagged]] = []  # (target, flag): set to missing when cleaning
        for source, target in targets.items():
            series, flag = self._column(source, target, unit_of.get(target), row_flags)
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

    def _units(self, units: Mapping[str, str], targets: dict[str, str]) -> dict[str, str]:
        unit_of: dict[str, str] = {}
        for key, unit in units.items():
            target = targets.get(key) or _target(key)
            if target is None or target not in targets.values() or target not in REGISTRY:
                raise UsageError(f"units= names {key!r}, which is not a numeric column of {self.name}")
            try:
                convert(np.zeros(0), target, unit)
            except UnitError as exc:
                raise UsageError(str(exc)) from None
            unit_of[target] = unit
        return unit_of

    def _column(
        self, source: str, target: str, unit: str | None, row_flags: list[Flagged]
    ) -> tuple[pl.Series, Flagged | None]:
        """Parse one source column; row-level problems go to row_flags, value-level are returned."""
        s = self.frame[source]
        if target == "patient_id":
            if not (s.dtype == pl.String or s.dtype.is_integer()):
                raise self._dtype_error(source, s.dtype, "text or integer ids")
            ids = s.cast(pl.String)
            if ids.null_count():
                rows = _arg(ids.is_null())
                row_flags.append(
                    Flagged(
                        rows,
                        source,
                        [None] * len(rows),
                        "missing_patient_id",
                        "the patient id is missing",
                        _HINT_QUARANTINE,
                    )
                )
            return ids.alias(target), None
        if target == LABEL or (target in REGISTRY and REGISTRY[target].kind in ("code", "boolean")):
            series, bad = self._coded(source, target, s)
            return series, (self._value_flag(source, target, bad, s) if len(bad) else None)
        x, text = self._numbers(source, s, row_flags)
        if target == "hour":
            ok = np.isfinite(x) & (np.round(x) == x) & (np.abs(x) < 2**31)
            rows = np.flatnonzero(~ok).astype(np.int64)
            if len(rows):
                values = [v if v is not None else "" for v in self._text(s, text, rows)]
                row_flags.append(
                    Flagged(
                        rows,
                        source,
                        values,
                        "invalid_hour",
                        "hour {value!r} is not a whole number of hours",
                        _HINT_QUARANTINE,
                    )
                )
            hours = pl.Series(target, np.where(ok, x, 0).astype(np.int32), pl.Int32)
            return (hours.scatter(rows, None) if len(rows) else hours), None
        var = REGISTRY[target]
        bad_window = np.zeros(len(x), dtype=np.bool_)
        if unit is not None and unit != var.unit:
            rule = CONVERSIONS[target][unit]
            lo = -np.inf if rule.valid_min is None else rule.valid_min
            hi = np.inf if rule.valid_max is None else rule.valid_max
            finite = np.isfinite(x)
            inside = finite & (x >= lo) & (x <= hi)
            bad_window = finite & ~inside
            y = np.full(len(x), np.nan)
            y[inside] = convert(x[inside], target, unit)
            y[bad_window] = x[bad_window]
            self.report.notes.append(f"{target}: {int(inside.sum())} values converted from {unit} to {var.unit}")
            x = y
        assert var.min is not None and var.max is not None
        bad = np.isfinite(x) & ((x < var.min) | (x > var.max) | bad_window)
        if var.kind == "integer":
            bad |= np.isfinite(x) & (np.round(x) != x)
        series = pl.Series(target, x, pl.Float64).fill_nan(None)
        rows = np.flatnonzero(bad).astype(np.int64)
        return series, (self._value_flag(source, target, rows, s, text, unit) if len(rows) else None)

    def _numbers(self, source: str, s: pl.Series, row_flags: list[Flagged]) -> tuple[np.ndarray, pl.Series | None]:
        """Float values (NaN = missing) and, for text sources, the text; non-numbers are row problems."""
        if s.dtype.is_numeric():
            x = s.cast(pl.Float64).to_numpy().astype(np.float64, copy=True)
            odd = s.cast(pl.Float64).is_nan().fill_null(False).to_numpy() | np.isinf(x)
            text = None
        elif s.dtype == pl.String:
            text = s
            missing = s.is_null() | s.is_in(list(self.null_values))
            num = s.cast(pl.Float64, strict=False)
            odd = ((num.is_null() | num.is_nan() | num.is_infinite()) & ~missing).fill_null(False).to_numpy()
            x = num.to_numpy().astype(np.float64, copy=True)
            x[missing.to_numpy()] = np.nan
        elif s.dtype == pl.Null:
            return np.full(len(s), np.nan), None
        else:
            raise self._dtype_error(source, s.dtype, "numbers")
        if odd.any():
            rows = np.flatnonzero(odd).astype(np.int64)
            row_flags.append(
                Flagged(
                    rows,
                    source,
                    self._text(s, text, rows),
                    "non_numeric",
                    "{value!r} is not a number",
                    _HINT_QUARANTINE,
                )
            )
            x[odd] = np.nan
        return x, text

    def _coded(self, source: str, target: str, s: pl.Series) -> tuple[pl.Series, IntArray]:
        """Codes, booleans and the label; returns the series and rows with invalid values."""
        if s.dtype == pl.Boolean:
            txt = s.cast(pl.Int8).cast(pl.String)
        elif s.dtype.is_numeric():
            txt = pl.Series(number_text(s), dtype=pl.String)
        elif s.dtype in (pl.String, pl.Null):
            txt = s.cast(pl.String)
        else:
            raise self._dtype_error(source, s.dtype, "codes")
        missing = txt.is_null() | txt.is_in(list(self.null_values))
        if target == LABEL:
            labels = {"0": 0, "1": 1, "0.0": 0, "1.0": 1}
            out = txt.replace_strict(labels, default=None, return_dtype=pl.Int8)
        elif REGISTRY[target].kind == "boolean":
            low = txt.str.to_lowercase()
            out = pl.select(
                pl.when(low.is_in(list(_TRUE))).then(True).when(low.is_in(list(_FALSE))).then(False).otherwise(None)
            ).to_series()
        else:
            var = REGISTRY[target]
            mapping = {c: c for c in var.codes}
            if source == var.physionet:  # PhysioNet Gender 0/1 (adult-scores.md §1.4)
                mapping |= _PHYSIONET_GENDER
            out = txt.replace_strict(mapping, default=None, return_dtype=pl.String)
        bad = _arg(out.is_null() & ~missing)
        return out.alias(target), bad

    def _value_flag(
        self,
        source: str,
        target: str,
        rows: IntArray,
        s: pl.Series,
        text: pl.Series | None = None,
        unit: str | None = None,
    ) -> Flagged:
        values = self._text(s, text, rows)
        hint = _HINT_CLEAN if self.implausible == "reject" else None
        if target == LABEL:
            return Flagged(rows, source, values, "invalid_code", "{value!r} is not a label (0 or 1)", hint)
        var = REGISTRY[target]
        if var.kind == "boolean":
            return Flagged(rows, source, values, "invalid_code", "{value!r} is not true/false (or 1/0)", hint)
        if var.kind == "code":
            message = f"{{value!r}} is not one of {', '.join(var.codes)}"
            return Flagged(rows, source, values, "invalid_code", message, hint)
        given = f" {unit}" if unit and unit != var.unit else ""
        message = f"{{value}}{given} is outside the plausible range {literal(var.range_text())}"
        if var.kind == "integer":
            message = f"{{value}}{given} is not a whole number in {literal(var.range_text())}"
        return Flagged(rows, source, values, "out_of_range", message, hint)

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

    def _text(self, s: pl.Series, text: pl.Series | None, rows: IntArray) -> list[str | None]:
        if text is not None:
            return text.gather(rows).to_list()
        if s.dtype.is_numeric():
            return number_text(s.gather(rows))
        return s.gather(rows).cast(pl.String).to_list()

    def _dtype_error(self, source: str, dtype: pl.DataType, expected: str) -> ReadError:
        return ReadError(f"the column has type {dtype}, expected {expected}", file=self.name, field=source)


def _target(name: str) -> str | None:
    """Canonical target of a column or columns= value, or None."""
    if name in KEYS:
        return name
    if name in _LABEL_ALIASES:
        return _LABEL_ALIASES[name]
    try:
        return REGISTRY.lookup(name).name
    except KeyError:
        return None


def _arg(mask: pl.Series) -> IntArray:
    return mask.fill_null(False).arg_true().to_numpy().astype(np.int64)
