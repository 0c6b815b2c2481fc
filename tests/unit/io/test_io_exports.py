"""Public surface of sepsiscope.io and read_any dispatch."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import sepsiscope.io as io
from sepsiscope.errors import ReadError

from .psvfiles import hours, write_folder, write_zip


def test_exported_names() -> None:
    assert sorted(io.__all__) == [
        "EVENT_SCHEMA", "ReadBatches", "ReadReport", "ReadResult", "RowProblem", "read_any", "read_batches",
        "read_events", "read_meds", "read_prediction_dir", "read_psv", "read_psv_batches", "read_table",
        "write_patient_dataset", "write_prediction_dir", "write_psv",
    ]  # fmt: skip
    for name in io.__all__:
        assert getattr(io, name).__doc__, name
    assert list(io.EVENT_SCHEMA)[:4] == ["patient_id", "time", "kind", "code"]


def test_read_any_dispatches(tmp_path: Path) -> None:
    files = {"p000001.psv": hours(2), "p000002.psv": hours(1)}
    folder = io.read_any(write_folder(tmp_path, files))
    assert_frame_equal(io.read_any(write_zip(tmp_path / "set.zip", files)).table, folder.table)
    assert io.read_any(tmp_path / "set" / "p000002.psv").table.height == 1
    table = folder.table.select("patient_id", "hour", "heart_rate")
    table.write_csv(tmp_path / "t.csv")
    table.write_parquet(tmp_path / "t.parquet")
    assert_frame_equal(io.read_any(tmp_path / "t.csv").table, table)
    assert_frame_equal(io.read_any(tmp_path / "t.parquet", on_invalid="quarantine").table, table)
    with pytest.raises(ReadError, match="cannot tell the format"):
        io.read_any(tmp_path / "t.json")


def test_read_any_passes_options(tmp_path: Path) -> None:
    pl.DataFrame({"id": ["a"], "hour": [1], "HR": [80.0]}).write_csv(tmp_path / "t.csv")
    result = io.read_any(tmp_path / "t.csv", columns={"id": "patient_id"})
    assert result.table.columns == ["patient_id", "hour", "heart_rate"]


@pytest.mark.parametrize("on_invalid", ["error", "quarantine"])
def test_read_batches_concatenate_to_read_any(tmp_path: Path, on_invalid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import sepsiscope.io.psv_reader as psv_reader

    monkeypatch.setattr(psv_reader, "_MIN_BATCH", 2)  # 40 files -> many batches
    files = {f"p{k:06d}.psv": hours(1 + k % 5) for k in range(40)}
    if on_invalid == "quarantine":
        files["p000007.psv"] = hours(3).replace("\n81|", "\nabc|")  # HR of line 2
    path = write_zip(tmp_path / "set.zip", files)
    whole = io.read_any(path, on_invalid=on_invalid)
    assert (whole.report.rows_quarantined == 1) == (on_invalid == "quarantine")
    batches = io.read_batches(path, on_invalid=on_invalid)
    tables = list(batches)
    assert len(tables) > 1
    assert_frame_equal(pl.concat(tables), whole.table)
    assert batches.report.summary() == whole.report.summary()
    assert_frame_equal(batches.report.problems_frame(), whole.report.problems_frame())


def test_read_batches_of_a_table_is_one_batch(tmp_path: Path) -> None:
    pl.DataFrame({"patient_id": ["a", "a"], "hour": [1, 2], "heart_rate": [80.0, 90.0]}).write_csv(tmp_path / "t.csv")
    batches = io.read_batches(tmp_path / "t.csv")
    tables = list(batches)
    assert len(tables) == 1
    assert_frame_equal(tables[0], io.read_any(tmp_path / "t.csv").table)


def test_read_batches_release_the_zip_when_stopped_early(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import sepsiscope.io.psv_reader as psv_reader

    monkeypatch.setattr(psv_reader, "_MIN_BATCH", 2)
    path = write_zip(tmp_path / "set.zip", {f"p{k:06d}.psv": hours(2) for k in range(20)})
    with io.read_batches(path) as batches:
        first = next(iter(batches))
    assert first["patient_id"].unique(maintain_order=True).to_list() == ["p000000", "p000001"]
    with io.read_batches(path):
        pass  # never iterated
    gc.collect()  # an unclosed zip would warn here, and warnings are errors in this suite
