"""Every worked example of symptom-checker.md §8 through ``calc symptom_checker``.

The inputs and expected fields are parsed from the doc at test time (the
``examples:symptom_checker`` blocks). The text fields the doc leaves out of its expected
lines ("fully determined by §7") are checked against the §7 tables of the same doc, plus
the §9 D13 sentence in ``messages`` when the age was not given (CX24, CX26-CX28).
"""

from __future__ import annotations

import json
import re

import pytest

from sepsiscope.scores.calculator import run
from tests.clinical.doc_examples import tagged_examples, without_message
from tests.clinical.symptom_checker_doc import CheckerDoc
from tests.conftest import CLINICAL_DOCS

DOC = CLINICAL_DOCS / "symptom-checker.md"


def _cases() -> list:
    if not DOC.exists():
        return [pytest.param(None, None, None, id="symptom-checker.md-missing")]
    inputs, expected = tagged_examples(DOC)["symptom_checker"]
    assert len(inputs) == len(expected), f"{len(inputs)} inputs but {len(expected)} expected lines"
    ids = re.findall(r"^\| (CX\d+) \|", DOC.read_text(encoding="utf-8"), re.M)
    assert len(ids) == len(inputs), "the §8 table and the input block must have the same cases"
    return [
        pytest.param(i, line, exp, id=case) for case, i, line, exp in zip(ids, inputs, inputs, expected, strict=True)
    ]


@pytest.fixture(scope="module")
def doc(clinical_docs) -> CheckerDoc:
    return CheckerDoc(clinical_docs / "symptom-checker.md")


def test_doc_has_28_worked_examples(clinical_docs) -> None:
    """CX01-CX28; CX26-CX28 are the age-missing examples of decision D13."""
    inputs, expected = tagged_examples(clinical_docs / "symptom-checker.md")["symptom_checker"]
    assert len(inputs) == len(expected) == 28


@pytest.mark.parametrize(("case_input", "line", "expected"), _cases())
def test_worked_example(case_input, line, expected, doc: CheckerDoc, clinical_docs) -> None:
    (result,) = list(run("symptom_checker", [line]))
    got = without_message(result.payload)
    want = without_message(json.loads(expected))
    assert {k: got.get(k) for k in want} == want
    if "error" in want:
        assert set(got) == {"score", "error"}
        assert not result.ok
        return
    assert result.ok
    case = json.loads(case_input)
    months = case.get("age_months", case["age_years"] * 12 if "age_years" in case else None)
    assert got["action"] == doc.action[got["level"]]
    note = [doc.age_note] if "age_years" in got["missing"] else []  # §9 D13
    assert got["messages"] == [doc.reason[c] for c in got["reasons"] + got["also_noted"]] + note
    assert got["safety_net"] == doc.safety_net
    assert got["disclaimer"] == doc.disclaimer
    escalate = [] if got["level"] == "EMERGENCY" else doc.escalation_for(months)
    assert got["escalate_if"] == [{"level": lvl, "text": text} for lvl, text in escalate]


def test_all_examples_in_one_run_keep_order_and_exit_status(clinical_docs) -> None:
    """The whole block through the CLI: one line out per line in, exit 1 because CX25 is an error."""
    from typer.testing import CliRunner

    from sepsiscope.cli import app

    inputs, expected = tagged_examples(clinical_docs / "symptom-checker.md")["symptom_checker"]
    result = CliRunner().invoke(app, ["calc", "symptom_checker"], input="\n".join(inputs) + "\n")
    assert result.exit_code == 1
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x.get("level", "error") for x in lines] == [json.loads(e).get("level", "error") for e in expected]
