"""read_psv: every kind of bad input, strict (error) and lenient (quarantine).

Each case is a bad ``p000002.psv`` between two good patients. ``on_invalid="error"`` must
name file, line and field; ``on_invalid="quarantine"`` must drop exactly the bad rows, keep
every other row and record each dropped row with its raw text (style.md §4).
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from sepsiscope.errors import PlausibilityError, ReadError
from sepsiscope.io import read_psv
from sepsiscope.io.psv import PSV_COLUMNS

from .psvfiles import HEADER, hours, line, write_folder, write_zip

BAD = "set/p000002.psv"


def _lines(*rows: Mapping[str, object]) -> list[str]:
    return [line(r) for r in rows]


def _text(header: str, body: list[str]) -> str:
    return "".join(f"{x}\n" for x in [header, *body])


def _with(row: Mapping[str, object], field: str, token: str) -> str:
    """A line whose ``field`` holds ``token`` verbatim."""
    fields = line(row).split("|")
    fields[PSV_COLUMNS.index(field)] = token
    return "|".join(fields)


R1, R2, R3 = {"ICULOS": 1, "HR": 80}, {"ICULOS": 2, "HR": 81}, {"ICULOS": 3, "HR": 82}


def _swap(k: int, field: str, token: str) -> str:
    """Three good rows, the ``k``-th (1-based) holding ``token`` in ``field``."""
    rows = [line(r) for r in (R1, R2, R3)]
    rows[k - 1] = _with((R1, R2, R3)[k - 1], field, token)
    return _text(HEADER, rows)


@dataclass(frozen=True)
class Case:
    text: str
    line: int | None  # 1-based, header = 1
    field: str | None
    value: str | None
    reason: str
    bad_rows: tuple[int, ...]  # lines set aside in quarantine mode
    rows: int  # data rows in the bad file


NC = "non_numeric"
CASES = {
    "wrong_header": Case(
        _text(HEADER.replace("|Temp|", "|Tmp|"), _lines(R1, R2)), 1, "Temp", "Tmp", "wrong_header", (2, 3), 2
    ),
    "header_missing_column": Case(
        # (a header without only SepsisLabel is valid: test_io_psv_unlabeled.py)
        _text(HEADER.removesuffix("|ICULOS|SepsisLabel"), [x.rsplit("|", 2)[0] for x in _lines(R1, R2)]),
        1, "ICULOS", None, "wrong_header", (2, 3), 2,
    ),
    "short_row": Case(
        _text(HEADER, [line(R1), line(R2).rsplit("|", 1)[0], line(R3)]), 3, "SepsisLabel", None,
        "wrong_field_count", (3,), 3,
    ),
    "long_row": Case(_text(HEADER, [line(R1), line(R2) + "|0", line(R3)]), 3, None, None, "wrong_field_count", (3,), 3),
    "blank_line": Case(_text(HEADER, [line(R1), "", line(R3)]), 3, None, "", "wrong_field_count", (3,), 3),
    "non_numeric": Case(_swap(3, "HR", "abc"), 4, "HR", "abc", NC, (4,), 3),
    "leading_space": Case(_swap(2, "HR", " 97"), 3, "HR", " 97", NC, (3,), 3),
    "empty_field": Case(_swap(1, "O2Sat", ""), 2, "O2Sat", "", NC, (2,), 3),
    "quoted_number": Case(_swap(2, "SBP", '"120"'), 3, "SBP", '"120"', NC, (3,), 3),
    "lowercase_nan": Case(_swap(2, "Temp", "nan"), 3, "Temp", "nan", NC, (3,), 3),
    "uppercase_nan": Case(_swap(2, "Temp", "NAN"), 3, "Temp", "NAN", NC, (3,), 3),
    "plus_signed_nan": Case(_swap(2, "Temp", "+NaN"), 3, "Temp", "+NaN", NC, (3,), 3),
    "infinity": Case(_swap(3, "MAP", "inf"), 4, "MAP", "inf", NC, (4,), 3),
    "uppercase_infinity": Case(_swap(3, "MAP", "INF"), 4, "MAP", "INF", NC, (4,), 3),
    "duplicate_hour": Case(_swap(3, "ICULOS", "1"), 4, "ICULOS", "1", "duplicate_hour", (4,), 3),
    "missing_hour": Case(_swap(2, "ICULOS", "NaN"), 3, "ICULOS", "NaN", "invalid_hour", (3,), 3),
    "fractional_hour": Case(_swap(2, "ICULOS", "2.5"), 3, "ICULOS", "2.5", "invalid_hour", (3,), 3),
    "negative_hour": Case(_swap(3, "ICULOS", "-4"), 4, "ICULOS", "-4", "invalid_hour", (4,), 3),
    "empty_file": Case("", None, None, None, "empty_file", (), 0),
    "header_only": Case(HEADER + "\n", None, None, None, "no_rows", (), 0),
}  # fmt: skip


def _files(text: str) -> dict[str, str]:
    return {"p000001.psv": hours(2), "p000002.psv": text, "p000003.psv": hours(3)}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("container", ["folder", "zip"])
def test_error_names_file_line_and_field(tmp_path: Path, case: Case, container: str) -> None:
    files = _files(case.text)
    path = write_folder(tmp_path, files) if container == "folder" else write_zip(tmp_path / "set.zip", files)
    with pytest.raises(ReadError) as info:
        read_psv(path)
    err = info.value
    assert (err.file, err.line, err.field) == (BAD, case.line, case.field)
    if case.value is not None:
        assert err.value == case.value
    where = ", ".join(
        x
        for x in (BAD, f"line {case.line}" if case.line else None, f"field {case.field!r}" if case.field else None)
        if x
    )
    assert str(err).startswith(f"{where}: ")


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_quarantine_keeps_good_rows_and_records_bad_ones(tmp_path: Path, case: Case) -> None:
    result = read_psv(write_folder(tmp_path, _files(case.text)), on_invalid="quarantine")
    report = result.report
    assert report.rows_read == 2 + case.rows + 3
    assert report.rows_read == report.rows_out + report.rows_quarantined
    assert report.rows_quarantined == len(case.bad_rows)
    assert result.table.height == report.rows_out
    kept = result.table.filter(result.table["patient_id"] == "p000002")
    assert kept.height == case.rows - len(case.bad_rows)
    assert result.table.filter(result.table["patient_id"] != "p000002").height == 5
    problems = report.problems
    assert {p.file for p in problems} == {BAD}
    assert {p.action for p in problems} == {"quarantined"}
    assert {p.reason for p in problems} == {case.reason}
    row_problems = [p for p in problems if p.line is not None and p.line > 1]
    assert tuple(p.line for p in row_problems) == case.bad_rows
    text_lines = case.text.split("\n")
    for p in row_problems:
        assert p.line is not None
        assert p.raw == text_lines[p.line - 1]
        assert p.detail


def test_quarantine_in_a_zip_with_many_files(tmp_path: Path) -> None:
    files = {f"p{i:06d}.psv": hours(2) for i in range(1, 30)}
    files["p000017.psv"] = _text(HEADER, [line(R1), _with(R2, "HR", "x"), line(R3)])
    files["p000023.psv"] = _text(HEADER, [line(R1), line(R2) + "|1"])
    result = read_psv(write_zip(tmp_path / "many.zip", files, folder="training_setA"), on_invalid="quarantine")
    got = [(p.file, p.line, p.field, p.reason) for p in result.report.problems]
    assert got == [
        ("training_setA/p000017.psv", 3, "HR", "non_numeric"),
        ("training_setA/p000023.psv", 3, None, "wrong_field_count"),
    ]
    assert result.table.height == 27 * 2 + 2 + 1
    with pytest.raises(ReadError, match=r"^training_setA/p000017\.psv, line 3, field 'HR': 'x' is not a number"):
        read_psv(tmp_path / "many.zip")


def test_duplicate_patient_ids_in_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a/p000001.psv", hours(2))
        zf.writestr("b/p000001.psv", hours(3))
    with pytest.raises(ReadError, match=r"^b/p000001\.psv: patient id 'p000001' is already used by a/p000001\.psv"):
        read_psv(path)
    result = read_psv(path, on_invalid="quarantine")
    assert result.table.height == 2 and result.report.rows_quarantined == 3


def test_corrupt_zip_member(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "bad.zip", {"p000001.psv": hours(2), "p000002.psv": hours(3)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("set/p000002.psv")
    data[info.header_offset + 30 + len(info.filename) + 5] ^= 0xFF  # inside the deflate stream
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError, match=r"^set/p000002\.psv: the zip member (is corrupt|cannot be decompressed)"):
        read_psv(path)
    result = read_psv(path, on_invalid="quarantine")
    assert result.table["patient_id"].unique().to_list() == ["p000001"]
    assert [p.reason for p in result.report.problems] == ["unreadable"]


def test_not_a_zip_and_no_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ReadError, match="not a readable zip archive"):
        read_psv(bad)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReadError, match="no .psv files"):
        read_psv(tmp_path / "empty")
    with pytest.raises(ReadError, match="no such file"):
        read_psv(tmp_path / "missing.zip")


REJECT = {
    "temp_low": (_with(R2, "Temp", "20.9"), "Temp", "20.9", "out of range"),
    "fio2_percent": (_with(R2, "FiO2", "40"), "FiO2", "40", "out of range"),
    "fio2_rounding": (_with(R2, "FiO2", "0.205"), "FiO2", "0.205", "out of range"),
    "gender_code": (_with(R2, "Gender", "2"), "Gender", "2", "invalid code"),
    "unit_code": (_with(R2, "Unit1", "0.5"), "Unit1", "0.5", "invalid code"),
    "label_code": (_with(R2, "SepsisLabel", "3"), "SepsisLabel", "3", "invalid code"),
}


@pytest.mark.parametrize(("row", "field", "value", "kind"), REJECT.values(), ids=REJECT.keys())
def test_reject_implausible(tmp_path: Path, row: str, field: str, value: str, kind: str) -> None:
    folder = write_folder(tmp_path, _files(_text(HEADER, [line(R1), row, line(R3)])))
    with pytest.raises(PlausibilityError) as info:
        read_psv(folder, implausible="reject")
    err = info.value
    assert (err.file, err.line, err.field, err.value) == (BAD, 3, field, value)
    assert "implausible='clean'" in str(err)
    result = read_psv(folder, implausible="reject", on_invalid="quarantine")
    (problem,) = result.report.problems
    assert (problem.line, problem.field, problem.action, problem.raw) == (3, field, "quarantined", row)
    assert result.table.height == 2 + 2 + 3


def test_first_problem_wins_across_kinds(tmp_path: Path) -> None:
    # a value problem on line 2 is reported before a repeated hour on line 4
    text = _text(HEADER, [_with(R1, "Temp", "inf"), line(R2), line({"ICULOS": 2})])
    with pytest.raises(ReadError) as info:
        read_psv(write_folder(tmp_path, _files(text)))
    assert (info.value.line, info.value.field) == (2, "Temp")


@pytest.mark.parametrize("container", ["folder", "zip"])
def test_minus_signed_nan_and_exponents_are_read(tmp_path: Path, container: str) -> None:
    """``-NaN`` (as C libraries print a negative NaN) is "not measured"; ``1E+2`` is a number."""
    text = _text(HEADER, [_with(R1, "Temp", "-NaN"), _with(R2, "HR", "1E+2"), line(R3)])
    files = _files(text)
    path = write_folder(tmp_path, files) if container == "folder" else write_zip(tmp_path / "set.zip", files)
    result = read_psv(path)
    bad = result.table.filter(result.table["patient_id"] == "p000002")
    assert bad["temp_c"].to_list() == [None, None, None]
    assert bad["heart_rate"].to_list() == [80.0, 100.0, 82.0]
    assert result.report.n_problems == 0
