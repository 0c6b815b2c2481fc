"""Every worked example of pediatric-obstetric.md, read from the document at test time.

Each ``<!-- examples:NAME:input -->`` block is paired with its ``<!-- examples:NAME:expected -->``
block; line n of the expected block is the full calculator output for line n of the input
block, compared as parsed JSON with the free-text error ``message`` left out (§0.1,
adult-scores.md §6). Ids are the document's line labels (line 1 of ``phoenix`` = PX01).
The document is ``<repo>/../shared/docs/clinical/pediatric-obstetric.md``; when it is absent
the tests skip naming the path, or fail under ``SEPSISCOPE_REQUIRE_ALL=1``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sepsiscope.scores.calculator import run
from tests.clinical.doc_examples import tagged_examples, without_message
from tests.conftest import CLINICAL_DOCS, require

DOC = CLINICAL_DOCS / "pediatric-obstetric.md"
#: Line-label prefixes of the document's "What it shows" tables (line n = id n).
ID_PREFIX = {"phoenix": "PX", "pediatric_sirs": "SX", "omqsofa": "OX", "mewc": "MX"}
#: Example blocks the document holds, with their line counts; a parsing slip must not drop one.
EXPECTED_BLOCKS = {"phoenix": 18, "pediatric_sirs": 11, "omqsofa": 8, "mewc": 4}


def _cases() -> list[Any]:
    if not DOC.is_file():
        return [pytest.param(None, None, None, id="pediatric-obstetric.md-missing")]
    params = []
    for score, (inputs, expected) in tagged_examples(DOC).items():
        for n, (line_in, line_out) in enumerate(zip(inputs, expected, strict=False), start=1):
            case_id = f"{ID_PREFIX[score]}{n:02d}" if score in ID_PREFIX else f"{score}-{n}"
            params.append(pytest.param(score, line_in, line_out, id=case_id))
    return params


def test_every_example_block_is_paired_and_complete() -> None:
    blocks = tagged_examples(require(DOC, "clinical reference pediatric-obstetric.md"))
    assert set(blocks) >= set(EXPECTED_BLOCKS), f"example blocks found: {sorted(blocks)}"
    for score, (inputs, expected) in blocks.items():
        assert len(inputs) == len(expected), f"examples:{score}: {len(inputs)} inputs, {len(expected)} expected"
        assert len(inputs) >= EXPECTED_BLOCKS.get(score, 1), f"examples:{score}: only {len(inputs)} lines"


@pytest.mark.parametrize(("score", "line_in", "line_out"), _cases())
def test_worked_example(score: str | None, line_in: str | None, line_out: str | None) -> None:
    require(DOC, "clinical reference pediatric-obstetric.md")
    assert score is not None and line_in is not None and line_out is not None
    (result,) = list(run(score, [line_in]))
    want = json.loads(line_out)
    got = json.loads(json.dumps(result.payload))  # exactly what the CLI would print, re-parsed
    assert without_message(got) == without_message(want), f"{score} input {line_in}"
    assert result.ok == ("error" not in want)
