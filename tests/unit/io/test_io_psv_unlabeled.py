"""Files without the SepsisLabel column (how a model is given test data) read like labelled ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from sepsiscope.errors import ReadError
from sepsiscope.io import read_psv

from .psvfiles import hours, write_folder, write_zip


def _strip_label(text: str, eol: str = "\n") -> str:
    return "".join(line.rsplit("|", 1)[0] + eol for line in text.splitlines())


def test_unlabeled_files_equal_labelled_ones_without_the_label(tmp_path: Path) -> None:
    files = {"p000001.psv": hours(3, SepsisLabel=0), "p000002.psv": hours(2, SepsisLabel=1)}
    labelled = read_psv(write_folder(tmp_path, files, "a")).table
    stripped = {k: _strip_label(v) for k, v in files.items()}
    unlabeled = read_psv(write_folder(tmp_path, stripped, "b"))
    assert "sepsis_label" not in unlabeled.table.columns
    assert unlabeled.table.equals(labelled.drop("sepsis_label"))
    assert any("no SepsisLabel" in note for note in unlabeled.report.notes)
    zipped = read_psv(write_zip(tmp_path / "u.zip", stripped)).table
    assert zipped.equals(unlabeled.table)


def test_crlf_and_missing_final_newline(tmp_path: Path) -> None:
    text = _strip_label(hours(2), eol="\r\n").rstrip("\r\n")
    table = read_psv(write_folder(tmp_path, {"p000003.psv": text})).table
    assert table.get_column("hour").to_list() == [1, 2]


def test_errors_keep_their_line_numbers(tmp_path: Path) -> None:
    text = _strip_label(hours(3)).splitlines()
    text[2] = text[2].replace("82", "eighty-two", 1)
    folder = write_folder(tmp_path, {"p000004.psv": "\n".join(text) + "\n"})
    with pytest.raises(ReadError, match=r"p000004\.psv, line 3, field 'HR'"):
        read_psv(folder)
