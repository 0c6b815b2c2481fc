"""Per-row metric inputs: the array types and the checks every metric applies to its arguments.

Every metric in :mod:`sepsiscope.model.metrics` takes one value per patient-hour, in row order; these
helpers turn labels, predictions and probabilities into 1-D NumPy arrays, or raise a ``ValueError``
naming the first offending row. Defined once here so the utility (:mod:`sepsiscope.model.utility`),
the probability metrics (:mod:`sepsiscope.model.probability_metrics`) and the alert burden
(:mod:`sepsiscope.model.alert_burden`) reject bad input with the same messages.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def as_binary(values: npt.ArrayLike, what: str) -> BoolArray:
    """``values`` as a boolean array; raises unless it is 1-D and holds only booleans or 0/1."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be one value per row (1-D), got shape {arr.shape}")
    if arr.dtype == np.bool_:
        return arr
    bad = ~np.isin(arr, (0, 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{what} must be 0 or 1; row {i} holds {arr[i]!r}")
    return arr.astype(np.bool_)


def as_probabilities(values: npt.ArrayLike, what: str = "probabilities") -> FloatArray:
    """``values`` as a float64 array; raises unless it is 1-D and every value is finite."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be one value per row (1-D), got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{what} must be finite numbers; row {i} holds {arr[i]!r}")
    return arr


def same_length(**arrays: npt.NDArray[np.generic] | pl.Series) -> int:
    """The common length of the named inputs; raises, listing every length, when they differ."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"one value per row is needed in each input; lengths differ: {lengths}")
    return next(iter(lengths.values()))
