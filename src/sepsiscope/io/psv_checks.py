"""Vectorised value checks and cleaning of the parsed PSV rows, and the canonical table.

Ranges: shared/docs/clinical/adult-scores.md §1.1 (via ``variables.toml``); cleaning rules
(FiO2 rounding and percent, Gender and unit codes): adult-scores.md §1.4; errors:
shared/docs/style.md §4. :class:`_Checks` flags bad rows (non-numeric, bad or repeated
``ICULOS``) and implausible values in one pass over a batch of files; :func:`_canonical` renames
and types the PSV columns as the canonical wide table.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sepsiscope.io.psv_format import (
    _HINT_NUMBER,
    _HINT_QUARANTINE,
    GENDER_CODES,
    HOUR,
    LABEL,
    PSV_COLUMNS,
)
from sepsiscope.io.report import (
    Flagged,
    Implausible,
    IntArray,
    Locate,
    RawText,
    ReadReport,
    literal,
    number_text,
    record_values,
)
from sepsiscope.variables.registry import REGISTRY, Variable
from sepsiscope.variables.units import CONVERSIONS, convert

#: adult-scores.md §1.4: FiO2 in [0.20, 0.21) is a rounding artefact, set to 0.21.
FIO2_ROUNDING = (0.20, 0.21)
_HINT_CLEAN = "pass implausible='clean' to set implausible values to missing and record each one (adult-scores.md §1.4)"


class _Checks:
    """Row-level (non-numeric, bad or repeated ICULOS) and value-level (§1.1 range) checks."""

    def __init__(self, raw: pl.DataFrame, implausible: Implausible) -> None:
        self.raw = raw
        self.implausible = implausible
        self.by_col = {c: REGISTRY.by_physionet[c] for c in PSV_COLUMNS if c in REGISTRY.by_physionet}
        # one vectorised pass: how many values of each column need a closer look
        counts = raw.select(self._flag_expr(c).sum().alias(c) for c in PSV_COLUMNS).row(0) if raw.height else ()
        self.numeric: dict[str, IntArray] = {}  # rows holding NaN/inf parsed from a non-"NaN" token
        self.other: dict[str, IntArray] = {}  # rows with a finite value outside the range (or ICULOS null)
        for col, n in zip(PSV_COLUMNS, counts, strict=False):
            if not n:
                continue
            rows = self.raw.select(self._flag_expr(col).arg_true()).to_series().to_numpy().astype(np.int64)
            got = self.raw[col].gather(rows)
            odd = (got.is_nan() | got.is_infinite()).fill_null(False).to_numpy()
            self.numeric[col], self.other[col] = rows[odd], rows[~odd]

    def _flag_expr(self, col: str) -> pl.Expr:
        """True where a value needs a look; NaN and inf fall outside every range."""
        c = pl.col(col)
        var = self.by_col.get(col)
        if col == HOUR:
            assert var is not None and var.min is not None and var.max is not None
            return c.is_null() | ~c.is_between(var.min, var.max) | (c.round(0) != c)
        if var is None or var.kind in ("code", "boolean"):  # SepsisLabel, Gender, Unit1, Unit2
            return ~c.is_in([0.0, 1.0])
        assert var.min is not None and var.max is not None
        return ~c.is_between(var.min, var.max)

    def _values(self, col: str, rows: IntArray) -> list[str | None]:
        return number_text(self.raw[col].gather(rows))

    def row_flags(self, fidx: IntArray, locate: Locate, raw_text: RawText) -> list[Flagged]:
        flags: list[Flagged] = []
        if not self.raw.height:
            return flags
        for col, rows in self.numeric.items():
            if len(rows):  # e.g. "nan", "inf", "1e999": show the token as written
                k = PSV_COLUMNS.index(col)
                tokens: list[str | None] = [line.split("|")[k] for line in raw_text(rows)]
                flags.append(Flagged(rows, col, tokens, "non_numeric", "{value!r} is not a number", _HINT_NUMBER))
        rows = self.other.get(HOUR, np.zeros(0, np.int64))
        if len(rows):
            message = "ICULOS {value} is not a whole number of ICU hours in 0-87600"
            values = [v or "NaN" for v in self._values(HOUR, rows)]
            flags.append(Flagged(rows, HOUR, values, "invalid_hour", message, _HINT_QUARANTINE))
        flags.extend(self._duplicates(fidx, locate))
        if self.implausible == "reject":
            for col, rows in self.other.items():
                if col != HOUR and len(rows):
                    flags.append(self._value_flag(col, rows, reject=True))
        return flags

    def _duplicates(self, fidx: IntArray, locate: Locate) -> list[Flagged]:
        hours = self.raw[HOUR].to_numpy()
        same_file = fidx[1:] == fidx[:-1]
        if not np.any(same_file & ~(np.diff(hours) > 0)):  # strictly increasing within each file
            return []
        keys = pl.DataFrame({"f": fidx, "h": hours, "r": np.arange(len(hours))}).filter(
            pl.col("h").is_finite() & pl.col("h").is_not_null()
        )
        dup = keys.filter(pl.struct("f", "h").is_duplicated())
        if not dup.height:
            return []
        first = dup.group_by("f", "h").agg(pl.col("r").min().alias("first"))
        later = dup.join(first, on=["f", "h"]).filter(pl.col("r") != pl.col("first")).sort("r")
        rows = later["r"].to_numpy().astype(np.int64)
        _, first_lines = locate(later["first"].to_numpy().astype(np.int64))
        details = [f"same hour as line {int(x)}" for x in first_lines]
        msg = "ICULOS {value} repeats an earlier row of the same patient"
        return [Flagged(rows, HOUR, self._values(HOUR, rows), "duplicate_hour", msg, _HINT_QUARANTINE, details)]

    def _value_flag(self, col: str, rows: IntArray, *, reject: bool) -> Flagged:
        var = self.by_col.get(col)
        values = self._values(col, rows)
        hint = _HINT_CLEAN if reject else None
        if var is None or var.kind in ("code", "boolean"):
            meaning = "0 = female, 1 = male" if var is not None and var.kind == "code" else "0 or 1"
            return Flagged(rows, col, values, "invalid_code", f"{{value}} is not a valid {col} ({meaning})", hint)
        message = f"{{value}} is outside the plausible range {literal(var.range_text())}"
        return Flagged(rows, col, values, "out_of_range", message, hint)

    def clean(self, keep: np.ndarray, locate: Locate, report: ReadReport) -> pl.DataFrame:
        """implausible='clean': apply adult-scores.md §1.4 to kept rows and record each change."""
        if self.implausible != "clean" or not self.raw.height:
            return self.raw
        replaced: list[pl.Series] = []
        for col, rows in self.other.items():
            rows = rows[keep[rows]]
            if col == HOUR or not len(rows):
                continue
            series = self.raw[col]
            if col == "FiO2":
                series, rows = _fio2(series, rows, self._values(col, rows), locate, report)
            flag = self._value_flag(col, rows, reject=False)
            record_values(flag, "set_missing", locate=locate, report=report)
            replaced.append(series.scatter(rows, None) if len(rows) else series)
        return self.raw.with_columns(replaced) if replaced else self.raw


def _fio2(
    series: pl.Series,
    rows: IntArray,
    values: list[str | None],
    locate: Locate,
    report: ReadReport,
) -> tuple[pl.Series, IntArray]:
    """FiO2 §1.4: [0.20, 0.21) -> 0.21; [21, 100] percent -> fraction. Returns rows still invalid."""
    x = series.gather(rows).to_numpy()
    lo, hi = FIO2_ROUNDING
    rounding = (x >= lo) & (x < hi)
    rule = CONVERSIONS["fio2"]["%"]
    percent = (x >= (rule.valid_min or 0)) & (x <= (rule.valid_max or 0))
    new = x.copy()
    new[rounding] = REGISTRY["fio2"].min
    new[percent] = convert(x[percent], "fio2", "%")
    for mask, reason, detail in (
        (rounding, "fio2_rounding", "FiO2 in [0.20, 0.21) is a rounding artefact: set to 0.21 (adult-scores.md §1.4)"),
        (percent, "fio2_percent", "FiO2 in [21, 100] is percent: divided by 100 (adult-scores.md §1.4)"),
    ):
        if mask.any():
            idx = np.flatnonzero(mask)
            flag = Flagged(rows[idx], "FiO2", [values[j] for j in idx], reason, detail, details=[detail] * len(idx))
            record_values(flag, "converted", locate=locate, report=report, new_values=number_text(pl.Series(new[idx])))
    fixed = rounding | percent
    if fixed.any():
        series = series.scatter(rows[fixed], pl.Series(new[fixed]))
    return series, rows[~fixed]


def _canonical(raw: pl.DataFrame, patient_id: pl.Series) -> pl.DataFrame:
    """PSV columns -> canonical names and types (registry order), plus patient_id, hour, label."""
    exprs: list[pl.Expr] = [pl.lit(patient_id).alias("patient_id"), pl.col(HOUR).cast(pl.Int32).alias("hour")]
    present = set(raw.columns)
    var: Variable
    for var in REGISTRY:
        if var.physionet not in present:
            continue
        c = pl.col(var.physionet)
        if var.kind == "code":
            exprs.append(c.replace_strict(GENDER_CODES, default=None, return_dtype=pl.String).alias(var.name))
        elif var.kind == "boolean":
            exprs.append((c == 1.0).alias(var.name))
        else:
            exprs.append(c.alias(var.name))
    exprs.append(pl.col(LABEL).cast(pl.Int8).alias("sepsis_label"))
    return raw.select(exprs)
