"""The band tables in adult-scores.md and the BandTables in code are the same tables.

Parses the NEWS2 (§2.3), MEWS (§2.4) and SOFA (§2.5) tables of the clinical reference and
compares every interval/points pair with the code, so the two cannot drift apart.
"""

from __future__ import annotations

import pytest

from sepsiscope.scores import mews, news2, sofa
from sepsiscope.scores.bands import Band, BandTable

NEWS2_POINTS = (3, 2, 1, 0, 1, 2, 3)
SOFA_POINTS = (0, 1, 2, 3, 4)

CASES = [
    ("### 2.3", "`resp_rate`", NEWS2_POINTS, news2.RESP_RATE),
    ("### 2.3", "`spo2`, scale 1", NEWS2_POINTS, news2.SPO2_SCALE1),
    ("### 2.3", "`sbp`", NEWS2_POINTS, news2.SBP),
    ("### 2.3", "`heart_rate`", NEWS2_POINTS, news2.HEART_RATE),
    ("### 2.3", "`temp_c`", NEWS2_POINTS, news2.TEMP_C),
    ("### 2.4", "`sbp`", NEWS2_POINTS, mews.SBP),
    ("### 2.4", "`heart_rate`", NEWS2_POINTS, mews.HEART_RATE),
    ("### 2.4", "`resp_rate`", NEWS2_POINTS, mews.RESP_RATE),
    ("### 2.4", "`temp_c`", NEWS2_POINTS, mews.TEMP_C),
    ("### 2.5", "`coagulation`, `platelets`", SOFA_POINTS, sofa.PLATELETS),
    ("### 2.5", "`liver`, `bilirubin_total`", SOFA_POINTS, sofa.BILIRUBIN),
]


def _doc_bands(text: str, section: str, row_label: str, points: tuple[int, ...]) -> set[tuple[Band, int]]:
    body = text.split(section, 1)[1].split("\n### ", 1)[0]
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == row_label:
            out = set()
            for pts, cell in zip(points, cells[1:], strict=False):
                cell = cell.replace("*", "").strip()
                if not cell or cell == "—":
                    continue
                out.add((Band.parse(cell, pts), pts))
            return out
    raise AssertionError(f"row {row_label} not found in {section}")


@pytest.mark.parametrize(("section", "row", "points", "table"), CASES, ids=[f"{c[0][4:]}-{c[1]}" for c in CASES])
def test_doc_table_equals_code(
    section: str, row: str, points: tuple[int, ...], table: BandTable, clinical_docs
) -> None:
    text = (clinical_docs / "adult-scores.md").read_text(encoding="utf-8")
    doc = _doc_bands(text, section, row, points)
    code = {(b, b.points) for b in table.bands}
    assert doc == code
