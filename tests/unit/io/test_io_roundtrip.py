"""Reader round-trip (style.md §3): a canonical frame written as PSV reads back unchanged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from sepsiscope.io import read_psv, write_psv
from sepsiscope.variables.registry import REGISTRY, Variable

PSV_VARIABLES: list[Variable] = [v for v in REGISTRY if v.physionet]


def _value(var: Variable) -> st.SearchStrategy[object]:
    if var.kind == "code":
        return st.sampled_from([None, "female", "male"])
    if var.kind == "boolean":
        return st.sampled_from([None, True, False])
    assert var.min is not None and var.max is not None
    return st.none() | st.floats(var.min, var.max, allow_nan=False, allow_infinity=False)


@st.composite
def canonical_frames(draw: st.DrawFn) -> pl.DataFrame:
    n_patients = draw(st.integers(1, 3))
    rows = []
    for p in range(n_patients):
        hours = draw(st.lists(st.integers(0, 500), min_size=1, max_size=4, unique=True))
        for hour in hours:
            row: dict[str, object] = {"patient_id": f"p{p:06d}", "hour": hour}
            for var in PSV_VARIABLES:
                row[var.name] = float(hour) if var.name == "iculos_h" else draw(_value(var))
            row["sepsis_label"] = draw(st.sampled_from([None, 0, 1]))
            rows.append(row)
    schema: dict[str, pl.DataType] = {"patient_id": pl.String(), "hour": pl.Int32()}
    for var in PSV_VARIABLES:
        schema[var.name] = {"code": pl.String(), "boolean": pl.Boolean()}.get(var.kind, pl.Float64())
    schema["sepsis_label"] = pl.Int8()
    return pl.DataFrame(rows, schema=schema, orient="row")


@settings(deadline=None)
@given(canonical_frames())
def test_write_then_read_is_identity(frame: pl.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_psv(frame, Path(tmp) / "set")
        result = read_psv(Path(tmp) / "set")
    assert_frame_equal(result.table, frame)
    assert result.report.n_problems == 0
