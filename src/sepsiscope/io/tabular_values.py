"""Parsing one column of a CSV/Parquet table into canonical values, flagging bad rows and values.

Keys (``patient_id``, whole-number ``hour``), the label (0/1), booleans, codes (PhysioNet Gender
0/1, adult-scores.md §1.4) and numbers. Units other than the canonical one are converted by
``variables.units.convert`` (adult-scores.md §1.2) inside the rule's valid window; plausibility
limits come from adult-scores.md §1.1 via ``variables.toml``. Row problems (missing id, bad hour,
non-number) and value problems (implausible, invalid code) are returned as ``Flagged`` for the
reader to resolve, as in the PSV reader (style.md §4).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sepsiscope.errors import ReadError
from sepsiscope.io.report import Flagged, Implausible, IntArray, ReadReport, literal, number_text
from sepsiscope.io.tabular_columns import LABEL
from sepsiscope.variables.registry import REGISTRY
from sepsiscope.variables.units import CONVERSIONS, convert

_TRUE = {"true", "1", "1.0", "yes"}
_FALSE = {"false", "0", "0.0", "no"}
_PHYSIONET_GENDER = {"0": "female", "1": "male", "0.0": "female", "1.0": "male"}
_HINT_QUARANTINE = "fix the file, or pass on_invalid='quarantine' to set bad rows aside with a record"
_HINT_CLEAN = "pass implausible='clean' to set implausible values to missing and record each one"


class _Parser:
    """Column parser for one table; unit conversions are noted in ``report``."""

    def __init__(
        self,
        frame: pl.DataFrame,
        name: str,
        implausible: Implausible,
        null_values: tuple[str, ...],
        report: ReadReport,
    ) -> None:
        self.frame = frame
        self.name = name
        self.implausible = implausible
        self.null_values = null_values
        self.report = report

    def column(
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

    def _text(self, s: pl.Series, text: pl.Series | None, rows: IntArray) -> list[str | None]:
        if text is not None:
            return text.gather(rows).to_list()
        if s.dtype.is_numeric():
            return number_text(s.gather(rows))
        return s.gather(rows).cast(pl.String).to_list()

    def _dtype_error(self, source: str, dtype: pl.DataType, expected: str) -> ReadError:
        return ReadError(f"the column has type {dtype}, expected {expected}", file=self.name, field=source)


def _arg(mask: pl.Series) -> IntArray:
    return mask.fill_null(False).arg_true().to_numpy().astype(np.int64)
