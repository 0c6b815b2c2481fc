"""PhysioNet 2019 prediction files: round trip, and every error names file, line and field."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sepsiscope.errors import ReadError, UsageError
from sepsiscope.io import read_prediction_dir, write_prediction_dir

HEADER = "PredictedProbability|PredictedLabel"


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "patient_id": ["p000002", "p000002", "p000001", "p000002", "p000001"],
            "probability": [0.1, 1 / 3, 0.0, 1.0, 0.123456789012345678],
            "label": [0, 1, 0, 1, 0],
        }
    )


def test_round_trip(tmp_path: Path) -> None:
    paths = write_prediction_dir(_frame(), tmp_path / "pred")
    assert [p.name for p in paths] == ["p000002.psv", "p000001.psv"]
    assert (tmp_path / "pred" / "p000002.psv").read_text() == f"{HEADER}\n0.1|0\n0.3333333333333333|1\n1.0|1\n"
    got = read_prediction_dir(tmp_path / "pred")
    expected = pl.DataFrame(
        {
            "patient_id": ["p000001", "p000001", "p000002", "p000002", "p000002"],
            "row": [0, 1, 0, 1, 2],
            "probability": [0.0, 0.123456789012345678, 0.1, 1 / 3, 1.0],
            "label": [0, 0, 0, 1, 1],
        },
        schema={"patient_id": pl.String, "row": pl.Int64, "probability": pl.Float64, "label": pl.Int8},
    )
    assert_frame_equal(got, expected)  # exact floats


def test_reads_challenge_style_files(tmp_path: Path) -> None:
    # the challenge's driver writes %g probabilities; CRLF, no final newline and labels like 1.0 are fine
    folder = tmp_path / "pred"
    folder.mkdir()
    (folder / "p1.psv").write_bytes(f"{HEADER}\r\n0.5|1.0\r\n1e-05|0".encode())
    (folder / "p2.psv").write_text(f"{HEADER}\n")  # a header and no rows
    (folder / "notes.txt").write_text("ignored")
    got = read_prediction_dir(folder)
    assert got.rows() == [("p1", 0, 0.5, 1), ("p1", 1, 1e-05, 0)]


def test_write_refuses_to_mix_with_old_files(tmp_path: Path) -> None:
    write_prediction_dir(_frame(), tmp_path / "pred")
    with pytest.raises(UsageError, match="already holds 2 .psv files"):
        write_prediction_dir(_frame(), tmp_path / "pred")
    write_prediction_dir(_frame().filter(pl.col("patient_id") == "p000001"), tmp_path / "pred", overwrite=True)
    assert sorted(p.name for p in (tmp_path / "pred").iterdir()) == ["p000001.psv"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"probability": [1.5]}, "probability must be a number from 0 to 1"),
        ({"probability": [float("nan")]}, "probability must be a number from 0 to 1"),
        ({"probability": [None]}, "probability must be a number from 0 to 1"),
        ({"label": [2]}, "label must be 0 or 1"),
        ({"patient_id": ["../p1"]}, "patient_id is not a file name"),
        ({"patient_id": [None]}, "patient_id is missing"),
    ],
)
def test_write_refuses_bad_rows(tmp_path: Path, change: dict[str, list[object]], message: str) -> None:
    row = {"patient_id": ["p1"], "probability": [0.5], "label": [1]} | change
    frame = pl.concat([pl.DataFrame({"patient_id": ["p0"], "probability": [0.2], "label": [0]}), pl.DataFrame(row)],
                      how="vertical_relaxed")  # fmt: skip
    with pytest.raises(UsageError, match=f"predictions row 1 .*{message}"):
        write_prediction_dir(frame, tmp_path / "pred")


def test_write_needs_the_columns(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"missing \['label'\]"):
        write_prediction_dir(_frame().drop("label"), tmp_path / "pred")


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("PredictedProbability,PredictedLabel\n0.5,1\n", 1, None, "header is 'PredictedProbability,PredictedLabel'"),
        ("PredictedLabel|PredictedProbability\n1|0.5\n", 1, None, "expected 'PredictedProbability|PredictedLabel'"),
        ("", 1, None, "header is 'an empty file'"),
        (f"{HEADER}\n0.5|1\n0.7\n", 3, None, "expected 2 fields separated by '|', found 1"),
        (f"{HEADER}\n0.5|1\n0.7|1|0\n", 3, None, "found 3"),
        (f"{HEADER}\n0.5|1\n\n0.5|1\n", 3, None, "found 1"),
        (f"{HEADER}\n0.5|1\nhigh|1\n", 3, "PredictedProbability", "'high' is not a number"),
        (f"{HEADER}\n|1\n", 2, "PredictedProbability", "'' is not a number"),
        (f"{HEADER}\n0.5|1\n0.2|0\n1.2|1\n", 4, "PredictedProbability", "1.2 is not a probability from 0 to 1"),
        (f"{HEADER}\n-0.1|0\n", 2, "PredictedProbability", "-0.1 is not a probability from 0 to 1"),
        (f"{HEADER}\nNaN|0\n", 2, "PredictedProbability", "NaN is not a probability from 0 to 1"),
        (f"{HEADER}\n0.5|2\n", 2, "PredictedLabel", "'2' is not 0 or 1"),
        (f"{HEADER}\n0.5|0.5\n", 2, "PredictedLabel", "'0.5' is not 0 or 1"),
        (f"{HEADER}\n0.5|yes\n", 2, "PredictedLabel", "'yes' is not 0 or 1"),
        (f"{HEADER}\n0.5|\n", 2, "PredictedLabel", "'' is not 0 or 1"),
    ],
)
def test_read_errors_name_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str | None, message: str
) -> None:
    folder = tmp_path / "pred"
    folder.mkdir()
    (folder / "p000001.psv").write_text(f"{HEADER}\n0.1|0\n")  # a good file first
    (folder / "p000002.psv").write_text(text)
    with pytest.raises(ReadError) as info:
        read_prediction_dir(folder)
    err = info.value
    assert (err.file, err.line, err.field) == (str(folder / "p000002.psv"), line, field)
    assert message in str(err)
    assert str(err).startswith(f"{folder / 'p000002.psv'}, line {line}")


def test_first_problem_in_file_order_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "pred"
    folder.mkdir()
    (folder / "p1.psv").write_text(f"{HEADER}\n0.1|0\n0.1|7\n")
    (folder / "p2.psv").write_text(f"{HEADER}\nx|0\n")
    with pytest.raises(ReadError, match=r"p1.psv, line 3, field 'PredictedLabel'"):
        read_prediction_dir(folder)


def test_read_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="not a folder"):
        read_prediction_dir(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReadError, match="no .psv prediction files"):
        read_prediction_dir(tmp_path / "empty")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "p1.psv").write_bytes(b"\xff\xfe")
    with pytest.raises(ReadError, match="not UTF-8"):
        read_prediction_dir(tmp_path / "bin")
