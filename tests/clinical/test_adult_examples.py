"""Every worked example of adult-scores.md §6 through the calculator contract."""

from __future__ import annotations

import json

import pytest

from sepsiscope.scores.calculator import run
from tests.clinical.doc_examples import adult_examples, without_message
from tests.conftest import CLINICAL_DOCS

ADULT_DOC = CLINICAL_DOCS / "adult-scores.md"
EXPECTED_SCORES = {"sirs", "qsofa", "news2", "mews", "sofa"}


def _cases() -> list:
    if not ADULT_DOC.exists():
        return [pytest.param(None, None, None, id="adult-scores.md-missing")]
    out = []
    for score, (inputs, outputs) in adult_examples(ADULT_DOC).items():
        assert len(inputs) == len(outputs), f"{score}: {len(inputs)} inputs but {len(outputs)} outputs"
        for n, (line, expected) in enumerate(zip(inputs, outputs, strict=True), start=1):
            out.append(pytest.param(score, line, expected, id=f"{score}-{n}"))
    return out


def test_doc_has_every_adult_score(clinical_docs) -> None:
    assert set(adult_examples(clinical_docs / "adult-scores.md")) == EXPECTED_SCORES


@pytest.mark.parametrize(("score", "line", "expected"), _cases())
def test_worked_example(score, line, expected, clinical_docs) -> None:
    (result,) = list(run(score, [line]))
    assert without_message(result.payload) == without_message(json.loads(expected))
