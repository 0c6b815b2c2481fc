"""Canonicalise cohort outputs and compare engines (embedded vs Spark).

Canonical form: rows sorted by (patient_id, hour); Polars-only types (Enum, Categorical,
also inside lists) as strings; integer columns as Int64 and floats as Float64. Equivalence:
same columns, same rows in that order, integers and strings equal, floats within a tolerance.
"""

from __future__ import annotations

import polars as pl

from sepsiscope.errors import EngineMismatch

KEY = ("patient_id", "hour")


def canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame in canonical form (see module docstring)."""
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List):
            casts.append(pl.col(name).cast(pl.List(pl.Utf8)))
        elif isinstance(dtype, (pl.Enum, pl.Categorical, pl.String)):
            casts.append(pl.col(name).cast(pl.Utf8))
        elif dtype.is_integer():
            casts.append(pl.col(name).cast(pl.Int64))
        elif dtype.is_float():
            casts.append(pl.col(name).cast(pl.Float64))
    return frame.with_columns(casts).sort(list(KEY), maintain_order=True)


def assert_frames_equivalent(a: pl.DataFrame, b: pl.DataFrame, *, float_tol: float = 1e-9) -> None:
    """Raise :class:`EngineMismatch` naming the first column and row where ``a`` and ``b`` differ."""
    a, b = canonical(a), canonical(b)
    if a.columns != b.columns:
        raise EngineMismatch(
            f"columns differ: only in a {set(a.columns) - set(b.columns)}, "
            f"only in b {set(b.columns) - set(a.columns)}, or order differs"
        )
    if a.height != b.height:
        raise EngineMismatch(f"row counts differ: {a.height} vs {b.height}")
    for name in a.columns:
        x, y = a.get_column(name), b.get_column(name)
        if x.dtype != y.dtype:
            raise EngineMismatch(f"column {name!r}: dtype {x.dtype} vs {y.dtype}")
        if x.dtype == pl.Float64:
            same = ((x - y).abs() <= float_tol) | (x.is_null() & y.is_null()) | (x.is_nan() & y.is_nan())
            same = same.fill_null(False)
        else:
            same = (x == y).fill_null(False) | (x.is_null() & y.is_null())
        if not same.all():
            i = int((~same).arg_true()[0])
            where = {k: a.get_column(k)[i] for k in KEY}
            raise EngineMismatch(f"column {name!r} differs at {where}: {x[i]!r} vs {y[i]!r}")
