"""read_psv: inputs, order, canonical schema and value mapping (adult-scores.md §1.4)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sepsiscope.io import read_psv
from sepsiscope.io.psv import PSV_COLUMNS
from sepsiscope.variables.registry import REGISTRY

from .psvfiles import HEADER, hours, line, patient, write_folder, write_zip

FILES = {
    "p000003.psv": hours(2, Age=70, Gender=1, Unit1=0, Unit2=1, SepsisLabel=0),
    "p000001.psv": patient(
        {"ICULOS": 1},  # all-NaN apart from the hour
        {"ICULOS": 2, "HR": 97, "Temp": 36.8, "Gender": 0, "Unit1": 1, "Unit2": 0, "SepsisLabel": 1},
        Age=55.5,
        HospAdmTime=-0.03,
    ),
    "p000002.psv": patient({"ICULOS": 5, "Resp": 18}, {"ICULOS": 3, "Resp": 22}, {"ICULOS": 4, "Resp": 20}),
}


def _canonical_names() -> list[str]:
    return [v.name for v in REGISTRY if v.physionet]


def test_folder_zip_and_files_agree(tmp_path: Path) -> None:
    folder = read_psv(write_folder(tmp_path, FILES))
    zipped = read_psv(write_zip(tmp_path / "set.zip", FILES))
    assert_frame_equal(folder.table, zipped.table)
    assert folder.report.files == zipped.report.files == ["set/p000001.psv", "set/p000002.psv", "set/p000003.psv"]
    one = read_psv(tmp_path / "set" / "p000002.psv")
    assert_frame_equal(one.table, folder.table.filter(pl.col("patient_id") == "p000002"))


def test_schema_is_canonical(tmp_path: Path) -> None:
    table = read_psv(write_folder(tmp_path, FILES)).table
    assert table.columns == ["patient_id", "hour", *_canonical_names(), "sepsis_label"]
    schema = table.schema
    assert schema["patient_id"] == pl.String
    assert schema["hour"] == pl.Int32
    assert schema["sepsis_label"] == pl.Int8
    assert schema["sex"] == pl.String
    assert schema["unit_micu"] == schema["unit_sicu"] == pl.Boolean
    numeric = [v.name for v in REGISTRY if v.physionet and v.is_numeric]
    assert all(schema[name] == pl.Float64 for name in numeric)
    assert "iculos_h" in numeric


def test_rows_follow_sorted_files_then_file_order(tmp_path: Path) -> None:
    table = read_psv(write_folder(tmp_path, FILES)).table
    assert table.select("patient_id", "hour").rows() == [
        ("p000001", 1),
        ("p000001", 2),
        ("p000002", 5),  # hours are kept in file order, not sorted
        ("p000002", 3),
        ("p000002", 4),
        ("p000003", 1),
        ("p000003", 2),
    ]
    assert table["iculos_h"].to_list() == [1.0, 2.0, 5.0, 3.0, 4.0, 1.0, 2.0]


def test_nan_becomes_null_never_nan(tmp_path: Path) -> None:
    table = read_psv(write_folder(tmp_path, FILES)).table
    floats = table.select(pl.selectors.float())
    assert floats.select(pl.all().is_nan().any()).row(0) == (False,) * floats.width
    first = table.row(0, named=True)
    assert first["heart_rate"] is None and first["temp_c"] is None and first["sex"] is None
    assert first["age_years"] == 55.5 and first["hosp_adm_time_h"] == -0.03


def test_gender_unit_and_label_mapping(tmp_path: Path) -> None:
    table = read_psv(write_folder(tmp_path, FILES)).table
    got = table.select("patient_id", "sex", "unit_micu", "unit_sicu", "sepsis_label").rows()
    assert got[0] == ("p000001", None, None, None, None)  # NaN -> null
    assert got[1] == ("p000001", "female", True, False, 1)
    assert got[5] == ("p000003", "male", False, True, 0)


def test_zip_members_anywhere_and_non_data_skipped(tmp_path: Path) -> None:
    path = tmp_path / "nested.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("deep/er/p000002.psv", hours(1))
        zf.writestr("p000001.psv", hours(2))
        zf.writestr("stored/p000003.psv", hours(1), compress_type=zipfile.ZIP_STORED)
        zf.writestr("README.txt", "not data")
        zf.writestr("__MACOSX/deep/._p000002.psv", b"\x00\x05\x16\x07")
    result = read_psv(path)
    assert result.report.files == ["deep/er/p000002.psv", "p000001.psv", "stored/p000003.psv"]
    assert result.table["patient_id"].to_list() == ["p000002", "p000001", "p000001", "p000003"]
    assert sorted(result.report.skipped_files) == ["README.txt", "__MACOSX/deep/._p000002.psv"]


def test_missing_final_newline_and_crlf(tmp_path: Path) -> None:
    files = {
        "p1.psv": hours(3).rstrip("\n"),
        "p2.psv": hours(2).replace("\n", "\r\n"),
    }
    result = read_psv(write_folder(tmp_path, files))
    assert result.table.select("patient_id", "hour").rows() == [("p1", 1), ("p1", 2), ("p1", 3), ("p2", 1), ("p2", 2)]
    assert result.report.n_problems == 0


def test_many_files_span_batches_in_order(tmp_path: Path) -> None:
    files = {f"p{i:06d}.psv": hours(1 + i % 3) for i in range(37, 0, -1)}
    progress: list[tuple[int, int]] = []
    result = read_psv(
        write_zip(tmp_path / "many.zip", files), progress=lambda done, total: progress.append((done, total))
    )
    expected = [(f"p{i:06d}", h) for i in range(1, 38) for h in range(1, 2 + i % 3)]
    assert result.table.select("patient_id", "hour").rows() == expected
    assert progress[-1] == (37, 37) and len(progress) > 1
    assert result.report.rows_read == result.report.rows_out == len(expected)


def test_report_of_clean_input(tmp_path: Path) -> None:
    report = read_psv(write_folder(tmp_path, FILES)).report
    assert (report.rows_read, report.rows_out, report.rows_quarantined, report.n_problems) == (7, 7, 0, 0)
    assert report.problems == []
    assert "3 files, 7 rows read, 7 rows out, 0 rows quarantined, 0 problems" in report.summary()


def test_fixture_helpers_write_physionet_layout() -> None:
    assert HEADER.split("|") == list(PSV_COLUMNS) and len(PSV_COLUMNS) == 41
    assert line({"HR": 80}).split("|")[:2] == ["80", "NaN"]
    physionet = {v.physionet for v in REGISTRY if v.physionet}
    assert physionet == set(PSV_COLUMNS) - {"SepsisLabel"}


@pytest.mark.parametrize("bad", ["sideways", "reject-ish"])
def test_options_are_checked(tmp_path: Path, bad: str) -> None:
    from sepsiscope.errors import UsageError

    folder = write_folder(tmp_path, FILES)
    with pytest.raises(UsageError, match="on_invalid"):
        read_psv(folder, on_invalid=bad)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="implausible"):
        read_psv(folder, implausible=bad)  # type: ignore[arg-type]
