"""Both sides of every threshold in adult-scores.md §2, one CSV row per edge."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sepsiscope.scores.base import evaluate
from sepsiscope.scores.registry import SCORES
from sepsiscope.variables.validate import validate_case

CASES = Path(__file__).with_name("cases") / "adult_boundaries.csv"


def _rows() -> list:
    with CASES.open(encoding="utf-8") as fh:
        return [pytest.param(row, id=row["case"]) for row in csv.DictReader(fh)]


@pytest.mark.parametrize("row", _rows())
def test_boundary(row: dict[str, str]) -> None:
    result = evaluate(SCORES[row["score"]], validate_case(json.loads(row["input"])))
    expected = int(row["expected"]) if row["expected"] else None
    assert result.components[row["component"]] == expected, result.explanations[row["component"]]


def test_every_score_threshold_has_cases() -> None:
    with CASES.open(encoding="utf-8") as fh:
        covered = {(r["score"], r["component"]) for r in csv.DictReader(fh)}
    for name in ("sirs", "qsofa", "news2", "mews", "sofa"):
        for comp in SCORES[name].components:
            assert (name, comp.name) in covered, f"no boundary case for {name}.{comp.name}"
